"""PDFs: every preset compiles with latexmk and pdflatex, without overfull boxes for the seeds' networks.

Marked ``pdf``. Without TeX they are skipped, except in CI (the CI variable set), where a missing TeX is a
failure: .ci/run installs it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from symbackprop import Network
from symbackprop.documents import pdf
from symbackprop.documents.options import LINE_LENGTH, SECTIONS, SETTABLE, DocumentOptions
from symbackprop.documents.render import render_tex
from symbackprop.documents.routes import route
from symbackprop.notation.presets import PRESETS
from tests.helpers import require_svg, require_tex

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
with open(GOLDEN / "cases.toml", "rb") as _handle:
    CASES: dict[str, dict[str, Any]] = tomllib.load(_handle)

#: Goodfellow's (seed 002's) summary holds the batch: "For one example", then "For the whole batch".
HEADINGS = ("Set-up", "Notation", "Forward pass", "Backpropagation, element by element",
            "Backpropagation in vector form", "Summary", "For one example", "For the whole batch", "Gradient descent",
            "Derivatives of the activation functions")
#: The most pages each preset's seed document may take: its seed's length (../shared/seeds/) and a page.
PAGE_LIMITS = {"nielsen": 2 + 1, "ng": 3 + 1, "input-major": 2 + 1, "bishop": 3 + 1, "bishop-single": 3 + 1,
               "goodfellow": 14 + 1}
#: The heading each section brings (the figure has none: its caption).
SECTION_HEADINGS = {
    "notation": "Notation", "forward": "Forward pass", "general": "Backpropagation for a general neuron",
    "element": "Backpropagation, element by element", "vector": "Backpropagation in vector form",
    "batch": "Backpropagation for a batch", "closed": "Closed form", "summary": "Summary", "sgd": "Gradient descent",
    "appendix": "Derivatives of the activation functions",
}
HOST = r"""\documentclass{article}
\usepackage{amsmath,amssymb,bm,booktabs,longtable,tikz}
\begin{document}
\section{Lecture}
The equations are summed up in Appendix~\ref{app:sec:summary}; Figure~\ref{app:fig:network} is the network.
\appendix
\section{Backpropagation}
\input{appendix.tex}
\end{document}
"""


def _case_tex(name: str, network_changes: dict[str, str] | None = None, **overrides: Any) -> str:
    data = CASES[name]
    network = Network.from_mapping({k: v for k, v in data.items() if k != "derive"} | (network_changes or {}),
                                   source=name)
    options = DocumentOptions.from_mapping({**data["derive"], **overrides})
    return render_tex(network.derive(), options)


def _text(pdf_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext (poppler-utils) is missing in CI")
        pytest.skip("pdftotext not installed")
    return subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.pdf
@pytest.mark.slow
@pytest.mark.parametrize(("name", "sections"), [(name, None) for name in sorted(CASES)] + [("ng", "all")])
def test_every_preset_compiles_without_overfull_boxes(tmp_path: Path, name: str, sections: str | None) -> None:
    """Each preset's seed document (its default sections), and one with every section (with a loss: the closed form
    needs one to differentiate)."""
    require_tex()
    tex = tmp_path / f"{name}.tex"
    overrides = {} if sections is None else {"sections": sections}
    tex.write_text(_case_tex(name, None if sections is None else {"loss": "quadratic"}, **overrides),
                   encoding="utf-8")
    built = pdf.build_pdf(tex)
    assert built == tmp_path / f"{name}.pdf" and built.stat().st_size > 10_000
    log = tex.with_suffix(".log").read_text(errors="replace")
    assert "Overfull" not in log
    assert "undefined references" not in log and "Undefined control sequence" not in log
    text = _text(built)
    if sections is None:  # the seed's document: no longer than the seed and a page
        assert text.count("\f") <= PAGE_LIMITS[name], (name, text.count("\f"))
    shown = DocumentOptions.from_mapping({**CASES[name]["derive"], **overrides}).sections
    one_body = sections is None and route(PRESETS[name]).one_body  # seed 003's page: its parts without headings
    assert not one_body or "Set-up" not in text
    for section in () if one_body else shown:
        if section in SECTION_HEADINGS:
            merged = section == "batch" and "summary" in shown and name == "goodfellow"  # seed 002's §5.2
            heading = "For the whole batch" if merged else SECTION_HEADINGS[section]
            if section == "vector" and name == "nielsen":  # seed 004's section 2
                heading = "Derivation of the equations"
            assert heading in text, section
    assert not list(tmp_path.glob(".latexmk-*"))  # the scratch folder is gone


@pytest.mark.pdf
@pytest.mark.slow
def test_every_character_a_title_block_may_hold_is_typeset(tmp_path: Path) -> None:
    """The title, author and date lines take every character of SETTABLE, and LaTeX sets each of them: an accented
    name as a seed signs its notes, and all the rest, three lines at a time."""
    require_tex()
    signed = tmp_path / "signed.tex"
    signed.write_text(_case_tex("nielsen", author="Fabio A. González — “Universidad Nacional de Colombia”, Bogotá",
                                date="21 de marzo de 2018"), encoding="utf-8")
    assert "Overfull" not in pdf.build_pdf(signed).with_suffix(".log").read_text(errors="replace")
    allowed = "".join(sorted(SETTABLE))  # (a LaTeX error would raise: every character is set)
    lines = [allowed[start:start + LINE_LENGTH] for start in range(0, len(allowed), LINE_LENGTH)]
    for number in range(0, len(lines), 3):
        title, author, date = (lines[number:number + 3] + ["", ""])[:3]
        tex = tmp_path / f"t{number}.tex"
        tex.write_text(_case_tex("nielsen", title=title, author=author, date=date), encoding="utf-8")
        assert pdf.build_pdf(tex).stat().st_size > 10_000


@pytest.mark.pdf
@pytest.mark.slow
@pytest.mark.parametrize(("name", "together"), [
    ("bishop", ("The loss to minimise", "Figure 2")),  # a sentence and its figure on page 1, where they fit
    ("goodfellow", ("Derivatives of the activation functions", "The logistic sigmoid")),  # heading and first part
])
def test_a_page_ends_early_only_where_what_stays_together_does_not_fit(tmp_path: Path, name: str,
                                                                         together: tuple[str, str]) -> None:
    """\\needspace breaks a page only where too little is left: the package's own would leave its penalty, the
    cheapest break on a page that fills up further on, and ended bishop's page 1 at the loss with a third of it
    blank."""
    require_tex()
    tex = tmp_path / f"{name}.tex"
    tex.write_text(_case_tex(name), encoding="utf-8")
    pages = _text(pdf.build_pdf(tex)).split("\f")
    first, second = (next(number for number, page in enumerate(pages) if words in " ".join(page.split()))
                     for words in together)
    assert first == second, (name, together, first, second)


@pytest.mark.pdf
@pytest.mark.slow
@pytest.mark.parametrize(("spec", "network"), [
    ("4-4-4", {"bias": "none"}),  # four output neurons: the chains' sums in brackets would not fit a line
    ("2-2-3", {"output": "softmax", "loss": "cross_entropy", "bias": "neuron"}),  # a path through every output
    ("2-3-2", {"bias": "shared"}),  # one bias for the layer: its chains summed over the neurons
])
def test_ngs_chains_fit_the_page_beyond_seed_000s_network(tmp_path: Path, spec: str, network: dict[str, str]) -> None:
    """Seed 000's route on wider networks, a softmax output and a shared bias: its sums in brackets (which cannot
    break across lines) only where they are as short as the seed's, so that no line runs off the page."""
    require_tex()
    derivation = Network.from_spec(spec, **network).derive(forms=("element", "vector", "paths"))
    tex = tmp_path / "ng.tex"
    tex.write_text(render_tex(derivation, DocumentOptions(notation="ng")), encoding="utf-8")
    pdf.build_pdf(tex)
    assert "Overfull" not in tex.with_suffix(".log").read_text(errors="replace")


@pytest.mark.pdf
@pytest.mark.slow
@pytest.mark.parametrize(("spec", "network", "notation", "sections"), [
    ("2-11-2", {"hidden": "relu", "output": "softmax", "loss": "sparse_cross_entropy"}, "goodfellow", None),
    ("2-11-12-2", {"bias": "none"}, "bishop", "all"),  # δ_j = z_j(1 - z_j)(w_1j δ_1 + ... + w_12,j δ_12), broken
])
def test_wide_layers_are_written_to_fit_the_page(tmp_path: Path, spec: str, network: dict[str, str], notation: str,
                                                 sections: str | None) -> None:
    """A layer wider than a written-out matrix may be (seed 002's gradients of the weights, one column per neuron
    below) is written with dots, as the seed writes one of any size; a product of a long sum breaks inside it."""
    require_tex()
    derivation = Network.from_spec(spec, **network).derive()
    tex = tmp_path / "wide.tex"
    tex.write_text(render_tex(derivation, DocumentOptions(notation=notation, sections=sections)), encoding="utf-8")
    pdf.build_pdf(tex)
    assert "Overfull" not in tex.with_suffix(".log").read_text(errors="replace")
    written = tex.read_text(encoding="utf-8")
    assert max((line.count("&") for line in written.splitlines() if r"\begin{bmatrix}" in line), default=0) < 40
    assert r"\cdots" in written if notation == "goodfellow" else r"\bigl(" in written


@pytest.mark.pdf
def test_the_same_tex_gives_a_byte_identical_pdf(tmp_path: Path) -> None:
    require_tex()
    source = _case_tex("nielsen")
    outputs = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        tex = tmp_path / folder / "doc.tex"
        tex.write_text(source, encoding="utf-8")
        outputs.append(pdf.build_pdf(tex).read_bytes())
    assert outputs[0] == outputs[1]


@pytest.mark.pdf
def test_the_fragment_compiles_inside_a_host_document(tmp_path: Path) -> None:
    require_tex()
    every_but_closed = [name for name in SECTIONS if name != "closed"]  # goodfellow's would fill 63 pages
    fragment = _case_tex("goodfellow", fragment=True, heading="subsection", label_prefix="app:",
                         sections=every_but_closed)
    (tmp_path / "appendix.tex").write_text(fragment, encoding="utf-8")
    host = tmp_path / "host.tex"
    host.write_text(HOST, encoding="utf-8")
    built = pdf.build_pdf(host)
    log = host.with_suffix(".log").read_text(errors="replace")
    assert "undefined references" not in log
    text = _text(built)
    for heading in HEADINGS:
        assert heading in text, heading


@pytest.mark.pdf
@pytest.mark.slow
@pytest.mark.parametrize(("spec", "fragment", "braced"), [
    ("2-2-2", False, True), ("3-3-2", False, True), ("3-3-3", False, False),  # a standalone page
    ("2-2-2", True, False), ("1-2-1", True, True),  # a fragment's page is narrower
])
def test_ngs_one_chain_through_every_output_neuron_where_it_fits(tmp_path: Path, spec: str, fragment: bool,
                                                                   braced: bool) -> None:
    """Seed 000's ∂C/∂W^(1) in one chain, its error terms under a brace, where every line of it fits the page it is
    set on (a fragment's in a host document's, narrower); else diag(δ^(L-1)) and δ^(L-1) after it. Either way no line
    runs off the page."""
    require_tex()
    derivation = Network.from_spec(spec, bias="neuron").derive(forms=("element", "vector", "paths"))
    tex = render_tex(derivation, DocumentOptions(notation="ng", fragment=fragment, label_prefix="app:"))
    assert (r"\underbrace{((\tilde{\mathbf{W}}^{(2)})^{\top}" in tex or
            r"\underbrace{((\tilde{\mathbf{W}}^{(3)})^{\top}" in tex) is braced
    document = tmp_path / ("appendix.tex" if fragment else "ng.tex")
    document.write_text(tex, encoding="utf-8")
    built = tmp_path / "host.tex" if fragment else document
    if fragment:
        built.write_text(HOST, encoding="utf-8")
    pdf.build_pdf(built)
    assert "Overfull" not in built.with_suffix(".log").read_text(errors="replace")


def test_missing_tex_names_the_debian_packages_and_keeps_the_tex(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    tex = tmp_path / "doc.tex"
    tex.write_text("\\documentclass{article}\\begin{document}x\\end{document}\n")
    with pytest.raises(pdf.TexMissingError) as caught:
        pdf.build_pdf(tex)
    message = str(caught.value)
    assert "apt-get install latexmk texlive-latex-base texlive-latex-recommended texlive-pictures" in message
    assert str(tex) in message and tex.exists()


@pytest.mark.pdf
def test_a_latex_error_quotes_the_first_error_and_names_the_log(tmp_path: Path) -> None:
    require_tex()
    tex = tmp_path / "broken.tex"
    tex.write_text("\\documentclass{article}\n\\begin{document}\n\\undefinedmacro\n\\end{document}\n")
    with pytest.raises(pdf.LatexError) as caught:
        pdf.build_pdf(tex)
    message = str(caught.value)
    assert "Undefined control sequence" in message
    assert str(tex.with_suffix(".log")) in message and tex.with_suffix(".log").exists()
    assert tex.exists() and not tex.with_suffix(".pdf").exists()
    assert not list(tmp_path.glob(".latexmk-*"))


def test_latexmk_never_enables_shell_escape() -> None:
    command = pdf.latexmk_command("doc.tex")
    assert "-no-shell-escape" in command and "-norc" in command
    assert not any("-shell-escape" == part or "--shell-escape" in part for part in command)


def test_first_errors_reads_file_line_errors() -> None:
    log = "This is pdfTeX\n./doc.tex:3: Undefined control sequence.\nl.3 \\undefinedmacro\n\n! Emergency stop.\n"
    assert pdf.first_errors(log)[:2] == ["./doc.tex:3: Undefined control sequence.", "l.3 \\undefinedmacro"]


@pytest.mark.pdf
def test_the_markdown_made_with_the_pdf_shows_each_figure_as_an_svg_image(tmp_path: Path) -> None:
    """With the PDF, the Markdown's figures are drawn too: each an SVG beside it (a white page, the glyphs as paths),
    named in order, the same bytes on a second run; the Markdown alone points to where the figure is drawn and
    leaves no image; a later run without the PDF removes the images it no longer shows."""
    require_svg()
    from symbackprop.outputs import write_documents

    network = Network(**{k: v for k, v in CASES["goodfellow"].items() if k != "derive"})
    options = DocumentOptions(notation="goodfellow", formats=("md", "pdf"))
    runs = []
    for folder in ("first", "second"):
        write_documents(network, options, tmp_path / folder)
        runs.append({path.name: path.read_bytes() for path in (tmp_path / folder).iterdir()})
    markdown = runs[0]["derivation-goodfellow.md"].decode()
    shown = re.findall(r"!\[Figure (\d+)\]\((derivation-goodfellow-figure-\1\.svg)\)", markdown)
    # each image's alternative text its caption's number; the thin network's among them
    assert shown == [(f"{n}", f"derivation-goodfellow-figure-{n}.svg") for n in range(1, 6)]
    shown = [name for _, name in shown]
    assert "see the PDF" not in markdown and [markdown.count(f"*Figure {n}: ") for n in range(1, 6)] == [1] * 5
    for name in shown:
        image = runs[0][name].decode()
        assert image.startswith("<?xml") and "<svg" in image and "fill='#fff'" in image and "<text" not in image
    assert {name: runs[0][name] for name in shown} == {name: runs[1][name] for name in shown}
    assert runs[0]["derivation-goodfellow.md"] == runs[1]["derivation-goodfellow.md"]
    write_documents(network, DocumentOptions(notation="goodfellow", formats=("md",)), tmp_path / "first")
    left = sorted(path.name for path in (tmp_path / "first").iterdir())
    assert not [name for name in left if name.endswith(".svg")]
    assert "drawn only in the LaTeX and PDF versions" in (tmp_path / "first" / "derivation-goodfellow.md").read_text()


def test_a_figure_latex_cannot_draw_leaves_nothing_written(tmp_path: Path, monkeypatch: Any) -> None:
    """A failure drawing the Markdown's figures is LaTeX's like any other: one message, and nothing written."""
    from symbackprop.outputs import write_documents

    def fail(tex: Path) -> list[Path]:
        raise pdf.LatexError(f"latex failed on {tex}", ("! Undefined control sequence.",))

    monkeypatch.setattr(pdf, "build_pdf", lambda tex: _fake_pdf(tex))
    monkeypatch.setattr(pdf, "require_tex", lambda tex_path=None: None)
    monkeypatch.setattr(pdf, "build_svgs", fail)
    with pytest.raises(pdf.LatexError, match="nothing was written"):
        write_documents(Network([2, 2, 1]), DocumentOptions(notation="ng", formats=("md", "pdf")), tmp_path / "out")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def _fake_pdf(tex: Path) -> Path:
    """A stand-in for LaTeX's PDF and log, so that only the figure's drawing fails."""
    tex.with_suffix(".log").write_text("log")
    target = tex.with_suffix(".pdf")
    target.write_bytes(b"%PDF-1.5")
    return target


def test_without_dvisvgm_the_markdown_with_the_pdf_names_it_and_nothing_is_written(tmp_path: Path,
                                                                                 monkeypatch: Any) -> None:
    """dvisvgm is only recommended by TeX Live: where it is missing, the Markdown asked for with the PDF is not made
    without its figures (the same options give the same Markdown on every machine); the message names dvisvgm."""
    from symbackprop.outputs import write_documents

    monkeypatch.setattr(pdf, "build_pdf", lambda tex: _fake_pdf(tex))
    monkeypatch.setattr(pdf, "require_tex", lambda tex_path=None: None)
    monkeypatch.setattr(pdf, "svg_available", lambda: False)
    with pytest.raises(pdf.TexMissingError, match="dvisvgm.*nothing was written"):
        write_documents(Network([2, 2, 1]), DocumentOptions(notation="ng", formats=("md", "pdf")), tmp_path / "out")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
