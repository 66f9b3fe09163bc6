"""Which files ``symbackprop derive`` writes, and their contents: a pure function, no file is touched here.

Files are named after the notation, inside the output folder ``output/<network name>/`` that the CLI picks:
``derivation-<notation>.tex`` (standalone, or a fragment with ``--fragment``), ``derivation-<notation>.md``, and
with ``--exercise`` ``exercises-<notation>.*`` and ``solutions-<notation>.*``. The PDF of each .tex is built by
:mod:`symbackprop.documents.pdf` after the text files are written.
"""

from __future__ import annotations

from ..derive.derivation import Derivation
from ..notation.printer import INDICATOR_LATEX, INDICATOR_MARKDOWN
from .model import Document, build_document
from .options import DocumentOptions
from .render import (
    drawn,
    figure_images,
    markdown_document,
    render_document,
    render_figures,
    render_markdown,
    render_tex,
)
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


def _render_document(document: Document, derivation: Derivation, options: DocumentOptions, kind: str,
                     stem: str) -> str:
    if kind == "markdown":
        return markdown_document(document, derivation.network, options, stem)
    return render_document(kind, "fragment.tex.j2" if options.fragment else "document.tex.j2", document,
                           derivation.network)


def document_files(derivation: Derivation, options: DocumentOptions) -> dict[str, str]:
    """File name -> content for every text file the options ask for (.tex and .md), in a stable order."""
    stem = options.notation
    files: dict[str, str] = {}
    if "tex" in options.formats or "pdf" in options.formats:
        files[f"derivation-{stem}.tex"] = render_tex(derivation, options)
    if "md" in options.formats:
        files[f"derivation-{stem}.md"] = render_markdown(derivation, options)
    if options.exercise:
        from .exercises import exercise_documents

        for kind, suffix, wanted in (("latex", "tex", ("tex", "pdf")), ("markdown", "md", ("md",))):
            if not set(wanted) & set(options.formats):
                continue
            indicator = INDICATOR_LATEX if kind == "latex" else INDICATOR_MARKDOWN
            problems, solutions = exercise_documents(derivation, options, indicator)
            for name, document in ((f"exercises-{stem}", problems), (f"solutions-{stem}", solutions)):
                files[f"{name}.{suffix}"] = _render_document(document, derivation, options, kind, name)
    return files


def figure_sources(derivation: Derivation, options: DocumentOptions) -> list[tuple[tuple[str, ...], str]]:
    """For each document whose Markdown shows its figures as SVG images (made with the PDF; none otherwise): the
    images' names, in the order the figures appear (:func:`~.render.figure_images`), and the standalone LaTeX that
    draws them, one page each."""
    if not drawn(options):
        return []
    documents = [(f"derivation-{options.notation}", build_document(derivation, options, INDICATOR_LATEX))]
    if options.exercise:
        from .exercises import exercise_documents

        problems, solutions = exercise_documents(derivation, options, INDICATOR_LATEX)
        documents += [(f"exercises-{options.notation}", problems), (f"solutions-{options.notation}", solutions)]
    return [(tuple(figure_images(document, stem).values()), render_figures(document.figures()))
            for stem, document in documents if document.figures()]
