"""Choices given as lists of names: ``"tex,md"`` on the command line, ``["tex", "md"]`` in a TOML file or a call.

Shared by every stage that takes such a list (the formats and forms of a document, the references of a check).
"""

from __future__ import annotations

import re

from .errors import SymbackpropError, UnknownNameError


def split_names(text: str) -> list[str]:
    """``"tanh, leaky_relu(0.3), sigmoid"`` -> its names, stripped: a comma inside parentheses is a parameter's,
    not a separator."""
    return [part.strip() for part in re.split(r",(?![^()]*\))", text)]


def split_list(value: str | tuple[str, ...] | list[str], what: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """``"tex,md"`` -> ``("tex", "md")`` in ``allowed`` order, every name checked.

    Raises:
        UnknownNameError: a name not in ``allowed``.
        SymbackpropError: an empty list, an empty name (``"tex,"``) or something other than names.
    """
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",")]
    elif isinstance(value, (list, tuple)) and all(isinstance(part, str) for part in value):
        items = [part.strip() for part in value]
    else:
        raise SymbackpropError(f"{what}s must be names like {allowed[0]!r}, got {value!r}; allowed: "
                               f"{', '.join(allowed)}")
    if not any(items):
        raise SymbackpropError(f"no {what} given; allowed: {', '.join(allowed)}")
    if not all(items):
        shown = value if isinstance(value, str) else ",".join(value)  # as the user wrote it, not a list's repr
        raise SymbackpropError(f"an empty {what} name in {shown!r}; separate names by single commas")
    for item in items:
        if item not in allowed:
            raise UnknownNameError(what, item, allowed)
    return tuple(name for name in allowed if name in items)
