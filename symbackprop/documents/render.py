"""Rendering: the Jinja environment and the functions that turn a derivation into LaTeX or Markdown text.

One factory, :func:`environment`, builds the environment for a format: delimiters that cannot clash with LaTeX
braces (``((* *))`` statements, ``((( )))`` expressions, ``((= =))`` comments, as nbconvert), ``StrictUndefined``,
``trim_blocks``/``lstrip_blocks``, and two filters: ``escape`` (plain text, one pass through a table) and
``prose`` (text with ``$...$`` math: the text escaped, the math kept). Every formula is printed before rendering,
by the one :class:`~symbackprop.notation.printer.NotationPrinter` of its document: every computation happens
before rendering (:mod:`symbackprop.documents.model`); the templates in ``templates/latex`` and
``templates/markdown`` only loop and lay out. Nothing here touches files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace

import jinja2
import sympy as sp

from ..derive.derivation import Derivation
from ..derive.forms import forward_vector
from ..model.architecture import Architecture
from ..notation.display import Line
from ..notation.escape import latex_escape, markdown_escape, prose
from ..notation.printer import INDICATOR_LATEX, INDICATOR_MARKDOWN, NotationPrinter
from ..resources import templates_dir
from ..templating import make_environment
from .model import Document, build_document
from .options import DocumentOptions
from .sections import REF_CLOSE, REF_OPEN, STRONG_CLOSE, STRONG_OPEN, Block
from .words import BIAS_NAMES, LOSS_NAMES

ESCAPES: dict[str, Callable[[str], str]] = {"latex": latex_escape, "markdown": markdown_escape}


def environment(kind: str) -> jinja2.Environment:
    """The Jinja environment for ``kind`` (``"latex"`` or ``"markdown"``) templates.

    Args:
        kind: the template folder, which also picks the escaping.

    Raises:
        KeyError: an unknown kind.
    """
    escape = ESCAPES[kind]
    env = make_environment(templates_dir() / kind)
    env.filters["escape"] = escape
    bold = BOLD[kind]
    env.filters["prose"] = lambda text: prose(text, escape).replace(STRONG_OPEN, bold[0]).replace(STRONG_CLOSE, bold[1])
    env.filters["refs"] = _latex_refs if kind == "latex" else _markdown_refs
    return env


#: How each kind sets the words a text marks bold (:func:`~.sections.strong`).
BOLD = {"latex": ("\\textbf{", "}"), "markdown": ("**", "**")}

_REF = re.compile(f"{REF_OPEN}([^{REF_CLOSE}]*){REF_CLOSE}")


def _latex_refs(text: str) -> str:
    """A text's references to figures (:func:`~.sections.figure_ref`) as LaTeX's own."""
    return _REF.sub(lambda found: f"Figure~\\ref{{{found.group(1)}}}", text)


def _markdown_refs(text: str, numbers: Mapping[str, int]) -> str:
    """A text's references to figures by the figures' ``numbers``."""
    return _REF.sub(lambda found: f"Figure {numbers[found.group(1)]}", text)


#: Two or more blank lines in a row, in Markdown.
BLANK_LINES = re.compile(r"\n{3,}")


def render_document(kind: str, template: str, document: Document, network: Architecture) -> str:
    """A built :class:`~symbackprop.documents.model.Document` (its formulas already printed) laid out by
    ``template`` of the ``kind`` (``"latex"`` or ``"markdown"``) folder."""
    return environment(kind).get_template(template).render(doc=document, network=network)


def render_figures(blocks: Sequence[Block]) -> str:
    """A document's figures alone: standalone LaTeX, each drawing a page the size of it, for dvisvgm to turn into one
    SVG image per page."""
    return environment("latex").get_template("figure.tex.j2").render(blocks=blocks)


def render_tex(derivation: Derivation, options: DocumentOptions | None = None) -> str:
    """The derivation as a standalone LaTeX article, or with ``options.fragment`` an appendix fragment."""
    options = options or DocumentOptions(forms=derivation.forms or ("vector",))
    document = build_document(derivation, options, INDICATOR_LATEX)
    template = "fragment.tex.j2" if options.fragment else "document.tex.j2"
    return render_document("latex", template, document, derivation.network)


def render_markdown(derivation: Derivation, options: DocumentOptions | None = None) -> str:
    """The derivation as Markdown with ``$$...$$`` display math (GitHub, MkDocs arithmatex, Jupyter).

    Without ``options`` only the Markdown is made, so it points to no PDF; with them, ``options.formats`` says which
    files are made beside it.
    """
    options = options or DocumentOptions(forms=derivation.forms or ("vector",), formats=("md",))
    return markdown_document(build_document(derivation, options, INDICATOR_MARKDOWN), derivation.network, options,
                             f"derivation-{options.notation}")


def markdown_document(document: Document, network: Architecture, options: DocumentOptions, stem: str) -> str:
    """A built document laid out as Markdown, its figures the SVG images :func:`figure_images` names where the
    PDF is made with it (``stem``: the document's file name without its suffix); one blank line between blocks,
    however many the template's blocks leave, and one line end after the last."""
    images = figure_images(document, stem) if drawn(options) else {}
    laid_out = render_document("markdown", "document.md.j2", replace(document, figure_images=images), network)
    return BLANK_LINES.sub("\n\n", laid_out).rstrip("\n") + "\n"


def drawn(options: DocumentOptions) -> bool:
    """Whether the Markdown shows its figures as SVG images: made by LaTeX, so with the PDF only (the same options
    give the same Markdown on every machine: where dvisvgm is missing, the build says so and writes nothing)."""
    return "md" in options.formats and "pdf" in options.formats


def figure_images(document: Document, stem: str) -> dict[str, str]:
    """A figure's label -> the file name of its image beside the document, ``<stem>-figure-<n>.svg`` (n from 1, in
    the order the figures appear)."""
    return {figure.label: f"{stem}-figure-{number}.svg" for number, figure in enumerate(document.figures(), 1)}


# ------------------------------------------------------------------------------------------------ notebooks
@dataclass(frozen=True)
class Fact:
    """One line of an overview: ``label`` (plain words), then ``math`` (LaTeX) or, in plain text, ``plain``."""

    label: str
    math: str
    plain: str


@dataclass(frozen=True)
class Overview:
    """What a notebook cell shows for a network or a derivation: a title, facts and displayed equations."""

    title: str
    facts: tuple[Fact, ...]
    lines: tuple[Line, ...]


def _facts(network: Architecture) -> list[Fact]:
    acts = network.activations
    names = [a.latex + (rf"\,({sp.latex(a.param)})" if a.param is not None else "") for a in acts]
    return [
        Fact("layers:", ", ".join(map(str, network.layers)), network.spec),
        Fact("activations:", r",\ ".join(names), ", ".join(a.label for a in acts)),
        Fact(f"loss ({LOSS_NAMES.get(network.loss.name, network.loss.name)}):", f"c = {network.loss.latex}",
             f"{network.loss.name}, {network.loss.description}"),
        Fact(f"bias: {BIAS_NAMES[network.bias]}", "", network.bias),
        Fact("parameters:", str(network.parameter_count), str(network.parameter_count)),
    ]


def network_overview(network: Architecture, options: DocumentOptions | None = None) -> Overview:
    """The architecture and its forward pass, layer by layer, in ``options``' notation (Nielsen's by default)."""
    printer = NotationPrinter((options or DocumentOptions()).notation_preset, network, indicator=INDICATOR_MARKDOWN)
    lines = tuple(Line(printer.doprint(eq.lhs), "=", printer.doprint(eq.rhs)) for eq in forward_vector(network))
    return Overview(f"A {network.spec} network", tuple(_facts(network)), lines)


def derivation_overview(derivation: Derivation, options: DocumentOptions | None = None) -> Overview:
    """The network and BP1-BP4 in general form, in ``options``' notation (Nielsen's by default)."""
    from .summary import bp_equations

    network = derivation.network
    printer = NotationPrinter((options or DocumentOptions()).notation_preset, network, indicator=INDICATOR_MARKDOWN)
    lines = tuple(Line(eq.lhs, "=", eq.rhs, rf"\text{{{eq.tag}}}") for eq in bp_equations(derivation, printer))
    forms = ", ".join(derivation.forms) or "none"
    facts = (*_facts(network), Fact(f"forms derived: {forms}", "", forms))
    return Overview(f"Backpropagation for a {network.spec} network", facts, lines)


def _aligned(lines: tuple[Line, ...]) -> str:
    rows = [f"{line.lhs} &{line.rel} {line.rhs}" + (rf" \qquad {line.note}" if line.note else "") for line in lines]
    return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"


def _plain_equation(line: Line) -> str:
    tag = line.note.removeprefix(r"\text{").removesuffix("}")
    return f"  {tag + ': ' if tag else ''}{line.lhs} {line.rel} {line.rhs}"


def mimebundle(overview: Overview, include: Collection[str] | None = None,
               exclude: Collection[str] | None = None) -> dict[str, str]:
    """Jupyter's ``_repr_mimebundle_``: the same overview as Markdown, LaTeX and plain text.

    The equations are the same LaTeX in the Markdown and LaTeX views; plain text shows them as LaTeX source.
    ``include`` and ``exclude`` keep or drop MIME types, as IPython asks.
    """
    def fact_md(fact: Fact) -> str:
        return f"- {markdown_escape(fact.label)}" + (f" ${fact.math}$" if fact.math else "")

    def fact_tex(fact: Fact) -> str:
        return rf"\text{{{latex_escape(fact.label)}}}" + (rf"\ {fact.math}" if fact.math else "")

    equations = _aligned(overview.lines)
    markdown = "\n".join([f"# {markdown_escape(overview.title)}", "", *map(fact_md, overview.facts), "",
                          "$$", equations, "$$", ""])
    latex_rows = [rf"\textbf{{{latex_escape(overview.title)}}}", *map(fact_tex, overview.facts), equations]
    latex = "$$\n\\begin{gathered}\n" + " \\\\\n".join(latex_rows) + "\n\\end{gathered}\n$$"
    facts_plain = [f"  {fact.label} {fact.plain}" if fact.math else f"  {fact.label}" for fact in overview.facts]
    plain = "\n".join([overview.title, *facts_plain, "  equations (LaTeX):",
                        *(f"  {line}" for line in map(_plain_equation, overview.lines))])
    bundle = {"text/markdown": markdown, "text/latex": latex, "text/plain": plain}
    return {kind: text for kind, text in bundle.items()
            if (not include or kind in include) and not (exclude and kind in exclude)}
