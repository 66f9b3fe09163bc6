"""A worked example's printed numbers against the truth at its own point (symbackprop.documents.example_check):
every result counted, each to its printed digits, the truth found apart from the compiled trace, and a number off
in its last printed digit caught."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pytest

from symbackprop import Network
from symbackprop.codegen.compile import CompiledGradient
from symbackprop.derive.truth import VerificationError
from symbackprop.documents import example_check
from symbackprop.documents.example import WorkedExample, example_json, worked_example
from symbackprop.documents.example_blocks import example_context
from symbackprop.documents.example_check import (
    ExampleTruth,
    check_verifiable_example,
    example_truth,
    verify_blocks,
    verify_example,
    verify_json,
)
from symbackprop.documents.example_lines import Block, Line
from symbackprop.errors import SizeLimitError
from symbackprop.model.params import random_batch, random_parameters

pytestmark = pytest.mark.timeout(120)

#: (network, notation, examples, format): concrete activations and losses of every kind the example allows.
CASES = [
    (Network([2, 2, 1]), "bishop", 1, "md"),
    (Network([2, 3, 2], hidden="tanh", output="softmax", loss="sparse_cross_entropy"), "goodfellow", 2, "tex"),
    (Network([3, 3, 2], hidden="relu", output="softmax", loss="cross_entropy", bias="shared"), "ng", 5, "md"),
    (Network([2, 2, 2], hidden="tanh", output="sigmoid", loss="bce", bias="none"), "input-major", 2, "json"),
    (Network([2, 2, 2], bias="neuron"), "ng", 2, "md"),
    (Network([2, 2, 2]), "nielsen", 4, "json"),
]


def _example(net: Network, examples: int, seed: int = 0) -> WorkedExample:
    X, Y = random_batch(net, examples, seed + 1)
    return worked_example(net, random_parameters(net, seed), X, Y, lr=0.5)


def _document(example: WorkedExample, notation: str, fmt: str) -> dict:
    return example_json(example, notation) if fmt == "json" else example_context(example, fmt, notation)


def _expected_count(example: WorkedExample, fmt: str) -> int:
    """The results the document prints, counted from the network's shape and the batch's size."""
    net, m = example.network, example.examples
    neurons = sum(net.layers[1:])
    parameters = sum(len(list(matrix)) for matrix in net.parameters.values())
    if fmt == "json":  # C, every z, a and delta of every example, each gradient and updated parameter, C after
        return 1 + 3 * neurons * m + 2 * parameters + 1
    shown = min(m, 3)
    forward = shown * (2 * neurons + 1)  # z, a and c of each example shown
    costs = 2 * (m + 1) if m > 1 else 0  # C and each c, before and after the step
    moved = example.loss_after != example.loss
    return forward + costs + shown * neurons + parameters + 2 * parameters + 2 + moved


@pytest.mark.parametrize("net, notation, examples, fmt", CASES)
def test_every_printed_number_equals_the_truth_and_is_counted(net: Network, notation: str, examples: int,
                                                                fmt: str) -> None:
    example = _example(net, examples)
    found = verify_example(example, _document(example, notation, fmt))
    assert found.numbers == _expected_count(example, fmt)
    assert found.report().startswith(f"{found.numbers} numbers verified (each equal to the true value at the "
                                     "example's point, to its printed digits")


def _off_by_one_unit(value: float, digits: int = 4) -> float:
    """``value`` one unit of its last printed digit (of ``digits`` significant) higher."""
    return value + 10.0 ** (math.floor(math.log10(abs(value))) - digits + 1)


@pytest.mark.parametrize("fmt", ["md", "tex", "json"])
def test_a_gradient_off_in_its_last_printed_digit_fails(fmt: str) -> None:
    example = _example(Network([2, 2, 1]), 1)
    gradients = dict(example.gradients)
    gradients["W2"] = gradients["W2"].copy()
    gradients["W2"][0, 1] = _off_by_one_unit(float(gradients["W2"][0, 1]))
    wrong = dataclasses.replace(example, gradients=gradients)
    with pytest.raises(VerificationError, match=r"prints .* where the true value .* significant digits"):
        verify_example(wrong, _document(wrong, "bishop", fmt))


def test_a_forward_value_of_the_trace_off_in_its_last_printed_digit_fails() -> None:
    example = _example(Network([2, 3, 2], hidden="tanh", output="softmax", loss="sparse_cross_entropy"), 2)
    a = {layer: np.array(values, dtype=np.float64) for layer, values in example.trace.a.items()}
    a[1][1, 2] = _off_by_one_unit(float(a[1][1, 2]))  # example 2's a^1_3
    wrong = dataclasses.replace(example, trace=dataclasses.replace(example.trace, a=a))
    with pytest.raises(VerificationError, match="example 2"):
        verify_example(wrong, example_context(wrong, "md", "nielsen"))


def _with_line(blocks: list[Block], index: int, change: Callable[[Line], Line]) -> list[Block]:
    """The blocks with line ``index`` (counted over every block) changed."""
    out, seen = [], 0
    for block in blocks:
        lines = list(block.lines)
        for i, line in enumerate(lines):
            if seen == index:
                lines[i] = change(line)
            seen += 1
        out.append(dataclasses.replace(block, lines=tuple(lines)))
    return out


def test_a_printed_number_that_is_not_what_its_line_recorded_fails() -> None:
    """The numbers are read from what the template prints: a line's value changed after it was recorded fails."""
    example = _example(Network([2, 2, 1]), 1)
    blocks = example_context(example, "md", "bishop")["blocks"]
    first = next(i for i, line in enumerate(line for b in blocks for line in b.lines) if line.numbers)
    wrong = _with_line(blocks, first, lambda line: dataclasses.replace(line, value=line.value + "1"))
    with pytest.raises(VerificationError, match="does not print its value"):
        verify_blocks(example, wrong)


def test_a_printed_number_one_unit_off_fails_and_the_message_names_it() -> None:
    example = _example(Network([2, 2, 1]), 1)
    blocks = example_context(example, "md", "bishop")["blocks"]
    index = next(i for i, line in enumerate(line for b in blocks for line in b.lines) if line.numbers)

    def off(line: Line) -> Line:
        (number,) = line.numbers
        text = f"{_off_by_one_unit(float(number.text)):.4g}"
        return dataclasses.replace(line, value=text, numbers=(dataclasses.replace(number, text=text),))

    with pytest.raises(VerificationError, match=r"^Forward pass and loss: \$a\^\{\(1\)\}_\{1\}\$ prints "):
        verify_blocks(example, _with_line(blocks, index, off))


def test_a_json_number_off_in_its_tenth_digit_fails() -> None:
    example = _example(Network([2, 2, 2]), 2)
    data = example_json(example)
    data["delta"]["delta1"][1][0] = _off_by_one_unit(data["delta"]["delta1"][1][0], 10)
    with pytest.raises(VerificationError, match=r"the JSON's delta\.delta1"):
        verify_json(example, data)


@pytest.mark.parametrize("truth, digits, shown, ok", [
    ("0.12345", 4, "0.1234", True),  # half to even, as Python formats a float
    ("0.12355", 4, "0.1236", True),
    ("0.1234500000000001", 4, "0.1235", True),  # within the float's reach of the tie: either way
    ("0.1234500001", 4, "0.1234", False),  # beyond it: the nearer one only
    ("0.1234500001", 4, "0.1235", True),
    ("0.50004", 4, "0.5", True),  # printed without trailing zeros: 0.5 is 0.5000
    ("0.50006", 4, "0.5", False),
    ("-0.0001234567", 4, "-0.0001235", True),
    ("99995", 4, "1E+5", True),
])
def test_a_printed_number_is_the_truth_rounded_to_its_digits(truth: str, digits: int, shown: str, ok: bool) -> None:
    assert example_check._rounds_to(Decimal(truth), digits, Decimal(shown)) is ok


def test_the_truth_is_found_apart_from_the_compiled_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    example = _example(Network([2, 2, 1]), 2)

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the truth evaluated the compiled gradient")

    monkeypatch.setattr(CompiledGradient, "trace", refused)
    monkeypatch.setattr(CompiledGradient, "__call__", refused)
    truth = example_truth(example)
    assert isinstance(truth, ExampleTruth)
    assert float(truth.of(example_check.Quantity("cost"))) == pytest.approx(example.loss, rel=1e-12)


def test_an_example_too_large_to_verify_is_refused_before_anything_is_computed() -> None:
    check_verifiable_example(Network([2, 2, 1]), 277)  # 9 parameters: 2,493
    with pytest.raises(SizeLimitError, match="limited to 2,500 examples times parameters"):
        check_verifiable_example(Network([2, 2, 1]), 278)


def test_a_sum_that_cancels_exactly_passes_as_zero_and_a_small_wrong_number_does_not() -> None:
    """A shared output bias under softmax and cross-entropy: dC/db = mean of sum(a - y) = 0, rounding noise in both
    arithmetics; 10^-6 in its place is a wrong number."""
    net = Network([3, 3, 2], hidden="relu", output="softmax", loss="cross_entropy", bias="shared")
    example = _example(net, 5)
    assert abs(float(example.gradients["b2"].reshape(-1)[0])) < 1e-15
    verify_example(example, example_context(example, "md", "ng"))
    wrong = dataclasses.replace(example, gradients={**example.gradients, "b2": np.full_like(example.gradients["b2"],
                                                                                            1e-6)})
    with pytest.raises(VerificationError, match="prints 1.000 \\\\times 10\\^\\{-6\\}"):
        verify_example(wrong, example_context(wrong, "md", "ng"))


#: Softmax outputs under a shared output bias, which moves every z^L_j alike: its gradient is exactly 0, any loss.
SHARED_SOFTMAX = [Network([2, 3, 3], hidden=hidden, output="softmax", loss=loss, bias="shared")
                  for hidden, loss in (("relu", "cross_entropy"), ("tanh", "sparse_cross_entropy"),
                                       ("sigmoid", "quadratic"))]


@pytest.mark.parametrize("net", SHARED_SOFTMAX, ids=lambda net: net.loss.name)
def test_a_gradient_the_derivation_proves_zero_prints_as_0_and_verifies(net: Network) -> None:
    """The trace's sum of the output error terms is rounding noise (about 1e-17); the derivation's formulas prove
    it 0 (example_zeros), so every format prints 0, the step p - eta 0 leaves p as it was, and --verify agrees."""
    example = _example(net, 2, seed=2)
    X, Y = random_batch(net, 2, 3)
    trace = net.compile(form="scalar").trace(example.params, X, Y)
    assert float(np.asarray(trace.gradients["b2"]).reshape(-1)[0]) != 0  # the noise the example does not show
    assert float(example.gradients["b2"].reshape(-1)[0]) == 0.0 and example_json(example)["gradients"]["b2"] == 0.0
    assert example_json(example)["updated"]["b2"] == float(example.params["b2"].reshape(-1)[0])
    for fmt in ("md", "tex"):
        blocks = example_context(example, fmt, "nielsen")["blocks"]
        (line,) = [line for block in blocks for line in block.lines if line.lhs == r"\frac{\partial C}{\partial b^{2}}"]
        assert line.value == "0" and r"\times 10^" not in line.value
        verify_blocks(example, blocks)
    verify_json(example, example_json(example))


def test_only_what_the_formulas_make_zero_is_proven_zero_and_a_tiny_true_value_prints_as_it_is() -> None:
    """Nothing else is proven: a shared bias under sigmoid outputs, a softmax's own biases, a hidden shared bias.
    A saturated sigmoid's gradient of about 4e-18 is a true value, not noise, and prints with its digits."""
    from symbackprop.documents.example_zeros import exact_zeros

    shared = SHARED_SOFTMAX[0]
    proven = exact_zeros(shared.derive(forms=("element",)))
    assert proven == {shared.parameters["b2"][0]}
    for net in (Network([2, 3, 3], output="softmax", loss="cross_entropy"), Network([2, 3, 2], bias="shared")):
        assert exact_zeros(net.derive(forms=("element",))) == frozenset()
    tiny = worked_example(Network([1, 1]), {"W1": [[-20.0]], "b1": [0.0]}, [[1.0]], [[0.0]])
    gradient = float(tiny.gradients["W1"][0, 0])
    assert 1e-18 < gradient < 1e-17  # σ(-20)^2 (1 - σ(-20)), every digit of it the float's
    blocks = example_context(tiny, "md", "nielsen")["blocks"]
    lhs = r"\frac{\partial C}{\partial w^{1}_{11}}"
    (line,) = [line for block in blocks for line in block.lines if line.lhs == lhs]
    assert line.value == r"4.248 \times 10^{-18}"
    verify_blocks(tiny, blocks)


def test_a_gradient_wrongly_proven_zero_fails_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sabotage: were the output weights' gradients taken for exact zeros too, --verify would catch the 0 they
    print."""
    from symbackprop.documents import example_zeros

    net = SHARED_SOFTMAX[0]
    proven = example_zeros.exact_zeros

    def too_many(derivation: object) -> frozenset:
        return proven(derivation) | frozenset(net.parameters["W2"])  # type: ignore[arg-type]

    monkeypatch.setattr(example_zeros, "exact_zeros", too_many)
    example = _example(net, 2, seed=2)
    assert float(example.gradients["W2"][0, 0]) == 0.0
    with pytest.raises(VerificationError, match=r"prints 0 where the true value"):
        verify_example(example, example_context(example, "md", "nielsen"))
