"""Worked examples: the documented JSON schema, numbers that match the references, and the CLI commands
``example``, ``compile`` and ``check`` (bad input as one line on stderr)."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from symbackprop import Network
from symbackprop.cli import app
from symbackprop.codegen import scalar as scalar_module
from symbackprop.derive import engine
from symbackprop.derive.chain import partial
from symbackprop.documents import example as example_module
from symbackprop.documents.example import check_example_size, example_json, worked_example
from symbackprop.documents.example_blocks import example_context, render_example
from symbackprop.documents.example_check import verify_blocks
from symbackprop.documents.example_lines import (
    ValuePrinter,
    bracket_negatives,
    counted,
    given_latex,
    number_latex,
    one_example,
    per_example,
    reproducing,
)
from symbackprop.errors import DataError, SizeLimitError, SpecError
from symbackprop.model.activations import ACTIVATIONS, derivative
from symbackprop.model.params import parameters_to_data, random_batch, random_parameters
from symbackprop.notation.presets import get_notation
from symbackprop.notation.printer import INDICATOR_LATEX, INDICATOR_MARKDOWN, NotationPrinter
from symbackprop.numeric.references import describe, reference_grad
from tests.helpers import require_tex
from tests.numeric_strategies import networks

runner = CliRunner()
NOTATIONS = ("ng", "input-major", "goodfellow", "bishop", "nielsen")
# Matt Mazur's "A step by step backpropagation example": a 2-2-2 sigmoid net with quadratic loss.
MAZUR = Network([2, 2, 2], hidden="sigmoid", output="sigmoid", loss="quadratic")
MAZUR_PARAMS = {"W1": [[0.15, 0.2], [0.25, 0.3]], "b1": [0.35, 0.35], "W2": [[0.4, 0.45], [0.5, 0.55]],
                "b2": [0.6, 0.6]}


def _mazur() -> dict:
    return example_json(worked_example(MAZUR, MAZUR_PARAMS, [[0.05, 0.1]], [[0.01, 0.99]], lr=0.5))


def test_the_classic_step_by_step_example_is_reproduced() -> None:
    data = _mazur()
    assert data["loss"] == pytest.approx(0.298371109)
    assert data["forward"]["a1"][0] == pytest.approx([0.593269992, 0.596884378])
    assert data["forward"]["a2"][0] == pytest.approx([0.75136507, 0.772928465])
    assert data["gradients"]["W2"][0][0] == pytest.approx(0.082167041)
    np.testing.assert_allclose(data["updated"]["W2"], [[0.35891648, 0.408666186], [0.511301270, 0.561370121]],
                               rtol=1e-8)
    assert data["updated"]["W1"][0] == pytest.approx([0.149780716, 0.19956143])


def test_the_json_has_exactly_the_documented_schema() -> None:
    data = _mazur()
    assert list(data) == ["loss", "forward", "delta", "gradients", "updated", "loss_after", "labels"]
    assert isinstance(data["loss"], float) and isinstance(data["loss_after"], float)
    assert list(data["labels"]) == ["loss", "forward", "delta", "gradients", "updated", "loss_after"]
    for key in ("forward", "delta", "gradients", "updated"):
        assert list(data["labels"][key]) == list(data[key])
    assert list(data["forward"]) == ["z1", "a1", "z2", "a2"]
    assert list(data["delta"]) == ["delta1", "delta2"]
    assert list(data["gradients"]) == list(data["updated"]) == ["W1", "b1", "W2", "b2"]
    assert np.shape(data["forward"]["z1"]) == (1, 2) and np.shape(data["delta"]["delta2"]) == (1, 2)
    assert np.shape(data["gradients"]["W1"]) == (2, 2) and np.shape(data["gradients"]["b1"]) == (2,)
    json.dumps(data)  # plain JSON types only


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(max_depth=2, max_width=3), seed=st.integers(0, 2**16), m=st.integers(1, 3))
def test_example_numbers_equal_the_reference_backprop(net: Network, seed: int, m: int) -> None:
    params = random_parameters(net, seed)
    X, Y = random_batch(net, m, seed + 1)
    example = worked_example(net, params, X, Y, lr=0.1)
    data = example_json(example)
    want = reference_grad(describe(net), params, X, Y)
    assert data["loss"] == pytest.approx(want["loss"], rel=1e-10, abs=1e-12)
    for name in net.parameters:
        np.testing.assert_allclose(example.gradients[name], want[name], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(example.updated[name], params[name] - 0.1 * want[name], rtol=1e-9, atol=1e-12)
    assert data["gradients"] == parameters_to_data(net, example.gradients)
    for l in range(1, net.depth + 1):
        assert np.shape(data["forward"][f"a{l}"]) == np.shape(data["delta"][f"delta{l}"]) == (m, net.layers[l])


def test_a_worked_example_derives_its_network_once(monkeypatch: pytest.MonkeyPatch) -> None:
    derived: list[Network] = []

    def counting(network: Network, *args: object, **kwargs: object) -> object:
        derived.append(network)
        return engine.derive(network, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(example_module, "derive", counting)
    monkeypatch.setattr(scalar_module, "derive", counting)
    example = worked_example(MAZUR, MAZUR_PARAMS, [[0.05, 0.1], [0.2, 0.3]], [[0.01, 0.99], [0.5, 0.5]])
    render_example(example, "md")
    render_example(example, "tex")
    assert derived == [MAZUR]


def test_the_worked_example_shows_the_values_of_the_compiled_trace() -> None:
    X, Y = [[0.05, 0.1], [0.2, 0.3]], [[0.01, 0.99], [0.5, 0.5]]
    example = worked_example(MAZUR, MAZUR_PARAMS, X, Y)
    trace = MAZUR.compile(form="scalar").trace({k: np.asarray(v) for k, v in MAZUR_PARAMS.items()}, X, Y)
    data = example_json(example)
    for l in (1, 2):
        assert data["forward"][f"z{l}"] == np.asarray(trace.z[l]).tolist()
        assert data["delta"][f"delta{l}"] == np.asarray(trace.delta[l]).tolist()
    assert data["loss"] == float(trace.loss)


def test_shared_bias_gradients_are_numbers_and_bias_none_has_no_b() -> None:
    shared = Network([2, 2, 1], hidden="tanh", output="linear", loss="mse", bias="shared")
    data = example_json(worked_example(shared, random_parameters(shared, 0), [[1.0, 2.0]], [[0.5]]))
    assert isinstance(data["gradients"]["b1"], float) and isinstance(data["updated"]["b2"], float)
    none = Network([2, 2, 1], bias="none")
    assert list(example_json(worked_example(none, random_parameters(none, 0), [[1.0, 2.0]], [[0.5]]))["gradients"]) \
        == ["W1", "W2"]


def test_markdown_shows_formula_numbers_and_value() -> None:
    example = worked_example(MAZUR, MAZUR_PARAMS, [[0.05, 0.1]], [[0.01, 0.99]], lr=0.5)
    text = render_example(example, "md")
    assert "z^{1}_{1} &= w^{1}_{11} x_{1} + w^{1}_{12} x_{2} + b^{1}_{1}" in text
    assert "&= 0.15 \\cdot 0.05 + 0.2 \\cdot 0.1 + 0.35" in text
    assert "&= 0.3775" in text
    assert (r"w^{2}_{11} &\leftarrow w^{2}_{11} - \eta\, \frac{\partial C}{\partial w^{2}_{11}} "
            r"= 0.4 - 0.5 \cdot 0.08217 = 0.3589") in text
    assert text == render_example(example, "md")  # byte-identical from run to run


def test_a_negative_argument_takes_the_functions_brackets_only() -> None:
    net = Network([1, 1], activations=["tanh"], loss="quadratic")
    example = worked_example(net, {"W1": [[1.0]], "b1": [0.0]}, [[-0.5]], [[0.0]], lr=0.5)
    for fmt in ("tex", "md"):
        text = render_example(example, fmt)
        assert r"\tanh(-0.5000)" in text, fmt  # a result, z = -0.5, to four significant figures
        assert r"\tanh((" not in text and r"\tanh\left(\left(" not in text, fmt
    assert r"\cdot \left(-" in render_example(example, "tex")  # a negative factor of a product keeps them


def test_sparse_labels_show_ell_from_one() -> None:
    net = Network([2, 2, 3], hidden="tanh", output="softmax", loss="sparse_cross_entropy")
    example = worked_example(net, random_parameters(net, 0), [[0.5, -1.0], [1.0, 2.0]], [2, 0])
    text = render_example(example, "md", notation="goodfellow")
    assert r"\ell &= 3" in text and r"\ell &= 1" in text
    assert "example 2" in text


@pytest.mark.pdf
@pytest.mark.parametrize("notation", NOTATIONS)
def test_the_tex_example_compiles(tmp_path: Path, notation: str) -> None:
    require_tex()
    net = Network([2, 2, 2], hidden="relu", output="softmax", loss="cross_entropy", bias="neuron")
    X, Y = random_batch(net, 2, 0)
    example = worked_example(net, random_parameters(net, 0), X, Y)
    (tmp_path / "example.tex").write_text(render_example(example, "tex", notation=notation))
    result = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "example.tex"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.pdf
@pytest.mark.parametrize("layers", [[10, 10, 4], [30, 1], [20, 2, 1]])
def test_a_wide_example_fits_the_page(tmp_path: Path, layers: list[int]) -> None:
    """Ten inputs or more: each weighted input's sum breaks across rows, its terms in the order of their inputs; a
    matrix past six rows or columns shows its first two and last, and so does the list of inputs (the JSON holds
    every number); no line runs off the page."""
    require_tex()
    net = Network(layers)
    X, Y = random_batch(net, 1, 0)
    tex = render_example(worked_example(net, random_parameters(net, 0), X, Y), "tex")
    assert r"\cdots" in tex and "the JSON (--format json) holds every number" in tex
    assert rf"(x_{{1}}, x_{{2}}, \ldots, x_{{{layers[0]}}})" in tex
    assert tex.index("w^{1}_{19} x_{9}") < tex.index("w^{1}_{1,10} x_{10}") < tex.index("b^{1}_{1}")
    # the sums of numbers broken across rows (a chain of fractions, narrow on the page, is long only in LaTeX)
    assert max(len(line) for line in tex.splitlines() if r"\partial" not in line) < 400
    (tmp_path / "example.tex").write_text(tex)
    result = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "example.tex"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Overfull" not in (tmp_path / "example.log").read_text(errors="replace")


@pytest.mark.parametrize("marked, text", [
    (r"\negative{-0.41} - 0.51", "-0.41 - 0.51"),  # the first term of a sum
    (r"(\negative{-0.41} - 0.51)^{2}", "(-0.41 - 0.51)^{2}"),
    (r"\negative{-0.44} \cdot \negative{-1.8}", r"-0.44 \cdot (-1.8)"),  # a later factor keeps them
    (r"1 - \negative{-0.92}^{2}", "1 - (-0.92)^{2}"),  # so does a power's base
    (r"\negative{-0.92}^{2}", "(-0.92)^{2}"),
    (r"0.3 + \negative{-2}", "0.3 + (-2)"),
    (r"\tanh(\negative{-0.167})", r"\tanh(-0.167)"),
    (r"\frac{\negative{-3}}{2}", r"\frac{-3}{2}"),
    (r"\frac{1}{2}\left(\negative{-0.1} + \negative{-0.2}\right)", r"\frac{1}{2}\left(-0.1 + (-0.2)\right)"),
    (r"\negative{-1.1 \times 10^{-5}} \cdot 0.3", r"-1.1 \times 10^{-5} \cdot 0.3"),  # a power of ten in it
    (r"0.3 \cdot \negative{-1.1 \times 10^{-5}}", r"0.3 \cdot (-1.1 \times 10^{-5})"),
    (r"\negative{-1.1 \times 10^{-5}}^{2}", r"(-1.1 \times 10^{-5})^{2}"),
    (r"0 \cdot \negative{-4.1 \times 10^{4}}", r"0 \cdot (-4.1 \times 10^{4})"),  # a power of ten's braces
])
def test_negative_numbers_are_bracketed_only_where_needed(marked: str, text: str) -> None:
    assert bracket_negatives(marked) == text


#: what a bracket rule gone wrong would print: an operator then a bare negative, or a needless double bracket
_MISBRACKETED = re.compile(r"(?:[+-]|\\cdot)\s+-\d|\(\(-[0-9.]+\)(?!\^)|\\negative")


@pytest.mark.parametrize("seed", range(6))
def test_worked_examples_bracket_negative_numbers_as_notes_do(seed: int) -> None:
    net = Network([2, 2, 1], hidden="tanh", output="linear", loss="mse")
    X, Y = random_batch(net, 2, seed)
    text = render_example(worked_example(net, random_parameters(net, seed), X, Y), "md")
    assert not _MISBRACKETED.search(text), _MISBRACKETED.search(text)
    assert "(-" in text  # negative numbers there are, and some keep their brackets


@pytest.mark.parametrize("value, text", [(0.5, "0.5000"), (-0.25, "-0.2500"), (1.234567, "1.235"), (0.0, "0"),
                                         (-0.0, "0"), (0.938, "0.9380"), (1234.0, "1234"),
                                         (1.5e-5, r"1.500 \times 10^{-5}"), (2e12, r"2.000 \times 10^{12}")])
def test_numbers_are_printed_for_latex(value: float, text: str) -> None:
    """A result to four significant figures, its trailing zeros kept (0.9380, not 0.938)."""
    assert number_latex(value) == text
    assert number_latex(-0.25, parenthesize=True) == r"\left(-0.2500\right)"


@pytest.mark.parametrize("value, text", [(0.9221, "0.9221"), (0.5, "0.5"), (1.0, "1"), (0.0, "0"),
                                         (-0.07037, "-0.07037"), (0.123456789, "0.123457"),
                                         (1.5e-5, r"1.5 \times 10^{-5}")])
def test_given_values_are_printed_as_given(value: float, text: str) -> None:
    """A parameter, input or target as it was given, its shortest decimal (six significant figures at most)."""
    assert given_latex(value) == text


# ------------------------------------------------------------------------------------------- backprop's order
def _position(text: str, lhs: str) -> int:
    """Where the displayed line of ``lhs`` starts (its first row: ``lhs &=`` or ``lhs &\\leftarrow``)."""
    found = re.search(re.escape(lhs) + r" &(=|\\leftarrow) ", text)
    assert found, lhs
    return found.start()


@pytest.mark.parametrize("m", [1, 2, 5])
@pytest.mark.parametrize("notation", NOTATIONS)
def test_the_backward_pass_goes_from_the_output_layer_down(notation: str, m: int) -> None:
    net = Network([2, 3, 2, 2], hidden="tanh", output="sigmoid", loss="bce")
    X, Y = random_batch(net, m, 1)
    example = worked_example(net, random_parameters(net, 1), X, Y, lr=0.1)
    printer = NotationPrinter(get_notation(notation), net, indicator=INDICATOR_MARKDOWN)
    text = render_example(example, "md", notation=notation)
    own = per_example(printer) if m > 1 else printer  # an example's error terms: its own cost's (goodfellow's ∂L_x)
    printer = printer if m > 1 else one_example(printer)  # one example's cost is its loss (bishop's E_n)
    order = []  # per layer from L down to 1: delta^l, then dC/dW^l, then dC/db^l (the first element of each)
    for l in (3, 2, 1):
        order += [own.doprint(net.delta(l)[0])]
        order += [printer.doprint(partial(sp.Symbol("C"), net.parameters[name][0])) for name in (f"W{l}", f"b{l}")]
    positions = [_position(text, lhs) for lhs in order]
    assert positions == sorted(positions), order
    assert _position(text, order[0]) > _position(text, printer.doprint(net.a(3)[-1]))  # after the forward pass
    headings = [line for line in text.splitlines() if line.startswith("## Backward pass")]
    per_layer = 1 if m == 1 else min(m, 3) + 1  # the error terms of each example shown, then the gradients
    hidden = [f"hidden layer {get_notation(notation).bare_layer('z', l)}" for l in (2, 1)]  # as it numbers them
    assert [h.split(",")[1].split(":")[0].strip() for h in headings][::per_layer] == ["output layer", *hidden]
    steps = [_position(text, printer.doprint(net.parameters[name][0])) for name in ("W3", "b3", "W2", "b2", "W1")]
    assert steps == sorted(steps)  # the updates in the same order


# ------------------------------------------------------------------------------------------- the update lines
#: The first weight of layer 2 and the cost's letter, as each preset writes them.
_UPDATE = {
    "nielsen": ("w^{2}_{11}", "C"),
    "ng": ("w^{(2)}_{11}", "C"),
    "input-major": ("W_{11}^{(2)}", "c"),
    "goodfellow": ("W_{211}", r"\mathcal{L}(\theta)"),
    "bishop": ("w^{(2)}_{11}", "E_n"),
}


@pytest.mark.parametrize("fmt", ["md", "tex"])
@pytest.mark.parametrize("notation", NOTATIONS)
def test_each_update_is_one_line_in_the_presets_letters(notation: str, fmt: str) -> None:
    example = worked_example(MAZUR, MAZUR_PARAMS, [[0.05, 0.1]], [[0.01, 0.99]], lr=0.5)
    text = render_example(example, fmt, notation=notation)
    weight, cost = _UPDATE[notation]
    line = (rf"{weight} &\leftarrow {weight} - \eta\, \frac{{\partial {cost}}}{{\partial {weight}}} "
            r"= 0.4 - 0.5 \cdot 0.08217 = 0.3589")
    assert line in text
    updates = [row for row in text.splitlines() if r"&\leftarrow" in row]
    assert len(updates) == MAZUR.parameter_count  # one line per parameter, its value on that line
    for row, value in zip(updates, [0.35891648, 0.408666186, 0.511301270, 0.561370121]):
        assert row.rstrip(" \\").endswith(f"= {value:#.4g}"), row


# ------------------------------------------------------------------------------------------- the loss after the step
def _forward_loss(params: dict, X: np.ndarray, Y: np.ndarray) -> float:
    """Mazur's network by hand: sigmoid layers, c = sum (a - y)^2 / 2, C the mean."""
    a = np.asarray(X, dtype=float)
    for l in (1, 2):
        a = 1 / (1 + np.exp(-(a @ np.asarray(params[f"W{l}"]).T + np.asarray(params[f"b{l}"]).reshape(-1))))
    return float(np.mean(np.sum((a - np.asarray(Y)) ** 2, axis=1) / 2))


def test_the_loss_after_the_step_is_the_forward_pass_at_the_updated_parameters() -> None:
    X, Y = np.array([[0.05, 0.1], [0.3, -0.2]]), np.array([[0.01, 0.99], [0.5, 0.5]])
    # the oracle: Mazur's published loss after his step, which updates the weights only
    weights_only = {k: v for k, v in _mazur()["updated"].items() if k.startswith("W")}
    assert _forward_loss({**MAZUR_PARAMS, **weights_only}, X[:1], Y[:1]) == pytest.approx(0.291027924)
    for m in (1, 2):
        example = worked_example(MAZUR, MAZUR_PARAMS, X[:m], Y[:m], lr=0.5)
        want = _forward_loss(example.updated, X[:m], Y[:m])
        assert example.loss_after == pytest.approx(want, rel=1e-12)
        assert example_json(example)["loss_after"] == example.loss_after < example.loss
        text = render_example(example, "md")
        said = re.search(r"gives \$C = ([\d.]+)\$, against \$C = ([\d.]+)\$ before the step: the loss went down by "
                         r"\$([\d.]+)\$\.", text)
        assert said is not None, text
        after, before, by = (float(number) for number in said.groups())
        # each loss as printed is the true one rounded, and the change is theirs, two of its digits the true change's
        assert after == pytest.approx(want, abs=5 * 10 ** -len(said[1].split(".")[1]))
        assert before == pytest.approx(example.loss, abs=5 * 10 ** -len(said[2].split(".")[1]))
        assert by == pytest.approx(before - after, abs=1e-12)
        assert f"{by:.2g}" == f"{example.loss - want:.2g}"


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(max_depth=2, max_width=3), seed=st.integers(0, 2**16), m=st.integers(1, 3))
def test_the_loss_after_the_step_equals_the_reference_at_the_updated_parameters(net: Network, seed: int,
                                                                                m: int) -> None:
    X, Y = random_batch(net, m, seed + 1)
    example = worked_example(net, random_parameters(net, seed), X, Y, lr=0.05)
    want = reference_grad(describe(net), dict(example.updated), X, Y)["loss"]
    assert example.loss_after == pytest.approx(want, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("lr, x, y, said", [
    (3.0, 1.0, 0.0, r"the loss went up by $12.00$."),  # 0.5 -> 12.5: too large a step
    (0.5, 1.0, 1.0, "the loss did not change."),  # a perfect fit: no gradient
])
def test_the_text_says_which_way_the_loss_went(lr: float, x: float, y: float, said: str) -> None:
    net = Network([1, 1], activations=["linear"], loss="quadratic")
    example = worked_example(net, {"W1": [[1.0]], "b1": [0.0]}, [[x]], [[y]], lr=lr)
    assert said in render_example(example, "md") and said in render_example(example, "tex")


def test_a_loss_that_overflows_after_the_step_asks_for_a_smaller_learning_rate() -> None:
    net = Network([1, 1], activations=["linear"], loss="quadratic")
    with pytest.raises(DataError, match=r"^the loss after the step C (overflows to inf|is not a number \(nan\)); "
                                        "use a smaller learning rate$"):
        worked_example(net, {"W1": [[1.0]], "b1": [0.0]}, [[1e100]], [[0.0]], lr=1e50)  # W and b finite, z not


def test_a_loss_undefined_at_the_outputs_is_named_not_blamed_on_the_inputs() -> None:
    """bce after a tanh output takes the log of outputs at most 0: the message says so, as check's does, not "use
    smaller inputs"; the same network with outputs in (0, 1) at the point given still works."""
    net = Network([1, 1], activations=["tanh"], loss="bce")
    with pytest.raises(SpecError, match=r"^a worked example needs a loss defined at the outputs, and bce takes the "
                                        r"log of outputs that a tanh output can make 0 or negative; use a sigmoid"):
        worked_example(net, {"W1": [[1.0]], "b1": [0.0]}, [[-1.0]], [[1.0]])  # tanh(-1) < 0: log of a negative
    assert np.isfinite(worked_example(net, {"W1": [[1.0]], "b1": [0.0]}, [[1.0]], [[1.0]]).loss)


# ------------------------------------------------------------------------------------------- JSON labels
def test_the_json_labels_every_quantity_in_the_notation() -> None:
    example = worked_example(MAZUR, MAZUR_PARAMS, [[0.05, 0.1]], [[0.01, 0.99]])
    nielsen = example_json(example)["labels"]
    assert nielsen["loss"] == nielsen["loss_after"] == "C"
    assert nielsen["forward"] == {"z1": "z^{1}", "a1": "a^{1}", "z2": "z^{2}", "a2": "a^{2}"}
    assert nielsen["delta"] == {"delta1": r"\delta^{1}", "delta2": r"\delta^{2}"}
    assert nielsen["updated"] == {"W1": "W^{1}", "b1": "b^{1}", "W2": "W^{2}", "b2": "b^{2}"}
    assert nielsen["gradients"]["W2"] == r"\frac{\partial C}{\partial W^{2}}"
    goodfellow = example_json(example, "goodfellow")["labels"]
    assert goodfellow["loss"] == r"\mathcal{L}(\theta)" and goodfellow["forward"]["a2"] == r"\underline{\hat{y}}"
    assert goodfellow["gradients"]["W1"] == r"\nabla_{W_{1}} \mathcal{L}(\theta)"
    bishop = example_json(example, "bishop")["labels"]
    assert bishop["loss"] == "E" and bishop["forward"]["z1"] == r"\mathbf{a}^{(1)}"
    assert bishop["delta"]["delta2"] == r"\boldsymbol{\delta}^{(2)}"
    ng = example_json(example, "ng")["labels"]
    # seed 000's error terms counted back from the output layer, δ^L and δ^{(L-1)}, where Z^{(3)} is numbered
    assert ng["delta"] == {"delta1": r"\delta^{(L-1)}", "delta2": r"\delta^{(L)}"}
    assert ng["forward"]["z2"] == r"\mathbf{Z}^{(3)}" and ng["updated"]["W2"] == r"\mathbf{W}^{(2)}"
    # input-major's W_ij runs from neuron i of the layer below: the JSON's rows (neuron j) hold its transpose
    major = example_json(example, "input-major")["labels"]
    assert major["updated"]["W1"] == r"(W^{(1)})^{\top}"
    assert major["gradients"]["W1"] == r"\left(\frac{\partial C}{\partial W^{(1)}}\right)^{\top}"
    assert major["updated"]["b1"] == r"\mathbf{b}^{(1)}"


def test_a_batchs_error_terms_are_labelled_as_each_examples_own() -> None:
    """Goodfellow writes an error term as the cost's derivative; in a batch, whose cost L(θ) is the mean, each
    example's error terms are its own cost's, ∂L(θ)_x/∂a (they are not divided by m), in the text and the JSON."""
    two = worked_example(MAZUR, MAZUR_PARAMS, [[0.05, 0.1], [0.2, 0.3]], [[0.01, 0.99], [0.5, 0.5]])
    one = worked_example(MAZUR, MAZUR_PARAMS, [[0.05, 0.1]], [[0.01, 0.99]])
    assert example_json(two, "goodfellow")["labels"]["delta"]["delta2"] == \
        r"\nabla_{\underline{a}_{2}} \mathcal{L}(\theta)_{x}"
    assert example_json(one, "goodfellow")["labels"]["delta"]["delta2"] == \
        r"\nabla_{\underline{a}_{2}} \mathcal{L}(\theta)"
    text = render_example(two, "md", notation="goodfellow")
    assert r"\frac{\partial \mathcal{L}(\theta)_{x}}{\partial a_{21}} &=" in text
    assert r"\frac{\partial \mathcal{L}(\theta)}{\partial a_{21}} &=" not in text
    assert example_json(two, "nielsen")["labels"]["delta"]["delta2"] == r"\delta^{2}"  # a letter of its own


@pytest.mark.parametrize(("notation", "first", "input_layer"), [
    ("input-major", r"a_{1}^{(1)}\,\delta_{1}^{(2)}", r"x_{1}\,\delta_{1}^{(1)}"),  # seed 001: a_i δ_j
    ("ng", r"a^{(2)}_{1} \cdot \delta^{(L)}_{1}", r"X^{(1)}_{1} \cdot \delta^{(L-1)}_{1}"),  # seed 000: a_k · δ_j
    ("nielsen", r"\delta^{2}_{1}\,a^{1}_{1}", r"\delta^{1}_{1}\,x_{1}"),  # seed 004: δ_j a_k
    ("bishop", r"\delta^{(2)}_{1}\,z^{(1)}_{1}", r"\delta^{(1)}_{1}\,x_{1}"),  # seed 003: δ_j z_i
])
def test_a_weights_gradient_reads_in_the_seeds_order_in_every_layer(notation: str, first: str,
                                                                   input_layer: str) -> None:
    """The input layer's weights read as the layers above do, in the order the notation's seed writes a δ and
    its source (SymPy's own order put x after δ but a before it)."""
    text = render_example(worked_example(MAZUR, MAZUR_PARAMS, [[0.05, 0.1]], [[0.01, 0.99]]), "md",
                          notation=notation)
    assert f"= {first}" in text and f"= {input_layer}" in text


def test_a_shared_bias_is_labelled_as_a_number_and_no_bias_has_no_label() -> None:
    shared = Network([2, 2, 1], hidden="tanh", output="linear", loss="mse", bias="shared")
    data = example_json(worked_example(shared, random_parameters(shared, 0), [[1.0, 2.0]], [[0.5]]), "input-major")
    assert data["labels"]["updated"]["b1"] == "b^{(1)}"
    none = Network([2, 2, 1], bias="none")
    data = example_json(worked_example(none, random_parameters(none, 0), [[1.0, 2.0]], [[0.5]]), "ng")
    assert list(data["labels"]["gradients"]) == list(data["labels"]["updated"]) == ["W1", "W2"]


# ------------------------------------------------------------------------------------------- counting examples
def test_examples_are_counted_in_the_singular_and_the_plural() -> None:
    assert [counted(n, "example") for n in (1, 2, 7)] == ["1 example", "2 examples", "7 examples"]
    X, Y = random_batch(MAZUR, 7, 0)
    for m, count, heading in ((1, "; one training example;", "Parameters and the training example\n"),
                              (2, "; 2 training examples;", "Parameters and the training examples\n"),
                              (7, "; 7 training examples;", "Parameters and the training examples\n")):
        example = worked_example(MAZUR, MAZUR_PARAMS, X[:m], Y[:m])
        for fmt in ("md", "tex"):
            text = render_example(example, fmt)
            assert count in text and "(s)" not in text, fmt
        assert f"## {heading}" in render_example(example, "md")
    assert "The first 3 examples of the 7 are shown step by step" in text


# ------------------------------------------------------------------------------------------- CLI
def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _files(tmp_path: Path, params: object = MAZUR_PARAMS, X: object = (0.05, 0.1), Y: object = (0.01, 0.99)) -> list:
    for name, data in (("P.json", params), ("X.json", list(X)), ("Y.json", list(Y))):
        (tmp_path / name).write_text(json.dumps(data))
    return ["--params", str(tmp_path / "P.json"), "--input", str(tmp_path / "X.json"), "--target",
            str(tmp_path / "Y.json")]


def test_cli_example_prints_the_json(tmp_path: Path) -> None:
    code, out, err = invoke("example", "2-2-2", *_files(tmp_path))
    assert code == 0, err
    assert json.loads(out) == _mazur()


@pytest.mark.parametrize("fmt, marker", [("md", "## Backward pass"), ("tex", r"\documentclass")])
def test_cli_example_writes_tex_and_markdown(tmp_path: Path, fmt: str, marker: str) -> None:
    target = tmp_path / f"example.{fmt}"
    code, out, err = invoke("example", "2-2-2", *_files(tmp_path), "--format", fmt, "--out", str(target))
    assert code == 0, err
    assert out.strip() == str(target) and marker in target.read_text()


def test_cli_example_builds_a_pdf_in_the_notation_and_never_prints_one(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The student's worked example as a PDF: to --out, or output/<network name>/example-<notation>.pdf; LaTeX's
    log beside it; ``--out -`` (print) is refused in one line, with nothing written."""
    require_tex()
    target = tmp_path / "step.pdf"
    code, out, err = invoke("example", "2-2-2", *_files(tmp_path), "--format", "pdf", "--notation", "bishop",
                            "--out", str(target))
    assert code == 0, err
    assert out.strip() == str(target) and target.read_bytes().startswith(b"%PDF")
    assert target.with_suffix(".log").exists()
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke("example", "2-2-1", "--format", "pdf")
    made = Path("output") / Network([2, 2, 1]).name / "example-nielsen.pdf"
    assert code == 0 and out.strip() == str(made) and made.read_bytes().startswith(b"%PDF"), err
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code, out, err = invoke("example", "2-2-1", "--format", "pdf", "--out", "-")
    assert code == 2 and "a PDF cannot be printed" in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_cli_example_uses_random_parameters_from_the_seed() -> None:
    first = invoke("example", "2-3-1", "--hidden", "tanh", "--loss", "bce", "--seed", "4")
    assert first[0] == 0 and first == invoke("example", "2-3-1", "--hidden", "tanh", "--loss", "bce", "--seed", "4")
    assert first[1] != invoke("example", "2-3-1", "--hidden", "tanh", "--loss", "bce", "--seed", "5")[1]


@pytest.mark.parametrize(
    "params, X, Y, message",
    [
        ({**MAZUR_PARAMS, "W1": [[0.1, 0.2]]}, (0.05, 0.1), (0.01, 0.99), r"P.json: parameter 'W1' has shape \(1, 2\),"
                                                                         r" expected \(2, 2\)"),
        ({k: v for k, v in MAZUR_PARAMS.items() if k != "b2"}, (0.05, 0.1), (0.01, 0.99), "P.json: missing b2"),
        (MAZUR_PARAMS, [[0.05, 0.1], [1, 2]], [[0.01, 0.99]], "Y.json: 1 target example.s. but 2 input"),
        (MAZUR_PARAMS, (0.05, "a"), (0.01, 0.99), "X.json: inputs must be numbers"),
    ],
)
def test_cli_example_bad_files_give_one_line_and_status_2(tmp_path: Path, params: object, X: object, Y: object,
                                                          message: str) -> None:
    code, out, err = invoke("example", "2-2-2", *_files(tmp_path, params, X, Y))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("symbackprop: error: ")
    assert re.search(message, err), err


def test_cli_example_malformed_json_and_missing_file(tmp_path: Path) -> None:
    args = _files(tmp_path)
    (tmp_path / "P.json").write_text('{"W1": [[0.15, 0.2],')
    code, _, err = invoke("example", "2-2-2", *args)
    assert code == 2 and "P.json: malformed JSON at line 1" in err and "Traceback" not in err
    code, _, err = invoke("example", "2-2-2", "--params", str(tmp_path / "nope.json"))
    assert code == 2 and "cannot read the parameter file" in err


def test_cli_example_labels_out_of_range(tmp_path: Path) -> None:
    net_args = ["2-2-3", "--output", "softmax", "--loss", "sparse_cross_entropy"]
    params = parameters_to_data(Network([2, 2, 3], output="softmax", loss="sparse_cross_entropy"),
                                random_parameters(Network([2, 2, 3]), 0))
    code, _, err = invoke("example", *net_args, *_files(tmp_path, params, [[0, 1], [1, 0]], [0, 3]))
    assert code == 2 and "label 3 of example 1 is out of range" in err


def test_cli_compile_writes_an_importable_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "grads.py"
    code, out, err = invoke("compile", "2-3-2", "--hidden", "elu", "--output", "softmax", "--loss",
                            "cross_entropy", "--out", str(target))
    assert code == 0, err
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "grads", raising=False)
    module = importlib.import_module("grads")
    net = Network([2, 3, 2], hidden="elu", output="softmax", loss="cross_entropy")
    params = random_parameters(net, 0)
    X, Y = random_batch(net, 3, 1)
    np.testing.assert_allclose(module.grad(params, X, Y)["W1"], reference_grad(describe(net), params, X, Y)["W1"],
                               rtol=1e-10)
    code, out, _ = invoke("compile", "2-3-2", "--form", "scalar", "--backend", "torch", "--out", "-")
    assert code == 0 and "import torch" in out and "def f_delta2_1(" in out


def test_cli_compile_and_check_reject_bad_names() -> None:
    code, _, err = invoke("compile", "2-3-1", "--backend", "jaxx", "--out", "-")
    assert code == 2 and "unknown backend 'jaxx'" in err and "did you mean 'jax'" in err
    code, _, err = invoke("check", "2--3")
    assert code == 2 and "malformed layer spec" in err


def test_cli_check_prints_the_table_and_passes() -> None:
    code, out, err = invoke("check", "2-3-2", "--hidden", "tanh", "--output", "softmax", "--loss",
                            "sparse_cross_entropy", "--reference", "reference,finite_differences", "--seed", "3")
    assert code == 0, err
    assert "finite_differences" in out and out.strip().endswith("all gradients agree")


@pytest.mark.parametrize("lr", [float("nan"), float("inf"), float("-inf"), 0.0, -0.5])
def test_the_learning_rate_is_a_finite_number_above_zero(lr: float) -> None:
    with pytest.raises(DataError, match=f"learning rate must be a finite number > 0, got {lr}"):
        worked_example(MAZUR, MAZUR_PARAMS, [[0.05, 0.1]], [[0.01, 0.99]], lr=lr)


def test_overflow_names_the_first_quantity_and_warns_nothing() -> None:
    net = Network([2, 1], activations=["linear"], loss="quadratic")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DataError, match="the forward value z1 overflows to inf; use smaller inputs or parameters"):
            worked_example(net, {"W1": [[1.0, 1.0]], "b1": [0.0]}, [[1e308, 1e308]], [[0.0]])
        with pytest.raises(DataError, match="the per-example loss c overflows to inf"):
            worked_example(net, {"W1": [[1.0, 1.0]], "b1": [0.0]}, [[1e200, 1e200]], [[0.0]])


def test_worked_examples_are_limited_in_size_before_any_number_is_drawn() -> None:
    with pytest.raises(SizeLimitError, match="worked examples print every element and are limited to 500 "
                                             "parameters; 30-30-1 has 961"):
        check_example_size(Network([30, 30, 1]))
    with pytest.raises(SizeLimitError, match="limited to 500 parameters; 100000-100000-1 has 10,000,200,001"):
        worked_example(Network([100000, 100000, 1]), {}, np.zeros((1, 100000)), np.zeros((1, 1)))


@pytest.mark.parametrize("args", [["--lr", "nan"], ["--lr", "inf"], ["--lr", "1e400"], ["--lr", "0"],
                                  ["--loss", "bce", "--input", "X.json", "--target", "Y.json"]])
def test_cli_example_bad_numbers_give_one_line_and_write_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 args: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "X.json").write_text("[[1, 2]]")
    (tmp_path / "Y.json").write_text("[[2]]")
    code, out, err = invoke("example", "2-3-1", *args)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("symbackprop: error: "), err
    assert ("learning rate" in err) if args[0] == "--lr" else ("outside [0, 1]" in err)


@pytest.mark.parametrize(("given", "said"), [
    ("1e-400", "got 1e-400 (below the smallest float, about 5e-324: 0)"),  # what was typed, and why it is 0
    ("abc", "got abc"), ("-0.5", "got -0.5"), ("-1e-400", "got -1e-400"),  # its sign, not its size, is wrong
])
def test_a_learning_rate_that_is_no_number_above_0_is_said_as_typed(given: str, said: str) -> None:
    code, out, err = invoke("example", "2-3-1", "--lr", given)
    assert code == 2 and out == "" and err == f"symbackprop: error: learning rate must be a finite number > 0, {said}\n"


def test_a_lines_numbers_give_its_result_as_printed() -> None:
    """A small difference of numbers rounded to 4 digits may not give the result to 4 digits (bishop's
    ½(0.6704 · 0.2924 + 0.6457 · (-0.3188)) is -0.00491, its true value -0.00488): the operands take the fewest
    more digits with which a student redoing the line gets its result."""
    a, b, c, d = sp.symbols("a b c d", real=True)
    expr, values = (a * b + c * d) / 2, {a: 0.6704013, b: 0.2924489, c: 0.6456563, d: -0.3187731}
    value = float(expr.xreplace(values))
    printer = NotationPrinter(get_notation("bishop"), MAZUR)
    four = ValuePrinter(printer, values, 4)
    assert number_latex(float(expr.xreplace({s: float(f"{v:.4g}") for s, v in values.items()})), 4) != \
        number_latex(value, 4)
    (shown,) = reproducing([four], expr, value)
    assert shown.digits > 4
    redone = float(expr.xreplace({s: float(f"{v:.{shown.digits}g}") for s, v in values.items()}))
    assert number_latex(redone, 4) == number_latex(value, 4)
    assert reproducing([four], 2 * a, float((2 * a).xreplace(values)))[0] is four  # no more digits than needed


def test_the_example_names_its_activations_and_writes_its_matrices_as_the_notation_does() -> None:
    """The numbers are this network's: tanh(-1.31), not input-major's g_1(-1.31); input-major's W^(1) holds the
    weights out of a neuron of the layer below in its row, so it is given as W^(1), not (W^(1))ᵀ; the subtitle in
    words."""
    net = Network([2, 3, 1], hidden="tanh", loss="bce")
    params = random_parameters(net, 2)
    text = render_example(worked_example(net, params, [[0.5, -0.2]], [[1.0]]), "md", notation="input-major")
    assert r"&= \tanh(" in text and "g_{1}(" not in text
    rows = [" & ".join(given_latex(v) for v in row) for row in np.asarray(params["W1"]).T]
    assert r"W^{(1)} &= \begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}" in text
    assert r"(W^{(1)})^{\top} &=" not in text
    assert ("*A 2-3-1 network, tanh hidden layer, sigmoid output, binary cross-entropy, with a bias per neuron; "
            "one training example; learning rate 0.5; the input-major notation.*") in text


def test_a_batchs_examples_are_numbered_where_they_are_given() -> None:
    """Two examples' inputs and targets, each said to be which example; a single target without brackets."""
    net = Network([2, 2, 1], loss="bce", bias="none")
    text = render_example(worked_example(net, random_parameters(net, 0), [[0.5, -0.2], [0.1, 0.3]], [[1.0], [0.0]]),
                          "md", notation="bishop-single")
    assert r"(x_{1}, x_{2}) &= (0.5, -0.2)\qquad \text{example 1}" in text
    assert r"r^{\ell} &= 0\qquad \text{example 2}" in text


def test_an_error_term_is_led_by_the_derivations_chain_rule() -> None:
    """As the derivation finds it: δ = ∂C/∂a ∂a/∂z, what the chain rule gives (the loss's derivative times σ'),
    the formula, its numbers; a hidden one's chain through the layer above, its result the formula itself (not
    shown twice). The rows are the element form's own steps, which --verify checks."""
    net = Network.from_spec("2-2-1", hidden="tanh", output="sigmoid", loss="bce")
    X, Y = random_batch(net, 1, 0)
    example = worked_example(net, random_parameters(net, 0), X, Y)
    md = render_example(example, "md")
    output = md[md.index(r"\delta^{2}_{1} &="):].splitlines()
    chain = next(step for step in example.derivation.steps_of("element", "delta2_1") if step.chain)
    assert output[0] == (r"\delta^{2}_{1} &= \frac{\partial C}{\partial a^{2}_{1}}\,\frac{\partial a^{2}_{1}}"
                         r"{\partial z^{2}_{1}} \qquad \text{chain rule} \\")
    assert r"\sigma'(z^{2}_{1})" in output[1]
    assert output[2] == (r" &= \left(\frac{1 - y_{1}}{1 - a^{2}_{1}} - \frac{y_{1}}{a^{2}_{1}}\right) a^{2}_{1} "
                         r"\left(1 - a^{2}_{1}\right) \qquad "
                         r"\text{since}\ \sigma'(z^{2}_{1}) = a^{2}_{1} (1 - a^{2}_{1}) \\")
    assert output[3] == (r" &= (1 - y_{1})\,a^{2}_{1} - y_{1}\,(1 - a^{2}_{1}) \qquad "
                         r"\text{multiply out; each denominator cancels} \\")
    assert output[4] == r" &= a^{2}_{1} - y_{1} \qquad \text{simplify} \\"
    assert chain.result.has(sp.Function("sigmoid'", real=True)(sp.Symbol("z2_1", real=True)))
    hidden = md[md.index(r"\delta^{1}_{1} &="):].splitlines()
    assert r"\frac{\partial a^{1}_{1}}{\partial z^{1}_{1}}" in hidden[0] and hidden[0].endswith(r"\text{chain rule} \\")
    assert hidden[1] == r" &= \tanh'(z^{1}_{1})\,\delta^{2}_{1}\,w^{2}_{11} \\"  # the derivation's order: g' δ w
    assert hidden[2] == (r" & \qquad \text{definition of } \delta;\ {\textstyle \frac{\partial z^{2}_{k}}"
                         r"{\partial a^{1}_{1}} = w^{2}_{k1}}\text{, since } z^{2}_{k} = \sum_{m} w^{2}_{km} "
                         r"a^{1}_{m} + b^{2}_{k};\ {\textstyle \frac{\partial a^{1}_{1}}{\partial z^{1}_{1}} = "
                         r"\tanh'(z^{1}_{1})} \\")
    hidden = [hidden[0], hidden[1], *hidden[3:]]  # (the note under its row: too wide to stand beside it)
    assert hidden[2] == (r" &= \left(1 - (a^{1}_{1})^{2}\right)\,\delta^{2}_{1}\,w^{2}_{11} "
                         r"\qquad \text{since}\ \tanh'(z^{1}_{1}) = 1 - (a^{1}_{1})^{2} \\")
    assert re.match(r" &= \\left\(1 - \(?-?0\.[0-9]+\)?\^\{2\}\\right\) \\cdot -?[0-9.]+ \\cdot -?[0-9.]+", hidden[3])


#: (notation, hidden activation, the hidden error term's row that names the derivative, its note on the next row)
NAMED_DERIVATIVES = [
    ("bishop", "tanh", r"\tanh'(a^{(1)}_{1})\,\delta^{(2)}_{1}\,w^{(2)}_{11}",
     r"\text{since}\ \tanh'(a^{(1)}_{1}) = 1 - (z^{(1)}_{1})^{2}"),
    ("nielsen", "relu", r"\operatorname{ReLU}'(z^{1}_{1})\,\delta^{2}_{1}\,w^{2}_{11}",
     r"\text{since}\ \operatorname{ReLU}'(z^{1}_{1}) = \mathbb{1}_{z^{1}_{1} > 0}"),
    ("goodfellow", "sigmoid", r"\sigma'(a_{11})\,\frac{\partial \mathcal{L}(\theta)}{\partial a_{21}}\,W_{211}",
     r"\text{since}\ \sigma'(a_{11}) = h_{11} (1 - h_{11})"),
    ("ng", "softplus", r"\operatorname{softplus}'(Z^{(2)}_{1}) \cdot \delta^{(L)}_{1} \cdot w^{(2)}_{11}",
     r"\text{since}\ \operatorname{softplus}'(Z^{(2)}_{1}) = \sigma(Z^{(2)}_{1})"),
    ("input-major", "elu", r"\operatorname{ELU}'(z_{1}^{(1)})\,\delta_{1}^{(2)}\,W_{11}^{(2)}",
     r"\text{since}\ \operatorname{ELU}'(z_{1}^{(1)}) = "),
]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("notation, hidden, named, since", NAMED_DERIVATIVES)
@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_a_hidden_error_term_names_the_activations_derivative_then_works_it_out(
        notation: str, hidden: str, named: str, since: str, fmt: str) -> None:
    """Between the chain rule and the formula, the derivation's own row with ∂a/∂z written as the activation's
    derivative by name, in the notation's letters; the formula's row then says what that derivative is (the
    equation the derivation's note states, checked by derive --verify); the numbers follow, and verify."""
    net = Network([2, 2, 1], hidden=hidden, loss="bce")
    X, Y = random_batch(net, 1, 1)
    example = worked_example(net, random_parameters(net, 0), X, Y)
    context = example_context(example, fmt, notation)
    since = since.replace(INDICATOR_MARKDOWN, INDICATOR_LATEX) if fmt == "tex" else since  # (LaTeX's ReLU')
    (block,) = [block for block in context["blocks"] if "hidden layer" in block.title]
    chain, *rows = (rhs for _, _, rhs in block.lines[0].rows)  # the first neuron's error term
    assert r"\partial" in chain and rows[0].split(r" \qquad ")[0] == named and "since" not in chain  # g' δ w
    assert chain.endswith(r"\qquad \text{chain rule}")
    # its note names the local derivatives it works out, beside it or on a row of its own below it
    local = rows[0] if r"\qquad" in rows[0] else rows[1]
    assert r"{\textstyle \frac{\partial" in local
    rows = rows[1:] if local is rows[0] else rows[2:]
    noted = rows[0] if since in rows[0] else rows[1]  # beside the formula, or on a row of its own below it
    assert rf"\qquad {since}" in noted and "since" not in "".join(rows[2:])
    assert verify_blocks(example, context["blocks"]).numbers > 0


def test_through_a_wide_layer_above_the_factored_step_names_the_derivative_in_the_chains_place() -> None:
    """Six output neurons: the chain would run over lines of its own, so the error term starts from the
    derivation's step with the common factor taken out, tanh'(z) first, then works it out as a narrow layer's."""
    net = Network([2, 3, 6], hidden="tanh", loss="bce")
    X, Y = random_batch(net, 1, 1)
    context = example_context(worked_example(net, random_parameters(net, 0), X, Y), "md", "nielsen")
    (line,) = [line for block in context["blocks"] for line in block.lines if line.lhs == r"\delta^{1}_{1}"]
    (named,) = line.derived
    assert named.startswith(r"\tanh'(z^{1}_{1})\,\left(\delta^{2}_{1}\,w^{2}_{11} + ") and r"\partial" not in named
    assert line.formula.startswith(r"\left(1 - (a^{1}_{1})^{2}\right)\,\left(\delta^{2}_{1}\,w^{2}_{11}")
    assert line.note == r"\text{since}\ \tanh'(z^{1}_{1}) = 1 - (a^{1}_{1})^{2}"


def test_every_activation_with_a_derivative_to_work_out_is_named_then_worked_out() -> None:
    """Every element-wise activation of the table: where its derivative is not a constant, the hidden error term's
    line shows the chain, the derivative by name (the activation's LaTeX name, primed) and a note saying what it
    is; a linear layer's derivative, 1, needs neither."""
    for name, activation in ACTIVATIONS.items():
        if not activation.elementwise or activation.generic:
            continue
        net = Network([2, 1, 1], hidden=name, loss="bce")
        X, Y = random_batch(net, 1, 1)
        context = example_context(worked_example(net, random_parameters(net, 0), X, Y), "md", "nielsen")
        (line,) = [line for block in context["blocks"] for line in block.lines if line.lhs == r"\delta^{1}_{1}"]
        constant = derivative(activation).textbook.is_Number
        assert len(line.derived) == (1 if constant else 2), name
        worked = line.note.partition(" = ")[2]  # what the derivative is, in terms of z^1_1 or a^1_1
        named = rf"{activation.latex}'(z^{{1}}_{{1}})"
        assert line.note == ("" if constant else rf"\text{{since}}\ {named} = {worked}"), name
        assert constant or named in line.derived[1] and "1}_{1}" in worked, name
