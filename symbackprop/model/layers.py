"""Layer sizes: a spec such as ``"2-3-1"`` read, and a list of sizes checked, before a network is made of them."""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from typing import Any

from ..errors import SizeLimitError, SpecError, cut

_SPEC = re.compile(r"^[1-9][0-9]*(-[1-9][0-9]*)+$")
_ZEROS = re.compile(r"^[0-9]+(-[0-9]+)+$")  # sizes, one of them written with a leading 0 (or 0 itself)

#: The most digits a layer size is read with: more would already be far past every size limit.
SIZE_DIGITS = 30


def parse_spec(spec: str) -> tuple[int, ...]:
    """Parse ``"2-3-1"`` into layer sizes.

    Raises:
        SpecError: anything but two or more positive integers joined by '-'.
    """
    text = str(spec).strip()
    if not _SPEC.match(text):
        sizes = text.split("-") if _ZEROS.match(text) else []
        why = ("a layer of 0 neurons" if any(set(size) == {"0"} for size in sizes) else
               "a size written with a leading 0" if sizes else
               "a layer size cannot be negative" if re.match(r"-[0-9]", text) else "")
        raise SpecError(f"malformed layer spec {short(spec)}: write two or more positive integers joined by '-', e.g. "
                        f"'2-3-1'{f' ({why})' if why else ''}")
    parts = text.split("-")
    if any(len(part) > SIZE_DIGITS for part in parts):  # (past 4,300 digits Python will not even read it)
        raise SpecError(f"layer spec {short(spec)} has a layer size of more than {SIZE_DIGITS} digits; a network is "
                        "derived with at most 50,000 parameters")
    return tuple(int(part) for part in parts)


#: The most layers of weights a network may have: each gradient's chain runs through every layer above it, and
#: SymPy's nested expressions (about 3 s to derive at 100 layers one neuron wide) exhaust Python's recursion at 250.
MAX_DEPTH = 100


def check_layers(layers: Sequence[int]) -> tuple[int, ...]:
    """The layer sizes as plain ints; any integer type (NumPy's too) but bool is an integer, and a NumPy array of
    them is a list of them."""
    if not isinstance(layers, Sequence) and getattr(layers, "ndim", None) == 1 and hasattr(layers, "tolist"):
        layers = layers.tolist()  # (a NumPy vector)
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence):
        raise SpecError(f"layers must be a list of positive integers, got {short(layers)}")
    if len(layers) < 2:
        raise SpecError(f"layers needs at least an input and an output layer, got {list(layers)}")
    if len(layers) - 1 > MAX_DEPTH:
        raise SizeLimitError(f"the network has {len(layers) - 1:,} layers of weights; symbackprop takes at most "
                             f"{MAX_DEPTH} (each gradient's chain runs through every layer above it), and the "
                             "equations read the same for a few layers")
    sizes: list[int] = []
    for n in layers:
        size = None if isinstance(n, bool) else _index(n)  # NumPy's bool has no __index__
        if size is None or size < 1:
            raise SpecError(f"layer sizes must be positive integers, got {short(n)} in {short(list(layers))}")
        if size >= 10**SIZE_DIGITS:  # (past 4,300 digits Python will not even print it)
            raise SpecError(f"layer sizes are read with at most {SIZE_DIGITS} digits, and layer {len(sizes)} has "
                            f"{size.bit_length() * 0.30103:,.0f} or so; a network is derived with at most 50,000 "
                            "parameters")
        sizes.append(size)
    return tuple(sizes)


def short(value: Any, most: int = 60) -> str:
    """``repr(value)``, cut to about ``most`` characters: a message stays a line however long the value."""
    return cut(repr(value), most)


def _index(value: Any) -> int | None:
    """``value`` as an int if it is an integer (has ``__index__``: int, NumPy integers), else None."""
    try:
        return operator.index(value)
    except TypeError:
        return None
