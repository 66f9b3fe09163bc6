"""The independent references agree with each other, and check_grads catches a wrong gradient.

The hand-written NumPy backprop is the truth the compiled functions are tested against, so it is itself tested
here against finite differences, torch.autograd and jax.grad, without the engine.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbackprop import Network
from symbackprop.errors import BackendError, DataError, SizeLimitError, SymbackpropError, UnknownNameError
from symbackprop.model.params import random_batch, random_parameters
from symbackprop.numeric import check, references
from tests.numeric_strategies import networks

HAS_TORCH = importlib.util.find_spec("torch") is not None
HAS_JAX = importlib.util.find_spec("jax") is not None
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_close(got: dict, want: dict, rtol: float) -> None:
    assert list(got) == list(want)
    scale = max(float(np.max(np.abs(v))) for k, v in want.items() if k != "loss")
    for key in want:
        np.testing.assert_allclose(np.asarray(got[key]).reshape(np.shape(want[key])), want[key],
                                   rtol=rtol, atol=rtol * max(scale, 1e-3), err_msg=key)


def _point(net: Network, seed: int) -> tuple[dict, np.ndarray, np.ndarray]:
    X, Y = random_batch(net, 3, seed + 1)
    return random_parameters(net, seed), X, Y


@PROPERTY
@given(net=networks(), seed=st.integers(0, 2**16))
def test_reference_backprop_equals_finite_differences(net: Network, seed: int) -> None:
    desc = references.describe(net)
    params, X, Y = _point(net, seed)
    _assert_close(references.reference_grad(desc, params, X, Y),
                  references.finite_difference_grad(desc, params, X, Y), 1e-5)


@pytest.mark.torch
@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
@PROPERTY
@given(net=networks(), seed=st.integers(0, 2**16))
def test_reference_backprop_equals_torch_autograd(net: Network, seed: int) -> None:
    desc = references.describe(net)
    params, X, Y = _point(net, seed)
    _assert_close(references.reference_grad(desc, params, X, Y), references.torch_grad(desc, params, X, Y), 1e-9)


@pytest.mark.jax
@pytest.mark.skipif(not HAS_JAX, reason="jax is not installed")
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(), seed=st.integers(0, 2**16))
def test_reference_backprop_equals_jax_grad(net: Network, seed: int) -> None:
    desc = references.describe(net)
    params, X, Y = _point(net, seed)
    _assert_close(references.reference_grad(desc, params, X, Y), references.jax_grad(desc, params, X, Y), 1e-9)


def test_reference_handles_targets_that_do_not_sum_to_one_exactly() -> None:
    # softmax + cross-entropy: delta = a * sum(y) - y, whatever the targets
    net = Network([2, 3], activations=["softmax"], loss="cross_entropy")
    desc = references.describe(net)
    params, X, _ = _point(net, 0)
    Y = np.array([[0.5, 0.9, 0.1], [1.0, 1.0, 0.0], [0.0, 0.0, 0.3]])
    _assert_close(references.reference_grad(desc, params, X, Y),
                  references.finite_difference_grad(desc, params, X, Y), 1e-5)


def test_describe_gives_plain_names_and_numbers() -> None:
    net = Network([2, 3, 2], activations=["leaky_relu(0.2)", "softmax"], loss="sparse_cross_entropy", bias="shared")
    assert references.describe(net) == references.Description((2, 3, 2), (("leaky_relu", 0.2), ("softmax", 0.0)),
                                                    "sparse_cross_entropy", "shared")


def test_check_grads_passes_the_compiled_gradient_and_prints_a_table() -> None:
    net = Network([2, 3, 1], hidden="tanh", output="sigmoid", loss="bce")
    report = check.check_grads(net, seed=3)
    assert report.ok
    table = report.table()
    assert "reference" in table and "finite_differences" in table and "W1" in table and "b2" in table
    assert table.splitlines()[-1] == "all gradients agree"
    quantities = {(row.reference, row.quantity) for row in report.rows}
    assert ("reference", "loss") in quantities and ("finite_differences", "W2") in quantities


def test_check_grads_fails_a_wrong_gradient() -> None:
    net = Network([2, 3, 2], hidden="tanh", output="softmax", loss="cross_entropy")
    right = net.compile()

    def wrong(params, X, Y):  # type: ignore[no-untyped-def]
        result = dict(right(params, X, Y))
        result["W1"] = result["W1"] * 1.001
        return result

    report = check.check_grads(net, grad=wrong, references=["reference"])
    assert not report.ok
    failing = [row.quantity for row in report.rows if not row.ok]
    assert failing == ["W1"]
    assert "GRADIENTS DISAGREE" in report.table()


def test_check_grads_with_given_point_and_flat_biases() -> None:
    net = Network([3, 2, 2], hidden="relu", output="linear", loss="mse")
    params, X, Y = _point(net, 5)
    flat = {k: (v.reshape(-1) if k.startswith("b") else v) for k, v in params.items()}
    assert check.check_grads(net, flat, X, Y, references=["reference", "finite_differences"]).ok


def test_unknown_reference_is_rejected_by_name() -> None:
    with pytest.raises(UnknownNameError, match="finite_differences"):
        check.check_grads(Network([1, 1]), references=["finite_difference"])


def test_a_missing_library_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check, "installed", lambda library: library != "jax")
    with pytest.raises(BackendError, match=r"symbackprop\[jax\]"):
        check.check_grads(Network([1, 1]), references=["jax"])
    report = check.check_grads(Network([1, 1]))
    assert ("jax", "not installed (pip install 'symbackprop[jax]')") in report.skipped


def test_finite_differences_are_skipped_for_large_nets_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check, "FD_MAX_PARAMETERS", 5)
    report = check.check_grads(Network([2, 3, 1]), references=None)
    assert [name for name, _ in report.skipped if name == "finite_differences"] == ["finite_differences"]
    assert check.check_grads(Network([2, 3, 1]), references=["finite_differences"]).ok


def test_finite_differences_too_long_to_run_are_skipped_or_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check, "FD_MAX_WORK", 1000)  # 2-3-1 on 4 examples: 2 * 13 * 4 * (13 + 6) = 1,976
    report = check.check_grads(Network([2, 3, 1]), references=None)
    assert ("finite_differences", "4 examples are too many for it; check fewer") in report.skipped
    with pytest.raises(SizeLimitError, match="finite differences on 2-3-1 with 4 examples take about 2e"):
        check.check_grads(Network([2, 3, 1]), references=["finite_differences"])


@pytest.mark.parametrize("references", [[], (), "", ","])
def test_an_empty_list_of_references_is_refused_rather_than_checking_nothing(references: Any) -> None:
    with pytest.raises(SymbackpropError, match="no reference given; allowed: reference, finite_differences"):
        check.check_grads(Network([2, 3, 1]), references=references)


def test_a_negative_seed_is_rejected() -> None:
    with pytest.raises(DataError, match="seed must be a non-negative integer, got -1"):
        check.check_grads(Network([2, 3, 1]), seed=-1)


def test_random_parameters_of_a_huge_network_are_refused_before_allocating() -> None:
    with pytest.raises(SizeLimitError, match="100000-100000-1 has 10,000,200,001 parameters; .* at most 50,000,000"):
        check.check_grads(Network([100000, 100000, 1]))


# ------------------------------------------------------------------------------------ the tolerance
def test_a_zero_gradient_computed_in_float32_is_not_a_false_alarm() -> None:
    # b3 is zero in exact arithmetic (a shared bias under softmax sums deltas that sum to zero); float32 leaves
    # rounding errors of about 1e-8, relative to nothing. Found by tests/codegen/test_compile.py with
    # --hypothesis-seed=22.
    net = Network([1, 1, 1, 2], activations=["sigmoid", "relu", "softmax"], loss="bce", bias="shared")
    report = check.check_grads(net, backend="numpy", form="scalar", dtype="float32", seed=221,
                               references=["reference"])
    assert report.ok, report.table()
    b3 = next(row for row in report.rows if row.quantity == "b3")
    assert 0 < b3.max_abs <= b3.atol and b3.rtol == check.TOLERANCES[("float32", "exact")]
    # S = 1.468, the largest sum_j |dc/dz^3_j| (above |loss| = 1.386; every gradient is 0, relu being dead)
    assert b3.atol == pytest.approx(check.ATOL_ULPS * (2.0**-23 + 2.0**-52) * 1.468, rel=1e-3)


def test_a_wrong_zero_gradient_is_caught_in_float64() -> None:
    # the same structural zero, but float64 and off by 1e-10: far above float64 rounding, so a disagreement
    net = Network([1, 1, 1, 2], activations=["sigmoid", "relu", "softmax"], loss="bce", bias="shared")
    right = net.compile(form="scalar")

    def wrong(params, X, Y):  # type: ignore[no-untyped-def]
        return {**right(params, X, Y), "b3": np.full((1, 1), 1e-10)}

    assert check.check_grads(net, grad=right, seed=221, references=["reference"]).ok
    report = check.check_grads(net, grad=wrong, seed=221, references=["reference"])
    assert [row.quantity for row in report.rows if not row.ok] == ["b3"]


@pytest.mark.parametrize("scale", [1.0, 1e-6])
def test_a_small_relative_error_is_caught_in_float64(scale: float) -> None:
    # off by 1e-4 relative, in gradients of ordinary size and in gradients a million times smaller than 1
    net = Network([2, 3, 2], hidden="tanh", output="linear", loss="quadratic")
    params, X, _ = _point(net, 4)
    outputs = np.tanh(X @ params["W1"].T + params["b1"].T) @ params["W2"].T + params["b2"].T
    Y = outputs + scale * np.random.default_rng(0).normal(size=outputs.shape)  # delta = a - y of size `scale`
    right = net.compile()

    def wrong(params, X, Y):  # type: ignore[no-untyped-def]
        result = dict(right(params, X, Y))
        result["W1"] = result["W1"] * (1 + 1e-4)
        return result

    want = references.reference_grad(references.describe(net), params, X, Y)
    assert scale / 100 < np.abs(want["W1"]).max() < scale
    assert check.check_grads(net, params, X, Y, grad=right, references=["reference"]).ok
    report = check.check_grads(net, params, X, Y, grad=wrong, references=["reference"])
    assert [row.quantity for row in report.rows if not row.ok] == ["W1"]


def test_the_table_states_the_tolerance_of_every_row() -> None:
    report = check.check_grads(Network([2, 2, 1], hidden="tanh", output="sigmoid", loss="bce"), seed=1,
                               references=["reference", "finite_differences"])
    lines = report.table().splitlines()
    assert lines[1].startswith("tolerance: |error| <= atol + rtol*max|reference| per quantity")
    header = next(i for i, line in enumerate(lines) if line.startswith("reference "))
    assert lines[header].split()[-3:] == ["rtol", "atol", "ok"]
    fd = next(row for row in report.rows if row.reference == "finite_differences")
    exact = next(row for row in report.rows if row.reference == "reference")
    assert (exact.rtol, fd.rtol) == (1e-8, 1e-5) and fd.atol > 1000 * exact.atol > 0
    rows = lines[header + 1:header + 1 + len(report.rows)]
    assert f"{fd.rtol:.1e}" in rows[len(report.rows) // 2] and f"{fd.atol:.1e}" in rows[-1]


# ------------------------------------------------------------------------------------ bad arguments
@pytest.mark.parametrize("examples", [0, -1, -10**9, 2.5, True, "3"])
def test_examples_must_be_at_least_one(examples: object) -> None:
    with pytest.raises(DataError, match=r"^examples must be at least 1 .*, got "):
        check.check_grads(Network([2, 3, 1]), examples=examples)  # type: ignore[arg-type]


def test_a_given_point_is_checked_before_any_gradient_runs() -> None:
    net = Network([2, 3, 2], hidden="tanh", output="softmax", loss="cross_entropy")
    params, X, Y = _point(net, 0)
    calls = []

    def spy(params, X, Y):  # type: ignore[no-untyped-def]
        calls.append(1)
        return {}

    with pytest.raises(DataError, match="examples must be at least 1"):
        check.check_grads(net, params, X[:0], Y[:0], grad=spy)
    with pytest.raises(DataError, match=r"inputs X must be numbers; found the string .a. at index \[0, 0\]"):
        check.check_grads(net, params, [["a", 1.0]], Y[:1], grad=spy)
    with pytest.raises(DataError, match="parameter 'W1' must be numbers; found (None|null)"):
        check.check_grads(net, {**params, "W1": np.full((3, 2), None)}, X, Y, grad=spy)
    with pytest.raises(UnknownNameError, match="unknown dtype 'float16'"):
        check.check_grads(net, params, X, Y, grad=spy, dtype="float16")
    assert calls == []


@pytest.mark.torch
@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
def test_check_grads_takes_tensors_that_require_grad() -> None:
    import torch

    net = Network([2, 3, 1], hidden="tanh", output="sigmoid", loss="bce")
    params, X, Y = _point(net, 0)
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    assert check.check_grads(net, tensors, torch.tensor(X), torch.tensor(Y), backend="torch",
                             references=["reference"]).ok


@pytest.mark.parametrize(("call", "message"), [
    (lambda net, p: check.check_grads(net, p, np.zeros((1, 2))), "give X and Y together, or neither"),
    (lambda net, p: check.check_grads(net, examples=10**12), "examples must be at most 100,000"),
    (lambda net, p: net.compile()(p, [[10**400, 1]], [0]), "must be numbers a float can hold"),
    (lambda net, p: net.compile()(p, [[1, 1], [2, 2]], [10**30, 1]), r"label 1e\+30 of example 0 is out of range"),
])
def test_more_bad_calls_are_data_errors(call, message: str) -> None:  # type: ignore[no-untyped-def]
    net = Network([2, 2, 3], hidden="tanh", output="softmax", loss="sparse_cross_entropy")
    with pytest.raises(DataError, match=message):
        call(net, random_parameters(net, 0))


def test_references_may_be_named_in_one_string_as_on_the_command_line() -> None:
    net = Network([2, 2, 1])
    report = check.check_grads(net, references="reference,finite_differences")
    assert report.ok and {row.reference for row in report.rows} == {"reference", "finite_differences"}


def test_check_grads_is_part_of_the_public_api() -> None:
    import symbackprop

    assert symbackprop.check_grads is check.check_grads and "check_grads" in symbackprop.__all__
    with pytest.raises(AttributeError, match="no attribute 'check_grad'"):
        symbackprop.check_grad  # noqa: B018
