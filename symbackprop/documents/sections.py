"""The derivation's sections: the engine's steps in the element, vector, batch and closed forms, as displays.

Each quantity becomes one chain of equalities: ``lhs = definition = chain-rule product = result = ...``, one
line per step with the note for its rule (:mod:`.notes`) beside it, sums broken across lines to fit the page.
Above :data:`ELEMENT_LIMIT` parameters the element form is summarised: the first neuron of each layer in full,
every other entry by its general index formula.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sympy as sp

from ..derive import general
from ..derive.derivation import Rule, Step
from ..model import symbols
from ..model.architecture import Architecture
from ..notation.display import Display, Line, chain, visual_width
from ..notation.printer import NotationPrinter
from ..notation.written import neurons
from .figure import Figure
from .notes import note

#: Above this many parameters the element form shows representative entries and the general index formulas.
ELEMENT_LIMIT = 40
COST = sp.Symbol("c", real=True)
TOTAL = sp.Symbol("C", real=True)


@dataclass(frozen=True)
class Table:
    """A table whose cells are prose (with ``$...$`` math); ``align`` is LaTeX's column spec (``lll``)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: str


@dataclass(frozen=True)
class AlgorithmLine:
    """One line of pseudo-code: its nesting depth, its text (prose with ``$...$`` math) and its number (0 for a
    continuation of the line before, which is not numbered)."""

    depth: int
    text: str
    number: int = 0

    @property
    def indent(self) -> str:
        """The LaTeX indentation of the line."""
        return f"{1.5 * self.depth:.1f}em"

    @property
    def md_indent(self) -> str:
        """The Markdown indentation of the line (em spaces survive every renderer)."""
        return "&emsp;" * (2 * self.depth)


@dataclass(frozen=True)
class Boxed:
    """A boxed, tagged equation of the summary."""

    math: str
    tag: str
    label: str


@dataclass(frozen=True)
class Block:
    """Part of a section; ``kind`` says which field holds it: ``text`` (prose with ``$...$`` math),
    ``display``, ``table``, ``figure``, ``algorithm`` or ``boxed``."""

    kind: str
    text: str = ""
    display: Display | None = None
    table: Table | None = None
    figure: Figure | None = None
    algorithm: tuple[AlgorithmLine, ...] = ()
    boxed: tuple[Boxed, ...] = ()
    label: str = ""


def text(paragraph: str) -> Block:
    return Block("text", text=paragraph)


def display(shown: Display) -> Block:
    return Block("display", display=shown)


@dataclass(frozen=True)
class Section:
    """A titled part of a document, with its own label and nested subsections."""

    title: str
    label: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()


def terms(expr: sp.Basic, printer: NotationPrinter) -> list[str]:
    """The printed terms of a sum (in written order if it was built unevaluated); one term otherwise."""
    if isinstance(expr, sp.Add):
        unevaluated = sp.Add(*expr.args).args != expr.args
        ordered = expr.args if unevaluated else expr.as_ordered_terms()
        return [printer.doprint(term) for term in ordered]
    return [printer.doprint(expr)]


def chain_terms(paths: Sequence[Sequence[sp.Basic]], printer: NotationPrinter) -> list[str]:
    """A chain-rule sum over paths, each path a product of partial derivatives in written order."""
    return [printer.notation.times.join(printer.doprint(factor) for factor in path) for path in paths]


def _as_total(expr: sp.Basic) -> sp.Basic:
    """Batch steps differentiate the mean cost C, not the per-example c."""
    return expr.xreplace({COST: TOTAL})


def quantity_display(
    steps: Sequence[Step], printer: NotationPrinter, transpose: bool = False, pack: bool = False
) -> Display:
    """One quantity's steps as ``lhs = [definition] = chain = result = ...``.

    Args:
        steps: the consecutive steps of one quantity, the chain-rule step first.
        printer: prints in the notation.
        transpose: print every result transposed (weight gradients of a source-major notation).
        pack: put the steps on one line when they fit (short parameter gradients).
    """
    first = steps[0]
    batch = first.form == "batch"
    lhs = printer.doprint(_as_total(first.lhs) if batch else first.lhs)
    rows: list[tuple[list[str], str]] = []
    definition = _definition(first, printer.network)
    if definition is not None:
        rows.append(([printer.doprint(_as_total(definition) if batch else definition)], note(Rule.DEFINITION)))
    if first.chain and not transpose:
        paths = [[_as_total(f) if batch else f for f in path] for path in first.chain]
        rows.append((chain_terms(paths, printer), note(first.rule)))
    for position, step in enumerate(steps):
        result = sp.Transpose(step.result).doit() if transpose else step.result
        why = "" if position == 0 and first.chain and not transpose else note(step.rule)
        rows.append((terms(result, printer), why))
    return chain(lhs, _distinct(lhs, rows), printer.width, pack=pack)


def _distinct(lhs: str, rows: list[tuple[list[str], str]]) -> list[tuple[list[str], str]]:
    """Drop a row that repeats the one before it (or the lhs), keeping the first note of the run."""
    kept: list[tuple[list[str], str]] = []
    previous = lhs
    for printed, why in rows:
        if "".join(printed) == previous:
            if kept and not kept[-1][1]:
                kept[-1] = (kept[-1][0], why)
            continue
        previous = "".join(printed)
        kept.append((printed, why))
    return kept


def _definition(step: Step, network: Architecture) -> sp.Basic | None:
    """δ = ∂c/∂z for an error term (scalar or vector), else None."""
    info = symbols.describe(getattr(step.lhs, "name", ""))
    if info is None or info.kind not in ("delta", "Delta") or info.layer is None or len(info.indices) > 1:
        return None
    layer = info.layer
    if not info.indices:  # delta^l or Delta^l
        z = symbols.matrix("Z" if info.kind == "Delta" else "z", layer)
        return sp.Derivative(COST, sp.MatrixSymbol(z, network.layers[layer], 1), evaluate=False)
    j = info.indices[0]
    return sp.Derivative(COST, network.z(layer)[j - 1], evaluate=False) if isinstance(j, int) else None


def group(steps: Iterable[Step]) -> dict[str, list[Step]]:
    """Steps by quantity, in the order the engine derived them."""
    grouped: dict[str, list[Step]] = {}
    for step in steps:
        grouped.setdefault(step.quantity, []).append(step)
    return grouped


def stack(displays: Iterable[Display]) -> Display:
    """Several displays as one block (one ``align*``), each quantity starting a new line."""
    lines: list[Line] = []
    for display in displays:
        lines.extend(display.lines)
    return Display(tuple(lines))


def summarised(network: Architecture) -> bool:
    """True when the element form is too long to print every entry."""
    return network.parameter_count > ELEMENT_LIMIT


def general_delta(network: Architecture, layer: int, printer: NotationPrinter) -> Display:
    """δ^l_j for every j of a hidden layer, as :func:`symbackprop.derive.general.delta` derives it, in the
    notation's letters j and k: the derivative g' parenthesised unless it is a symbol."""
    j, _, k = printer.notation.indices
    equation = general.delta(network, layer, j, k)
    g_prime, total = equation.rhs.args if isinstance(equation.rhs, sp.Mul) else (sp.S.One, equation.rhs)
    rhs = printer.doprint(g_prime) if g_prime.is_Symbol else rf"\left({printer.doprint(g_prime)}\right)"
    rhs = printer.doprint(total) if g_prime == 1 else f"{rhs} {printer.doprint(total)}"
    return _general_line(printer.doprint(equation.lhs), rhs, sp.Symbol(j), network.layers[layer], printer)


def _general_line(lhs: str, rhs: str, index: sp.Symbol, size: int, printer: NotationPrinter) -> Display:
    where = rf"\text{{for }} {neurons(str(index), size)}"
    return Display((Line(lhs, "=", rhs, where),))


def general_gradients(network: Architecture, layer: int, printer: NotationPrinter) -> Display:
    """∂c/∂w^l_{jk} = δ^l_j a^{l-1}_k and the bias gradient, for every entry of layer ``layer``, as
    :func:`symbackprop.derive.general.gradients` derives them (the letters j and k the notation's)."""
    j, k = printer.notation.indices[:2]
    weight, *bias = general.gradients(network, layer, j, k)
    # the notes are presentation: which entries a line holds for
    notes = {"neuron": r"\text{the bias unit is } 1", "vector": "", "shared": ""}
    lines = [Line(printer.doprint(weight.lhs), "=", printer.doprint(weight.rhs), rf"\text{{for every }} {j}, {k}")]
    lines.extend(Line(printer.doprint(eq.lhs), "=", printer.doprint(eq.rhs), notes[network.bias]) for eq in bias)
    return Display(tuple(lines))


def fits(display: Display, width: float) -> bool:
    """True when every line of ``display`` is estimated to fit ``width``."""
    return all(visual_width(f"{line.lhs} {line.rel} {line.rhs} {line.note}") <= width for line in display.lines)
