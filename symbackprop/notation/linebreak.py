"""Breaking one LaTeX formula into lines that fit the page, at the cheapest places.

A formula is read into tokens (a command with its arguments, a brace group, a delimiter, a sign, a relation; never
split), each break between two of them gets a cost (how many delimiters are open there and what it falls before:
a sign, a relation, a product), and :func:`break_formula` picks the breaks of least total cost whose lines fit,
with paired sized delimiters split across lines rewritten as ``\\Bigl(``/``\\Bigr)``. Widths are
:func:`~symbackprop.notation.display.visual_width` units, with named operators counted at their printed width
(:func:`formula_width`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .display import COMMAND, brace_group, visual_width

#: Commands whose arguments (brace groups) belong to them: the command and its arguments are never broken.
_ARITY = {
    "frac": 2, "dfrac": 2, "tfrac": 2, "binom": 2, "text": 1, "operatorname": 1, "mathrm": 1, "mathbf": 1,
    "mathbb": 1, "mathcal": 1, "mathit": 1, "mathsf": 1, "boldsymbol": 1, "bm": 1, "bar": 1, "hat": 1, "tilde": 1,
    "vec": 1, "dot": 1, "ddot": 1, "overline": 1, "underline": 1, "widehat": 1, "widetilde": 1, "sqrt": 1,
    "boxed": 1, "mathop": 1, "textrm": 1,
}
_RELATIONS = {"leq", "geq", "neq", "lt", "gt", "le", "ge", "wedge", "vee", "land", "lor", "equiv", "approx"}
_PRODUCTS = {"cdot", "times", "odot"}
#: The kind of token of each command that is not an atom (those of :data:`_ARITY` and ``\begin`` are atoms).
_COMMAND_KIND = {**dict.fromkeys(_RELATIONS, "rel"), **dict.fromkeys(_PRODUCTS, "product"), "quad": "space",
                 "qquad": "space"}
#: The kind of token of each one-character sign.
_CHARACTER_KIND = {"+": "sum", "-": "sum", "=": "rel", "<": "rel", ">": "rel", ",": "comma"}
_SIZED = re.compile(r"\\(?:left|right|[bB]igg?[lr])(?![A-Za-z])")
_DELIMITER_AFTER = re.compile(r"\\[A-Za-z]+|\\.|.")
_FUNCTION_HEAD = re.compile(r"^(\\[A-Za-z]+|\\operatorname\{[^{}]*\})(\^\{[^{}]*\})?$")
#: What makes a pair of delimiters tall; split pairs holding any of them are written ``\Bigl(``/``\Bigr)``.
_TALL_INSIDE = ("\\frac", "\\sum", "\\prod", "\\int", "\\begin", "\\binom")


#: The cost of a break in a formula (:func:`break_formula`) is the number of delimiters open there, plus its
#: rank's cost (before + and -, after a comma or before a relation, between factors, after a lone first factor
#: such as a weight); each line but the last adds EMPTY_COST times the square of the part of it left empty (half
#: empty: 1.5, a quarter: 0.4).
RANK_COST = (0.0, 0.3, 0.5, 1.5)
EMPTY_COST = 6.0
#: Named operators that :func:`visual_width` counts as one character, and how much wider they print.
_OPERATOR_EXTRA = {"tanh": 2.5, "sinh": 2.5, "cosh": 2.5, "max": 2.0, "min": 2.0, "exp": 2.0, "log": 1.8}
_OPERATOR = re.compile(r"\\(" + "|".join(_OPERATOR_EXTRA) + r")(?![A-Za-z])")


def formula_width(latex: str) -> float:
    """:func:`visual_width` with named operators (``\\tanh``, ``\\max``, ``\\exp``) counted at their printed
    width: a formula made of little else than them (a closed form) is measured closely enough to fit the page."""
    return visual_width(latex) + sum(_OPERATOR_EXTRA[m.group(1)] for m in _OPERATOR.finditer(latex))


@dataclass(frozen=True)
class _Token:
    """A piece of a formula that is never broken: ``kind`` is ``open``/``close`` (a delimiter), ``sum`` (+, -),
    ``rel`` (=, <, \\leq, \\wedge, ...), ``comma``, ``product`` (\\cdot), ``space`` or ``atom`` (the rest)."""

    text: str
    kind: str


def _argument(latex: str, start: int) -> int:
    """The index after the argument (a brace group, a command or one character) that starts at ``start``."""
    while start < len(latex) and latex[start] == " ":
        start += 1
    if start >= len(latex):
        return start
    if latex[start] == "{":
        return brace_group(latex, start)[1]
    if latex[start] == "\\":
        command = COMMAND.match(latex, start)
        return command.end() if command else start + 2
    return start + 1


def _environment_end(latex: str, start: int, name: str) -> int:
    r"""The index after the ``\end{name}`` that closes the ``\begin{name}`` at ``start``."""
    depth, i = 0, start
    pattern = re.compile(r"\\(begin|end)\{" + re.escape(name) + r"\}")
    for match in pattern.finditer(latex, start):
        depth += 1 if match.group(1) == "begin" else -1
        i = match.end()
        if depth == 0:
            return i
    return len(latex)


def _tokenize(latex: str) -> list[_Token]:
    """``latex`` as a list of tokens, scripts attached to what they follow; a brace group that only wraps a
    ``\\left( ... \\right)`` pair (SymPy's ``\\tanh{\\left(u \\right)}``) is unwrapped, any other one is an atom."""
    tokens: list[_Token] = []
    i = 0
    while i < len(latex):
        i = _read_token(latex, i, tokens)
    return tokens


def _read_token(latex: str, i: int, tokens: list[_Token]) -> int:
    """Reads the token that starts at ``i`` into ``tokens`` (a script is attached to the last one); returns the
    index after it."""
    char = latex[i]
    sized = _SIZED.match(latex, i)
    if char.isspace():
        while i < len(latex) and latex[i].isspace():
            i += 1
        tokens.append(_Token(" ", "space"))
        return i
    if sized:
        return _read_sized(latex, sized, tokens)
    if char in "([)]" or latex.startswith(("\\{", "\\}"), i):
        end = i + (2 if char == "\\" else 1)
        tokens.append(_Token(latex[i:end], "open" if latex[end - 1] in "([{" else "close"))
        return end
    if char in _CHARACTER_KIND:
        tokens.append(_Token(char, _CHARACTER_KIND[char]))
        return i + 1
    if char in "^_":
        end = _argument(latex, i + 1)
        _attach(tokens, latex[i:end])
        return end
    if char == "{":
        return _read_group(latex, i, tokens)
    if char == "\\":
        return _read_command(latex, i, tokens)
    tokens.append(_Token(char, "atom"))
    return i + 1


def _attach(tokens: list[_Token], text: str) -> None:
    """``text`` (a script) appended to the last token, or an atom of its own after a space or an operator."""
    if tokens and tokens[-1].kind not in ("space", "sum", "rel", "comma", "product"):
        tokens[-1] = _Token(tokens[-1].text + text, tokens[-1].kind)
    else:
        tokens.append(_Token(text, "atom"))


def _read_sized(latex: str, sized: re.Match[str], tokens: list[_Token]) -> int:
    r"""Reads a sized delimiter (``\left(``, ``\Bigr]``) matched by ``sized`` into ``tokens``; returns the index
    after it."""
    delimiter = _DELIMITER_AFTER.match(latex, sized.end())
    end = delimiter.end() if delimiter else sized.end()
    word = sized.group(0)
    kind = "open" if word in ("\\left",) or word.endswith("l") else "close"
    tokens.append(_Token(latex[sized.start():end], kind))
    return end


def _read_group(latex: str, i: int, tokens: list[_Token]) -> int:
    r"""Reads the brace group at ``i`` into ``tokens``: the tokens inside if it wraps a ``\left( ... \right)``
    pair, else one atom; returns the index after it."""
    inner, end = brace_group(latex, i)
    if inner.strip().startswith("\\left"):
        tokens.extend(_tokenize(inner))
    else:
        tokens.append(_Token(latex[i:end], "atom"))
    return end


def _read_command(latex: str, i: int, tokens: list[_Token]) -> int:
    """Reads the command at ``i`` into ``tokens``, with its arguments (or, for ``\\begin``, its whole
    environment); returns the index after it."""
    command = COMMAND.match(latex, i)
    if command is None:  # \, \; \! and other one-character commands
        end = i + 2
        tokens.append(_Token(latex[i:end], "space" if latex[i + 1:end] in ",;! " else "atom"))
        return end
    name, end = command.group(1), command.end()
    if name == "begin":
        environment = brace_group(latex, end)[0] if latex[end:end + 1] == "{" else ""
        end = _environment_end(latex, i, environment)
    elif name in _ARITY:
        end = _arguments_end(latex, name, end)
    tokens.append(_Token(latex[i:end], _COMMAND_KIND.get(name, "atom")))
    return end


def _arguments_end(latex: str, name: str, end: int) -> int:
    """The index after the arguments of the command ``name`` that ends at ``end`` (with ``\\sqrt``'s optional
    ``[n]``)."""
    if name == "sqrt" and latex[end:end + 1] == "[":
        end = latex.index("]", end) + 1
    for _ in range(_ARITY[name]):
        end = _argument(latex, end)
    return end


def _breaks(tokens: Sequence[_Token]) -> dict[int, tuple[int, int]]:
    """Where a line may break (before token k), as ``k -> (depth, rank)``: the depth of delimiters around it and
    how good a place it is (0 before + and -, 1 after a comma or before a relation or \\cdot, 2 between the
    factors of a product, 3 after a first factor that is one symbol, such as the weight of ``w \\tanh(u)``)."""
    found: dict[int, tuple[int, int]] = {}
    depth = 0
    previous: _Token | None = None  # the last token that is not a space
    earlier: _Token | None = None  # the one before it
    spaced = False
    for k, token in enumerate(tokens):
        if token.kind == "space":
            spaced = True
            continue
        operand_before = previous is not None and previous.kind in ("atom", "close")
        if token.kind == "sum" and operand_before:
            found[k] = (depth, 0)
        elif token.kind in ("rel", "product") and operand_before:
            found[k] = (depth, 1)
        elif previous is not None and previous.kind == "comma" and token.kind in ("atom", "open", "sum"):
            found[k] = (depth, 1)
        elif previous is not None and token.kind in ("atom", "open") and operand_before and spaced and not (
            token.kind == "open" and _FUNCTION_HEAD.match(previous.text)  # \tanh (u): one factor, not two
        ):
            lone = previous.kind == "atom" and (earlier is None or earlier.kind != "atom")
            found[k] = (depth, 3 if lone else 2)
        if token.kind == "open":
            depth += 1
        elif token.kind == "close":
            depth = max(depth - 1, 0)
        previous, earlier, spaced = token, previous, False
    return found


def _resize_split_pairs(tokens: list[_Token], line_of: Sequence[int]) -> None:
    r"""``\left( ... \right)`` pairs that end up on different lines, written with fixed sizes (each line of an
    ``align`` is typeset on its own): plain parentheses, or ``\Bigl(``/``\Bigr)`` around tall content."""
    stack: list[int] = []
    pairs: list[tuple[int, int | None]] = []
    for k, token in enumerate(tokens):
        if token.kind == "open":
            stack.append(k)
        elif token.kind == "close":
            pairs.append((stack.pop(), k) if stack else (-1, k))
    pairs.extend((k, None) for k in stack)
    for start, end in pairs:
        if start >= 0 and end is not None and line_of[start] == line_of[end]:
            continue
        inside = "".join(t.text for t in tokens[max(start, 0):(len(tokens) if end is None else end)])
        tall = any(mark in inside for mark in _TALL_INSIDE)
        ends: tuple[tuple[int | None, str], ...] = ((start, "l"), (end, "r"))
        for index, side in ends:
            if index is None or index < 0 or not tokens[index].text.startswith(("\\left", "\\right")):
                continue
            text = tokens[index].text
            word = "\\left" if side == "l" else "\\right"
            rest = text[len(word):]
            if tall:
                replacement = f"\\Big{side}{rest}"
            else:  # the null delimiter \left. has no plain form: only its scripts stay
                replacement = rest[1:] if rest.startswith(".") else rest
            tokens[index] = _Token(replacement, tokens[index].kind)


def _best_starts(
    before: Sequence[float], breaks: dict[int, tuple[int, int]], first_room: float, room: float, mark: float
) -> list[int]:
    """The tokens that start each line, chosen (by dynamic programming) to minimise the total cost of the breaks
    and of the room the lines leave empty; ``before[k]`` is the width of the tokens before token k."""
    end = len(before) - 1
    positions = [0, *sorted(k for k in breaks if 0 < k < end), end]
    cost: dict[int, float] = {0: 0.0}
    line_count: dict[int, int] = {0: 0}
    previous: dict[int, int] = {}
    for index, k in enumerate(positions[1:], 1):
        last = k == end
        best: tuple[float, int] | None = None
        fallback: int | None = None
        for j in reversed(positions[:index]):
            if j not in cost:
                continue
            limit = first_room if line_count[j] == 0 else room
            used = before[k] - before[j] + (mark if j in breaks and breaks[j][1] >= 2 else 0.0)
            if used > limit:  # and so are the lines from every earlier start
                fallback = j
                break
            empty = 0.0 if last else EMPTY_COST * (1.0 - used / limit) ** 2
            depth, rank = breaks.get(k, (0, 0))
            total = cost[j] + empty + (0.0 if last else depth + RANK_COST[rank])
            if best is None or total < best[0]:
                best = (total, j)
        if best is None:  # no line from an earlier start fits: one too wide, from the nearest start
            j = positions[index - 1] if fallback is None else fallback
            best = (cost[j] + 1000.0, j)
        cost[k], previous[k] = best
        line_count[k] = line_count[best[1]] + 1
    starts = []
    k = end
    while k:
        k = previous[k]
        starts.append(k)
    return starts[::-1]


def break_formula(latex: str, first_room: float, room: float) -> list[str]:
    """One formula broken into lines of at most ``first_room`` (the first) and ``room`` (the others) units of
    :func:`formula_width`, at any depth of parentheses.

    The breaks minimise a total cost (:data:`RANK_COST`, :data:`EMPTY_COST`): they go where few delimiters are
    open, before a + or - rather than between two factors of a product, and leave little of each line empty. A
    continuation line starts with its operator (``\\times`` where a product was broken). A pair of sized
    delimiters split across lines gets fixed sizes. A piece that cannot be broken (a fraction, a script, an
    environment) stays whole even if it is too wide.
    """
    tokens = _tokenize(latex)
    if not tokens:
        return [latex.strip()]
    widths = [0.0 if t.kind == "space" else formula_width(t.text) for t in tokens]
    before = [0.0]
    for w in widths:
        before.append(before[-1] + w)
    breaks = _breaks(tokens)
    starts = _best_starts(before, breaks, first_room, room, formula_width("\\times "))
    line_of: list[int] = []
    for line, begin in enumerate(starts):
        end = starts[line + 1] if line + 1 < len(starts) else len(tokens)
        line_of.extend([line] * (end - begin))
    _resize_split_pairs(tokens, line_of)
    lines: list[str] = []
    for line, begin in enumerate(starts):
        end = starts[line + 1] if line + 1 < len(starts) else len(tokens)
        text = "".join(t.text for t in tokens[begin:end]).strip()
        if line and breaks.get(begin, (0, 0))[1] >= 2:
            text = f"\\times {text}"
        lines.append(text)
    return lines


