"""Rendering: the Jinja environment and the functions that turn a derivation into LaTeX or Markdown text.

One factory, :func:`environment`, builds the environment for a format: delimiters that cannot clash with LaTeX
braces (``((* *))`` statements, ``((( )))`` expressions, ``((= =))`` comments, as nbconvert), ``StrictUndefined``,
``trim_blocks``/``lstrip_blocks``, and three filters: ``escape`` (plain text, one pass through a table),
``prose`` (text with ``$...$`` math: the text escaped, the math kept) and ``tex`` (a SymPy expression printed
in the document's notation). Every computation happens before rendering (:mod:`symbackprop.document`); the
templates in ``templates/latex`` and ``templates/markdown`` only loop and lay out. Nothing here touches files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2

from .derivation import Derivation
from .document import Document, build_document
from .escape import latex_escape, markdown_escape, prose
from .options import DocumentOptions
from .printer import INDICATOR_LATEX, INDICATOR_MARKDOWN, NotationPrinter
from .resources import templates_dir
from .templating import make_environment

ESCAPES: dict[str, Callable[[str], str]] = {"latex": latex_escape, "markdown": markdown_escape}


def environment(kind: str, printer: NotationPrinter | None = None) -> jinja2.Environment:
    """The Jinja environment for ``kind`` (``"latex"`` or ``"markdown"``) templates.

    Args:
        kind: the template folder, which also picks the escaping.
        printer: prints SymPy expressions for the ``tex`` filter; without one the filter raises.

    Raises:
        KeyError: an unknown kind.
    """
    escape = ESCAPES[kind]
    env = make_environment(templates_dir() / kind)
    env.filters["escape"] = escape
    env.filters["prose"] = lambda text: prose(text, escape)
    env.filters["tex"] = _tex_filter(printer)
    return env


def _tex_filter(printer: NotationPrinter | None) -> Callable[[Any], str]:
    def tex(expr: Any) -> str:
        if printer is None:
            raise jinja2.TemplateRuntimeError("the tex filter needs a printer: environment(kind, printer)")
        return printer.doprint(expr)

    return tex


def _render(kind: str, template: str, document: Document, derivation: Derivation, **extra: Any) -> str:
    printer = NotationPrinter(extra.pop("notation"), derivation.network,
                              indicator=INDICATOR_LATEX if kind == "latex" else INDICATOR_MARKDOWN)
    env = environment(kind, printer)
    return env.get_template(template).render(doc=document, network=derivation.network, **extra)


def render_tex(derivation: Derivation, options: DocumentOptions | None = None) -> str:
    """The derivation as a standalone LaTeX article, or with ``options.fragment`` an appendix fragment."""
    options = options or DocumentOptions(forms=derivation.forms or ("vector",))
    document = build_document(derivation, options, INDICATOR_LATEX)
    template = "fragment.tex.j2" if options.fragment else "document.tex.j2"
    return _render("latex", template, document, derivation, notation=options.notation_preset)


def render_markdown(derivation: Derivation, options: DocumentOptions | None = None) -> str:
    """The derivation as Markdown with ``$$...$$`` display math (GitHub, MkDocs arithmatex, Jupyter)."""
    options = options or DocumentOptions(forms=derivation.forms or ("vector",))
    document = build_document(derivation, options, INDICATOR_MARKDOWN)
    return _render("markdown", "document.md.j2", document, derivation, notation=options.notation_preset)


def render_summary_latex(derivation: Derivation, options: DocumentOptions | None = None) -> str:
    """The boxed BP1-BP4 as one ``$$...$$`` block, for Jupyter's ``_repr_latex_``."""
    from .summary import bp_equations

    options = options or DocumentOptions()
    printer = NotationPrinter(options.notation_preset, derivation.network, indicator=INDICATOR_MARKDOWN)
    equations = bp_equations(derivation, printer)
    env = environment("latex", printer)
    return env.get_template("summary.tex.j2").render(equations=equations)
