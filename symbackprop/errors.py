"""Exceptions raised for a user's mistakes.

Every error a user can cause is a :class:`SymbackpropError`, a ``ValueError``
subclass whose message says what was wrong and what is allowed. The CLI
catches exactly this type at its edge and prints the message as one line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def cut(text: str, most: int = 60) -> str:
    """``text`` cut to about ``most`` characters: a message stays one line, however long the value it quotes."""
    return text if len(text) <= most else f"{text[:most]}..."


class SymbackpropError(ValueError):
    """Base class of every error caused by bad input."""


class SpecError(SymbackpropError):
    """A malformed architecture: layer spec, activation list, TOML file."""


class UnknownNameError(SymbackpropError):
    """A name (activation, loss, bias convention, notation, ...) that is not known."""

    def __init__(self, kind: str, name: str, allowed: Iterable[str]) -> None:
        allowed = sorted(allowed)
        message = f"unknown {kind} {cut(repr(name))}; allowed: {', '.join(allowed)}"
        close = difflib.get_close_matches(str(name), allowed, n=1)
        if close:
            message += f" (did you mean {close[0]!r}?)"
        super().__init__(message)
        self.kind = kind
        self.name = name


class SizeLimitError(SymbackpropError):
    """A request that is too large for the form asked for (e.g. closed form)."""


class DataError(SymbackpropError):
    """Bad numbers: parameter, input or target arrays or files (keys, shapes, values, JSON)."""


class BackendError(SymbackpropError, ImportError):
    """A numeric backend (jax, torch) that is not installed, or not known; the message names the extra."""
