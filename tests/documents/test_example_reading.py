"""The worked example as a student checking homework reads it: the given values print as the working uses them,
results to fixed significant figures, one loss letter throughout, the output error's denominators cancelled on a
row of their own, classification targets as classes, the natural logarithm said, BP2's factors in the derivation's
order, and the headings' words."""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy as sp
from typer.testing import CliRunner

from symbackprop import Network
from symbackprop.cli import app
from symbackprop.derive.verify import VerificationError
from symbackprop.documents.example import worked_example
from symbackprop.documents.example_blocks import example_context, render_example
from symbackprop.documents.example_check import verify_blocks
from symbackprop.documents.example_lines import Block, Line
from symbackprop.model.params import example_draw, random_batch, random_parameters

runner = CliRunner()
BCE = Network.from_spec("2-2-1", hidden="tanh", output="sigmoid", loss="bce")


def _drawn(net: Network, seed: int = 0):
    params, X, Y = example_draw(net, seed)
    return worked_example(net, params, X, Y)


def test_a_drawn_example_is_short_exact_decimals_with_classes_for_a_classification_loss() -> None:
    for net, targets in ((BCE, {0.0, 1.0}), (Network([2, 3, 3], output="softmax", loss="cross_entropy"), None),
                         (Network([2, 2, 2], loss="quadratic"), None)):
        params, X, Y = example_draw(net, 3)
        for value in [*np.ravel(X), *(v for p in params.values() for v in np.ravel(p))]:
            assert float(f"{value:.4g}") == value  # four significant figures, exactly
        if net.loss.name == "bce":
            assert set(np.ravel(Y)) <= targets
        elif net.loss.name == "cross_entropy":
            assert sorted(np.ravel(Y)) == [0.0, 0.0, 1.0]  # one-hot
        else:
            assert all(0 < y < 1 and float(f"{y:.4g}") == y for y in np.ravel(Y))  # soft, short


def test_every_given_operand_prints_as_the_table_gives_it_and_results_keep_trailing_zeros() -> None:
    example = _drawn(BCE)
    text = render_example(example, "md", notation="bishop")
    given = text[text.index("## Parameters"):text.index("## Forward")]
    w2 = example.params["W2"].reshape(-1)
    for value in (*w2, *example.X[0]):
        shown = repr(float(value))
        assert shown in given
        assert len(shown.replace("-", "").replace("0.", "").lstrip("0")) <= 4
    working = text[text.index("## Forward"):]
    # w^(2)_11 as given, no more digits
    assert f"{float(w2[0])!r} \\cdot (" in working and f"{w2[0]:.5f}" not in working
    values = re.findall(r"^ &= (-?[0-9.]+)(?: \\\\)?$", working, flags=re.M)  # each line's result
    assert values and all(len(v.replace("-", "").replace(".", "").lstrip("0")) == 4 for v in values), values
    assert "Given values are exact as printed; results are rounded to 4 significant figures" in text


def test_user_parameters_print_as_given() -> None:
    params = {"W1": [[0.15, 0.2], [0.25, 0.3]], "b1": [0.35, 0.35], "W2": [[0.4, 0.45]], "b2": [0.6]}
    example = worked_example(BCE, params, [[0.05, 0.1]], [[1.0]])
    text = render_example(example, "md", notation="bishop")
    assert r"\begin{bmatrix}0.4 & 0.45\end{bmatrix}" in text and r"0.4 - 0.5 \cdot" in text
    assert "&= 0.15 \\cdot 0.05 + 0.2 \\cdot 0.1 + 0.35" in text


@pytest.mark.parametrize("notation, loss, total", [("bishop", "E_n", "E"), ("nielsen", "C", "C"),
                                                   ("input-major", "c", "C"), ("ng", "C", "C"),
                                                   ("goodfellow", r"\mathcal{L}(\theta)", r"\mathcal{L}(\theta)")])
def test_one_example_writes_its_loss_letter_throughout_and_a_batch_its_cost(notation: str, loss: str,
                                                                             total: str) -> None:
    text = render_example(_drawn(BCE), "md", notation=notation)
    assert rf"\frac{{\partial {loss}}}{{\partial " in text and f"gives ${loss} = " in text
    if loss != total:
        assert rf"\partial {total}}}" not in text and f"${total} = " not in text
    X, Y = random_batch(BCE, 2, 0)
    batch = render_example(worked_example(BCE, random_parameters(BCE, 0), X, Y), "md", notation=notation)
    assert rf"\frac{{\partial {total}}}{{\partial " in batch  # the gradient of the batch's mean


def test_the_output_error_cancels_its_denominators_on_a_row_of_its_own_and_verify_checks_it() -> None:
    example = _drawn(BCE)
    blocks = example_context(example, "md", "bishop")["blocks"]
    (line,) = [line for block in blocks for line in block.lines if line.lhs == r"\delta^{(2)}_{1}"]
    rows = [rhs for _, _, rhs in line.rows]
    assert rows[0].endswith(r"\qquad \text{chain rule}")
    assert rows[1].endswith(r"\sigma'(a^{(2)}_{1}) \qquad \text{differentiate the loss}")
    assert rows[2].endswith(r"\text{since}\ \sigma'(a^{(2)}_{1}) = y_{1} (1 - y_{1})")
    assert rows[3] == r"(1 - r_{1})\,y_{1} - r_{1}\,(1 - y_{1}) \qquad \text{multiply out; each denominator cancels}"
    assert rows[4] == r"y_{1} - r_{1} \qquad \text{simplify}"
    assert len(line.identities) == 2
    assert verify_blocks(example, blocks).numbers > 0
    wrong = Line(line.lhs, line.formula, "", "", identities=((line.identities[0][0], sp.Symbol("y_1")),))
    with pytest.raises(VerificationError, match="does not hold"):
        verify_blocks(example, [*blocks, Block("sabotaged", (wrong,))])


def test_every_row_before_a_hidden_error_terms_numbers_has_its_note() -> None:
    """The chain rule, then its result with the error term above named and the local derivatives it works out
    (as the derivation's element form says them), then tanh' worked out: no row without its reason."""
    blocks = example_context(_drawn(BCE), "md", "bishop")["blocks"]
    for j in (1, 2):
        (line,) = [line for block in blocks for line in block.lines if line.lhs == rf"\delta^{{(1)}}_{{{j}}}"]
        rows = [rhs for _, _, rhs in line.rows]
        assert rows[1] == (rf"\tanh'(a^{{(1)}}_{{{j}}})\,\delta^{{(2)}}_{{1}}\,w^{{(2)}}_{{1{j}}} \qquad "
                           rf"\text{{definition of }} \delta;\ {{\textstyle \frac{{\partial a^{{(2)}}_{{k}}}}"
                           rf"{{\partial z^{{(1)}}_{{{j}}}}} = w^{{(2)}}_{{k{j}}}}};\ {{\textstyle "
                           rf"\frac{{\partial z^{{(1)}}_{{{j}}}}}{{\partial a^{{(1)}}_{{{j}}}}} = "
                           rf"\tanh'(a^{{(1)}}_{{{j}}})}}")
        assert all(r"\qquad" in row for row in rows[:3])


def test_a_quadratic_output_error_has_nothing_to_cancel() -> None:
    net = Network([2, 2, 1], hidden="tanh", output="sigmoid", loss="quadratic")
    blocks = example_context(_drawn(net), "md", "bishop")["blocks"]
    assert not any(line.identities for block in blocks for line in block.lines)
    assert "denominator" not in render_example(_drawn(net), "md", notation="bishop")


@pytest.mark.parametrize("hidden, loss, said", [("tanh", "bce", True), ("tanh", "quadratic", False),
                                                ("softplus", "quadratic", True), ("softplus", "bce", True)])
def test_the_natural_logarithm_is_said_once_where_a_display_takes_a_log(hidden: str, loss: str, said: bool) -> None:
    net = Network([2, 2, 1], hidden=hidden, output="sigmoid", loss=loss)
    X, Y = random_batch(net, 2, 0)
    text = render_example(worked_example(net, random_parameters(net, 0), X, Y), "md", notation="bishop")
    assert text.count("natural logarithm") == (1 if said else 0)


def test_the_headings_are_short_and_say_the_training_example() -> None:
    text = render_example(_drawn(BCE), "tex", notation="bishop")
    assert r"\section*{Parameters and the training example}" in text
    headings = [line for line in text.splitlines() if line.startswith(r"\section*{Backward pass")]
    assert headings == [
        r"\section*{Backward pass, output layer: $\boldsymbol{\delta}^{(2)}$ and gradients of $\mathbf{W}^{(2)}$, "
        r"$\mathbf{b}^{(2)}$}",
        r"\section*{Backward pass, hidden layer 1: $\boldsymbol{\delta}^{(1)}$ and gradients of $\mathbf{W}^{(1)}$, "
        r"$\mathbf{b}^{(1)}$}"]


def test_the_cli_draws_the_example_the_audit_read() -> None:
    result = runner.invoke(app, ["example", "2-2-1", "--hidden", "tanh", "--output", "sigmoid", "--loss", "bce",
                                 "--notation", "bishop", "--format", "md", "--verify"])
    assert result.exit_code == 0, result.output
    assert "numbers verified" in result.output and "one training example" in result.output
    assert re.search(r"^r_\{1\} &= [01]$", result.output, flags=re.M)
    assert r"\tanh'(a^{(1)}_{1})\,\delta^{(2)}_{1}\,w^{(2)}_{11}" in result.output
