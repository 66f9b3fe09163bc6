"""The closed form (``--form ...,closed``): it renders for every activation, every line fits the page, ReLU's
conditions are shown, it equals backpropagation, and a closed form too large for the page is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy as sp
from sympy.logic.boolalg import ITE
from typer.testing import CliRunner

from symbackprop import Network, SizeLimitError, SymbackpropError
from symbackprop.cli import app
from symbackprop.derive.derivation import Derivation
from symbackprop.derive.rewrite import as_indicators
from symbackprop.derive.truth import VerificationError
from symbackprop.documents import closed, files, pdf
from symbackprop.documents.closed import ClosedPrinter, closed_form, verified
from symbackprop.documents.model import build_document
from symbackprop.documents.options import DocumentOptions
from symbackprop.documents.render import render_markdown, render_tex
from symbackprop.notation.display import LINE_WIDTH, chain
from symbackprop.notation.linebreak import break_formula, formula_width
from symbackprop.notation.printer import NotationPrinter
from tests.helpers import one_line, require_tex, run_cli

ALL_FORMS = ("element", "vector", "batch", "closed")
EMPTY_ROW = re.compile(r"^\s*&\s*(\\\\)?\s*$", re.MULTILINE)


def _closed_section(text: str) -> str:
    """The closed-form section of a rendered document (LaTeX or Markdown)."""
    start = text.index("Closed form")
    end = text.index("Summary", start)
    return text[start:end]


def _render(spec: str, notation: str, forms: tuple[str, ...] = ALL_FORMS, **network: str) -> tuple[str, str]:
    derivation = Network.from_spec(spec, **network).derive(forms=("element", "vector", "batch"))
    options = DocumentOptions(notation=notation, forms=forms, formats=("tex", "md"), sections="all")
    return render_tex(derivation, options), render_markdown(derivation, options)


def _printer(network: Network) -> NotationPrinter:
    return NotationPrinter(DocumentOptions().notation_preset, network)


def test_the_relu_to_relu_closed_form_renders_through_the_cli(tmp_path: Path) -> None:
    """c17: as_indicators crashed on the ITE conditions SymPy writes for ReLU of ReLU."""
    result = CliRunner().invoke(app, [
        "derive", "2-2-1", "--hidden", "relu", "--output", "relu", "--loss", "quadratic", "--notation", "ng",
        "--form", "element,vector,batch,closed", "--format", "tex,md", "--out", str(tmp_path),
    ])
    assert result.exit_code == 0, result.output
    assert {p.name for p in tmp_path.iterdir()} == {"derivation-ng.tex", "derivation-ng.md"}


def test_relu_conditions_are_visible_in_the_closed_form() -> None:
    tex, markdown = _render("2-2-1", "ng", hidden="relu", output="relu", loss="quadratic")
    for text in (tex, markdown):
        closed = _closed_section(text)
        assert r"\max(0, " in closed  # ReLU itself
        assert closed.count("> 0]") >= 2  # ReLU' as the indicator of its condition, for both layers
        assert "is 1 when the condition" in closed  # and the bracket explained
        assert "ITE" not in closed and r"\begin{cases}" not in closed


def test_the_closed_form_has_no_empty_rows() -> None:
    """c40: every gradient was followed by an empty ``& \\\\`` row."""
    tex, markdown = _render("2-2-1", "bishop", hidden="silu", output="relu", loss="mse")
    for text in (tex, markdown):
        assert not EMPTY_ROW.search(_closed_section(text))


def test_chain_adds_no_empty_row_for_a_long_term_without_a_note() -> None:
    shown = chain("c", [(["x" * 100], "")])
    assert all(line.lhs or line.rel or line.rhs or line.note for line in shown.lines)


@pytest.mark.parametrize(("spec", "network", "notation"), [
    ("2-2-1", dict(hidden="silu", output="relu", loss="mse"), "bishop"),
    ("2-3-3-2", dict(hidden="tanh", output="tanh", loss="quadratic"), "goodfellow"),
    ("2-2-2", dict(hidden="leaky_relu", output="elu", loss="mse"), "nielsen"),
    ("2-3-3", dict(hidden="sigmoid", output="softmax", loss="cross_entropy"), "input-major"),
    ("2-2-1", dict(hidden="gelu", output="softplus", loss="quadratic", bias="shared"), "ng"),
])
def test_every_closed_form_line_fits_the_page(spec: str, network: dict, notation: str) -> None:
    derivation = Network.from_spec(spec, **network).derive(forms=("element",))
    options = DocumentOptions(notation=notation, forms=("closed",))
    document = build_document(derivation, options)
    (section,) = [s for s in document.sections if s.title == "Closed form"]
    displays = [block.display for block in section.blocks if block.display]
    lines = [line for shown in displays for line in shown.lines]
    assert len(displays) < derivation.network.parameter_count  # one entry of each kind, "likewise" for the rest
    assert len(lines) <= closed.ENTRY_LINES * len(displays)
    widest = max(formula_width(line.lhs) + formula_width(line.rhs) for line in lines)
    assert widest <= LINE_WIDTH
    for line in lines:  # each line of an align is typeset alone: its sized delimiters pair up within it
        assert line.rhs.count(r"\left") == line.rhs.count(r"\right"), line.rhs


CLOSED_NETWORKS = [
    dict(layers=[2, 2, 2, 1], hidden="relu", output="relu", loss="quadratic"),
    dict(layers=[2, 2, 2], hidden="leaky_relu", output="elu", loss="mse"),
    dict(layers=[2, 2, 3], hidden="elu", output="softmax", loss="cross_entropy"),
    dict(layers=[2, 2, 1], hidden="silu", output="relu", loss="mse", bias="shared"),
    dict(layers=[2, 2, 3], hidden="tanh", output="softmax", loss="sparse_cross_entropy"),
    dict(layers=[2, 2, 1], hidden="generic", output="sigmoid", loss="bce"),
]


@pytest.mark.parametrize("network", CLOSED_NETWORKS)
def test_the_closed_form_as_printed_equals_the_true_gradient(network: dict) -> None:
    net = Network.from_mapping(network)
    found = verified(net.derive(forms=("element",)), _printer(net), points=3, seed=7)
    assert (found.steps, found.lines, found.points) == (net.parameter_count, 3 * net.parameter_count, 3)


def test_a_wrong_closed_form_entry_fails_verification(monkeypatch: pytest.MonkeyPatch) -> None:
    derivation = Network.from_spec("2-2-1", hidden="tanh").derive(forms=("element",))
    right = closed.expanded_gradients

    def doubled(derivation: Derivation) -> dict[str, list[sp.Expr]]:
        shown = right(derivation)
        return {name: [2 * entry if (name, i) == ("W1", 0) else entry for i, entry in enumerate(entries)]
                for name, entries in shown.items()}

    monkeypatch.setattr(closed, "expanded_gradients", doubled)
    with pytest.raises(VerificationError, match=r"^closed form, the gradient of W1_1_\d: the entry printed is"):
        verified(derivation, _printer(derivation.network))


def test_likewise_is_checked_for_every_entry_it_stands_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry shown only as "likewise" is its representative with the neurons exchanged: written without the
    exchange (every entry the representative's), the check fails at the first other entry."""
    derivation = Network.from_spec("3-4-2", hidden="relu", output="softmax", loss="cross_entropy").derive(
        forms=("element",))
    printer = _printer(derivation.network)
    assert verified(derivation, printer, points=2).steps == derivation.network.parameter_count == 26
    monkeypatch.setattr(closed, "relabelled", lambda expr, representative, entry, depth: expr)
    with pytest.raises(VerificationError, match=r"^closed form, the gradient of W1_1_2: "):
        verified(derivation, printer, points=2)


def test_cases_printed_without_the_cases_before_them_fail_verification(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leaky ReLU's derivative a 1[z <= 0] + 1[z > 0]: printed as 1 for every z, it is wrong for z <= 0, and the
    check, which evaluates what is printed, says so."""
    derivation = Network.from_spec("2-2-2", hidden="leaky_relu", output="elu", loss="mse").derive(forms=("element",))
    printer = NotationPrinter(DocumentOptions().notation_preset, derivation.network)

    def printed() -> str:
        return "".join(line.rhs for shown in closed_form(derivation, printer).displays for line in shown.lines)

    assert r"[\text{always}]" not in printed()
    right = closed._terms
    monkeypatch.setattr(closed, "_terms", lambda pieces: [(value, conditions[-1:]) for value, conditions in
                                                          right(pieces)])
    assert r"[\text{always}]" in printed()  # the last case, 1, for every z
    with pytest.raises(VerificationError, match="^closed form"):
        verified(derivation, printer, points=4)


def test_relu_is_checked_as_the_maximum_it_is_printed_as(monkeypatch: pytest.MonkeyPatch) -> None:
    derivation = Network.from_spec("2-2-1", hidden="relu", output="relu", loss="quadratic").derive(
        forms=("element",))  # (written out: a deeper one keeps a^l instead of max(0, z^l))
    right = closed.as_printed

    def minimum(cases: sp.Basic) -> sp.Expr:
        value = closed._maximum(cases.pieces)
        return right(cases) if value is None else sp.Min(0, value)

    monkeypatch.setattr(closed, "as_printed", minimum)
    with pytest.raises(VerificationError, match="^closed form"):
        verified(derivation, _printer(derivation.network), points=4)


def test_a_closed_form_too_large_for_the_page_is_refused_in_one_line() -> None:
    derivation = Network.from_spec("3-4-3-2", hidden="tanh").derive(forms=("element",))
    options = DocumentOptions(forms=("closed",))
    with pytest.raises(SizeLimitError, match=r"^the closed form of 3-4-3-2 would fill about \d+ pages and is "
                                             r"limited to 60; use the delta form") as info:
        build_document(derivation, options)
    assert "\n" not in str(info.value)


def test_a_closed_form_exponentially_too_large_is_refused_before_printing() -> None:
    network = Network.from_spec("1-2-2-2-2-2-2-2-2-2-2-1", hidden="tanh")  # 61 parameters, depth 11
    assert network.parameter_count <= 64
    printer = NotationPrinter(DocumentOptions().notation_preset, network)
    with pytest.raises(SizeLimitError, match="would fill at least"):
        closed_form(network.derive(forms=("element",)), printer)


@pytest.mark.parametrize(("condition_of", "first"), [
    *((lambda a, b, c: ITE(a <= 0, b <= 0, c <= 0), first) for first in (0, 1)),
    *((lambda a, b, c: sp.Not(ITE(a <= 0, b <= 0, c <= 0)), first) for first in (0, 1)),
    *((lambda a, b, c: sp.Or(ITE(a <= 0, b <= 0, c <= 0), a > 1), first) for first in (0, 1)),
    (lambda a, b, c: sp.And(a <= 0, b > 1), 0),  # negated: Or
    (lambda a, b, c: sp.Or(a <= 0, c > 0), 0),  # negated: And
])
def test_as_indicators_handles_every_condition_sympy_writes(condition_of, first: int) -> None:
    a, b, c = sp.symbols("a b c", real=True)
    condition = condition_of(a, b, c)
    step = sp.Piecewise((first, condition), (1 - first, True))
    rewritten = as_indicators(step)
    printed = NotationPrinter(DocumentOptions().notation_preset, Network.from_spec("1-1")).doprint(step)
    assert printed and "ITE" not in printed or isinstance(rewritten, sp.Piecewise)

    def value(expr: sp.Basic, point: dict) -> sp.Basic:
        expr = expr.replace(lambda e: type(e).__name__ == "_IndicatorFunction",
                            lambda e: sp.Piecewise((1, e.args[0]), (0, True)))
        return sp.simplify(expr.xreplace(point))

    for point in ({a: -1, b: -1, c: 1}, {a: 1, b: 2, c: -1}, {a: 2, b: 0, c: 3}, {a: -2, b: 3, c: -3}):
        assert value(rewritten, point) == value(step, point), point


def test_break_formula_keeps_sized_delimiters_paired_on_each_line() -> None:
    inner = " + ".join(rf"\frac{{w_{{{k}}}}}{{2}} \tanh(x_{{{k}}} + b_{{{k}}})" for k in range(1, 12))
    latex = rf"y \left(1 - {inner}\right)^{{2}} \left({inner}\right)"
    lines = break_formula(latex, 50.0, 46.0)
    assert len(lines) > 3
    assert all(formula_width(line) <= 50.0 for line in lines)
    for line in lines:
        assert line.count(r"\left") == line.count(r"\right")
    joined = " ".join(lines)
    assert joined.count(r"\Bigl(") == joined.count(r"\Bigr)") == 2  # both split pairs, around tall fractions
    assert any(line.startswith(r"\times") for line in lines[1:])  # a product broken between its factors


def test_the_closed_printer_writes_long_exponentials_and_fractions_breakably() -> None:
    network = Network.from_spec("2-2-2", hidden="tanh", output="softmax", loss="cross_entropy")
    printer = ClosedPrinter.like(NotationPrinter(DocumentOptions().notation_preset, network))
    u = sum(sp.Symbol(f"W1_1_{k}", real=True) * sp.Symbol(f"x_{k}", real=True) for k in (1, 2))
    assert r"\exp" in printer.doprint(sp.exp(u))
    assert r"\frac" not in printer.doprint(sp.exp(u) / (sp.exp(u) + sp.exp(2 * u)))
    assert printer.doprint(sp.exp(sp.Symbol("x_1", real=True))) == "e^{x_{1}}"


@pytest.mark.pdf
@pytest.mark.parametrize(("name", "args"), [
    ("c41", ["2-3-3-2", "--hidden", "tanh", "--output", "tanh", "--loss", "quadratic", "--notation", "goodfellow"]),
    ("c40", ["2-2-1", "--hidden", "silu", "--output", "relu", "--loss", "mse", "--notation", "bishop"]),
])
def test_the_closed_form_compiles_without_overfull_boxes(tmp_path: Path, name: str, args: list[str]) -> None:
    require_tex()
    result = CliRunner().invoke(app, ["derive", *args, "--form", ",".join(ALL_FORMS), "--format", "tex,pdf",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (log,) = tmp_path.glob("*.log")
    text = log.read_text(errors="replace")
    assert "Overfull \\hbox" not in text
    assert "Dimension too large" not in text


HOST = r"""\documentclass{article}
\usepackage{amsmath,amssymb,bm,booktabs,longtable,tikz}
\begin{document}
\section{Lecture}
The gradients are in Appendix~\ref{app:sec:closed}.
\appendix
\section{Backpropagation}
\input{appendix.tex}
\end{document}
"""


@pytest.mark.pdf
def test_a_closed_form_fragment_fits_the_pages_of_a_host_without_allowdisplaybreaks(tmp_path: Path) -> None:
    """A fragment's host may not allow page breaks in displays: a gradient longer than a page still breaks."""
    require_tex()
    derivation = Network.from_spec("2-2-2-1", hidden="tanh").derive(forms=("element",))
    options = DocumentOptions(forms=("closed",), fragment=True, heading="subsection", label_prefix="app:")
    (tmp_path / "appendix.tex").write_text(render_tex(derivation, options), encoding="utf-8")
    host = tmp_path / "host.tex"
    host.write_text(HOST, encoding="utf-8")
    pdf.build_pdf(host)
    log = host.with_suffix(".log").read_text(errors="replace")
    assert "Overfull" not in log


def test_a_closed_form_it_cannot_write_is_refused_in_one_line_and_all_leaves_it_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """∂c/∂a^L of the generic cost stays a symbol, so no gradient can be written in the inputs and parameters alone:
    one line saying so and what to do, nothing written (it crashed in SymPy before); likewise a network over the
    closed form's size limit. ``--sections all`` shows every section but that one."""
    out = tmp_path / "out"
    status, _, err = run_cli(capsys, "derive", "2-2-2", "--loss", "generic", "--form", "closed", "--out", str(out))
    assert status != 0 and one_line(err)
    assert "needs a loss to differentiate, not the generic cost" in err and "--loss" in err
    assert not out.exists()
    status, _, err = run_cli(capsys, "derive", "2-2-2", "--loss", "generic", "--sections", "closed,summary",
                             "--format", "md", "--out", str(out))
    assert status != 0 and "leave closed out of --form and --sections" in err and not out.exists()
    status, _, _ = run_cli(capsys, "derive", "2-2-2", "--loss", "generic", "--sections", "all", "--format", "md",
                           "--out", str(out))  # every section that applies: no closed form
    assert status == 0 and "Closed form" not in (out / "derivation-nielsen.md").read_text()
    assert "## Summary" in (out / "derivation-nielsen.md").read_text()
    status, _, _ = run_cli(capsys, "derive", "2-2-2", "--hidden", "generic", "--form", "closed", "--format", "md",
                           "--out", str(out))
    assert status == 0 and (out / "derivation-nielsen.md").exists()  # a generic activation still has one
    # a network over the closed form's 64 parameters: "all" leaves it out; asked for by name, it is refused
    status, _, err = run_cli(capsys, "derive", "2-4-4-4-3", "--sections", "all", "--format", "md", "--out",
                             str(tmp_path / "large"))
    assert status == 0, err
    shown = (tmp_path / "large" / "derivation-nielsen.md").read_text()
    assert "Closed form" not in shown and "## Summary" in shown
    status, _, err = run_cli(capsys, "derive", "2-4-4-4-3", "--form", "closed", "--out", str(tmp_path / "refused"))
    assert status != 0 and one_line(err) and "limited to 64 parameters" in err
    with pytest.raises(SymbackpropError, match="needs a loss to differentiate"):  # and the API's, likewise
        Network([2, 2, 1], loss="generic").derive(forms=("element",)).closed_form()


def test_all_sections_leave_out_a_closed_form_too_long_to_write() -> None:
    """--sections all is every section that applies: a 3-3-3-2 tanh network's closed form (32 parameters, about 63
    pages) is left out, as a generic cost's is; asked for by name, it is refused, saying why."""
    derivation = Network.from_spec("3-3-3-2", hidden="tanh").derive()
    every = render_markdown(derivation, DocumentOptions(formats=("md",), sections="all"))
    assert "## Closed form" not in every and "## Summary" in every
    with pytest.raises(SizeLimitError, match="would fill about 63 pages and is limited to 60"):
        render_markdown(derivation, DocumentOptions(formats=("md",), sections="closed"))


def test_verify_checks_the_closed_form_where_the_document_shows_it() -> None:
    derivation = Network.from_spec("2-2-1", hidden="tanh").derive(forms=("element", "vector"))
    without = files.verified(derivation, DocumentOptions(forms=("element",)))
    shown = files.verified(derivation, DocumentOptions(forms=("element", "closed")))
    assert shown.steps == without.steps + derivation.network.parameter_count == without.steps + 9


def test_verify_refuses_a_closed_form_too_long_to_print_before_checking_anything(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run_cli(capsys, "derive", "3-4-3-2", "--hidden", "tanh", "--form", "element,closed", "--verify",
                             "--format", "md", "--out", str(tmp_path / "out"))
    assert code == 2 and one_line(err) and "would fill about" in err and "limited to 60" in err
    assert "verified" not in out and not (tmp_path / "out").exists()
