"""The derivation's sections: the engine's steps in the element, vector, batch and closed forms, as displays.

Each quantity becomes one chain of equalities: ``lhs = definition = chain-rule product = result = ...``, one
line per step with the note for its rule (:mod:`.notes`) beside it, sums broken across lines to fit the page.
Above :data:`ELEMENT_LIMIT` parameters the element form is summarised: the first neuron of each layer in full,
every other entry by its general index formula.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import sympy as sp

from ..derive import forms, general
from ..derive.chain import PATHS_LIMIT
from ..derive.derivation import Rule, Step
from ..model import symbols
from ..model.architecture import Architecture
from ..notation.display import Display, Line, chain, one_line, visual_width
from ..notation.printer import NotationPrinter
from ..notation.written import terms, written
from .chained import Rows, naming_error, unspaced, with_also, with_chain
from .figure import Figure
from .notes import divided, note

#: About how many characters of prose a wrapped table cell holds in a line (0.6 of the text's width).
CELL_LINE = 60
#: Above this many parameters the element form shows representative entries and the general index formulas: the
#: size past which the engine derives seed 000's chains for those entries alone.
ELEMENT_LIMIT = PATHS_LIMIT
COST = sp.Symbol("c", real=True)
TOTAL = sp.Symbol("C", real=True)


@dataclass(frozen=True)
class Table:
    """A table whose cells are prose (with ``$...$`` math); ``align`` is LaTeX's column spec (``lll``)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: str

    @property
    def room(self) -> int:
        """The lines of the page a table's lead sentence, header and first two rows take, which may not be parted
        (a wrapped cell, ``p{...}``, at about :data:`CELL_LINE` characters a line)."""
        def lines(row: tuple[str, ...]) -> int:
            return max(1, *(-(-len(cell) // CELL_LINE) for cell in row)) if "p{" in self.align else 1

        return 4 + sum(lines(row) for row in self.rows[:2])


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
    """A tagged equation: boxed, as the summary's; ``framed`` False, unboxed and unlabelled, as an exercise states
    the equations to show, one under another."""

    math: str
    tag: str
    label: str = ""
    framed: bool = True


@dataclass(frozen=True)
class Block:
    """Part of a section; ``kind`` says which field holds it: ``text`` (prose with ``$...$`` math), ``display``,
    ``table``, ``figure``, ``algorithm`` or ``boxed``. A figure ``here`` stays where the text before it leads into it
    ("Schematically:"), where the page has room. A text's ``lead`` is a run-in label in italics ("Solution."); its
    ``room``, in lines, keeps it on one page with what follows it that short (seed 004's BP3 whole, not its first
    display alone at a page's foot); ``flush`` sets it flush left (seed 004's "Derivation steps:", as its "Goal:")."""

    kind: str
    text: str = ""
    display: Display | None = None
    table: Table | None = None
    figure: Figure | None = None
    algorithm: tuple[AlgorithmLine, ...] = ()
    boxed: tuple[Boxed, ...] = ()
    label: str = ""
    here: bool = False
    lead: str = ""
    room: int = 0
    flush: bool = False


#: The most lines a display holds and still stays on one page (the LaTeX templates break a longer one).
UNBROKEN = 24

#: The marks around a figure's label in a text, where the text refers to it (:func:`figure_ref`).
REF_OPEN, REF_CLOSE = "\ue000", "\ue001"


def figure_ref(label: str) -> str:
    """A reference to the figure ``label`` in a text block: "Figure~\\ref{label}" in LaTeX (right in a host
    document too), "Figure 3" in Markdown, numbered as LaTeX numbers the captioned figures."""
    return f"{REF_OPEN}{label}{REF_CLOSE}"


#: Marks around words set in bold in a text (:func:`strong`): private-use characters, which no text has.
STRONG_OPEN, STRONG_CLOSE = "\ue002", "\ue003"


def strong(words: str) -> str:
    """``words`` set in bold in a text block, as a seed bolds the terms it introduces (**forward propagation**):
    ``\\textbf`` in LaTeX, ``**`` in Markdown."""
    return f"{STRONG_OPEN}{words}{STRONG_CLOSE}"


def text(paragraph: str, lead: str = "") -> Block:
    return Block("text", text=paragraph, lead=lead)


def display(shown: Display) -> Block:
    return Block("display", display=shown)


@dataclass(frozen=True)
class Section:
    """A titled part of a document, with its own label and nested subsections; ``numbered`` False for one whose
    title numbers it already ("(a) The error terms")."""

    title: str
    label: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()
    numbered: bool = True

    @property
    def room(self) -> int:
        """The baselines the section's heading needs below it on its page, so that it is never last there: a few
        lines of what follows, a table's lead sentence and first rows, a lead sentence and the boxed equations
        it leads into (which do not break), a display it opens with (two baselines a line), a text's own room, or,
        with no text of its own or one sentence alone, its first subsection's."""
        if not self.blocks:
            return self.subsections[0].room + 4 if self.subsections else 6
        lead, after = self.blocks[0], self.blocks[1] if len(self.blocks) > 1 else None
        if after is None and lead.kind == "text" and not lead.room and self.subsections:
            return self.subsections[0].room + 5  # its one sentence, then the first subsection's heading and start
        if lead.kind == "table":
            return 8
        if lead.kind == "display" and lead.display is not None and not lead.display.breakable \
                and len(lead.display.lines) <= UNBROKEN:  # a display that does not break: all of it
            return 2 * len(lead.display.lines) + 3
        if lead.kind == "text" and lead.room:
            return max(6, lead.room + 2)
        if lead.kind == "text" and after is not None and after.kind == "table" and after.table is not None:
            return after.table.room + 3
        if lead.kind == "text" and after is not None and after.kind == "boxed":
            return 3 * len(after.boxed) + 6
        return 6


def error_term(printer: NotationPrinter, layer: int, j: str) -> tuple[str, str]:
    """The error term of neuron ``j`` of ``layer`` and its definition, ``δ^l_j`` and ``∂c/∂z^l_j``, as ``printer``
    writes them (the same where the notation writes the error term as the derivative itself)."""
    delta = printer.doprint(sp.Symbol(symbols.element("delta", layer, j), real=True))
    z = sp.Symbol(symbols.element("z", layer, j), real=True)
    return delta, printer.doprint(sp.Derivative(COST, z, evaluate=False))


def chain_terms(paths: Sequence[Sequence[sp.Basic]], printer: NotationPrinter) -> list[str]:
    """A chain-rule sum over paths, each path a product of partial derivatives in written order."""
    return [printer.notation.times.join(printer.doprint(factor) for factor in path) for path in paths]


def _as_total(expr: sp.Basic) -> sp.Basic:
    """Batch steps differentiate the mean cost C, not the per-example c."""
    return expr.xreplace({COST: TOTAL})


def quantity_display(
    steps: Sequence[Step], printer: NotationPrinter, transpose: bool = False, pack: bool = False,
    pack_entries: bool = True, defined: bool = True, also: str = "",
) -> Display:
    """One quantity's steps as ``lhs = [definition] = chain = result = ...``; where the lhs changes (a weight's
    general entry ∂c/∂w_jk, then the matrix ∂c/∂W) a new chain starts below.

    Args:
        steps: the consecutive steps of one quantity, the chain-rule step first.
        printer: prints in the notation.
        transpose: print every matrix result transposed (weight gradients of a source-major notation).
        pack: put the steps on one line when they fit (short parameter gradients).
        pack_entries: the same for a general entry (∂c/∂w_jk) where not ``pack``; False gives its local derivative
            a line of its own (seed 004).
        defined: open with an error term's definition (δ = ∂c/∂z); False for steps that continue a display above.
        also: what the note of the chain's result says (LaTeX), all it says beside the chain rule: the error term
            it names and the local derivatives it works out, or a pointer to where they are said (:mod:`.local`).
    """
    runs: list[list[Step]] = []
    for step in steps:
        if runs and runs[-1][0].lhs == step.lhs:
            runs[-1].append(step)
        else:
            runs.append([step])
    shown = [_run_display(run, printer, transpose, pack or pack_entries and is_entry(run[0]), defined, also)
             for run in runs]
    return shown[0] if len(shown) == 1 else stack(shown)


def _run_display(steps: Sequence[Step], printer: NotationPrinter, transpose: bool, pack: bool,
                 defined: bool = True, also: str = "") -> Display:
    """Consecutive steps of one lhs as one chain of equalities."""
    first = steps[0]
    batch = first.form == "batch"
    entry = is_entry(first)
    letters = _letters(printer) if entry else {}  # a general entry's letters: the notation's own

    def shown(expr: sp.Basic) -> sp.Basic:
        return general.with_letters(expr, letters) if letters else expr

    transpose = transpose and not entry
    lhs = printer.doprint(shown(_as_total(first.lhs) if batch else first.lhs))
    rows: Rows = []
    definition = _definition(first, printer.network) if defined else None
    if definition is not None:
        rows.append(([printer.doprint(_as_total(definition) if batch else definition)], note(Rule.DEFINITION)))
    said, merged = ([""], ""), False  # (a chain that is the definition, a batch's ∂C/∂Z: said once, its note beside
    if first.chain and not transpose:  # the result it gives, each equality on its own line with its own reason)
        paths = [[shown(_as_total(f) if batch else f) for f in path] for path in first.chain]
        cited = Rule.CHAIN_RULE if also and first.rule is Rule.CHAIN_RULE_PARAMETER else first.rule  # (δ in also)
        said = chain_terms(paths, printer), note(cited, delta=_writes_delta(printer), total=printer.doprint(TOTAL))
        merged = definition is not None and said[0] == rows[-1][0]
        rows += [] if merged else [said]
    results = [_transposed(step.result) if transpose else step.result for step in steps]
    results = [_as_total(result) for result in results] if batch else results  # ∂C/∂A^l: the mean cost's
    written = _matrices(lhs, results, printer)
    widths: dict[str, float] = {}  # a matrix written out -> its printed width
    chained = len(rows)  # the row of the chain's first result, if it follows the chain
    for position, (step, result) in enumerate(zip(steps, results)):
        if position == 0 and first.chain and result == first.chain_sum:
            continue  # the chain itself, as a sum (seed 000's paths, before their common factors are taken out)
        why = (said[1] if merged else "") if position == 0 and first.chain and not transpose else \
            _note(step, printer, shown)
        if isinstance(result, sp.MatrixBase) and written:
            rows.append(([written[position]], why))
            widths[written[position]] = _matrix_width(result, printer)
        elif not isinstance(result, sp.MatrixBase):
            rows.append((terms(shown(result), printer), why))
    names = bool(first.chain) and _names_error(first) and _writes_delta(printer)  # δ_j ∂z_j/∂w after ∂c/∂z_j
    if first.chain and not transpose and not pack and not isinstance(results[0], sp.MatrixBase):
        worked = Rule.EVALUATE_DERIVATIVES if first.rule is Rule.CHAIN_RULE_SOFTMAX else None  # (a softmax's ∂a/∂z)
        rows = with_chain(lhs, rows, chained, printer.width, Rule.ERROR_TERM if names else worked, also)
    elif also and first.chain and not transpose:
        rows = with_also(rows, chained, also)  # what its result works out, said (δ named with it)
    elif names and pack and len(chain(lhs, rows, printer.width, pack=True).lines) > 1:
        rows = naming_error(rows, chained)  # not on one line: its result says why
    rows = _distinct(lhs, rows) if merged else defined_then(lhs, _distinct(lhs, rows), printer.width)
    return _laid_out(lhs, rows, widths, printer.width, pack)


def defined_then(lhs: str, rows: Rows, width: float) -> Rows:
    """A definition and the step after it on one line where they fit, ``δ_j = ∂c/∂z_j = ∂c/∂a_j ∂a_j/∂z_j``, as
    seeds 001, 003 and 004 write them; the notes joined."""
    if len(rows) < 2 or rows[0][1] != note(Rule.DEFINITION):
        return rows
    if rows[0][0] == [lhs]:  # an error term written as the derivative itself (goodfellow's): nothing to define
        return rows[1:]
    why = f"{rows[0][1]};\\ {rows[1][1]}"
    together = one_line(lhs, rows[0][0], rows[1][0], why, width)
    return rows if together is None else [([together], why), *rows[2:]]


def _names_error(step: Step) -> bool:
    """Whether a chain-rule step's result names an error term its chain does not: δ_j ∂z_j/∂w from ∂c/∂z_j
    ∂z_j/∂w."""
    def errors(expr: sp.Basic) -> set[sp.Basic]:
        return {symbol for symbol in expr.free_symbols
                if (info := symbols.describe(getattr(symbol, "name", ""))) is not None and info.kind == "delta"}

    return bool(errors(step.result) - {error for path in step.chain for factor in path for error in errors(factor)})


def _writes_delta(printer: NotationPrinter) -> bool:
    """Whether the notation has a letter for an error term (δ), not writing one as the derivative itself."""
    delta, defined = error_term(printer, 1, "j")
    return delta != defined


#: :func:`~symbackprop.notation.display.visual_width` reads a matrix written out row after row, as if its rows
#: stood side by side: an overestimate. A quantity's matrices are written out only where even that estimate keeps
#: their lines within the page's width and this margin (what the page checks allow an estimate); elsewhere the
#: general entry and the outer product stand for them, as for a large layer.
MATRIX_MARGIN = 12.0


def _matrices(lhs: str, results: Sequence[sp.Basic], printer: NotationPrinter) -> dict[int, str]:
    """The LaTeX of each result that is a matrix written out, by position; none where one of them is too wide."""
    written = {i: printer.doprint(r) for i, r in enumerate(results) if isinstance(r, sp.MatrixBase)}
    if any(visual_width(f"{lhs} = {latex} \\qquad ") > printer.width + MATRIX_MARGIN for latex in written.values()):
        return {}
    return written


def _matrix_width(matrix: sp.MatrixBase, printer: NotationPrinter) -> float:
    """The printed width of a matrix written out: its widest row, the space between columns, the brackets."""
    widest = max(sum(visual_width(printer.doprint(entry)) for entry in matrix.row(r)) for r in range(matrix.rows))
    return widest + 2.0 * (matrix.cols - 1) + 2.0


def _laid_out(lhs: str, rows: Rows, widths: dict[str, float], width: float, pack: bool) -> Display:
    """The chain of ``rows``, a matrix written out measured by its widest row (its LaTeX lists every entry): it
    goes to the line breaking as a stand-in of its width, put back after; its note on a line of its own where the
    line, so measured, would pass the page's width (any other line: measured as written, past the width and
    :data:`MATRIX_MARGIN`)."""
    stand_ins: dict[str, str] = {}
    for index, (printed, why) in enumerate(rows):
        if len(printed) == 1 and printed[0] in widths:
            stand_in = "@" * max(1, round(widths[printed[0]]) - 3) + f"{index:03d}"
            stand_ins[stand_in] = printed[0]
            rows[index] = ([stand_in], why)
    shown = chain(lhs, rows, width, pack=pack)
    if not stand_ins:
        return shown
    lines: list[Line] = []
    for line in shown.lines:
        rhs = line.rhs
        for stand_in, latex in stand_ins.items():
            rhs = rhs.replace(stand_in, latex)
        matrix = any(stand_in in line.rhs for stand_in in stand_ins)  # measured by its widest row, not the margin's
        room = width if matrix else width + MATRIX_MARGIN
        if line.note and visual_width(f"{line.lhs} = {line.rhs if matrix else rhs} \\qquad {line.note}") > room:
            lines.extend((Line(line.lhs, line.rel, rhs), Line("", "", "", line.note)))
        else:
            lines.append(Line(line.lhs, line.rel, rhs, line.note))
    return replace(shown, lines=tuple(lines))


def is_entry(step: Step) -> bool:
    """Whether a vector- or batch-form step derives a general entry (∂c/∂w_jk, with letters), not a matrix."""
    return step.form != "element" and isinstance(step.lhs, sp.Derivative) and isinstance(step.lhs.variables[0],
                                                                                          sp.Symbol)


def _letters(printer: NotationPrinter) -> dict[str, str]:
    """The letters of a weight's general entry (w_jk, and m of the sum over the layer below) -> the notation's."""
    j, k = printer.notation.indices[:2]
    total = next(letter for letter in "mnpq" if letter not in (j, k))
    return {forms.J: j, forms.K: k, forms.SUM: total}


def _transposed(result: sp.Basic) -> sp.Basic:
    """A matrix result transposed; a matrix written out entry by entry is transposed as it stands (``doit`` would
    evaluate the partial derivatives in it)."""
    if isinstance(result, sp.MatrixBase):
        return result.T
    return sp.Transpose(result).doit() if isinstance(result, sp.MatrixExpr) else result


def _note(step: Step, printer: NotationPrinter, shown: Callable[[sp.Basic], sp.Basic]) -> str:
    """The note of the step's rule, with the definition the step differentiates ("since z^2 = W^2 a^1 + b^2")."""
    text = note(step.rule, delta=_writes_delta(printer), total=printer.doprint(TOTAL))
    text += divided(step.result)
    since = ", ".join(f"{printer.doprint(shown(eq.lhs))} = {written(shown(eq.rhs), printer)}"
                      for eq in forms.definitions(step, printer.network))
    if "<definition>" in text:
        return text.replace("<definition>", since)
    return f"{text}\\ {since}" if since else text


def _distinct(lhs: str, rows: Rows) -> Rows:
    """Drop a row that repeats the one before it (or the lhs), spaces aside (``δ_j`` printed as ``∂c/∂z_j``: the
    chain's own factor), keeping the first note of the run."""
    kept: Rows = []
    previous = unspaced(lhs)
    for printed, why in rows:
        if unspaced("".join(printed)) == previous:
            if kept and not kept[-1][1]:
                kept[-1] = (kept[-1][0], why)
            continue
        previous = unspaced("".join(printed))
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
