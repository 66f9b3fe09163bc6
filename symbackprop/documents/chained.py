"""A chain-rule step's row and the row of the result it gives, before a display lays them out: on one line where
they fit (``∂c/∂w = ∂c/∂z ∂z/∂w = δ a``), else each with the note that says what its equality uses: the chain rule,
δ named, and what the caller adds, the local derivatives the result works out (:mod:`.local`).
"""

from __future__ import annotations

from ..derive.derivation import Rule
from ..notation.display import one_line
from .notes import note

Rows = list[tuple[list[str], str]]  # a chain's rows before they are laid out: each its terms and its note


def with_chain(lhs: str, rows: Rows, at: int, width: float, alone: Rule | None = None, also: str = "") -> Rows:
    """The chain (row ``at - 1``) of one path and the result it gives at once (row ``at``, with no note of its own:
    ``δ_j ∂z_j/∂w``) on one line where they fit, as seed 004 writes them; the rows after keep their own lines.
    Where they do not fit, the result says why on its own line: ``also``, all its note says beside the chain rule,
    where given, else the rule ``alone`` names (δ named)."""
    if at < 1 or at >= len(rows):
        return rows
    (chained, why), (named, own) = rows[at - 1], rows[at]
    if own or unspaced("".join(chained)) == unspaced(lhs):  # a chain that is the quantity itself: left out
        return with_also(rows, at, also)
    together = one_line(lhs, chained, named, _joined(why, also), width)
    if together is None:  # (``also`` says what δ is, where it is given)
        return with_also(rows, at, also) if also else rows if alone is None else naming_error(rows, at, alone)
    return [*rows[:at - 1], ([together], _joined(why, also)), *rows[at + 1:]]


def with_also(rows: Rows, at: int, also: str) -> Rows:
    """``rows`` with ``also`` added to the note of row ``at`` (the chain's result)."""
    if not also or not 0 <= at < len(rows):
        return rows
    return [*rows[:at], (rows[at][0], _joined(rows[at][1], also)), *rows[at + 1:]]


def _joined(note: str, also: str) -> str:
    return f"{note};\\ {also}" if note and also else note or also


def naming_error(rows: Rows, at: int, said: Rule = Rule.ERROR_TERM) -> Rows:
    """``rows`` with the chain's result (row ``at``, where it has no note) justified: "definition of δ" (``said``)."""
    if at < 1 or at >= len(rows) or rows[at][1]:
        return rows
    chained, why = rows[at - 1]  # (the chain's own note then says the chain rule alone: δ is named on this line)
    why = note(Rule.CHAIN_RULE) if why == note(Rule.CHAIN_RULE_PARAMETER) else why
    return [*rows[:at - 1], (chained, why), (rows[at][0], note(said)), *rows[at + 1:]]


def unspaced(latex: str) -> str:
    """LaTeX without its spaces and thin spaces (``\\,``): what is printed, however it is spaced."""
    return latex.replace(r"\,", "").replace(" ", "")
