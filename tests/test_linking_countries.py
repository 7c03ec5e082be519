"""Countries of the source resolver's places table normalise linking entities too.

The examples are FNC-1 training headlines (bodies outside the held-out Body-ID
split) and PolNeAR training sentences.
"""

from __future__ import annotations

import pytest

from claimtrack.linking import link_claims
from claimtrack.linking.text import analyse
from claimtrack.models import CaseClaim, Relation


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        (
            "Pentagon: Somali terror group leader killed in U.S. airstrike",
            {"somalia", "united states"},
        ),
        (
            "Al-Shabaab co-founder confirmed killed by US air strike in Somalia",
            {"somalia", "united states"},
        ),
        ("recently departed Fidel Castro Odinga from Nairobi", {"kenya"}),
        ("Confusion as Cuba’s Castro mourned instead of Kenya’s Fidel", {"cuba", "kenya"}),
        ("Jordanian airstrike killed American aid worker", {"jordan", "united states"}),
        ("Dutch investigators in The Hague", {"netherlands"}),
    ],
)
def test_demonyms_and_capitals_name_their_country(text: str, entities: set[str]) -> None:
    assert analyse(text).entities == entities


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        ("Clinton led in both Virginia and Georgia among both men and women", {"clinton"}),
        ("Rep. Jim Jordan said", set()),  # a family name
        ("in English", set()),  # a language
        ("tankers in the Persian Gulf", set()),
    ],
)
def test_forms_that_name_something_else_are_not_countries(text: str, entities: set[str]) -> None:
    assert analyse(text).entities == entities


def test_a_city_already_known_keeps_its_entity() -> None:
    # places.csv lists Tobruk among Libya's names; entities.json knows it as a city
    # of Libya, which is what tells Tobruk from Benghazi
    assert analyse("fighting in Tobruk").entities == {"tobruk"}
    assert analyse("fighting in Tobruk").places == {"tobruk"}


def test_demonym_and_country_headlines_corroborate() -> None:
    links = link_claims(
        [
            CaseClaim(
                id=1,
                article_id=1,
                content="Al-Shabaab co-founder confirmed killed by US air strike in Somalia",
            ),
            CaseClaim(
                id=2,
                article_id=2,
                content="Pentagon: Somali terror group leader killed in U.S. airstrike",
            ),
        ]
    )
    assert [(lk.a, lk.b, lk.relation) for lk in links] == [(1, 2, Relation.CORROBORATES)]
    assert links[0].reason == "shared: somalia, united states, strike, killed"


def test_capital_and_country_agree_across_articles() -> None:
    # similarity 0.41 (below LINK_MIN) while Baku and Azerbaijan were unrelated words
    links = link_claims(
        [
            CaseClaim(
                id=1,
                article_id=1,
                content="Turkey will deliver armed drones to Azerbaijan before the summer",
            ),
            CaseClaim(
                id=2,
                article_id=2,
                content="Ankara plans shipments of weaponry and drones, supplied to Baku",
            ),
        ]
    )
    assert [(lk.a, lk.b, lk.relation, lk.confidence) for lk in links] == [
        (1, 2, Relation.CORROBORATES, 0.77)
    ]
