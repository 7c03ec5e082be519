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
    if not plain:

        def construct(*values: Any) -> Any:
            return cls.model_construct(fields_set, **dict(zip(names, values, strict=True)))

        return construct
    # a function of exactly the fields, building the field dict as a literal: twice as
    # fast as dict(zip(names, values)) (the names are identifiers: model fields)
    args = ", ".join(f"v{i}" for i in range(len(names)))
    items = ", ".join(f"{name!r}: v{i}" for i, name in enumerate(names))
    source = (
        f"def make({args}):\n"
        "    m = new(cls)\n"
        f"    put(m, '__dict__', {{{items}}})\n"
        "    put(m, '__pydantic_fields_set__', fields_set)\n"
        "    put(m, '__pydantic_extra__', None)\n"
        "    put(m, '__pydantic_private__', None)\n"
        "    return m\n"
    )
    space: dict[str, Any] = {"new": new, "cls": cls, "put": put, "fields_set": fields_set}
    exec(source, space)  # noqa: S102 - generated from the model's own field names
    make: Callable[..., Any] = space["make"]
    return make
