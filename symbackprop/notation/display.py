"""Displayed equations as data, and the line breaking that keeps them inside the page.

A :class:`Display` is a list of aligned :class:`Line` s (``lhs &= rhs && note``), already printed to LaTeX; the
templates only lay them out (``align*`` in LaTeX, ``aligned`` inside ``$$`` in Markdown). Long right-hand sides are
broken between the terms of a sum (never inside parentheses), using :func:`visual_width`, a rough estimate of the
printed width in characters of body text: a display line of the standalone document (16 cm at 11 pt) holds about
:data:`LINE_WIDTH` of them. A formula too wide for a line even alone is broken inside by
:func:`symbackprop.notation.linebreak.break_formula`. Terms and factors keep the order they were written in:
:func:`join_terms` joins a sum's, :func:`product` a product's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import sympy as sp

#: Width of a display line, in the units of :func:`visual_width`.
LINE_WIDTH = 68.0
#: Room taken by a justification in the note column, beyond its characters.
NOTE_GAP = 4.0

_FRAC = re.compile(r"\\[dt]?frac")
COMMAND = re.compile(r"\\([A-Za-z]+)")
_ZERO_WIDTH = {
    "left", "right", "mathrm", "mathbf", "mathcal", "boldsymbol", "underline", "hat", "tilde", "operatorname",
    "text", "quad", "qquad", "bigl", "bigr", "Bigl", "Bigr", "displaystyle", "mathbb", "top",
}


@dataclass(frozen=True)
class Line:
    """One aligned line: ``lhs rel rhs`` and an optional justification (plain text)."""

    lhs: str
    rel: str
    rhs: str
    note: str = ""


@dataclass(frozen=True)
class Display:
    """A displayed block of aligned lines; ``label`` numbers and labels it, ``breakable`` lets a page break fall
    between its lines even where the preamble does not (a fragment's host), ``tag`` numbers the display's result,
    its last line (seed 003's (1) and (2))."""

    lines: tuple[Line, ...]
    label: str = ""
    breakable: bool = False
    tag: str = ""

    @property
    def rows(self) -> tuple[tuple[Line, str], ...]:
        """The lines as LaTeX sets them: a note too long to stand beside its line (a line of its own, nothing but
        the note) goes with the line it justifies, to be set at the page's right edge under it."""
        rows: list[tuple[Line, str]] = []
        for number, line in enumerate(self.lines, start=1):
            tagged = self.tag and number == len(self.lines)  # the display's number goes there
            alone = line.note and not (line.lhs or line.rel or line.rhs)
            if alone and rows and not rows[-1][0].note and not rows[-1][1] and not tagged:
                rows[-1] = (rows[-1][0], line.note)
            else:
                rows.append((line, ""))
        return tuple(rows)


def brace_group(text: str, start: int) -> tuple[str, int]:
    """The brace group starting at ``text[start] == '{'``, and the index after it."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1:i], i + 1
    return text[start + 1:], len(text)


#: The matrix environments a display writes out: ``matrix`` (inside ``\\left[ ... \\right]``) and those with
#: their own brackets.
MATRIX = re.compile(r"\{([bpv]?matrix)\}")


def _command_width(latex: str, i: int) -> tuple[float, int]:
    """The width of the command at ``latex[i] == "\\"`` (with what it braces, for an underbrace or a stack of
    rows), and the index after it."""
    command = COMMAND.match(latex, i)
    if command is None:  # \, \! \{ and friends
        return {",": 0.2, "!": -0.2, ";": 0.3, " ": 0.3}.get(latex[i + 1:i + 2], 1.0), i + 2
    name = command.group(1)
    environment = MATRIX.match(latex, command.end()) if name == "begin" else None
    if environment is not None:  # as wide as its widest row, and its brackets
        close = rf"\end{{{environment.group(1)}}}"
        end = latex.find(close, environment.end())
        body = latex[environment.end():end if end >= 0 else len(latex)]
        rows = [sum(visual_width(cell) + 1.0 for cell in re.sub(r"^\[[0-9a-z]+\]", "", row.strip()).split("&"))
                for row in body.split(r"\\")]  # a row's extra space, [3pt], is no width
        brackets = 0.0 if environment.group(1) == "matrix" else 2.0
        return max(rows) + brackets, len(latex) if end < 0 else end + len(close)
    if name in ("underbrace", "substack") and latex[command.end():command.end() + 1] == "{":
        group, i = brace_group(latex, command.end())
        if name == "substack":  # rows, one above the other
            return max(visual_width(row) for row in group.split(r"\\")), i
        label = ""
        if latex[i:i + 2] == "_{":  # the label under the brace, in script size
            label, i = brace_group(latex, i + 1)
        return max(visual_width(group), 0.7 * visual_width(label)), i
    width = 0.0 if name in _ZERO_WIDTH else 1.0
    return width + {"quad": 1.8, "qquad": 3.6, "odot": 0.8, "oslash": 0.8, "cdot": 0.6}.get(name, 0.0), command.end()


def visual_width(latex: str) -> float:
    """Estimate the printed width of math ``latex`` in characters: fractions count their wider part, scripts
    count 0.7, an underbrace the wider of what it braces and its label, font and sizing commands nothing, other
    commands (``\\partial``, ``\\delta``) one."""
    width, i = 0.0, 0
    while i < len(latex):
        char = latex[i]
        frac = _FRAC.match(latex, i)
        if frac:
            after = frac.end()
            numerator, after = brace_group(latex, after) if latex[after:after + 1] == "{" else ("", i + 5)
            denominator, after = brace_group(latex, after) if latex[after:after + 1] == "{" else ("", after)
            width += max(visual_width(numerator), visual_width(denominator)) + 0.6
            i = after
        elif char == "\\":
            step, i = _command_width(latex, i)
            width += step
        elif char in "^_":
            if latex[i + 1:i + 2] == "{":
                group, i = brace_group(latex, i + 1)
                width += 0.7 * visual_width(group)
            else:
                width += 0.7
                i += 2
        elif char in "{} ":
            i += 1
        elif char in "+-=":
            width += 1.8
            i += 1
        else:
            width += 1.0
            i += 1
    return width


def note_room(note: str) -> float:
    """The room a justification takes in the note column: its characters, set smaller, and the gap before it."""
    return visual_width(note) * 0.8 + NOTE_GAP


def fits(line: str, note: str, width: float) -> bool:
    """Whether the printed ``line`` and its ``note`` beside it fit in ``width``."""
    return visual_width(line) + note_room(note) <= width


def one_line(lhs: str, first: Sequence[str], second: Sequence[str], why: str, width: float) -> str | None:
    """Two consecutive steps of ``lhs``, each one term, as one right-hand side ``first = second``, where that and
    the note ``why`` fit in ``width``; None where they do not."""
    if len(first) != 1 or len(second) != 1:
        return None
    together = f"{first[0]} = {second[0]}"
    return together if fits(f"{lhs} = {together}", why, width) else None


def product(factors: list[sp.Basic], shown: Callable[[sp.Basic], str], times: str) -> str:
    """A product kept in the order it was written: a leading -1 as a minus sign, negative powers under a fraction
    bar, a sum or a later negative factor in parentheses; ``shown`` prints one factor, ``times`` joins them."""
    sign = ""
    if len(factors) > 1 and factors[0] == -1:
        factors, sign = factors[1:], "- "
    below = [f for f in factors if isinstance(f, sp.Pow) and f.exp.is_negative]

    def joined(parts: list[sp.Basic]) -> str:
        texts = []
        for position, part in enumerate(parts):
            text = shown(part)
            if isinstance(part, sp.Add) or (position and text.lstrip().startswith("-")):
                text = rf"\left({text}\right)"
            texts.append(text)
        return times.join(texts)

    above = joined([f for f in factors if f not in below]) or "1"
    return sign + (rf"\frac{{{above}}}{{{joined([f.base ** -f.exp for f in below])}}}" if below else above)


def join_terms(terms: Sequence[str]) -> str:
    """Printed terms of a sum joined with their signs (``a``, ``- b`` -> ``a - b``)."""
    text = ""
    for position, term in enumerate(terms):
        term = term.strip()
        if position == 0:
            text = term
        elif term.startswith("-"):
            text += " - " + term[1:].lstrip()
        else:
            text += " + " + term
    return text


def pack(pieces: Sequence[str], first_room: float, room: float, join: Callable[[Sequence[str]], str]) -> list[str]:
    """Greedily pack ``pieces`` into lines, each line the pieces ``join`` makes of them, the first at most
    ``first_room`` wide and the others ``room``."""
    lines: list[str] = []
    current: list[str] = []
    for piece in pieces:
        limit = first_room if not lines else room
        if current and visual_width(join([*current, piece])) > limit:
            lines.append(join(current))
            current = []
        current.append(piece)
    if current:
        lines.append(join(current))
    return lines


def break_terms(terms: Sequence[str], first_room: float, room: float) -> list[str]:
    """Greedily pack the terms of a sum into lines; continuation lines start with their sign."""
    lines = pack(terms, first_room, room, join_terms)
    return [line if i == 0 or line.startswith("-") else "+ " + line for i, line in enumerate(lines)]


def chain(
    lhs: str, steps: Iterable[tuple[Sequence[str], str]], width: float = LINE_WIDTH, pack: bool = False
) -> Display:
    """``lhs = step_1 = step_2 ...`` one step per line, each step a sum given by its terms, broken to fit.

    Args:
        lhs: the quantity derived.
        steps: for each step, the printed terms of its right-hand side and its justification.
        width: the line width in :func:`visual_width` units.
        pack: write every step on one line when all of them fit there, notes joined.
    """
    steps = list(steps)
    if pack and all(len(terms) == 1 for terms, _ in steps):
        rhs = " = ".join(terms[0] for terms, _ in steps)
        notes = r";\ ".join(note for _, note in steps if note)  # (a space after it: in math, none is set)
        if fits(f"{lhs} = {rhs}", notes, width):
            return Display((Line(lhs, "=", rhs, notes),))
    lines: list[Line] = []
    indent = visual_width(lhs) + 3.0
    for terms, note in steps:
        beside = note_room(note) if note else 0.0
        room = width - indent
        pieces = break_terms(terms, room - beside, room - 4.0)
        below = visual_width(pieces[0]) + beside > room  # the note fits beside not even the first term: below them
        if below:
            pieces = break_terms(terms, room, room - 4.0)
        for position, piece in enumerate(pieces):
            first = position == 0
            lhs_text = lhs if first and not lines else ""
            rel = "=" if first else ""
            rhs = piece if first else rf"\quad {piece}"
            lines.append(Line(lhs_text, rel, rhs, note if first and not below else ""))
        if below and note:  # the note on a line of its own; none: no empty row
            lines.append(Line("", "", "", note))
    return Display(tuple(lines))
