"""What a new user meets first: ``symbackprop list``, the Markdown's pointer to the figure, the notebook views of
a network and a derivation, and progress on long calls."""

from __future__ import annotations

import io
import random
import re
import sys
import types

import pytest
import sympy as sp
from typer.testing import CliRunner

from symbackprop import Network, progress
from symbackprop.cli import app
from symbackprop.derive import engine
from symbackprop.derive.derivation import Derivation
from symbackprop.documents.catalogue import catalogue_text
from symbackprop.documents.files import document_files
from symbackprop.documents.options import DocumentOptions
from symbackprop.documents.render import render_markdown
from symbackprop.model.activations import ACTIVATIONS, A, Activation, Z, derivative, get_activation
from symbackprop.model.architecture import BIAS_CONVENTIONS
from symbackprop.model.losses import LOSSES
from symbackprop.progress import progress_bar

ELEMENTWISE = [name for name, act in ACTIVATIONS.items() if act.elementwise and not act.generic]
#: Every elementwise activation at its default parameter, and the parametrised ones at others.
VARIANTS = ELEMENTWISE + ["leaky_relu(0.2)", "leaky_relu(0)", "elu(2)", "elu(1/3)"]


def _show(expr: sp.Basic) -> str:
    return sp.sstr(expr).replace("**", "^")


# ------------------------------------------------------------------------------------- symbackprop list
@pytest.mark.parametrize("spec", VARIANTS)
def test_every_stored_activation_derivative_equals_sympy_diff(spec: str) -> None:
    act = get_activation(spec)
    g = act(Z)
    truth = sp.diff(g, Z)
    stored = act.textbook_derivative().xreplace({A: g})
    rng = random.Random(spec)
    points = [sp.S.Zero] + [sp.Rational(rng.randint(-40, 40), rng.randint(1, 9)) for _ in range(8)]
    for z in points:
        difference = sp.N((truth - stored).xreplace({Z: z}), 50)
        assert abs(difference) < sp.Float(1e-40), (spec, z, difference)


@pytest.mark.parametrize("spec", VARIANTS)
def test_every_stored_activation_derivative_is_the_form_the_engine_finds(spec: str) -> None:
    act = get_activation(spec)
    assert act.textbook_derivative() == derivative(act).textbook


def test_softmax_stores_no_scalar_derivative() -> None:
    with pytest.raises(TypeError, match="Jacobian"):
        ACTIVATIONS["softmax"].textbook_derivative()


def test_the_list_works_out_no_derivative() -> None:
    before = derivative.cache_info()
    catalogue_text()
    after = derivative.cache_info()
    assert (after.hits + after.misses) == (before.hits + before.misses)


def _expected_lines(act: Activation) -> list[str]:
    if not act.elementwise:  # its Jacobian for two outputs on one line, as every row of the table is one line
        return [f"{act.label:<22} {act.description}", "g'(z) = Jacobian da_i/dz_j = a_i (delta_ij - a_j); for 2 "
                "outputs [[a1*(1 - a1), -a1*a2], [-a1*a2, a2*(1 - a2)]]"]
    if act.generic:  # printed in the letters of the derivations, not as SymPy's function names
        return [f"{act.label:<22} {act.description}", "g(z)  = g(z)", "g'(z) = g'(z)"]
    return [f"{act.label:<22} {act.description}", f"g(z)  = {_show(act(Z))}",
            f"g'(z) = {_show(act.textbook_derivative())}"]


def test_the_list_prints_the_rule_tables() -> None:
    result = CliRunner().invoke(app, ["list"])
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.stdout.splitlines()]
    expected: list[str] = []
    for act in ACTIVATIONS.values():
        expected += _expected_lines(act)
    for loss in LOSSES.values():
        expected.append(f"{loss.name:<22} {loss.description}")
        if loss.generic:
            expected.append("dc/da_j, a symbol")
        elif not loss.sparse:
            per_example = loss([A], [sp.Symbol("y", real=True)])
            expected.append(f"dc/da (one output) = {_show(sp.diff(per_example, A))}")
    expected += [f"{name:<22} {text}" for name, text in BIAS_CONVENTIONS.items()]
    found = 0
    for line in lines:  # every expected line, in the tables' order
        if found < len(expected) and expected[found] in line:
            found += 1
    assert found == len(expected), f"missing from the list: {expected[found]!r}"
    assert result.stdout == catalogue_text() + "\n"


# --------------------------------------------------------------------------------- the figure in Markdown
@pytest.fixture(scope="module")
def small() -> Derivation:
    return Network.from_spec("2-3-1").derive(forms=("vector",))


def _figure_line(markdown: str) -> str:
    (line,) = [line for line in markdown.splitlines() if line.startswith("*Figure 1:")]
    return line


def test_markdown_made_with_the_pdf_shows_the_figure_as_its_image(small: Derivation) -> None:
    options = DocumentOptions(forms=("vector",), formats=("tex", "pdf", "md"), sections="figure")
    for markdown in (render_markdown(small, options), document_files(small, options)["derivation-nielsen.md"]):
        assert "![Figure 1](derivation-nielsen-figure-1.svg)" in markdown
        assert _figure_line(markdown) == "*Figure 1: The 2-3-1 network, labelled in Nielsen's notation.*"


@pytest.mark.parametrize(("formats", "where"), [(("tex", "md"), "LaTeX file"), (("md",), "LaTeX and PDF versions")])
def test_markdown_without_a_pdf_does_not_point_to_one(small: Derivation, formats: tuple[str, ...],
                                                      where: str) -> None:
    options = DocumentOptions(forms=("vector",), formats=formats, sections="figure")
    for markdown in (render_markdown(small, options), document_files(small, options)["derivation-nielsen.md"]):
        line = _figure_line(markdown)
        assert "PDF)" not in line and where in line, line


def test_markdown_alone_from_the_library_points_to_no_pdf(small: Derivation) -> None:
    assert "see the PDF" not in render_markdown(small)


def test_a_fragment_has_no_pdf_to_point_to(small: Derivation) -> None:
    options = DocumentOptions(forms=("vector",), fragment=True)
    assert "see the PDF" not in document_files(small, options)["derivation-nielsen.md"]


# --------------------------------------------------------------------------------------- notebook views
def _equations(view: str) -> list[str]:
    """The lines of the ``aligned`` block of a view."""
    block = re.search(r"\\begin\{aligned\}\n(.*?)\n\\end\{aligned\}", view, re.S)
    assert block is not None, view
    return block.group(1).split(" \\\\\n")


@pytest.mark.parametrize("spec", ["2-3-1", "2-2-2"])
def test_a_derivation_shows_the_same_equations_in_every_view(spec: str) -> None:
    derivation = Network.from_spec(spec, bias="neuron" if spec == "2-2-2" else "vector").derive()
    bundle = derivation._repr_mimebundle_()
    assert set(bundle) == {"text/markdown", "text/latex", "text/plain"}
    markdown, latex, plain = bundle["text/markdown"], bundle["text/latex"], bundle["text/plain"]
    assert _equations(markdown) == _equations(latex)
    tags = re.findall(r"\\text\{(BP\d)\}", markdown)
    assert tags == re.findall(r"\\text\{(BP\d)\}", latex) == re.findall(r"^\s*(BP\d):", plain, re.M)
    assert tags[0] == "BP1" and tags[-1] == "BP4"
    assert latex.startswith("$$") and latex.rstrip().endswith("$$")
    assert f"Backpropagation for a {spec} network" in plain
    assert derivation._repr_markdown_() == markdown and derivation._repr_latex_() == latex


def test_a_derivation_view_is_short(small: Derivation) -> None:
    assert len(small._repr_mimebundle_()["text/markdown"].splitlines()) < 30


def test_a_network_shows_its_architecture_and_forward_pass() -> None:
    network = Network([3, 4, 2], hidden="tanh", output="softmax", loss="cross_entropy")
    bundle = network._repr_mimebundle_()
    assert set(bundle) == {"text/markdown", "text/latex", "text/plain"}
    markdown, latex, plain = bundle["text/markdown"], bundle["text/latex"], bundle["text/plain"]
    assert _equations(markdown) == _equations(latex)
    assert len(_equations(markdown)) == 2 * network.depth  # z and a for every layer
    for view in (markdown, latex, plain):
        assert str(network.parameter_count) in view and "3, 4, 2" in view.replace("3-4-2", "3, 4, 2")
    assert r"\tanh" in markdown and "tanh" in plain and "cross_entropy" in plain


def test_the_views_honour_include_and_exclude(small: Derivation) -> None:
    assert set(small._repr_mimebundle_(include={"text/latex"})) == {"text/latex"}
    assert set(small.network._repr_mimebundle_(exclude={"text/latex"})) == {"text/markdown", "text/plain"}


# ---------------------------------------------------------------------------------------------- progress
class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_writes_a_line_per_step_when_enabled() -> None:
    stream = io.StringIO()
    with progress_bar(3, "working", True, stream=stream) as bar:
        for step in ("one", "two", "three"):
            bar.describe(step)
            bar.update()
    text = stream.getvalue()
    assert "working: [0/3] one" in text and "working: [2/3] three" in text
    assert "working: done, 3 steps" in text and "\r" not in text


def test_progress_rewrites_one_line_in_a_terminal() -> None:
    stream = _Terminal()
    with progress_bar(2, "working", None, stream=stream) as bar:  # auto: a long call, a terminal
        bar.describe("first")
        bar.update(2)
    text = stream.getvalue()
    assert text.startswith("\rworking: [0/2] first") and "\rworking: [2/2] first" in text
    assert text.endswith("\n") and text.count("\n") == 1


@pytest.mark.parametrize(("enabled", "long", "stream"), [
    (False, True, _Terminal()),  # never
    (None, False, _Terminal()),  # auto, a short call
    (None, True, io.StringIO()),  # auto, nobody watching
])
def test_progress_is_silent_unless_asked_or_watched(enabled: bool | None, long: bool, stream: io.StringIO) -> None:
    with progress_bar(2, "working", enabled, long=long, stream=stream) as bar:
        bar.describe("step")
        bar.update()
    assert stream.getvalue() == ""


def test_progress_says_where_it_stopped_on_an_error() -> None:
    stream = io.StringIO()
    with pytest.raises(KeyError), progress_bar(4, "working", True, stream=stream) as bar:
        bar.update()
        raise KeyError("boom")
    assert "stopped after 1 of 4 steps" in stream.getvalue()


def _fake_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    class ZMQInteractiveShell:
        pass

    shell = ZMQInteractiveShell()
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))


def test_progress_uses_tqdm_in_a_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_notebook(monkeypatch)
    assert progress.in_notebook()
    calls: list[tuple] = []

    class FakeTqdm:
        def __init__(self, **kwargs: object) -> None:
            calls.append(("new", kwargs["total"], kwargs["desc"]))

        def set_postfix_str(self, text: str) -> None:
            calls.append(("describe", text))

        def update(self, n: int) -> None:
            calls.append(("update", n))

        def close(self) -> None:
            calls.append(("close",))

    monkeypatch.setitem(sys.modules, "tqdm", types.ModuleType("tqdm"))
    monkeypatch.setitem(sys.modules, "tqdm.auto", types.SimpleNamespace(tqdm=FakeTqdm))
    with progress_bar(2, "working", None) as bar:
        bar.describe("step")
        bar.update()
    assert calls == [("new", 2, "working"), ("describe", "step"), ("update", 1), ("close",)]


def test_progress_in_a_notebook_without_tqdm_writes_plain_lines(monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    _fake_notebook(monkeypatch)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # importing it raises ImportError
    with progress_bar(1, "working", None) as bar:
        bar.describe("step")
        bar.update()
    err = capsys.readouterr().err
    assert "working: [0/1] step\n" in err and "\r" not in err


def test_derive_reports_each_layer_and_form_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    Network.from_spec("2-3-3-1").derive(forms=("element", "vector"), progress=True)
    err = capsys.readouterr().err
    for step in ("output layer 3 of 3", "hidden layer 2 of 3", "hidden layer 1 of 3", "gradients of layer 1 of 3",
                 "forward pass", "vector form"):
        assert step in err, step
    assert "batch form" not in err and "deriving 2-3-3-1: done, 8 steps" in err


def test_derive_is_silent_when_told(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(engine, "PROGRESS_PARAMETERS", 0)
    Network.from_spec("2-2-1").derive(progress=False)
    assert terminal.getvalue() == ""


@pytest.mark.parametrize(("threshold", "shown"), [(0, True), (10**6, False)])
def test_derive_shows_progress_on_its_own_for_large_nets_in_a_terminal(
        monkeypatch: pytest.MonkeyPatch, threshold: int, shown: bool) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(engine, "PROGRESS_PARAMETERS", threshold)  # "large": more parameters than this
    Network.from_spec("2-2-1").derive(forms=("vector",))
    assert ("deriving 2-2-1" in terminal.getvalue()) is shown


@pytest.mark.parametrize(("threshold", "enabled", "shown"), [(0, None, True), (10**6, None, False), (0, False, False),
                                                             (10**6, True, True)])
def test_check_grads_shows_its_steps_for_large_nets_or_when_asked(monkeypatch: pytest.MonkeyPatch, threshold: int,
                                                                  enabled: bool | None, shown: bool) -> None:
    from symbackprop.numeric import check

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(check, "PROGRESS_PARAMETERS", threshold)
    report = check.check_grads(Network.from_spec("2-2-1"), references=["reference", "finite_differences"],
                               progress=enabled)
    assert report.ok
    text = terminal.getvalue()
    assert ("compiling the numpy gradient" in text and "reference finite_differences" in text
            and "checking: done, 4 steps" in text) is shown
    assert shown or text == ""
