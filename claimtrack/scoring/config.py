"""Every constant of the scoring model, in one frozen, serialisable object.

``ScoringConfig()`` is the built-in model; a case overrides some of it with
``apply_overrides(config, {"anonymity_shrink": 0.5, "kind_priors.media": [4, 1]})``.
``config_rows(config)`` lists every setting with its value and meaning (for
``claimtrack config`` and the report's method section). docs/scoring.md explains
each constant.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from claimtrack.errors import UsageError

# (a, b) of a Beta prior on a source's reliability, by kind.
_KIND_PRIORS: dict[str, tuple[float, float]] = {
    "media": (3.5, 1.5),  # mean 0.70: a newsroom, no track record yet
    "government": (3.0, 2.0),  # 0.60
    "organization": (3.0, 2.0),  # 0.60
    "person": (3.0, 2.0),  # 0.60
    "document": (3.5, 1.5),  # 0.70
    "anonymous": (1.0, 1.0),  # 0.50: an unnamed descriptor says nothing by itself
    "unknown": (1.0, 1.0),  # 0.50
}

# How much of its reliability a cue or hedge word lets a claim keep (1 = all).
_CUE_STRENGTH: dict[str, float] = {
    "said": 1.0,
    "says": 1.0,
    "say": 1.0,
    "told": 1.0,
    "stated": 1.0,
    "announced": 1.0,
    "confirmed": 1.0,
    "according": 1.0,
    "reported": 1.0,
    "claimed": 0.8,
    "claims": 0.8,
    "claim": 0.8,
    "alleged": 0.8,
    "allegedly": 0.8,
    "alleges": 0.8,
    "insisted": 0.8,
    "suggested": 0.7,
    "suggests": 0.7,
    "suggest": 0.7,
    "believes": 0.7,
    "believed": 0.7,
    "believe": 0.7,
    "thinks": 0.7,
    "apparently": 0.7,
    "likely": 0.7,
    "probably": 0.7,
    "may": 0.5,
    "might": 0.5,
    "could": 0.5,
    "possibly": 0.5,
    "perhaps": 0.5,
    "speculated": 0.5,
    "reportedly": 0.4,
    "unconfirmed": 0.4,
    "purportedly": 0.4,
    "rumoured": 0.4,
    "rumored": 0.4,
    "supposedly": 0.4,
}

_ADMISSION_CUES: tuple[str, ...] = ("admit", "conced", "confess")
_ADMISSION_CUES_IF_ACTOR: tuple[str, ...] = ("acknowledg", "confirm")


class ScoringConfig(BaseModel):
    """All constants of the model. Probabilities in [0, 1], factors in [0, 1]."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # --- source reliability -------------------------------------------------
    kind_priors: dict[str, tuple[float, float]] = Field(default_factory=lambda: dict(_KIND_PRIORS))
    use_outlet_table: bool = True
    table_prior_strength: float = Field(default=6.0, gt=0)
    track_record_weight: float = Field(default=1.0, gt=0)
    track_hedged: bool = False
    reliability_cap: float = Field(default=0.99, gt=0.5, lt=1.0)
    letter_thresholds: tuple[float, float, float, float] = (0.9, 0.75, 0.6, 0.45)
    letter_a_min_record: int = Field(default=3, ge=0)
    letter_max_without_record: str = Field(default="B", pattern="^[A-E]$")

    # --- effective reliability of one claim ---------------------------------
    anonymity_shrink: float = Field(default=0.6, ge=0, le=1)
    relay_shrink: float = Field(default=0.9, ge=0, le=1)
    hedge_default: float = Field(default=0.6, ge=0, le=1)
    hedge_max: float = Field(default=0.9, ge=0, le=1)
    cue_strength: dict[str, float] = Field(default_factory=lambda: dict(_CUE_STRENGTH))
    interested_denial_shrink: float = Field(default=0.1, ge=0, le=1)
    admission_reliability: float = Field(default=0.9, gt=0.5, lt=1.0)
    admission_cues: tuple[str, ...] = _ADMISSION_CUES
    admission_cues_if_actor: tuple[str, ...] = _ADMISSION_CUES_IF_ACTOR

    # --- combining evidence -------------------------------------------------
    claim_prior: float = Field(default=0.5, gt=0, lt=1)
    anonymous_dependence: float = Field(default=0.5, ge=0, le=1)
    link_confidence_scaling: bool = True
    min_link_confidence: float = Field(default=0.0, ge=0, le=1)
    verdict_true_probability: float = Field(default=0.98, gt=0.5, lt=1.0)
    verdict_false_probability: float = Field(default=0.02, gt=0.0, lt=0.5)

    # --- credibility number -------------------------------------------------
    min_weight: float = Field(default=0.05, ge=0)
    serious_weight: float = Field(default=0.4, ge=0)
    p_confirmed: float = Field(default=0.8, gt=0, lt=1)
    p_probable: float = Field(default=0.7, gt=0, lt=1)
    p_possible: float = Field(default=0.45, gt=0, lt=1)
    p_improbable: float = Field(default=0.3, gt=0, lt=1)

    @model_validator(mode="after")
    def _check(self) -> ScoringConfig:
        for kind, ab in self.kind_priors.items():
            if len(ab) != 2 or ab[0] <= 0 or ab[1] <= 0:
                raise ValueError(f"kind_priors.{kind}: Beta parameters must be two numbers > 0")
        for word, s in self.cue_strength.items():
            if not 0.0 <= s <= 1.0:
                raise ValueError(f"cue_strength.{word}: must be within [0, 1]")
        t = self.letter_thresholds
        if not all(1 > t[i] > t[i + 1] > 0 for i in range(3)):
            raise ValueError("letter_thresholds: four decreasing numbers within (0, 1)")
        if not (self.p_confirmed >= self.p_probable > self.p_possible > self.p_improbable):
            raise ValueError("p_confirmed >= p_probable > p_possible > p_improbable must hold")
        return self

    def kind_prior(self, kind: str) -> tuple[float, float]:
        return self.kind_priors.get(kind) or self.kind_priors.get("unknown") or (1.0, 1.0)


# One line per setting, shown by `claimtrack config` and the report.
MEANINGS: dict[str, str] = {
    "kind_priors": "Beta(a, b) prior on a source's reliability by kind, when no table/analyst prior",
    "use_outlet_table": "a source with no prior of its own takes the built-in outlet table's",
    "table_prior_strength": "a + b of the Beta prior built from an outlet-table or analyst prior",
    "track_record_weight": "pseudo-count added per confirmed / refuted proposition",
    "track_hedged": "whether hedged claims count in a source's track record",
    "reliability_cap": "no source reliability or claim r_eff above this (nor below 1 - it)",
    "letter_thresholds": "reliability needed for A, B, C, D (below the last: E)",
    "letter_a_min_record": "resolved propositions needed before a source can get A",
    "letter_max_without_record": "best letter a curated prior alone can give",
    "anonymity_shrink": "factor on (r - 1/2) for an anonymous source vouched for by its outlet",
    "relay_shrink": "factor on (r - 1/2) when the report reaches us through another outlet",
    "hedge_default": "factor on (r - 1/2) for a hedged claim with no known hedge word",
    "hedge_max": "a hedged claim never keeps more than this factor",
    "cue_strength": "factor on (r - 1/2) by cue or hedge word (the weakest word wins)",
    "interested_denial_shrink": "factor on (r - 1/2) for a denial by the party accused",
    "admission_reliability": "r_eff of an admission against the speaker's interest",
    "admission_cues": "cue stems that make a supporting claim an admission",
    "admission_cues_if_actor": "cue stems that make it an admission when the speaker is the actor",
    "claim_prior": "prior probability that a reported claim is true",
    "anonymous_dependence": "the k-th anonymous group on one side counts this^k (may share a source)",
    "link_confidence_scaling": "scale a linked group's weight by the link's confidence",
    "min_link_confidence": "links below this confidence are ignored",
    "verdict_true_probability": "probability of a claim the analyst marked true",
    "verdict_false_probability": "probability of a claim the analyst marked false",
    "min_weight": "a group weighs something when |weight| reaches this",
    "serious_weight": "a contradiction is serious when its |weight| reaches this",
    "p_confirmed": "credibility 1 needs at least this probability (and independent support)",
    "p_probable": "credibility 2 needs at least this probability",
    "p_possible": "credibility 3 needs at least this probability (below: 4 or 5)",
    "p_improbable": "below this probability a contradicted claim gets 5",
}


def config_dict(config: ScoringConfig) -> dict[str, Any]:
    """The config as plain JSON-able data, keys sorted."""
    data: dict[str, Any] = json.loads(config.model_dump_json())
    for key in ("kind_priors", "cue_strength"):
        data[key] = dict(sorted(data[key].items()))
    return dict(sorted(data.items()))


def config_rows(config: ScoringConfig) -> list[dict[str, str]]:
    """One row per setting: ``{"key", "value", "meaning"}``, sorted by key."""
    return [
        {"key": k, "value": json.dumps(v, sort_keys=True), "meaning": MEANINGS.get(k, "")}
        for k, v in config_dict(config).items()
    ]


def _coerce(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def apply_overrides(config: ScoringConfig, overrides: Mapping[str, Any]) -> ScoringConfig:
    """A new config with ``overrides`` applied; raise UsageError naming a bad key or value.

    Keys are field names, or ``field.item`` for the dict settings (``kind_priors.media``,
    ``cue_strength.may``). String values are parsed as JSON when they can be
    (``"0.5"``, ``"[4, 1]"``, ``"true"``).
    """
    data = config.model_dump()
    fields = type(config).model_fields
    for key in sorted(overrides):
        value = _coerce(overrides[key])
        head, _, item = key.partition(".")
        if head not in fields:
            known = ", ".join(sorted(fields))
            raise UsageError(f"unknown scoring setting {key!r} (known: {known})")
        if item:
            if not isinstance(data[head], dict):
                raise UsageError(f"scoring setting {head!r} has no items ({key!r})")
            if head == "kind_priors" and item not in _KIND_PRIORS:
                raise UsageError(
                    f"unknown source kind in {key!r} (known: {', '.join(sorted(_KIND_PRIORS))})"
                )
            data[head] = {**data[head], item.lower(): value}
        else:
            data[head] = value
    try:
        return ScoringConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or ", ".join(sorted(overrides))
        raise UsageError(f"bad scoring setting {where!r}: {err['msg']}") from None


DEFAULT_CONFIG = ScoringConfig()
