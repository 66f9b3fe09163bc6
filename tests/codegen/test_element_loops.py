"""The NumPy module's element loops (numba): the same gradients as its array functions, on every activation.

A hidden layer's bias, activation and BP2 factor run as one compiled loop where numba is installed; the loops
are written from the same SymPy expressions as the array functions, printed for one number at a time.
Here every loop is compared with the module's NumPy path and with the independent hand-written backprop.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbackprop import Network
from symbackprop.codegen import compile as compiler
from symbackprop.model.activations import ACTIVATIONS
from symbackprop.model.params import random_batch, random_parameters
from symbackprop.numeric.check import check_grads
from symbackprop.numeric.references import describe, reference_grad
from tests.numeric_strategies import networks

pytestmark = [pytest.mark.numba,
              pytest.mark.skipif(importlib.util.find_spec("numba") is None, reason="numba is not installed")]

ELEMENTWISE = [name for name, act in ACTIVATIONS.items() if act.elementwise and not act.generic]
ACTIVATION_SPECS = [f"{name}(0.2)" if name == "leaky_relu" else name for name in ELEMENTWISE]


def _pair(net: Network, dtype: str = "float64") -> tuple[compiler.CompiledGradient, compiler.CompiledGradient]:
    """The same module twice: element loops on every layer (FUSE_FROM = 0), and NumPy alone."""
    fused = compiler.compile_network(net, "numpy", dtype=dtype)
    fused.namespace["FUSE_FROM"] = 0
    alone = compiler.compile_network(net, "numpy", dtype=dtype)
    alone.namespace["FUSED"] = False
    return fused, alone


def _batch(net: Network, dtype: str = "float64", seed: int = 3, scale: float = 1.0,  # type: ignore[no-untyped-def]
           examples: int = 7):
    params = {k: (scale * v).astype(dtype) for k, v in random_parameters(net, seed).items()}
    X, Y = random_batch(net, examples, seed)
    return params, X.astype(dtype), Y.astype(dtype)


def _load(path: Path) -> ModuleType:
    """The generated module written at ``path``, imported from there (so numba may cache beside it)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _loop_was_compiled(grad: compiler.CompiledGradient, name: str) -> bool:
    return bool(grad.namespace[name].signatures)


@pytest.mark.parametrize("bias", ["vector", "shared", "neuron", "none"])
@pytest.mark.parametrize("hidden", ACTIVATION_SPECS)
def test_loops_give_the_gradients_of_numpy_and_of_the_reference(hidden: str, bias: str) -> None:
    net = Network.from_spec("3-4-5-2", hidden=hidden, output="sigmoid", loss="bce", bias=bias)
    fused, alone = _pair(net)
    params, X, Y = _batch(net, scale=3.0)  # pre-activations on both sides of every kink and far into the tails
    got, numpy_path = fused(params, X, Y), alone(params, X, Y)
    assert _loop_was_compiled(fused, "g1_forward")
    truth = reference_grad(describe(net), params, X, Y)
    for name in numpy_path:
        np.testing.assert_allclose(got[name], numpy_path[name], rtol=1e-13, atol=1e-15, err_msg=name)
        np.testing.assert_allclose(got[name], truth[name], rtol=1e-9, atol=1e-12, err_msg=name)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(), seed=st.integers(0, 2**16))
def test_loops_on_random_architectures_equal_every_reference(net: Network, seed: int) -> None:
    fused = compiler.compile_network(net, "numpy")
    fused.namespace["FUSE_FROM"] = 0
    report = check_grads(net, seed=seed, examples=3, grad=fused)
    assert report.ok, report.table()


@pytest.mark.parametrize("hidden", ["tanh", "sigmoid", "relu", "gelu", "elu"])
def test_float32_loops_agree_to_float32_tolerance(hidden: str) -> None:
    net = Network.from_spec("4-6-5-3", hidden=hidden, output="softmax", loss="cross_entropy")
    fused, alone = _pair(net, "float32")
    params, X, Y = _batch(net, "float32")
    got, numpy_path = fused(params, X, Y), alone(params, X, Y)
    for name in numpy_path:
        assert got[name].dtype == np.float32
        np.testing.assert_allclose(got[name], numpy_path[name], rtol=2e-5, atol=1e-6, err_msg=name)


# arithmetic alone: sigmoid's e^-|z| is NumPy's exp on one path and libm's on the other, equal only on some CPUs
@pytest.mark.parametrize("hidden", ["tanh", "relu"])
def test_the_loops_of_tanh_and_relu_give_the_same_bits(hidden: str) -> None:
    net = Network.from_spec("5-8-7-3", hidden=hidden, output="softmax", loss="cross_entropy")
    fused, alone = _pair(net)
    params, X, Y = _batch(net, scale=2.0, examples=300)  # layers of 2,400 and 2,100 values: NumPy's tanh uses its table
    got, numpy_path = fused(params, X, Y), alone(params, X, Y)
    assert all(np.array_equal(got[name], numpy_path[name]) for name in got)


def test_tanh_for_one_number_is_the_array_tanh_bit_for_bit() -> None:
    namespace = compiler.compile_network(Network.from_spec("2-3-2", hidden="tanh", output="softmax",
                                                           loss="cross_entropy")).namespace
    steps = np.arange(-5200, 5201) / 256
    z = np.concatenate([
        np.random.default_rng(0).normal(scale=6, size=20000),
        steps, steps + 1 / 512, steps - 1 / 512,  # on the table and halfway between its points (ties)
        [0.0, -0.0, 19.5, -19.5, 19.501, 1e300, -1e300, np.inf, -np.inf, 5e-324, -5e-324],
    ])
    array = namespace["tanh"](z)
    one = np.array([namespace["tanh_at"](value) for value in z])
    assert np.array_equal(np.signbit(one), np.signbit(array))
    assert np.array_equal(one, array)
    assert np.isnan(namespace["tanh_at"](np.nan))


def test_a_nan_pre_activation_gives_nan_without_reading_outside_the_table() -> None:
    net = Network.from_spec("2-4-2", hidden="tanh", output="softmax", loss="cross_entropy")
    fused, alone = _pair(net)
    z = np.random.default_rng(1).normal(scale=5, size=(64, 4))
    z[::3, 1], z[5, 2], z[7, 3] = np.nan, np.inf, -np.inf
    a = np.empty_like(z)
    fused.namespace["g1_forward"](z, np.zeros(4), a)
    assert np.array_equal(np.isnan(a), np.isnan(z))
    assert a[5, 2] == 1 and a[7, 3] == -1
    params, X, Y = _batch(net)
    X[0, 0] = np.nan
    got, numpy_path = fused(params, X, Y), alone(params, X, Y)
    assert all(np.array_equal(np.isnan(got[name]), np.isnan(numpy_path[name])) for name in got)


def test_layers_with_the_same_activation_share_their_loops() -> None:
    net = Network.from_spec("3-4-4-4-2", activations=["tanh", "sigmoid", "tanh", "softmax"], loss="cross_entropy")
    source = compiler.generate_source(net, "numpy")
    assert source.count("def g1_forward(") == 1 and source.count("def g2_forward(") == 1
    assert "def g3_forward(" not in source
    assert '_activate(g3, Z3, b3.reshape(1, -1), "A3", g1_forward)' in source
    assert "_times_prime(D3, g3_prime, Z3, A3, g1_backward)" in source


def test_a_linear_hidden_layer_has_no_backward_loop() -> None:
    source = compiler.generate_source(Network.from_spec("3-4-2", hidden="linear", output="sigmoid", loss="bce"))
    assert "def g1_forward(" in source and "def g1_backward(" not in source


def test_other_backends_and_the_scalar_form_have_no_element_loops() -> None:
    net = Network.from_spec("3-4-2", hidden="tanh", output="sigmoid", loss="bce")
    for backend, form in (("torch", "vectorized"), ("jax", "vectorized"), ("numpy", "scalar")):
        assert "numba" not in compiler.generate_source(net, backend, form)


def test_small_layers_stay_with_numpy_and_compile_nothing() -> None:
    net = Network.from_spec("3-4-2", hidden="tanh", output="sigmoid", loss="bce")
    grad = compiler.compile_network(net)
    assert grad.namespace["FUSED"] and 7 * 4 < grad.namespace["FUSE_FROM"]
    grad(*_batch(net))
    assert not _loop_was_compiled(grad, "g1_forward")


def test_without_numba_the_module_uses_numpy_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    net = Network.from_spec("3-4-2", hidden="tanh", output="sigmoid", loss="bce")
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba raises ImportError
    grad = compiler.compile_network(net)
    grad.namespace["FUSE_FROM"] = 0
    assert grad.namespace["numba"] is None and not grad.namespace["FUSED"]
    params, X, Y = _batch(net)
    truth = reference_grad(describe(net), params, X, Y)
    result = grad(params, X, Y)
    for name in truth:
        np.testing.assert_allclose(result[name], truth[name], rtol=1e-10, err_msg=name)


def _written_module_with_loops_on(path: Path) -> ModuleType:
    """A 3-5-2 tanh module written at ``path`` and imported from there, its loops run once and checked."""
    net = Network.from_spec("3-5-2", hidden="tanh", output="sigmoid", loss="bce")
    path.write_text(compiler.generate_source(net), encoding="utf-8")
    module = _load(path)
    module.FUSE_FROM = 0
    params, X, Y = _batch(net)
    truth = reference_grad(describe(net), params, X, Y)
    result = module.grad(params, X, Y)
    for name in truth:
        np.testing.assert_allclose(result[name], truth[name], rtol=1e-10, err_msg=name)
    return module


def test_a_written_module_keeps_its_compiled_loops_beside_it(tmp_path: Path) -> None:
    _written_module_with_loops_on(tmp_path / "grads.py")
    cached = [p.name for p in (tmp_path / "__pycache__").iterdir()]
    assert any(name.startswith("grads.g1_forward") and name.endswith(".nbi") for name in cached), cached


def test_a_written_module_loads_where_numba_has_no_folder_for_its_cache(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import numba

    njit = numba.njit

    def no_cache(*args, cache=False, **options):  # type: ignore[no-untyped-def]
        if cache:
            raise RuntimeError("cannot cache function 'g1_at': no locator available for file")
        return njit(*args, **options)

    monkeypatch.setattr(numba, "njit", no_cache)
    module = _written_module_with_loops_on(tmp_path / "grads_uncached.py")
    assert module.g1_forward.signatures
    assert not [p for p in tmp_path.glob("__pycache__/*") if p.suffix in (".nbi", ".nbc")]
