"""Which files ``symbackprop derive`` writes, and their contents: a pure function, no file is touched here.

Files are named after the notation, inside the output folder ``output/<network name>/`` that the CLI picks:
``derivation-<notation>.tex`` (standalone, or a fragment with ``--fragment``), ``derivation-<notation>.md``, and
with ``--exercise`` ``exercises-<notation>.*`` and ``solutions-<notation>.*``. The PDF of each .tex is built by
:mod:`symbackprop.documents.pdf` after the text files are written.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..derive import schemas, stated
from ..derive import verify as checking
from ..derive.derivation import Derivation, Equation
from ..derive.verify import Verification
from ..errors import SizeLimitError
from ..notation.printer import INDICATOR_LATEX, INDICATOR_MARKDOWN, NotationPrinter
from . import appendix, closed, every_layer, exercises, sizes, substituted
from .exercise_general import generic_derivation
from .model import Document, build_document, shown_sections
from .options import DocumentOptions
from .render import drawn, figure_images, markdown_document, render_document, render_figures
from .routes import route


def engine_forms(options: DocumentOptions) -> tuple[str, ...]:
    """The forms to ask the engine for: those shown, and the vector form the summary and exercises quote."""
    wanted = {form for form in options.forms if form != "closed"} | {"vector"}
    if "element" in wanted and route(options.notation_preset).paths:  # seed 000's chains down to each weight
        wanted.add("paths")
    if "thin" in options.sections:  # seed 002's chain through a thin network
        wanted.add("thin")
    return tuple(form for form in ("element", "vector", "batch", "paths", "thin") if form in wanted
                 or options.exercise and form not in ("paths", "thin"))


def verified(derivation: Derivation, options: DocumentOptions) -> Verification:
    """Every equality the documents for ``options`` display, checked (:func:`symbackprop.derive.verify.verify`):
    ``derivation``'s steps, and BP2 to BP4 stated for every layer (:mod:`.every_layer`); the generic derivation's,
    where the problem or the exercises state the general results and their solutions argue them (seed 001), with
    the data set's means they end on; each note "by (2), with l = 1, h = σ" of the general arguments
    (:mod:`.substituted`); what the documents state beside the steps (:func:`stated_equations`); each
    derivative the appendix works out; the exercises' numeric answers; every entry of the closed form; and every
    general rule a document can state beside a step (:data:`~symbackprop.derive.schemas.SCHEMAS`), proven by SymPy;
    every size a document can state, against its matrix in the forward pass, a general layer's at every layer
    (:mod:`.sizes`).

    Raises:
        VerificationError: a line that differs from the truth, or that cannot be evaluated; a general rule SymPy
            does not prove.
        WorkedDerivativeError: an appendix's line SymPy does not prove equal to the one before.
    """
    rules = schemas.proven(schemas.SCHEMAS)  # (first: 0.3 s; every rule a note, a sentence or a caption can state)
    network, notation = derivation.network, options.notation_preset
    printer = NotationPrinter(notation, network)
    written = _closed_form(derivation, options, printer)  # (first: a closed form too long to print is refused)
    found = checking.verify(derivation) + every_layer.verified(derivation, printer)
    if "general" in options.sections:  # "by (2), with l = 1, h = σ, m = 1": the values put in the rule
        found += substituted.verified(derivation, printer)
    if "problem" in options.sections or options.exercise:
        generic = generic_derivation(network)
        found += checking.verify(generic) + every_layer.verified(
            generic, NotationPrinter(notation, generic.network, per_layer=network.hidden_differ))
        stacked = options.exercise and route(notation).stacked  # (a)'s column argument
        means = stated.data_means(generic) + (_columns(generic) if stacked else ())
        if means:
            found += stated.check(generic, means)  # the data set's means, (b)'s answer; (a)'s column argument
    if shown_here := stated_equations(derivation, options):  # the bias units' BP3, a batch's means, Δ's columns
        found += stated.check(derivation, shown_here)
    if "appendix" in options.sections:
        shown = appendix.proven(derivation.network, options.appendix)
        found += Verification(shown, shown, found.points, 0, 0)
    found += written
    if options.exercise and (answered := exercises.checked_answers(derivation, options.seed)):
        found += Verification(answered, answered, found.points, 0, 0)  # the numbers asked, at their own point
    return dataclasses.replace(found, rules=rules, sizes=sizes.verified(derivation, notation))


def _closed_form(derivation: Derivation, options: DocumentOptions, printer: NotationPrinter) -> Verification:
    """The closed form's entries checked (:func:`.closed.verified`) where the documents show it: printed first, so
    that one too long for its pages is refused (or, with ``all``, left out) before anything is checked."""
    if "closed" in shown_sections(derivation.network, options):
        try:
            return closed.verified(derivation, printer)  # (written first: refused before any point is drawn)
        except SizeLimitError:
            if not options.every:  # (all leaves out a closed form too long to write)
                raise
    return Verification(0, 0, 0, 0, 0)


def stated_equations(derivation: Derivation, options: DocumentOptions) -> tuple[Equation, ...]:
    """The equalities of :mod:`symbackprop.derive.stated` the documents for ``options`` show: the bias units' BP3
    (with the summary, the element form, gradient descent and the exercises); a batch's mean (the summary, but the
    list seed 002 writes); the columns of a batch's error terms (the notation table, with a batch section); seed
    002's column argument (the general arguments, where they stack their results)."""
    network, sections = derivation.network, options.sections
    shown: tuple[Equation, ...] = ()
    if {"summary", "element", "sgd"} & set(sections) or options.exercise:
        shown += stated.bias_units(network)
    if "summary" in sections and not route(options.notation_preset).listed:
        shown += stated.batch_mean(network)
    if "notation" in sections and "batch" in sections:
        shown += stated.batch_errors(network)
    if "general" in sections and route(options.notation_preset).stacked:
        shown += _columns(derivation)
    return shown


def _columns(derivation: Derivation) -> tuple[Equation, ...]:
    """The column argument seed 002 stacks the argument through a hidden neuron's output with, where it has one."""
    argument = derivation.argument("activation")
    equation = None if argument is None else stated.column_argument(derivation.network, argument)
    return () if equation is None else (equation,)


#: The images' names of one Markdown document's figures, in order, and the standalone LaTeX that draws them.
FigureSource = tuple[tuple[str, ...], str]


@dataclass(frozen=True)
class Rendered:
    """Every text file the options ask for, name -> content (.tex and .md, in a stable order), and the figures the
    Markdown shows as SVG images (made with the PDF; none otherwise), one :data:`FigureSource` per document."""

    files: dict[str, str]
    figures: list[FigureSource]


def render_files(derivation: Derivation, options: DocumentOptions) -> Rendered:
    """The files and figures of :class:`Rendered`; each document is built once in each language, its LaTeX one for
    both its .tex and its figures."""
    formats, network = set(options.formats), derivation.network
    latex = _documents(derivation, options, INDICATOR_LATEX) if {"tex", "pdf"} & formats or drawn(options) else []
    markdown = _documents(derivation, options, INDICATOR_MARKDOWN) if "md" in formats else []
    template = "fragment.tex.j2" if options.fragment else "document.tex.j2"
    tex = [(f"{name}.tex", render_document("latex", template, document, network))
           for name, document in latex] if {"tex", "pdf"} & formats else []
    md = [(f"{name}.md", markdown_document(document, network, options, name)) for name, document in markdown]
    files = dict([*tex[:1], *md[:1], *tex[1:], *md[1:]])  # the derivation's, then the exercises' and solutions'
    figures = [(tuple(figure_images(document, name).values()), render_figures(document.figures()))
               for name, document in latex if document.figures()] if drawn(options) else []
    return Rendered(files, figures)


def document_files(derivation: Derivation, options: DocumentOptions) -> dict[str, str]:
    """File name -> content for every text file the options ask for (.tex and .md), in a stable order."""
    return render_files(derivation, options).files


def _documents(derivation: Derivation, options: DocumentOptions, indicator: str) -> list[tuple[str, Document]]:
    """The documents to write in one language, each by its file name without a suffix: the derivation, and with
    ``--exercise`` the problems and the solutions."""
    built = [(f"derivation-{options.notation}", build_document(derivation, options, indicator))]
    if options.exercise:
        problems, solutions = exercises.exercise_documents(derivation, options, indicator)
        built += [(f"exercises-{options.notation}", problems), (f"solutions-{options.notation}", solutions)]
    return built
