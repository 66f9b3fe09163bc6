"""The NumPy backend's own machinery: its float64 tanh, its row blocks and its per-thread work arrays.

The property tests in ``test_compile.py`` compare every compiled gradient with the references; these tests
aim at what those could miss: tanh far from the usual range and at special values, layers split into many
blocks, batch sizes that change between calls, calls from several threads, and results that must not share
memory with the arrays the module keeps between calls.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop import Network
from symbackprop.model.params import random_batch, random_parameters
from symbackprop.numeric.references import describe, reference_grad

NET = Network.from_spec("3-5-4-2", hidden="tanh", output="softmax", loss="cross_entropy")


def _module(net: Network = NET, dtype: str = "float64") -> dict[str, Any]:
    return net.compile(backend="numpy", dtype=dtype).namespace


MODULE = _module()
#: Arrays of at least this many values go through the table (smaller ones through NumPy's tanh).
TABLE_FROM = MODULE["_TANH_FROM"]


def _ulps(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    return np.abs(got - want) / np.spacing(np.maximum(np.abs(want), np.finfo(np.float64).tiny))


def test_tanh_is_within_3_ulp_of_numpy_from_0_to_the_saturation_point_and_beyond() -> None:
    tanh = MODULE["tanh"]
    x = np.concatenate([np.linspace(-25, 25, 400_001), np.geomspace(1e-300, 30, 20_000),
                        -np.geomspace(1e-300, 30, 20_000)])
    assert _ulps(tanh(x), np.tanh(x)).max() <= 3


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_tanh_of_any_finite_double_is_within_3_ulp(value: float) -> None:
    x = np.full(TABLE_FROM, value)
    assert _ulps(MODULE["tanh"](x), np.tanh(x)).max() <= 3


def test_tanh_of_special_values() -> None:
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324, 1e300, -1e300, 19.5, -19.5])
    x = np.resize(specials, TABLE_FROM)
    got = MODULE["tanh"](x)
    np.testing.assert_array_equal(got, np.tanh(x))
    assert np.signbit(got[1]) and not np.signbit(got[0]), "tanh(-0.0) is -0.0"


def test_tanh_keeps_the_shape_and_leaves_its_argument_alone() -> None:
    z = np.random.default_rng(0).normal(size=(TABLE_FROM // 4, 5))
    before = z.copy()
    assert MODULE["tanh"](z).shape == z.shape
    np.testing.assert_array_equal(z, before)


def test_small_arrays_take_numpys_tanh() -> None:
    z = np.random.default_rng(1).normal(size=(TABLE_FROM - 1,))
    np.testing.assert_array_equal(MODULE["tanh"](z), np.tanh(z))


def test_float32_uses_numpys_tanh() -> None:
    assert _module(dtype="float32")["tanh"] is np.tanh


def _reference(params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray) -> dict[str, np.ndarray]:
    return reference_grad(describe(NET), params, X, Y)


def _assert_matches(got: dict[str, Any], want: dict[str, Any]) -> None:
    for key, value in want.items():
        np.testing.assert_allclose(np.asarray(got[key]).reshape(np.shape(value)), value, rtol=1e-10, atol=1e-12,
                                   err_msg=key)


@pytest.mark.parametrize("block", [1, 4, 5, 13])
@pytest.mark.parametrize("hidden", ["tanh", "relu", "sigmoid", "elu"])
def test_layers_split_into_many_blocks_give_the_same_gradient(block: int, hidden: str) -> None:
    # BLOCK of 1 to 13 elements splits every layer of a 3-5-4-2 net, batch 9, into blocks of one or more rows
    net = Network.from_spec("3-5-4-2", hidden=hidden, output="softmax", loss="cross_entropy")
    grad = net.compile()
    params = random_parameters(net, 1)
    X, Y = random_batch(net, 9, 2)
    whole = grad(params, X, Y)
    grad.namespace["BLOCK"] = block
    _assert_matches(grad(params, X, Y), whole)
    _assert_matches(whole, reference_grad(describe(net), params, X, Y))


def test_the_batch_size_may_change_from_call_to_call() -> None:
    grad = NET.compile()
    params = random_parameters(NET, 3)
    for m in (5, 8, 1, 5):
        X, Y = random_batch(NET, m, m)
        _assert_matches(grad(params, X, Y), _reference(params, X, Y))


def test_results_are_new_arrays_that_later_calls_leave_alone() -> None:
    grad = NET.compile()
    params = random_parameters(NET, 4)
    X1, Y1 = random_batch(NET, 6, 5)
    X2, Y2 = random_batch(NET, 6, 6)
    first = grad(params, X1, Y1)
    kept = {k: np.copy(v) for k, v in first.items()}
    grad(params, X2, Y2)
    for key, value in kept.items():
        np.testing.assert_array_equal(first[key], value, err_msg=key)


def test_inputs_and_parameters_are_not_modified() -> None:
    grad = NET.compile()
    params = random_parameters(NET, 7)
    X, Y = random_batch(NET, 6, 8)
    copies = {k: v.copy() for k, v in params.items()}, X.copy(), Y.copy()
    grad(params, X, Y)
    for key, value in copies[0].items():
        np.testing.assert_array_equal(params[key], value, err_msg=key)
    np.testing.assert_array_equal(X, copies[1])
    np.testing.assert_array_equal(Y, copies[2])


def test_calls_from_several_threads_at_once_each_get_their_own_gradient() -> None:
    grad = NET.compile()
    params = random_parameters(NET, 9)
    batches = [random_batch(NET, m, 10 + m) for m in (3, 4, 5, 6)]
    expected = [_reference(params, X, Y) for X, Y in batches]
    failures: list[str] = []
    start = threading.Barrier(len(batches))

    def work(i: int) -> None:
        X, Y = batches[i]
        start.wait()
        for _ in range(200):
            try:
                _assert_matches(grad(params, X, Y), expected[i])
            except AssertionError as error:
                failures.append(str(error))
                return

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[0]
