"""Making many frozen records fast: scoring builds a score and its explanation rows per
claim, and pydantic's validation of values scoring computed itself (floats,
probabilities from a sigmoid, tuples of rows it made) is a fifth of that cost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def constructor(cls: Any) -> Callable[..., Any]:
    """A maker of ``cls`` objects from the values of all its fields in order, without
    validation (the values are already of the fields' types): what ``model_construct``
    does for a model without aliases, defaults to fill, extras or private attributes,
    at a fifth of its cost. All objects share one fields-set (frozen models)."""
    names = tuple(cls.model_fields)
    fields_set = set(names)
    plain = (
        not cls.__pydantic_post_init__
        and not cls.__pydantic_root_model__
        and not cls.__private_attributes__
        and cls.model_config.get("extra") != "allow"
        and all(f.alias is None and f.validation_alias is None for f in cls.model_fields.values())
    )
    new = cls.__new__
    put = object.__setattr__

    def make(*values: Any) -> Any:
        if not plain:
            return cls.model_construct(fields_set, **dict(zip(names, values, strict=True)))
        m = new(cls)
        put(m, "__dict__", dict(zip(names, values, strict=True)))
        put(m, "__pydantic_fields_set__", fields_set)
        put(m, "__pydantic_extra__", None)
        put(m, "__pydantic_private__", None)
        return m

    return make
