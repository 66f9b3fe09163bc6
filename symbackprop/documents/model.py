"""The document as data: everything the templates lay out, printed in the chosen notation.

``build_document(derivation, options)`` assembles, in order: the set-up (architecture, figure, notation table,
forward pass, loss), the derivation in each form asked for, the boxed summary, gradient descent with a remark on
initialisation, and the appendix of activation derivatives. Every string is final LaTeX math or prose with
``$...$`` math; the templates only escape prose and lay things out.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import sympy as sp

from ..derive.derivation import CLOSED_FORM_MAX_PARAMETERS, Derivation, Rule, Step
from ..derive.forms import definitions, entry_definition
from ..errors import SizeLimitError
from ..model import symbols
from ..model.architecture import Architecture
from ..notation.display import Display, Line
from ..notation.presets import Notation
from ..notation.printer import INDICATOR_LATEX, NotationPrinter
from . import batch, sizes
from . import sections as sec
from .algorithm import algorithm_section
from .appendix import appendix_sections
from .argued import argued_section, example_section
from .closed import closed_form
from .element import element_section
from .exercise_general import SOLVED, homework_section
from .options import PRESET_SECTIONS, DocumentOptions
from .routes import route
from .sections import Block, Section, display, text
from .setup import introduction_section, setup_section
from .summary import bias_unit_words, bp_equations, labels, summary_section
from .thin import thin_section
from .words import describe


@dataclass(frozen=True)
class Document:
    """A whole derivation document, ready for the templates.

    ``figure_note`` tells a Markdown reader where the network's figure is drawn (TikZ renders in LaTeX only): see
    :func:`figure_note`; ``figure_images`` names, by a figure's label, the SVG image of it the Markdown shows
    instead (made with the PDF: :func:`symbackprop.documents.files.render_files`). ``author`` and ``date`` are
    printed under the title (and the subtitle, where there is one: its phrases, joined by "; ", each after the first
    kept on one line in LaTeX, so that "Bishop's notation" never breaks); ``contents`` puts a table of contents after
    it (seed 002 has one).
    """

    title: str
    subtitle: tuple[str, ...]
    sections: tuple[Section, ...]
    appendix: tuple[Section, ...]
    headings: tuple[str, ...]
    prefix: str
    fragment: bool
    figure_note: str = ""
    author: str = ""
    contents: bool = False
    date: str = ""
    figure_images: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def figures(self) -> list[Block]:
        """The document's figures, in the order they appear (its sections, their subsections, the appendix)."""
        def within(section: Section) -> list[Block]:
            return [b for b in section.blocks if b.kind == "figure"] + [f for sub in section.subsections
                                                                          for f in within(sub)]

        return [figure for section in self.sections + self.appendix for figure in within(section)]

    @functools.cached_property
    def figure_numbers(self) -> dict[str, int]:
        """Each captioned figure's number, by its label, as LaTeX numbers them (in the order they appear); found
        once, where the Markdown asks for it at every figure and every text."""
        return {figure.label: number for number, figure in enumerate((f for f in self.figures() if f.text), 1)}


def figure_note(formats: Sequence[str]) -> str:
    """Where the figure a Markdown document made without the PDF (and so without its images) is drawn, among the
    ``formats`` being made with it."""
    if "tex" in formats:
        return "drawn in the LaTeX file"
    return "drawn only in the LaTeX and PDF versions"


def build_document(derivation: Derivation, options: DocumentOptions, indicator: str = INDICATOR_LATEX) -> Document:
    """Everything the document templates need, for ``derivation`` in ``options``' notation."""
    network = derivation.network
    notation = options.notation_preset
    notation.check(network.layers, network.activation(network.depth).elementwise)
    printer = NotationPrinter(notation, network, indicator=indicator, width=options.line_width)
    p = options.label_prefix
    shown = shown_sections(network, options)
    if "thin" not in shown:  # no part of the document points to a thin network it does not show
        derivation = dataclasses.replace(derivation, thin=None)
    # a homework states its own set-up (seed 001): without the figure, table or forward pass, no section for it
    own_setup = "problem" in shown and not {"figure", "notation", "forward"} & set(shown)
    subtitled = not options.title and not options.fragment  # the subtitle says what the network is
    opening = (introduction_section(derivation, printer, p), setup_section(derivation, printer, p, shown, subtitled))
    parts = [] if own_setup else [section for section in opening if section is not None]
    for name, build in SECTION_BUILDERS:
        if name == "vector" and "notation" in shown:  # ⊙ defined in the notation table already (seed 004's)
            build = functools.partial(_vector_section, tabled=True)
        if name == "general" and _after_problem(parts, notation, p):  # the problem's solutions derived them
            build = functools.partial(argued_section, derived=SOLVED)
        if name in shown and (section := _built(build, derivation, printer, p, options.every)) is not None:
            parts.append(section)
    if route(notation).backprop_section:
        parts = _backprop_section(parts, p)
    if route(notation).batch_in_summary:
        parts = _batch_in_summary(parts, p)
    if "sgd" in shown or "init" in shown:
        parts.append(algorithm_section(derivation, printer, p, sgd="sgd" in shown, init="init" in shown))
    if "general" in shown and (example := example_section(derivation, printer, p)) is not None:
        parts.append(example)  # seed 003's "for our original example", last
    if route(notation).one_body and tuple(shown) == PRESET_SECTIONS.get(notation.name):  # the seed's page
        parts = [_without_headings(section) for section in parts]
    title = options.title  # a title given replaces both: the body says what the network is
    subtitle: tuple[str, ...] = ()
    if not title:  # as the seeds title theirs; the line under it says what network, once
        title = "Backpropagation"
        subtitle = (f"{describe(network)[0].upper()}{describe(network)[1:]}", notation.heading)
    appendix = appendix_sections(network, printer, p, options.appendix) if "appendix" in shown else []
    return Document(title, subtitle, tuple(parts), tuple(appendix), options.headings, p, options.fragment,
                    figure_note(options.formats), options.author, route(notation).contents, date=options.date)


def _after_problem(parts: Sequence[Section], notation: Notation, prefix: str) -> bool:
    """Whether the general neuron's section, built after ``parts``, follows a problem whose solutions derive its
    arguments: not where it joins the thin network's section, before the problem (seed 002's §4,
    :func:`_backprop_section`)."""
    built = {section.label for section in parts}
    joined = route(notation).backprop_section and f"{prefix}sec:thin" in built
    return f"{prefix}sec:problem" in built and not joined


def shown_sections(network: Architecture, options: DocumentOptions) -> tuple[str, ...]:
    """The sections ``options`` ask for; with ``all``, no closed form the network cannot have (the generic cost's,
    or one over the parameter limit). One too long to write is left out later, as it is built (:func:`_built`)."""
    if options.every and (network.loss.generic or network.parameter_count > CLOSED_FORM_MAX_PARAMETERS):
        return tuple(name for name in options.sections if name != "closed")
    return options.sections


def _built(build: Callable[[Derivation, NotationPrinter, str], Section | None], derivation: Derivation,
           printer: NotationPrinter, prefix: str, every: bool) -> Section | None:
    """The section ``build`` makes; for ``--sections all``, none where it would be too long to write (a closed
    form of more pages than it may fill), as all leaves out what does not apply."""
    try:
        return build(derivation, printer, prefix)
    except SizeLimitError:
        if every:
            return None
        raise


def _without_headings(section: Section) -> Section:
    """``section`` and its subsections without their headings: one body of text (seed 003)."""
    return dataclasses.replace(section, title="", subsections=tuple(_without_headings(sub)
                                                                     for sub in section.subsections))


def _backprop_section(parts: list[Section], prefix: str) -> list[Section]:
    """Seed 002's §4, "Back-Propagation": the thin network, its intuition and the general neuron (the real deal),
    each a part of one section, where the document has the thin network and the general neuron."""
    by_label = {section.label: section for section in parts}
    thin, general = by_label.get(f"{prefix}sec:thin"), by_label.get(f"{prefix}sec:general")
    if thin is None or general is None:
        return parts
    whole = Section("Backpropagation", f"{prefix}sec:backpropagation", (), (
        dataclasses.replace(thin, subsections=()), *thin.subsections,
        dataclasses.replace(general, title="The general case")))
    return [whole if section is thin else section for section in parts if section is not general]


def _batch_in_summary(parts: list[Section], prefix: str) -> list[Section]:
    """Seed 002's summary: for a single example (the summary's equations), then for the whole X (the batch
    section's), where the document has both."""
    by_label = {section.label: section for section in parts}
    summary, columns = by_label.get(f"{prefix}sec:summary"), by_label.get(f"{prefix}sec:batch")
    if summary is None or columns is None:
        return parts
    one = Section("For one example", f"{prefix}sec:summary-example", summary.blocks)
    whole = Section("For the whole batch", columns.label, columns.blocks)
    return [dataclasses.replace(summary, blocks=(), subsections=(one, whole)) if section is summary else section
            for section in parts if section is not columns]


def layer_section(derivation: Derivation, printer: NotationPrinter, prefix: str, form: str,
                  tabled: bool = False) -> Section:
    """The vector form (BP1-BP4 for one example) or the batch form (examples as columns); ``tabled``: after a
    notation table, which says what ⊙ is where it lists the conventions (seed 004's)."""
    derivation = batch.with_batch(derivation) if form == "batch" else derivation
    if form == "batch" and route(printer.notation).general_batch:
        return Section("Backpropagation for a batch", f"{prefix}sec:{form}",
                       tuple(batch.general_blocks(derivation, printer)))
    groups = sec.group(derivation.steps_of(form))
    transposed = printer.notation.weights_transposed
    blocks: list[Block] = []
    if form == "batch":
        blocks += batch.forward_blocks(derivation.network, printer)
        blocks.append(display(batch.by_layer_forward(derivation, printer)))
        blocks.append(text("Backward pass:"))
    elif route(printer.notation).general_vector:
        return general_vector_section(derivation, printer, f"{prefix}sec:{form}", tabled)
    else:
        blocks.append(text("The same derivation with whole layers, through Jacobians and transposes; $\\odot$ is "
                           "the element-wise (Hadamard) product." + bias_unit_words(derivation.network, printer)))
    labels_defined = not (form == "batch" and derivation.network.loss.sparse)
    for name, steps in groups.items():
        weight = symbols.kind_of(name) == "W" and transposed
        blocks.append(display(sec.quantity_display(steps, printer, transpose=weight)))
        if not labels_defined and _mentions(steps, symbols.matrix("Y")):
            blocks.append(batch.onehot_matrix(derivation.network, printer))
            labels_defined = True
    if form == "batch":
        return Section("Backpropagation for a batch", f"{prefix}sec:{form}", tuple(batch.joined(blocks)))
    return Section("Backpropagation in vector form", f"{prefix}sec:{form}", tuple(blocks))


#: What each equation is for, as seed 004 heads its derivation of it.
GOALS = {"BP1": "Error at the output layer", "BP2": "Propagating the error to hidden layers",
         "BP3": "Gradient for the biases", "BP4": "Gradient for the weights"}
#: Seed 004's derivation steps for each, by name, each a label and the sentence that leads into its display: the
#: chain rule, the Jacobian it needs worked out (``{0}``, ``{1}``: the definitions it differentiates), the result
#: with it substituted back; BP4's the weight's chain rule, its local derivative, then every weight at once (``{j}``,
#: ``{k}``: the notation's neuron letters; ``{l}``: its layer letter; ``{weight}``: the weight w^l_jk; ``{sizes}``:
#: the size the matrix is written out at).
STEPS = {
    "BP1": (("Apply the chain rule", "The error is how the cost changes with the weighted inputs, and the cost "
                                     "depends on them through the activations alone:"),
            ("Compute the Jacobian", "As ${0}$, each output depends only on its own input, so the Jacobian is "
                                     "diagonal:"),
            ("Result", "Substitute it back; a diagonal matrix times a vector is a Hadamard product:")),
    "BP2": (("Link consecutive layers", "The error at layer ${l}$ is written in terms of the error at layer "
                                        "${l}+1$, by the multivariate chain rule:"),
            ("Differentiate the linear transformation", "With ${0}$ and ${1}$, the chain rule gives the product of "
                                                        "their Jacobians:"),
            ("Transpose and simplify", "Substitute it back, and transpose the product:"),
            ("Final form", "Convert the diagonal matrix times a vector to a Hadamard product:")),
    "BP3": (("Chain rule via the weighted inputs", "The biases reach the cost through the weighted inputs:"),
            ("Compute the local gradient", "In ${0}$ the bias is added directly, so"),
            ("Conclusion", "Substitute it back:")),
    "BP4": (("Element-wise approach", "Consider a single weight ${weight}$, from neuron ${k}$ in layer ${l}-1$ "
                                      "to neuron ${j}$ in layer ${l}$; it reaches the cost through its neuron's "
                                      "weighted input:"),
            ("Solve for the partial derivative", "In the weighted sum the weight multiplies only the activation of "
                                                 "neuron ${k}$ below, so"),
            ("Vectorise as an outer product", "All these derivatives, for every ${j}$ and ${k}$, make the outer "
                                              "product of the error vector and the activations below{sizes}:")),
}


def general_vector_section(derivation: Derivation, printer: NotationPrinter, label: str,
                           tabled: bool = False) -> Section:
    """BP1 to BP4 in vector form, each once, for a general layer, as seed 004: each under its heading, its goal,
    then the steps of the layer that stands for every layer (the output layer as L; the last hidden layer as l, the
    next as l+1; the output layer's parameters as those of a layer l), each step named and verified for that
    layer. ``tabled``: the notation table before it says what ⊙ is."""
    network, notation = derivation.network, printer.notation
    L = network.depth
    groups = sec.group(derivation.steps_of("vector"))
    equations = {equation.tag: equation for equation in bp_equations(derivation, printer)}
    parts = [("BP1", symbols.matrix("delta", L), labels(notation, "z", L, "L")),
             ("BP2", symbols.matrix("delta", L - 1), labels(notation, "delta", L - 1)),
             ("BP3", symbols.matrix("b", L), labels(notation, "W", L)),
             ("BP4", symbols.matrix("W", L), labels(notation, "W", L))]
    odot = "" if tabled else "; $\\odot$ is the element-wise (Hadamard) product"  # (the table's conventions say it)
    intro = text("We begin at the output layer with BP1, then take a general layer for BP2 to BP4. The chain rule "
                 f"with a Jacobian gives the first three; BP4 we work out one weight at a time{odot}."
                 + bias_unit_words(network, printer))
    derived: list[Section] = []
    for tag, name, layers in parts:
        if tag in equations and name in groups:
            equation = equations[tag]
            at = printer.relabel(layers)  # (pack_entries below: one weight, then its local derivative)
            part = (_bp4_steps(derivation, groups[name], at, printer) if tag == "BP4" else
                    _bp_steps(derivation, tag, groups[name], at))
            goal = f"Goal: ${equation.lhs} = {equation.general or equation.final}$."
            # the first part follows what ends the page before (seed 004's notation), its goal with its first step
            # alone, leaving no half page blank; a later part, where short, is kept whole
            room = (_room(part) if derived else _height(part[:2])) + 2
            derived.append(Section(f"{tag}: {GOALS[tag]}", f"{label}:{tag.lower()}",  # the seed's two headers
                                   (Block("text", text=goal, room=room),
                                    Block("text", text="Derivation steps:", flush=True), *part),
                                   numbered=False))
    return Section("Derivation of the equations", label, (intro,), tuple(derived))  # seed 004's section 2


def _bp_steps(derivation: Derivation, tag: str, steps: Sequence[Step], at: NotationPrinter) -> list[Block]:
    """BP1, BP2 or BP3 in seed 004's named steps: the chain rule (δ^{l+1} put in), the Jacobian it needs worked out
    on its own, then the rest with it substituted back; BP2's final form, the diagonal matrix times a vector as a
    Hadamard product, on a display of its own, as the seed's four bullets (with this network's activation in terms
    of its output, where it has one). ``at`` writes the layer that stands for every layer."""
    named = STEPS[tag]
    jacobian = _jacobian_blocks(derivation, tag, at)

    def shown(piece: Sequence[Step], defined: bool = True) -> Display:
        return sec.quantity_display(piece, at, pack_entries=False, defined=defined)

    lead = text(named[0][1].format(l=at.notation.layer_letter), lead=f"{named[0][0]}.")
    if not jacobian:
        return [lead, display(shown(steps))]
    steps = _substituted(steps)
    cut = 2 if len(steps) > 1 and steps[1].rule is Rule.ERROR_TERM else 1
    first = shown(steps[:cut])
    part = [lead, display(first), *jacobian]
    if cut == len(steps):
        return part
    final = next((position for position in range(len(steps) - 1, cut, -1)
                  if steps[position].rule is Rule.DIAGONAL_TIMES_VECTOR), None) if len(named) > 3 else None
    # the steps after the Jacobian continue the display before it: δ^L = diag(σ'(z^L)) ∇_a C, not δ^L = ∂C/∂z^L again
    part += [text(named[2][1], lead=f"{named[2][0]}."), display(shown(steps[cut:final], defined=False))]
    if final is not None:
        part += [text(named[3][1], lead=f"{named[3][0]}."), display(shown(steps[final:], defined=False))]
    return part


def _bp4_steps(derivation: Derivation, steps: Sequence[Step], at: NotationPrinter,
               printer: NotationPrinter) -> list[Block]:
    """BP4 in seed 004's three named steps: a single weight's chain rule, its local derivative, then every weight
    at once as an outer product, written out (entry by entry, the bias units' column with it) for the output layer,
    l = L, where the derivation writes the matrix out, and then displayed for every layer, as the seed ends. ``at``
    writes the layer that stands for every layer."""
    notation = printer.notation
    transpose = notation.weights_transposed
    written = any(isinstance(step.result, sp.MatrixBase) for step in steps)
    size = sizes.written_out(derivation, notation) if written else None  # W^L's, in the notation's layout
    stated = f". Written out for the output layer, $l = L$, it is a ${sizes.times(size)}$ matrix" if size else ""
    output = printer.relabel(labels(notation, "W", printer.network.depth, "L")) if written else at
    j, k = notation.indices[:2]
    weight = at.doprint(steps[0].lhs.variables[0])  # w^l_jk, as the first step's ∂C/∂w^l_jk
    pieces = (steps[:1], steps[1:2], steps[2:])
    blocks = [block for (lead, sentence), piece, printed in zip(STEPS["BP4"], pieces, (at, at, output), strict=True)
              for block in (text(sentence.format(j=j, k=k, l=notation.layer_letter, weight=weight, sizes=stated),
                                 lead=f"{lead}."),
                            display(sec.quantity_display(piece, printed, transpose=transpose, pack_entries=False)))]
    if not written:
        return blocks
    every = Line(at.doprint(steps[-1].lhs), "=", at.doprint(steps[-1].result))  # the seed's last line, displayed
    return blocks + [text(f"Every layer's weights go the same way, so for every layer ${notation.layer_letter}$:"),
                     display(Display((every,)))]


#: A part of at most this many lines (about a third of a page) is kept on one page whole.
SHORT_PART = 16


def _room(part: Sequence[Block]) -> int:
    """The lines a BP's goal needs below it on its page: its whole part where that is short (BP3's, not its
    first display alone at the foot of a page), else its first step's sentence and display."""
    whole = _height(part)
    return whole if whole <= SHORT_PART else _height(part[:2])


def _height(blocks: Sequence[Block]) -> int:
    """About how many lines ``blocks`` take (a displayed line of fractions two; a text two, its lead sentence
    with it), to keep a short part on one page."""
    return 2 + sum(2 * len(block.display.lines) if block.display else 2 for block in blocks)


def _substituted(steps: Sequence[Step]) -> tuple[Step, ...]:
    """A BP's steps where its Jacobian is worked out on its own display: BP2's lines that work the Jacobian out
    inside the product, (∂z^{l+1}/∂a^l ∂a^l/∂z^l)ᵀ δ^{l+1} and (W^{l+1} ∂a^l/∂z^l)ᵀ δ^{l+1}, left to that display
    (each still verified), and the line they come to, (W^{l+1} diag(σ'(z^l)))ᵀ δ^{l+1}, put as the Jacobian
    above substituted back, as seed 004 does, by the step before; so are BP1's diag(σ'(z^L)) ∇_a C and BP3's
    Iᵀ δ^l."""
    inside = (Rule.JACOBIAN_CHAIN, Rule.JACOBIAN_OF_WEIGHTED_SUM)
    kept = steps if not any(step.rule in inside for step in steps) else [s for s in steps if s.rule not in inside]
    return tuple(dataclasses.replace(step, rule=PUT_IN[step.rule]) if step.rule in PUT_IN else step for step in kept)


#: The rule a step cites once the Jacobian it uses is worked out on its own display the step before (seed 004):
#: BP1's diag(σ'(z^L)), BP2's W^{l+1} diag(σ'(z^l)), BP3's I (its line also naming ∂C/∂z^l δ^l).
PUT_IN = {Rule.SYMMETRIC_JACOBIAN: Rule.SYMMETRIC_FROM_ABOVE, Rule.DIAGONAL_JACOBIAN: Rule.FROM_ABOVE,
          Rule.JACOBIAN_OF_BIAS: Rule.BIAS_FROM_ABOVE}


def _jacobian_blocks(derivation: Derivation, tag: str, printer: NotationPrinter) -> list[Block]:
    """The Jacobian a BP's derivation uses, worked out on its own as seed 004 does, on one line (each step
    verified), after the definitions it differentiates (BP1's for one neuron, a^L_j = σ(z^L_j), as the seed says
    each output depends only on its own input): nothing where the network has none (a softmax output, no bias
    vector)."""
    steps = list(derivation.jacobians.get(tag, ()))
    if not steps:
        return []
    network, j = derivation.network, printer.notation.indices[0]
    defined = [f"{printer.doprint(eq.lhs)} = {printer.doprint(eq.rhs)}" for step in steps
               for eq in (entry_definition(step, network, j) if tag == "BP1" else definitions(step, network))]
    shown = steps[:1] + steps[1:][-1:]  # the chain rule's product and what it comes to (the lines between checked)
    results = " = ".join(printer.doprint(step.result) for step in shown)
    label, sentence = STEPS[tag][1]
    return [text(sentence.format(*defined), lead=f"{label}."),
            display(Display((Line(printer.doprint(steps[0].lhs), "=", results),)))]


def _mentions(steps: Sequence[Step], name: str) -> bool:
    """Whether any of ``steps`` has the matrix symbol ``name`` (``Y``: the targets) in its result."""
    return any(isinstance(symbol, sp.MatrixSymbol) and symbol.name == name
               for step in steps for symbol in step.result.free_symbols)


def closed_section(derivation: Derivation, printer: NotationPrinter, prefix: str) -> Section:
    """Each gradient fully expanded in inputs, targets and parameters (small nets only), broken to fit the page.

    Raises:
        SizeLimitError: a net too large for the closed form (see :mod:`symbackprop.documents.closed`), before printing.
    """
    written = closed_form(derivation, printer)
    blocks = [text(written.intro)]
    for shown, likewise in zip(written.displays, written.likewise, strict=True):
        blocks += [display(shown), *([text(likewise)] if likewise else [])]
    return Section("Closed form", f"{prefix}sec:closed", tuple(blocks))


def _vector_section(derivation: Derivation, printer: NotationPrinter, prefix: str, tabled: bool = False) -> Section:
    return layer_section(derivation, printer, prefix, "vector", tabled)


def _batch_section(derivation: Derivation, printer: NotationPrinter, prefix: str) -> Section:
    return layer_section(derivation, printer, prefix, "batch")


#: The sections between the set-up and the algorithm, in order: a section's name and what builds it.
SECTION_BUILDERS: tuple[tuple[str, Callable[[Derivation, NotationPrinter, str], Section | None]], ...] = (
    ("thin", thin_section),
    ("problem", homework_section),
    ("general", argued_section),
    ("element", element_section),
    ("vector", _vector_section),
    ("batch", _batch_section),
    ("closed", closed_section),
    ("summary", summary_section),
)
