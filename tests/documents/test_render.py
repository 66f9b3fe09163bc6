"""Rendering: golden documents for each preset, and what every document must satisfy."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path
from typing import Any

import jinja2
import pytest

from symbackprop import Network
from symbackprop.derive.derivation import Derivation
from symbackprop.documents.figure import BIAS_LIFT, ROW, build_figure
from symbackprop.documents.files import document_files, engine_forms
from symbackprop.documents.model import build_document
from symbackprop.documents.options import SECTIONS, DocumentOptions
from symbackprop.documents.render import environment, render_markdown, render_tex
from symbackprop.documents.sections import strong
from symbackprop.model.activations import ACTIVATIONS
from symbackprop.notation.display import visual_width
from symbackprop.notation.presets import PRESETS
from symbackprop.notation.printer import NotationPrinter

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent.parent / "golden"
with open(GOLDEN / "cases.toml", "rb") as _handle:
    CASES: dict[str, dict[str, Any]] = tomllib.load(_handle)

#: Macros that both KaTeX and MathJax know; the Markdown may use nothing else.
MARKDOWN_MACROS = set(
    """
    frac partial delta Delta sigma ell nabla odot top cdot ldots qquad quad text operatorname mathbf mathbb mathcal
    boldsymbol underline hat tilde bar left right sum tanh log circ leq geq begin end boxed tag eta leftarrow theta
    underbrace substack cdots vdots ddots to implies oslash
    neq mathrm cases lambda alpha times infty exp sqrt pi phi tfrac in textstyle forall overline equiv
    """.split()
)


#: Every section but the closed form (the goodfellow network's would fill 63 pages).
EVERY_SECTION = tuple(name for name in SECTIONS if name != "closed")


def _derivation(name: str, sections: tuple[str, ...] | None = EVERY_SECTION) -> tuple[Derivation, DocumentOptions]:
    """A seed network's derivation, as the command line derives it for the document, and its document: with every
    section, or (None) the preset's default ones that the golden files hold."""
    data = CASES[name]
    network = Network.from_mapping({k: v for k, v in data.items() if k != "derive"}, source=name)
    options = DocumentOptions.from_mapping({**data["derive"], **({} if sections is None else {"sections": sections})})
    return network.derive(forms=engine_forms(options)), options


def _regenerate_script() -> Any:
    spec = importlib.util.spec_from_file_location("regenerate_golden", ROOT / "scripts" / "regenerate_golden.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(CASES))
def test_documents_match_the_golden_files(name: str) -> None:
    """If this fails after an intended change, run `make golden` and review the diff of tests/golden/."""
    derivation, options = _derivation(name, sections=None)
    assert render_tex(derivation, options) == (GOLDEN / f"{name}.tex").read_text(encoding="utf-8")
    assert render_markdown(derivation, options) == (GOLDEN / f"{name}.md").read_text(encoding="utf-8")


def test_a_text_sets_the_words_it_marks_bold_in_each_format_and_leaves_no_mark() -> None:
    words = f"{strong('forward propagation')} computes $a_{{1}}$, then {strong('backward_propagation')}"
    assert environment("latex").filters["prose"](words) == (r"\textbf{forward propagation} computes $a_{1}$, then "
                                                            r"\textbf{backward\_\allowbreak{}propagation}")
    assert environment("markdown").filters["prose"](words) == (r"**forward propagation** computes $a_{1}$, then "
                                                               r"**backward\_propagation**")
    goodfellow = (GOLDEN / "goodfellow.md").read_text(encoding="utf-8")
    assert "**forward propagation** computes" in goodfellow and "its **pre-activation** (or" in goodfellow
    for name in CASES:  # no mark of the documents' own (a figure reference, bold words) is ever left in a file
        for suffix in ("tex", "md"):
            assert not re.search("[\ue000-\uf8ff]", (GOLDEN / f"{name}.{suffix}").read_text(encoding="utf-8"))


def test_the_regeneration_script_renders_what_the_tests_compare() -> None:
    module = _regenerate_script()
    derivation, options = _derivation("nielsen", sections=None)
    assert module.render_case("nielsen", CASES["nielsen"])["nielsen.tex"] == render_tex(derivation, options)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_display_line_fits_the_page(name: str) -> None:
    derivation, options = _derivation(name)
    document = build_document(derivation, options)
    for section in document.sections + document.appendix:
        for part in (section, *section.subsections):
            for block in part.blocks:
                if block.display is None:
                    continue
                for line in block.display.lines:
                    width = visual_width(f"{line.lhs} = {line.rhs} \\qquad {line.note}")
                    assert width <= options.line_width + 12, (name, line)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_table_keeps_its_lead_sentence_or_heading_on_its_page(name: str) -> None:
    """Before every table led by a sentence or a heading (not the layers' table, which follows the figure), the
    sentence or heading asks for room for itself and the table's first rows (a new page first where there is
    less), and nothing else stands between the request and the table."""
    derivation, options = _derivation(name)
    tex = render_tex(derivation, options)
    starts = [i for i in range(len(tex)) if tex.startswith(r"\begin{longtable}", i)]
    led = [start for start in starts if not tex[:tex.rindex(r"{\renewcommand", 0, start)].rstrip().endswith(
        r"\end{figure}")]
    assert led
    for start in led:
        before = tex[:start]
        between = before[before.rindex(r"\needspace{"):]
        assert r"\begin{" not in between.replace(r"\begin{longtable}", "") and r"\end{" not in between, between
    assert r"\usepackage{booktabs,longtable,needspace}" in tex


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_displays_lead_sentence_stays_on_the_displays_page(name: str) -> None:
    """A sentence that leads into a display (or the summary's boxed equations) is one paragraph with it, its lines
    unbreakable, in a group that ends after the display: the page breaks before the sentence or after the display,
    never between them."""
    tex = render_tex(*_derivation(name, sections=None))
    opened = tex.split(r"\begingroup\interlinepenalty=10000 ")[1:]
    assert opened
    for part in opened:
        sentence, rest = part.split("\n", 1)
        environment = "gather" if rest.startswith(r"\begin{gather}") else "align*"  # the summary's boxed equations
        led = sentence.startswith(r"\textit{")  # a run-in label first (seed 004's "Compute the Jacobian.")
        assert sentence and (led or not sentence.startswith("\\")), part
        assert rest.startswith(f"\\begin{{{environment}}}"), part
        closed = rest.index(f"\\end{{{environment}}}")
        assert rest.index(r"\endgroup") == closed + rest[closed:].index(r"\endgroup")  # after its display
        assert f"\\begin{{{environment}}}" not in rest[1:rest.index(r"\endgroup")]  # and before any other
    assert tex.count(r"\begingroup\interlinepenalty=10000 ") == tex.count("\n\\endgroup\n")


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_heading_asks_for_the_room_of_what_it_leads_into(name: str) -> None:
    """Each heading asks for room below it on its page (never last there): a heading with no text of its own,
    for its first subsection's heading and what that leads into; a sentence that leads into boxed equations, for
    them all (seed 000's and 004's "Summary" and BP1-BP4, which do not break)."""
    derivation, options = _derivation(name)
    tex = render_tex(derivation, options)
    document = build_document(derivation, options)
    for section in (section for section in document.sections if section.title):
        asked = tex[:tex.index(f"\\label{{{section.label}}}")].rsplit(r"\needspace{", 1)[1]
        assert int(asked.split("\\baselineskip")[0]) == section.room >= 6
        if not section.blocks and section.subsections:
            assert section.room == section.subsections[0].room + 4
    if name in ("ng", "nielsen"):
        summary = next(section for section in document.sections if section.title == "Summary")
        boxed = 4 if name == "nielsen" else 3  # (ng's BP4 comes after its entry formula, as seed 000's)
        assert summary.room == 3 * boxed + 6  # the boxed equations and their lead sentence


def test_an_algorithm_line_that_wraps_keeps_its_indentation() -> None:
    """Each line of the pseudo-code is set in a box as wide as the line less its indentation, so that its wrapped
    part lines up under it and the loops' nesting reads on every line."""
    derivation, options = _derivation("bishop-single")
    tex = render_tex(derivation, options)
    algorithm = tex[tex.index(r"\begin{enumerate}"):tex.index(r"\end{enumerate}")]
    items = [line for line in algorithm.splitlines() if line.lstrip().startswith(r"\item")]
    assert len(items) >= 9
    for item in items:
        found = re.search(r"\\hspace\*\{([0-9.]+em)\}\\parbox\[t\]\{\\dimexpr\\linewidth-([0-9.]+em)\\relax\}", item)
        assert found is not None and found.group(1) == found.group(2), item
    assert len({re.search(r"hspace\*\{([0-9.]+em)", item).group(1) for item in items}) >= 3  # nested loops
    # set close, as pseudo-code is: inside a list the paragraph skip is the list's, so both are set (the item
    # skip alone left a line's gap between lines, and bishop's document a page longer)
    assert algorithm.startswith(r"\begin{enumerate}\setlength{\itemsep}{1pt}\setlength{\parskip}{0pt}")


@pytest.mark.parametrize("name", sorted(CASES))
def test_documents_hold_every_part_of_the_issue(name: str) -> None:
    derivation, options = _derivation(name)
    tex = render_tex(derivation, options)
    batch = "For the whole batch" if name == "goodfellow" else "Backpropagation for a batch"  # seed 002's §5.2
    general = "The general case" if name == "goodfellow" else "Backpropagation for a general neuron"  # its §4.3
    vector = "Derivation of the equations" if name == "nielsen" else "Backpropagation in vector form"  # seed 004's
    appendix = () if all(a.generic for a in derivation.network.activations) else (
        "Derivatives of the activation functions",)  # a generic σ has no derivative to work out (seed 004's)
    for heading in ("Set-up", "Notation", "Forward pass", general,
                    "Backpropagation, element by element", vector, batch, "Summary",
                    "Gradient descent", *appendix):
        assert f"{{{heading}}}" in tex, heading
    assert r"\begin{tikzpicture}" in tex
    # the summary: BP1-BP4 boxed, or as seed 002 lists its equations, the parameters' gradients first, or as seed
    # 000's one block, unboxed, ending in "⟹ ... the vectorised update"
    listed = [r"\nabla_{W_{k}} \mathcal{L}(\theta) &=", r"\nabla_{\underline{b}_{k}} \mathcal{L}(\theta) &=",
              r"\nabla_{\underline{a}_{L}} \mathcal{L}(\theta) &= - (\underline{e}_{\ell} - \underline{\hat{y}})",
              r"\nabla_{\underline{a}_{k}} \mathcal{L}(\theta) &="]
    summary = tex[tex.index("{Summary}"):]
    if name == "goodfellow":
        assert [summary.index(line) for line in listed] == sorted(summary.index(line) for line in listed)
        assert r"\boxed{" not in tex
    elif name == "ng":
        assert r"\boxed{" not in summary and r"\implies" in summary and r"\text{the vectorised update}" in summary
    else:
        assert r"\boxed{" in tex and r"\tag{BP1}" in tex
    assert "Remark on initialisation" in tex


@pytest.mark.parametrize("name", sorted(CASES))
def test_markdown_uses_only_macros_katex_and_mathjax_know(name: str) -> None:
    derivation, options = _derivation(name)
    markdown = render_markdown(derivation, options)
    used = {token for token in re.findall(r"\\([A-Za-z]+|.)", markdown) if token.isalpha()}
    assert used <= MARKDOWN_MACROS, used - MARKDOWN_MACROS
    assert "$$\n\\begin{aligned}" in markdown
    assert r"\mathrm{1\!\!1}" not in markdown and "tikz" not in markdown


@pytest.mark.parametrize("hidden", sorted(name for name in ACTIVATIONS if name != "softmax"))
def test_every_activation_prints_as_latex_and_katex_read_it(hidden: str) -> None:
    network = Network([2, 2, 1], hidden=hidden, output="sigmoid", loss="bce")
    derivation = network.derive(forms=("element", "vector", "batch"))
    options = DocumentOptions(formats=("tex", "md"))
    tex, markdown = render_tex(derivation, options), render_markdown(derivation, options)
    for text in (tex, markdown):
        assert not re.search(r"\\text\{[^}]*\\", text), "a command inside \\text: SymPy's fallback printing"
    used = {token for token in re.findall(r"\\([A-Za-z]+|.)", markdown) if token.isalpha()}
    assert used <= MARKDOWN_MACROS, used - MARKDOWN_MACROS


def test_fragment_has_no_preamble_and_prefixes_every_label() -> None:
    derivation, _ = _derivation("ng")
    options = DocumentOptions(notation="ng", fragment=True, heading="subsection", label_prefix="app:",
                              sections=EVERY_SECTION)
    tex = render_tex(derivation, options)
    assert r"\documentclass" not in tex and r"\begin{document}" not in tex
    labels = re.findall(r"\\label\{([^}]*)\}", tex)
    assert labels and all(label.startswith("app:") for label in labels)
    assert len(labels) == len(set(labels))
    assert tex.count(r"\subsection{") >= 5 and r"\section{" not in tex


def test_large_nets_get_a_summarised_element_form() -> None:
    network = Network.from_spec("4-6-6-6-3")
    derivation = network.derive()
    tex = render_tex(derivation, DocumentOptions(formats=("tex",), sections=EVERY_SECTION))
    assert "general formula" in tex
    assert r"\sum_{k=1}^{6}" in tex
    assert tex.count(r"\frac{\partial C}{\partial w^{") < 60  # 135 parameters, a few shown


def test_exercises_come_as_problems_and_solutions() -> None:
    derivation, _ = _derivation("input-major")
    options = DocumentOptions(notation="input-major", exercise=True, formats=("tex", "md"), seed=3)
    files = document_files(derivation, options)
    assert sorted(files) == sorted([
        "derivation-input-major.tex", "derivation-input-major.md", "exercises-input-major.tex",
        "exercises-input-major.md", "solutions-input-major.tex", "solutions-input-major.md",
    ])
    assert "Show that" in files["exercises-input-major.tex"]
    assert "chain rule" in files["solutions-input-major.tex"]
    assert "chain rule" not in files["exercises-input-major.tex"]


def test_the_seed_varies_the_numbers_of_the_numeric_part() -> None:
    network = Network.from_spec("2-2-1", loss="bce")
    derivation = network.derive()
    first = document_files(derivation, DocumentOptions(exercise=True, formats=("md",), seed=1))
    second = document_files(derivation, DocumentOptions(exercise=True, formats=("md",), seed=2))
    assert "(d) Numbers" in first["exercises-nielsen.md"]
    assert first["exercises-nielsen.md"] != second["exercises-nielsen.md"]
    assert first == document_files(derivation, DocumentOptions(exercise=True, formats=("md",), seed=1))


def test_jupyter_representations() -> None:
    derivation, _ = _derivation("nielsen")
    assert derivation._repr_markdown_().startswith("# Backpropagation for a 2-3-2 network")
    latex = derivation._repr_latex_()
    assert latex.startswith("$$") and "BP4" in latex


def test_templates_refuse_undefined_variables() -> None:
    env = environment("latex")
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("((( missing )))").render()


def test_template_delimiters_leave_latex_braces_alone() -> None:
    env = environment("latex")
    assert env.from_string(r"\frac{a}{b} {{ not jinja }} ((( x )))").render(x=1) == r"\frac{a}{b} {{ not jinja }} 1"


def _blocks(sections: Any, label: str) -> list[Any]:
    """The blocks of the section (or subsection) whose label ends with ``label``."""
    for section in sections:
        if section.label.endswith(label):
            return list(section.blocks)
        found = _blocks(section.subsections, label)
        if found:
            return found
    return []


@pytest.mark.parametrize(
    ("preset", "entry", "vector"),
    [
        ("goodfellow", r"\hat{y}_{1}", r"\underline{\hat{y}}"),  # a is the pre-activation, h a hidden output
        ("bishop", "y_{1}", r"\mathbf{y}"),  # a is the pre-activation, z a hidden output
        ("nielsen", "a^{L}_{1}", "a^{L}"),  # the layer mark its other formulas write the output with
    ],
)
def test_the_softmax_appendix_names_the_output_in_the_notations_letters(preset: str, entry: str, vector: str) -> None:
    network = Network([3, 3, 2], hidden="relu", output="softmax", loss="sparse_cross_entropy")
    document = build_document(network.derive(forms=("element", "vector", "batch")),
                              DocumentOptions(notation=preset, sections=EVERY_SECTION))
    shown, prose = _blocks(document.appendix, "sec:derivative-softmax")
    assert shown.display.lines[0].lhs == entry
    assert shown.display.lines[-1].lhs.startswith(rf"\frac{{\partial {entry[:-3]}{{i}}}}")
    assert prose.text == (rf"In matrix form the Jacobian is $\operatorname{{diag}}({vector}) - {vector} "
                          rf"{vector if '^' not in vector else f'({vector})'}^{{\top}}$, with ${vector}$ the output "
                          "vector.")
    if preset == "goodfellow":  # its layers are k: the sum runs over i', as in seed 002
        assert r"\sum_{i'=1}^{2} e^{a_{Li'}}" in shown.display.lines[0].rhs


@pytest.mark.parametrize(("preset", "letter"), [("bishop", "a"), ("goodfellow", "z"), ("ng", "Z"), ("nielsen", "z")])
def test_appendix_notes_name_the_pre_activation_in_the_notations_letter(preset: str, letter: str) -> None:
    network = Network([3, 2, 2], hidden="softplus", output="silu", loss="quadratic")
    document = build_document(network.derive(forms=("element", "vector", "batch")),
                              DocumentOptions(notation=preset, sections=EVERY_SECTION))
    notes = [line.note for section in ("softplus", "silu")
             for line in _blocks(document.appendix, f"sec:derivative-{section}")[0].display.lines]
    assert rf"\text{{recognise }} \sigma({letter})" in notes
    assert rf"\text{{in terms of }} \sigma({letter})" in notes
    if letter != "z":
        assert not any(r"\sigma(z)" in note for note in notes)


@pytest.mark.parametrize(
    ("preset", "vector", "matrix"),
    [("ng", r"\mathbf{e}_{\ell}", r"\mathcal{E}"), ("bishop", r"\mathbf{e}_{\ell}", r"\mathbf{E}"),
     ("goodfellow", r"\underline{e}_{\ell}", "E")],
)
def test_one_hot_labels_are_defined_where_they_are_first_used(preset: str, vector: str, matrix: str) -> None:
    network = Network([2, 3, 3, 2], hidden="softplus", output="softmax", loss="sparse_cross_entropy")
    document = build_document(network.derive(forms=("element", "vector", "batch")),
                              DocumentOptions(notation=preset, sections=EVERY_SECTION))
    forward = [block.text for block in _blocks(document.sections, "sec:forward") if block.kind == "text"]
    assert sum(f"The one-hot vector of the label, ${vector}$," in paragraph for paragraph in forward) == 1
    batch = _blocks(document.sections, "sec:batch")
    first = next(i for i, block in enumerate(batch) if block.display is not None
                 and any(rf"- {matrix})" in line.rhs for line in block.display.lines))
    rows = "p" if preset == "goodfellow" else "2"  # seed 002 counts the outputs with p
    assert batch[first + 1].text.startswith(f"where ${matrix} \\in \\mathbb{{R}}^{{{rows} \\times m}}$ is the "
                                            "one-hot matrix of the labels")
    assert sum("one-hot matrix" in block.text for block in batch) == 1


@pytest.mark.parametrize(("layers", "bias", "heading"), [
    ([3, 3, 2], "vector", "The four equations of backpropagation, for one example:"),
    ([3, 3, 2], "none", "The three equations of backpropagation, for one example (no BP3 without biases):"),
    ([3, 2], "none", "The two equations of backpropagation, for one example (no BP2 without a hidden layer, "
                     "no BP3 without biases):"),
])
def test_the_summary_counts_the_equations_it_shows(layers: list[int], bias: str, heading: str) -> None:
    document = build_document(Network(layers, bias=bias).derive(), DocumentOptions(sections=("vector", "summary")))
    blocks = _blocks(document.sections, "sec:summary")
    assert blocks[0].text == heading
    assert len(blocks[1].boxed) == int(heading.split()[1] == "four") * 4 + {"three": 3, "two": 2}.get(
        heading.split()[1], 0)
    # the closing sentence opens with a capital, BP2's range or, without a hidden layer, the gradients' one layer
    assert blocks[-1].text.startswith("BP2 holds for every hidden layer" if len(layers) > 2 else
                                      "The gradients' equations hold for its one layer of weights, $l = L$")


@pytest.mark.parametrize(("layers", "bias", "lines", "layers_said"), [
    # one layer of weights: no BP2, and the gradients hold for that one layer
    ([2, 2], "vector", (r"\delta^{(L)}", r"\frac{\partial C}{\partial \mathbf{b}^{(l)}}", r"\frac{\partial C}"
                        r"{\partial w^{(l)}_{jk}}", r"\implies"), "its one layer of weights, $l = L-1$"),
    # no biases: no BP3, and BP2's range beside it, with no W̃ to say
    ([2, 3, 2], "none", (r"\delta^{(L)}", r"\delta^{(l)}", r"\frac{\partial C}{\partial w^{(l)}_{jk}}", r"\implies"),
     r"every layer, $l = 1, \ldots, L-1$"),
])
def test_seed_000s_summary_is_one_block_with_the_lines_a_network_has(layers: list[int], bias: str,
                                                                     lines: tuple[str, ...], layers_said: str) -> None:
    document = build_document(Network(layers, bias=bias).derive(),
                              DocumentOptions(notation="ng", sections=("element", "summary")))
    blocks = _blocks(document.sections, "sec:summary")
    assert [block.kind for block in blocks] == ["text", "display", "text"]
    shown = blocks[1].display.lines
    assert tuple(line.lhs.split(" ")[0] if line.lhs.startswith(r"\implies") else line.lhs for line in shown) == lines
    notes = {line.lhs: line.note for line in shown}
    assert notes[r"\frac{\partial C}{\partial w^{(l)}_{jk}}"] == (r"j \text{ indexes a neuron of layer } l+1,\ k "
                                                                  r"\text{ one of layer } l")
    assert notes.get(r"\delta^{(l)}", r"\text{for } 1 < l < L") == r"\text{for } 1 < l < L"
    assert f"he gradients' equations hold for {layers_said}," in blocks[2].text  # "The": first in the sentence
    assert "Here" not in blocks[2].text  # no bias unit, no ā to say


@pytest.mark.parametrize(("preset", "bp2", "bp4", "below"), [
    # seed 003: delta_j = h'(a_j) sum_{k=1}^m delta_k w_kj, dE/dw_ji = delta_j z_i
    ("bishop", r"h'(a^{(l)}_{j}) \sum_{k=1}^{m} \delta^{(l+1)}_{k}\,w^{(l+1)}_{kj}",
     r"\delta^{(l)}_{j}\,z^{(l-1)}_{i}", r"\mathbf{z}^{(0)} = \mathbf{x}"),
    ("input-major", r"g_{\ell}'(z_{j}^{(\ell)}) \sum_{k=1}^{n_{\ell+1}} \delta_{k}^{(\ell+1)}\,W_{jk}^{(\ell+1)}",
     r"a_{i}^{(\ell-1)} \delta_{j}^{(\ell)}", r"\mathbf{a}^{(0)} = \mathbf{x}"),  # seed 001: W_ij from i to j
])
def test_the_summary_gives_the_equations_entry_by_entry_in_the_seeds_letters(preset: str, bp2: str, bp4: str,
                                                                              below: str) -> None:
    network = Network([3, 3, 1], hidden="tanh" if preset == "input-major" else "sigmoid", bias="none")
    document = build_document(network.derive(), DocumentOptions(notation=preset, sections=EVERY_SECTION))
    blocks = _blocks(document.sections, "sec:summary")
    lines = blocks[3].display.lines
    assert blocks[2].text == "Entry by entry:" and [line.note for line in lines] == [r"\text{BP2}", r"\text{BP4}"]
    assert lines[0].rhs == bp2 and lines[1].rhs == bp4
    # BP2's k is a neuron of the layer above; the gradients' index of the layer below may be the same letter
    assert blocks[4].text.startswith("In BP2, $") and "indexes a neuron of layer" in blocks[4].text
    assert "; in the gradients, $" in blocks[4].text
    assert f"with ${below}$. For a batch of $m$ examples the cost is the mean of the examples' costs, and so each " \
        "gradient is the mean of the examples' gradients, $\\frac{\\partial " in blocks[5].text
    assert blocks[5].text.endswith("^{(i)}$ the " + ("loss" if preset == "goodfellow" else "cost")
                                   + " of example $i$.")  # the mean written out, its terms named


def test_nielsens_summary_is_in_vector_form_alone_as_seed_004_derives_it() -> None:
    """Seed 004 derives no entry-wise form, so its summary gives none: the boxed equations, then where they hold."""
    network = Network([3, 3, 1], hidden="sigmoid", bias="vector")
    document = build_document(network.derive(), DocumentOptions(notation="nielsen", sections=EVERY_SECTION))
    blocks = _blocks(document.sections, "sec:summary")
    assert [block.kind for block in blocks] == ["text", "boxed", "text"]
    assert [eq.tag for eq in blocks[1].boxed] == ["BP1", "BP2", "BP3", "BP4"]
    assert blocks[2].text.startswith("BP2 holds for every hidden layer")
    assert not any("Entry by entry" in block.text for block in blocks)


def test_goodfellows_summarised_element_form_indexes_neurons_i_and_j_apart_from_its_layers_k() -> None:
    network = Network.from_spec("4-6-6-3", hidden="relu", output="softmax", loss="cross_entropy")
    tex = render_tex(network.derive(), DocumentOptions(notation="goodfellow", sections="element", formats=("tex",)))
    assert r"\frac{\partial \mathcal{L}(\theta)}{\partial W_{3ij}}" in tex and r"\text{for every } i, j" in tex
    assert r"W_{3jk}" not in tex


def test_a_bias_unit_is_drawn_clear_of_the_first_weights_label() -> None:
    """Seed 000's bias units sit higher than a row above the first neuron, so that their edges pass above the label
    of the first weight (w_11, drawn on its edge near the source), not through it; the weights' names rise too."""
    network = Network([2, 2, 2], bias="neuron")
    figure = build_figure(network, NotationPrinter(PRESETS["ng"], network))
    nodes = {node.name: node for node in figure.nodes}
    for layer in (0, 1):
        lift = float(nodes[f"b{layer}"].y) - float(nodes[f"n{layer}_1"].y)
        assert lift == pytest.approx(ROW + BIAS_LIFT)
    assert min(float(name.y) for name in figure.matrices) > float(nodes["b0"].y)
    plain = build_figure(Network([2, 2, 2]), NotationPrinter(PRESETS["ng"], Network([2, 2, 2])))
    assert not [node for node in plain.nodes if node.kind == "bias"]
    tex = render_tex(network.derive(forms=()), DocumentOptions(notation="ng", sections="figure", formats=("tex",)))
    assert r"weight/.style={font=\scriptsize, pos=0.2, above" in tex


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_text_refers_to_a_figure_by_the_number_its_caption_has(name: str) -> None:
    """"As in Figure 2": LaTeX's own reference (right in a host document too) to a figure it draws; in Markdown
    the figure's number, which its caption carries, counted as LaTeX counts the captioned figures."""
    derivation, options = _derivation(name)
    tex, md = render_tex(derivation, options), render_markdown(derivation, options)
    assert "\ue000" not in tex + md and "\ue001" not in tex + md
    labels = re.findall(r"\\label\{([^}]*)\}", tex)
    assert len(labels) == len(set(labels))  # each figure its own (the homework's drawn again are)
    for label in re.findall(r"Figure~\\ref\{([^}]*)\}", tex):
        assert f"\\label{{{label}}}" in tex
    captions = [int(n) for n in re.findall(r"^\*Figure (\d+): ", md, re.MULTILINE)]
    assert captions == list(range(1, len(captions) + 1)) and len(captions) == tex.count(r"\caption{")
    for number in re.findall(r"(?<!\*)Figure (\d+)\b", md):
        assert int(number) in captions
    if name == "goodfellow":  # the seed's "as in Figure 1", "as in Figure 2", "(left figure in Table 1)", ...
        # (not an image's alternative text, ![Figure 3](...))
        assert len(re.findall(r"(?<![*\[])Figure \d+\b", md)) == 4 == tex.count(r"Figure~\ref{")


@pytest.mark.parametrize("name", ["bishop", "bishop-single", "input-major"])
def test_the_subtitle_never_breaks_inside_the_notations_name(name: str) -> None:
    """The subtitle's last phrase, the notation's name, is kept on one line in LaTeX ("Bishop's / notation" had
    broken on the title page); Markdown joins the phrases as prose."""
    derivation, options = _derivation(name, None)
    title = options.notation_preset.heading
    if name == "bishop-single":  # a heading, not a preset's name; the caption's prose names the notation alone
        assert title == "Bishop's notation, one output" and options.notation_preset.title == "Bishop's notation"
    assert rf"; \mbox{{{title}}}\par}}" in render_tex(derivation, options)
    assert f"; {title}.*" in render_markdown(derivation, options)
    assert build_document(derivation, options).subtitle[-1] == title
