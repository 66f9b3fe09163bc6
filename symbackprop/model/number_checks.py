"""Whether data holds only numbers: nested lists (parsed JSON), NumPy arrays, other libraries' arrays.

JSON's true and false would otherwise pass as 1 and 0, and "1" as 1 (NumPy converts the string); an entry that is
not a number is named as its file shows it (null, true, "1", an object), with its index.
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import DataError

#: The types of JSON numbers; anything else in a data file is looked at (bool, a subclass of int, is not a number).
_PLAIN = (float, int)


def _not_a_number(value: Any, allow_bool: bool = False) -> tuple[list[int], Any] | None:
    """The index and value of the first entry of nested lists (or arrays) that is not a number (a string, null,
    an object, a complex number; a boolean unless ``allow_bool``), or None; JSON's true and false would otherwise
    pass as 1 and 0, and "1" as 1 (NumPy converts the string)."""
    numeric = "biuf" if allow_bool else "iuf"
    stack: list[tuple[tuple[int, ...], Any]] = [((), value)]
    while stack:
        index, item = stack.pop()
        if isinstance(item, np.ndarray):
            if item.dtype.kind in numeric:
                continue
            item = item.tolist()
        if isinstance(item, (list, tuple)):
            # Plain floats and ints (the bulk of a file) are skipped at C speed; the rest is looked at.
            others = [(index + (i,), entry) for i, entry in enumerate(item) if type(entry) not in _PLAIN]
            stack.extend(reversed(others))
        elif isinstance(item, (bool, np.bool_)):
            if not allow_bool:
                return list(index), item
        elif not isinstance(item, numbers.Real):
            return list(index), item
    return None


def require_numbers(value: Any, must: str, allow_bool: bool = False) -> None:
    """Raise unless every entry of ``value`` (a number, nested lists, a NumPy array) is a number; a boolean counts
    as one only if ``allow_bool``.

    Raises:
        DataError: ``must`` (what ``value`` must be), then the first entry that is not a number and its index.
    """
    bad = _not_a_number(value, allow_bool)
    if bad is not None:
        position, item = bad
        where = f" at index {position}" if position else ""
        raise DataError(f"{must}; found {_describe(item)}{where}")


def check_numbers(value: Any, what: str) -> None:
    """Raise unless ``value`` (a number, nested lists, a NumPy array) holds only numbers; booleans count as 0 and 1.
    Arrays of other libraries (anything else with a ``shape``: torch, JAX) hold numbers and are not looked at.

    Raises:
        DataError: ``what`` must be numbers, naming the first entry that is not one and its index.
    """
    if hasattr(value, "shape") and not isinstance(value, (np.ndarray, np.generic)):
        if getattr(getattr(value, "dtype", None), "is_complex", False):  # a complex torch tensor
            raise DataError(f"{what} must be numbers; found complex numbers (real numbers only)")
        return
    if isinstance(value, (list, tuple)):  # NumPy converts lists of numbers at C speed; the rest is looked into
        try:
            if np.asarray(value).dtype.kind in "biuf":
                return
        except (TypeError, ValueError, RuntimeError):
            pass
    require_numbers(value, f"{what} must be numbers", allow_bool=True)
    if isinstance(value, (list, tuple)):  # numbers, but perhaps integers no float holds (10 ** 400)
        try:
            np.asarray(value, dtype=np.float64)
        except OverflowError:
            raise DataError(f"{what} must be numbers a float can hold (up to about 1.8e308); found an integer "
                            "beyond that") from None
        except ValueError:  # nested lists of different lengths: the shape check says so
            pass


def _describe(value: Any) -> str:
    """A JSON value as its file shows it: null, true, "1", an object."""
    if value is None:
        return "null (None)"
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the string {json.dumps(value if len(value) <= 20 else value[:20] + '...')}"
    return "an object" if isinstance(value, Mapping) else f"a {type(value).__name__}"
