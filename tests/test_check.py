"""The independent references agree with each other, and check_grads catches a wrong gradient.

The hand-written NumPy backprop is the truth the compiled functions are tested against, so it is itself tested
here against finite differences, torch.autograd and jax.grad, without the engine.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbackprop import check, references
from symbackprop.errors import BackendError, DataError, SizeLimitError, UnknownNameError
from symbackprop.network import Network
from symbackprop.params import random_batch, random_parameters
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


def test_a_negative_seed_is_rejected() -> None:
    with pytest.raises(DataError, match="seed must be a non-negative integer, got -1"):
        check.check_grads(Network([2, 3, 1]), seed=-1)


def test_random_parameters_of_a_huge_network_are_refused_before_allocating() -> None:
    with pytest.raises(SizeLimitError, match="100000-100000-1 has 10,000,200,001 parameters; .* at most 50,000,000"):
        check.check_grads(Network([100000, 100000, 1]))
