"""Compiled gradients equal the independent references, on every backend, form and dtype.

The truth is :mod:`symbackprop.numeric.references` (a hand-written NumPy backprop, finite differences, torch.autograd,
jax.grad), never the engine the compiled code comes from.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbackprop import Network
from symbackprop.codegen import compile as compiler
from symbackprop.codegen import kernels, printers
from symbackprop.codegen.printers import Nonpos, Sigmoid, Softplus, stabilize
from symbackprop.codegen.scalar import read_trace
from symbackprop.derive.engine import derive
from symbackprop.errors import BackendError, DataError, SizeLimitError, SpecError, SymbackpropError, UnknownNameError
from symbackprop.model.activations import A, Z, get_activation
from symbackprop.model.losses import LOSSES
from symbackprop.model.params import random_batch, random_parameters
from symbackprop.numeric.check import check_grads
from symbackprop.numeric.references import describe, output_delta, reference_grad, torch_grad
from symbackprop.templating import environment
from tests.numeric_strategies import HIDDEN, networks

HAS = {name: importlib.util.find_spec(name) is not None for name in ("torch", "jax")}
BACKENDS = [
    "numpy",
    pytest.param("torch", marks=[pytest.mark.torch, pytest.mark.skipif(not HAS["torch"], reason="no torch")]),
    pytest.param("jax", marks=[pytest.mark.jax, pytest.mark.skipif(not HAS["jax"], reason="no jax")]),
]
INSTALLED = ["numpy"] + [name for name in ("torch", "jax") if HAS[name]]
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _fails(report) -> str:  # type: ignore[no-untyped-def]
    return report.table()


# ------------------------------------------------------------------------------------ property tests
@PROPERTY
@given(net=networks(), seed=st.integers(0, 2**16), backend=st.sampled_from(INSTALLED))
def test_vectorized_gradient_equals_every_reference(net: Network, seed: int, backend: str) -> None:
    report = check_grads(net, backend=backend, seed=seed, examples=3)
    assert report.ok, _fails(report)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(max_depth=2, max_width=3), seed=st.integers(0, 2**16), backend=st.sampled_from(INSTALLED))
def test_scalar_gradient_equals_every_reference(net: Network, seed: int, backend: str) -> None:
    report = check_grads(net, backend=backend, form="scalar", seed=seed, examples=3)
    assert report.ok, _fails(report)


@PROPERTY
@given(net=networks(), seed=st.integers(0, 2**16), backend=st.sampled_from(INSTALLED),
       form=st.sampled_from(["vectorized", "scalar"]))
def test_float32_agrees_with_the_float64_reference(net: Network, seed: int, backend: str, form: str) -> None:
    if form == "scalar" and net.parameter_count > 40:
        net = Network(net.layers[-2:], activations=[a.label for a in net.activations[-1:]], loss=net.loss.name,
                      bias=net.bias)
    report = check_grads(net, backend=backend, form=form, dtype="float32", seed=seed, references=["reference"])
    assert report.ok, _fails(report)
    grad = compiler.compile_network(net, backend, form, "float32")
    params = random_parameters(net, seed)
    X, Y = random_batch(net, 3, seed)
    assert all(str(value.dtype).endswith("float32") for value in grad(params, X, Y).values())


# ------------------------------------------------------------------------------------ every combination once
def pairwise(first: Sequence[Any], second: Sequence[Any], third: Sequence[Any]) -> list[tuple[Any, Any, Any]]:
    """Every pair of the first two factors once, the third rotating: each value of either of the first two meets
    every value of the third when they have at least as many values as it (pairwise coverage, not the product)."""
    assert len(first) >= len(third) and len(second) >= len(third)
    return [(a, b, third[(i + j) % len(third)]) for i, a in enumerate(first) for j, b in enumerate(second)]


def test_pairwise_covers_every_pair() -> None:
    cases = pairwise("abcd", "xyz", "12")
    for p, q in ((0, 1), (0, 2), (1, 2)):
        assert {(case[p], case[q]) for case in cases} == {(u, v) for u in ("abcd", "xyz", "12")[p]
                                                          for v in ("abcd", "xyz", "12")[q]}


@pytest.mark.parametrize(("hidden", "bias", "backend"), pairwise(HIDDEN, ["vector", "neuron", "none", "shared"],
                                                                 INSTALLED))
def test_every_activation_and_bias_convention(backend: str, bias: str, hidden: str) -> None:
    net = Network([3, 4, 3, 2], activations=[hidden, hidden, "softmax"], loss="cross_entropy", bias=bias)
    assert check_grads(net, backend=backend, seed=7, references=["reference"]).ok


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("form", ["vectorized", "scalar"])
@pytest.mark.parametrize("loss", sorted(name for name, loss in LOSSES.items() if not loss.generic))
def test_every_loss_with_sigmoid_and_softmax_outputs(backend: str, form: str, loss: str) -> None:
    for output in ("sigmoid", "softmax"):
        net = Network([2, 3, 3], hidden="tanh", output=output, loss=loss)
        assert check_grads(net, backend=backend, form=form, seed=11, references=["reference"]).ok


# ------------------------------------------------------------------------------------ shapes and calls
def test_gradients_come_back_in_the_shapes_the_parameters_were_given_in() -> None:
    net = Network([3, 4, 2], hidden="tanh", output="sigmoid", loss="bce")
    params = random_parameters(net, 0)
    X, Y = random_batch(net, 5, 1)
    flat = {k: (v.reshape(-1) if k.startswith("b") else v) for k, v in params.items()}
    column, flattened = net.compile()(params, X, Y), net.compile()(flat, X, Y)
    assert [column[k].shape for k in params] == [(4, 3), (4, 1), (2, 4), (2, 1)]
    assert [flattened[k].shape for k in params] == [(4, 3), (4,), (2, 4), (2,)]
    np.testing.assert_allclose(flattened["b1"], column["b1"][:, 0])
    assert list(column) == ["loss", "W1", "b1", "W2", "b2"]


@pytest.mark.parametrize("shape", [(1, 1), (1,), ()])
def test_a_shared_bias_may_be_a_number(shape: tuple[int, ...]) -> None:
    net = Network([2, 2, 1], hidden="tanh", output="linear", loss="quadratic", bias="shared")
    params = {k: (v.reshape(shape) if k.startswith("b") else v) for k, v in random_parameters(net, 0).items()}
    X, Y = random_batch(net, 4, 1)
    result = net.compile()(params, X, Y)
    assert result["b1"].shape == shape
    np.testing.assert_allclose(np.reshape(result["b2"], (1, 1)), reference_grad(describe(net), params, X, Y)["b2"])


def test_sparse_labels_are_counted_from_zero_and_match_one_hot_targets() -> None:
    sparse = Network([2, 3, 3], hidden="relu", output="softmax", loss="sparse_cross_entropy")
    dense = Network([2, 3, 3], hidden="relu", output="softmax", loss="cross_entropy")
    params = random_parameters(sparse, 0)
    X = np.random.default_rng(0).normal(size=(4, 2))
    labels = np.array([0, 2, 1, 2])
    a, b = sparse.compile()(params, X, labels), dense.compile()(params, X, np.eye(3)[labels])
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-12)


def test_network_compile_delegates_and_keeps_the_source() -> None:
    net = Network([2, 2, 1], hidden="tanh", output="sigmoid", loss="bce")
    grad = net.compile(backend="numpy", form="scalar")
    assert isinstance(grad, compiler.CompiledGradient)
    assert "def f_delta2_1(" in grad.source and "import sympy" not in grad.source
    assert "backend='numpy'" in repr(grad)


@pytest.mark.torch
@pytest.mark.skipif(not HAS["torch"], reason="torch is not installed")
def test_torch_backend_takes_tensors_and_returns_tensors() -> None:
    import torch

    net = Network([3, 4, 2], hidden="gelu", output="softmax", loss="sparse_cross_entropy")
    params = {k: torch.tensor(v, requires_grad=True) for k, v in random_parameters(net, 0).items()}
    X = torch.randn(5, 3, dtype=torch.float64)
    Y = torch.tensor([0, 1, 1, 0, 1])
    result = net.compile(backend="torch")(params, X, Y)
    assert all(isinstance(v, torch.Tensor) and not v.requires_grad for v in result.values())
    want = reference_grad(describe(net), {k: v.detach().numpy() for k, v in params.items()}, X.numpy(), Y.numpy())
    for key in want:
        np.testing.assert_allclose(result[key].numpy(), want[key], rtol=1e-10, atol=1e-12)


@pytest.mark.torch
@pytest.mark.skipif(not HAS["torch"], reason="torch is not installed")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_torch_backend_keeps_cuda_tensors_on_the_gpu(dtype: str) -> None:
    import torch

    if not torch.cuda.is_available():
        pytest.skip("no CUDA device (the project never needs one)")
    net = Network([5, 8, 4], hidden="silu", output="softmax", loss="sparse_cross_entropy", bias="neuron")
    params = random_parameters(net, 0)
    X, Y = random_batch(net, 16, 1)
    on_gpu = {k: torch.tensor(v, device="cuda") for k, v in params.items()}
    result = net.compile(backend="torch", dtype=dtype)(on_gpu, torch.tensor(X, device="cuda"),
                                                       torch.tensor(Y, device="cuda"))
    assert all(v.device.type == "cuda" and str(v.dtype) == f"torch.{dtype}" for v in result.values())
    want = reference_grad(describe(net), params, X, Y)
    for key in want:
        np.testing.assert_allclose(result[key].cpu().numpy(), want[key], rtol=1e-4, atol=1e-6)


@pytest.mark.jax
@pytest.mark.skipif(not HAS["jax"], reason="jax is not installed")
def test_jax_backend_works_under_an_outer_jit() -> None:
    import jax

    net = Network([3, 4, 2], hidden="tanh", output="softmax", loss="sparse_cross_entropy")
    grad = net.compile(backend="jax", dtype="float32")
    params = {k: v.astype(np.float32) for k, v in random_parameters(net, 0).items()}
    X, Y = random_batch(net, 5, 1)
    outer = jax.jit(lambda p, x, y: grad(p, x, y)["W1"])
    np.testing.assert_allclose(np.asarray(outer(params, X.astype(np.float32), Y)),
                               reference_grad(describe(net), params, X, Y)["W1"], rtol=1e-4, atol=1e-6)


# ------------------------------------------------------------------------------------ numerical stability
OUTPUTS_AND_LOSSES = [("softmax", "cross_entropy"), ("softmax", "sparse_cross_entropy"), ("sigmoid", "bce"),
                      ("sigmoid", "cross_entropy"), ("sigmoid", "quadratic"), ("softmax", "mse"),
                      ("silu", "quadratic"), ("softplus", "mse"), ("elu", "quadratic"), ("gelu", "mse"),
                      ("relu", "cross_entropy"), ("relu", "bce"), ("relu", "sparse_cross_entropy")]


@pytest.mark.torch
@pytest.mark.skipif(not HAS["torch"], reason="torch is not installed")
@pytest.mark.parametrize(("hidden", "output_loss", "backend"),
                         pairwise(["sigmoid", "softplus", "elu", "silu", "gelu", "relu"], OUTPUTS_AND_LOSSES,
                                  INSTALLED))
def test_finite_wherever_torch_is_for_logits_up_to_1e4(backend: str, output_loss: tuple[str, str],
                                                       hidden: str) -> None:
    output, loss = output_loss
    net = Network([3, 4, 3], hidden=hidden, output=output, loss=loss)
    params = random_parameters(net, 0)
    X, Y = random_batch(net, 6, 1)
    X = X * 1e4  # hidden pre-activations of order 1e4
    params["W2"] = params["W2"] * 1e4 / np.abs(params["W2"]).max()  # logits up to 1e4 in size
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = torch_grad(describe(net), params, X, Y)
    with warnings.catch_warnings():
        # no overflow or division warnings either, unless the loss itself is infinite (relu's a = 0 in log a)
        warnings.simplefilter("error" if np.isfinite(want["loss"]) else "ignore")
        got = compiler.compile_network(net, backend)(params, X, Y)
    for key, value in want.items():
        if np.all(np.isfinite(value)):
            assert np.all(np.isfinite(np.asarray(got[key]))), key


def test_fused_losses_equal_the_loss_of_the_activation() -> None:
    y = kernels.Y
    for (output, loss), fused in kernels.FUSED_LOSSES.items():
        net = Network([1, 2], activations=[output], loss=loss)
        plain = kernels.loss_term(Network([1, 2], activations=["linear"], loss=loss)).xreplace(
            {A: get_activation(output)(Z)})
        assert kernels.loss_term(net) == fused
        assert sp.simplify(fused.rewrite(sp.log) - plain) == 0, (output, loss)
    assert y in kernels.FUSED_LOSSES[("sigmoid", "bce")].free_symbols


@pytest.mark.parametrize("loss", sorted(name for name, loss in LOSSES.items() if not loss.generic))
def test_loss_terms_add_up_to_the_loss(loss: str) -> None:
    net = Network([1, 3], activations=["linear"], loss=loss)
    a, y = sp.symbols("a1:4"), sp.symbols("y1:4")
    term = kernels.loss_term(net)
    total = sum(term.xreplace({A: ai, kernels.Y: yi}) for ai, yi in zip(a, y))
    assert sp.simplify(total - net.loss(list(a), list(y))) == 0


def test_stabilize_rewrites_are_exact() -> None:
    z = Z
    samples = [sp.Rational(k, 3) for k in range(-7, 8)]
    for act in ("sigmoid", "softplus", "silu", "elu", "gelu"):
        original = get_activation(act)(z)
        stable = stabilize(original)
        restored = stable.replace(Sigmoid, lambda w: 1 / (1 + sp.exp(-w))).replace(
            Softplus, lambda w: sp.log(1 + sp.exp(w))).replace(Nonpos, lambda w: sp.Min(w, 0))
        for value in samples:
            assert abs(sp.N(restored.subs(z, value) - original.subs(z, value))) < 1e-15, act


# ------------------------------------------------------------------------------------ the generated module
@pytest.mark.parametrize("form", ["vectorized", "scalar"])
def test_generated_module_round_trips_without_sympy(form: str, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    net = Network([3, 3, 2], hidden="silu", output="softmax", loss="sparse_cross_entropy", bias="neuron")
    source = compiler.generate_source(net, "numpy", form)
    assert "import sympy" not in source and "from sympy" not in source
    assert "BP2" in source or "BP1" in source
    (tmp_path / "grads.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(sys.modules, "sympy", None)  # importing sympy would now fail
    monkeypatch.delitem(sys.modules, "grads", raising=False)
    module = importlib.import_module("grads")
    params = random_parameters(net, 2)
    X, Y = random_batch(net, 4, 3)
    got, want = module.grad(params, X, Y), reference_grad(describe(net), params, X, Y)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-10, atol=1e-13)


def test_generated_source_is_deterministic_and_names_the_command() -> None:
    net = Network([2, 3, 1], hidden="tanh", output="sigmoid", loss="bce")
    first = compiler.generate_source(net)
    assert first == compiler.generate_source(net)
    assert "symbackprop compile 2-3-1 --activations 'tanh,sigmoid' --loss bce" in first
    compile(first, "grads.py", "exec")


# ------------------------------------------------------------------------------------ generated functions
X1, X2 = sp.symbols("x1 x2", real=True)
FUNCTIONS = [  # (arguments, expression): common subexpressions, piecewise branches, helpers, constants
    ((Z,), get_activation("sigmoid")(Z)),
    ((Z, A), get_activation("silu")(Z).diff(Z)),
    ((Z,), get_activation("elu")(Z)),
    ((Z,), get_activation("gelu")(Z).diff(Z)),
    ((Z, A), (A - kernels.Y) * sp.Piecewise((0, Z <= 0), (1, True)) / (A * (A - 1))),
    ((Z, A), sp.log(1 + sp.exp(Z)) * sp.exp(Z) + sp.tanh(Z) ** 2 - sp.tanh(Z)),
    ((X1, X2), sp.Float(0.25) * X1 + sp.sqrt(2) * X2),
    ((Z,), sp.Integer(1)),
]


def _lambdify_source(name: str, args: Sequence[sp.Symbol], expr: sp.Expr, printer: type) -> str:
    made = sp.lambdify(list(args), expr, modules=[{"xp": None}], printer=printer, cse=True, docstring_limit=0)
    return inspect.getsource(made).replace("def _lambdifygenerated(", f"def {name}(", 1)


@pytest.mark.parametrize(("args", "expr"), FUNCTIONS)
@pytest.mark.parametrize("printer", [printers.ArrayPrinter, printers.ElementPrinter])
def test_generated_functions_read_as_lambdify_writes_them(args: Sequence[sp.Symbol], expr: sp.Expr,
                                                          printer: type) -> None:
    make = printers.function if printer is printers.ArrayPrinter else printers.element_function
    function = make("f", args, expr, ["a comment"])
    laid_out = environment().get_template("python/function.py.j2").module.define(function)  # type: ignore[attr-defined]
    want = _lambdify_source("f", args, printers.stabilize(expr), printer)
    if function.guarded:  # lambdify has no either_branch(): the body, one level deeper
        head, *body = want.splitlines(keepends=True)
        want = head + "    with either_branch():  # where() computes both branches; see the helper\n" + "".join(
            "    " + line for line in body)
    assert laid_out == want


@pytest.mark.parametrize(("expr", "helpers"), [
    (get_activation("sigmoid")(Z), {"sigmoid"}),
    (get_activation("elu")(Z), {"nonpos"}),
    (get_activation("gelu")(Z), {"erf"}),
    (get_activation("softplus")(Z) + sp.tanh(Z), {"softplus", "tanh"}),
    (Z ** 2, set()),
])
def test_the_printers_record_the_helpers_they_call(expr: sp.Expr, helpers: set[str]) -> None:
    assert printers.function("f", (Z,), expr).helpers == helpers
    assert printers.element_function("f", (Z,), expr).helpers == helpers


def test_modules_define_the_helpers_their_functions_call_and_no_others() -> None:
    plain = compiler.generate_source(Network([2, 2], activations=["linear"]), "numpy")
    gelu = compiler.generate_source(Network([2, 2, 1], hidden="gelu", output="linear"), "numpy")
    assert "scipy.special import erf" not in plain and "scipy.special import erf" in gelu


# ------------------------------------------------------------------------------------ the trace
@pytest.mark.parametrize("backend", BACKENDS)
def test_the_trace_holds_every_value_of_backprop(backend: str) -> None:
    net = Network([3, 4, 3], hidden="tanh", output="softmax", loss="cross_entropy")
    grad = compiler.compile_network(net, backend, "scalar")
    params = random_parameters(net, 1)
    X, Y = random_batch(net, 5, 2)
    native = (lambda array: array) if backend == "jax" else (lambda array: _native(backend, array))  # jnp: float32
    trace = grad.trace({k: native(v) for k, v in params.items()}, native(X), native(Y))
    z, a, delta = ({l: np.asarray(values[l]) for l in (1, 2)} for values in (trace.z, trace.a, trace.delta))
    b1, b2 = params["b1"].reshape(-1), params["b2"].reshape(-1)
    np.testing.assert_allclose(np.asarray(trace.inputs), X)
    np.testing.assert_allclose(np.asarray(trace.targets), Y)
    np.testing.assert_allclose(z[1], X @ params["W1"].T + b1, rtol=1e-12)
    np.testing.assert_allclose(a[1], np.tanh(z[1]), rtol=1e-12)
    np.testing.assert_allclose(z[2], a[1] @ params["W2"].T + b2, rtol=1e-12)
    np.testing.assert_allclose(a[2].sum(1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(delta[2], output_delta(describe(net), params, X, Y), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(delta[1], (delta[2] @ params["W2"]) * (1 - a[1] ** 2), rtol=1e-10, atol=1e-14)
    want = reference_grad(describe(net), params, X, Y)
    assert np.asarray(trace.losses).shape == (5,)
    assert float(trace.loss) == pytest.approx(want["loss"], rel=1e-12)
    assert float(np.asarray(trace.losses).mean()) == pytest.approx(want["loss"], rel=1e-12)
    assert list(trace.gradients) == ["W1", "b1", "W2", "b2"]
    for key in trace.gradients:
        np.testing.assert_allclose(np.asarray(trace.gradients[key]), want[key], rtol=1e-10, atol=1e-14)
    assert str(np.asarray(trace.z[1]).dtype) == "float64"


def test_the_trace_repeats_a_value_computed_once_for_every_example() -> None:
    # a generated function whose expression mentions no value of the example returns one number
    net = Network([1, 1], activations=["linear"])
    column = np.array([1.0, 2.0, 3.0])
    record = {"x_1": column, "y_1": column, "z1_1": column, "a1_1": column, "delta1_1": 0.5, "terms": column}
    trace = read_trace(net, record, {"loss": 2.0, "W1": np.ones((1, 1)), "b1": np.ones((1, 1))}, np)
    np.testing.assert_array_equal(trace.delta[1], [[0.5], [0.5], [0.5]])
    assert np.shape(trace.z[1]) == np.shape(trace.inputs) == (3, 1) and np.shape(trace.losses) == (3,)


def test_the_trace_of_sparse_labels_holds_one_hot_targets() -> None:
    net = Network([2, 3], activations=["softmax"], loss="sparse_cross_entropy")
    trace = net.compile(form="scalar").trace(random_parameters(net, 0), np.zeros((2, 2)), np.array([2, 0]))
    np.testing.assert_array_equal(trace.targets, [[0, 0, 1], [1, 0, 0]])


def test_only_the_scalar_form_has_a_trace() -> None:
    net = Network([2, 2, 1])
    with pytest.raises(SymbackpropError, match="trace\\(\\) needs the scalar form.*form='scalar'"):
        net.compile().trace(random_parameters(net, 0), *random_batch(net, 2, 0))


def test_the_trace_checks_its_arguments_as_a_call_does() -> None:
    net = Network([2, 2, 1])
    params = random_parameters(net, 0)
    with pytest.raises(DataError, match="the batch has no examples"):
        net.compile(form="scalar").trace(params, *random_batch(net, 0, 0))


def test_a_given_derivation_is_used_and_must_be_of_the_network() -> None:
    net = Network([2, 2, 1], hidden="tanh")
    derivation = derive(net, forms=("element",), progress=False)
    assert compiler.generate_source(net, form="scalar", derivation=derivation) == compiler.generate_source(
        net, form="scalar")
    with pytest.raises(ValueError, match="the derivation is of"):
        compiler.compile_network(Network([2, 2, 1]), form="scalar", derivation=derivation)


# ------------------------------------------------------------------------------------ bad input
def test_unknown_backend_form_and_dtype_are_rejected_by_name() -> None:
    net = Network([1, 1])
    with pytest.raises(UnknownNameError, match="did you mean 'numpy'"):
        compiler.compile_network(net, backend="nump")
    with pytest.raises(UnknownNameError, match="scalar, vectorized"):
        compiler.compile_network(net, form="matrix")
    with pytest.raises(UnknownNameError, match="float32, float64"):
        compiler.compile_network(net, dtype="float16")


def test_a_missing_backend_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "jax" else real(name, *a))
    with pytest.raises(BackendError, match=r"pip install 'symbackprop\[jax\]'") as info:
        compiler.compile_network(Network([1, 1]), backend="jax")
    assert isinstance(info.value, ImportError) and isinstance(info.value, ValueError)


def test_the_scalar_form_refuses_large_networks() -> None:
    with pytest.raises(SizeLimitError, match="vectorized") as info:
        compiler.compile_network(Network([30, 30, 10]), form="scalar")
    assert str(info.value).endswith("use the vectorized form") and "form=" not in str(info.value)


def test_the_vectorized_form_refuses_a_network_no_memory_holds_and_takes_a_wide_one() -> None:
    with pytest.raises(SizeLimitError, match=r"has 100,000,000,000,000,000,001 parameters; .* at most 50,000,000"):
        compiler.compile_network(Network([10**20, 1]))
    assert "def " in compiler.compile_network(Network([300, 300, 300])).source  # 180,600 parameters


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1e999", "1e99999", "-1e7", "1e-400", "1/0", "1/1e999",
                                 "0." + "1" * 200])
def test_activation_parameters_outside_the_range_are_rejected_before_building_them(raw: str) -> None:
    with pytest.raises(SpecError, match="must be 0 or a finite number of magnitude 1e-6 to 1e6"):
        get_activation(f"leaky_relu({raw})")


@pytest.mark.parametrize("raw", ["\u0661", "0.\u0662", "\uff11/2"])  # Arabic-Indic and full-width digits
def test_activation_parameters_in_other_scripts_digits_are_refused_as_a_layer_spec_is(raw: str) -> None:
    """Python's Decimal reads ١ as 1; a layer spec refuses it, and so does a parameter, naming what it takes."""
    with pytest.raises(SpecError, match="must be a number in ASCII digits"):
        get_activation(f"leaky_relu({raw})")


@pytest.mark.parametrize("raw, value", [("0.2", sp.Rational(1, 5)), ("1/3", sp.Rational(1, 3)), ("0", 0),
                                        ("-1e6", -10**6), ("1e-6", sp.Rational(1, 10**6))])
def test_activation_parameters_in_the_range_are_exact(raw: str, value: sp.Rational) -> None:
    assert get_activation(f"leaky_relu({raw})").param == value


def test_targets_outside_zero_to_one_are_rejected_on_every_call() -> None:
    bce = Network([2, 1], activations=["sigmoid"], loss="bce")
    grad, params = bce.compile(), random_parameters(bce, 0)
    with pytest.raises(DataError, match=r"target 2 of example 1 is outside \[0, 1\]; bce needs targets from 0 to 1"):
        grad(params, np.zeros((2, 2)), np.array([[1.0], [2.0]]))
    ce = Network([2, 3], activations=["softmax"], loss="cross_entropy")
    with pytest.raises(DataError, match=r"target -1 of example 0 is outside \[0, 1\]"):
        ce.compile()(random_parameters(ce, 0), np.zeros((1, 2)), np.array([[-1.0, 1.0, 1.0]]))  # sums to 1


def test_bad_calls_raise_data_errors_naming_the_problem() -> None:
    net = Network([2, 3, 3], hidden="tanh", output="softmax", loss="sparse_cross_entropy")
    grad = net.compile()
    params = random_parameters(net, 0)
    X, Y = random_batch(net, 4, 1)
    with pytest.raises(DataError, match=r"'W1' has shape \(2, 3\), expected \(3, 2\)"):
        grad({**params, "W1": params["W1"].T}, X, Y)
    with pytest.raises(DataError, match="missing b2"):
        grad({k: v for k, v in params.items() if k != "b2"}, X, Y)
    with pytest.raises(DataError, match="unexpected W3"):
        grad({**params, "W3": params["W2"]}, X, Y)
    with pytest.raises(DataError, match="X has 4 examples but Y has 3"):
        grad(params, X, Y[:3])
    with pytest.raises(DataError, match="label 3 of example 0 is out of range"):
        grad(params, X, np.array([3, 0, 1, 2]))
    with pytest.raises(DataError, match=r"expected \(m, 2\)"):
        grad(params, X[:, :1], Y)


def test_cross_entropy_targets_must_sum_to_one() -> None:
    net = Network([2, 3], activations=["softmax"], loss="cross_entropy")
    X = np.zeros((2, 2))
    with pytest.raises(DataError, match="example 1 sum to 0.5"):
        net.compile()(random_parameters(net, 0), X, np.array([[1.0, 0, 0], [0.5, 0, 0]]))


def _native(backend: str, array: np.ndarray):  # type: ignore[no-untyped-def]
    """``array`` as the backend's own array type."""
    if backend == "torch":
        import torch

        return torch.as_tensor(array)
    if backend == "jax":
        import jax.numpy as jnp

        return jnp.asarray(array)
    return array


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("form", ["vectorized", "scalar"])
@pytest.mark.parametrize("loss", ["cross_entropy", "sparse_cross_entropy"])
def test_a_batch_without_examples_is_refused(backend: str, form: str, loss: str) -> None:
    # the cost is a mean over the examples: with none it was 0/0, a nan loss
    net = Network([2, 3, 2], hidden="tanh", output="softmax", loss=loss)
    grad = compiler.compile_network(net, backend, form)
    params = {k: _native(backend, v) for k, v in random_parameters(net, 0).items()}
    X, Y = random_batch(net, 0, 1)
    assert X.shape == (0, 2)
    with pytest.raises(DataError, match=r"^X, Y: the batch has no examples \(X has shape \(0, 2\)\); .* at least 1$"):
        grad(params, _native(backend, X), _native(backend, Y))
    X, Y = random_batch(net, 1, 1)  # one example is enough
    assert np.isfinite(float(grad(params, _native(backend, X), _native(backend, Y))["loss"]))


def _with(params: dict, name: str, value: object) -> dict:
    return {**params, name: value}


@pytest.mark.parametrize("case, message", [
    ("string in X", r"inputs X must be numbers; found the string .a. at index \[0, 0\]"),
    ("None in X", r"inputs X must be numbers; found null \(None\) at index \[0, 1\]"),
    ("string array X", r"inputs X must be numbers; found the string .0\.5. at index \[0, 0\]"),
    ("complex X", r"inputs X must be numbers; found (the complex number \(.*j\)|a complex) at index \[0, 0\]"),
    ("string in Y", r"targets Y must be numbers; found the string .x. at index \[0, 1\]"),
    ("string label", r"(labels|targets) Y must be numbers; found the string .1. at index \[0\]"),
    ("string in W1", r"parameter 'W1' must be numbers; found the string .w. at index \[2, 1\]"),
    ("object array b1", r"parameter 'b1' must be numbers; found null \(None\) at index \[2\]"),
    ("string shared bias", r"parameter 'b1' must be numbers; found the string .0. *$"),
])
def test_non_numbers_in_a_call_raise_data_errors(case: str, message: str) -> None:
    sparse = case == "string label"
    net = Network([2, 3, 2], hidden="tanh", output="softmax", loss="sparse_cross_entropy" if sparse else "bce",
                  bias="shared" if case == "string shared bias" else "vector")
    params = random_parameters(net, 0)
    X, Y = random_batch(net, 1, 1)
    W1, b1 = params["W1"].astype(object), params["b1"].reshape(-1).astype(object)
    W1[2, 1], b1[-1] = "w", None
    call = {
        "string in X": (params, [["a", 1.0]], Y),
        "None in X": (params, [[1.0, None]], Y),
        "string array X": (params, np.array([["0.5", "1.5"]]), Y),
        "complex X": (params, X + 2j, Y),
        "string in Y": (params, X, [[0.5, "x"]]),
        "string label": (params, X, ["1"]),
        "string in W1": (_with(params, "W1", W1), X, Y),  # an array of an accepted shape: the quick path
        "object array b1": (_with(params, "b1", b1), X, Y),
        "string shared bias": (_with(params, "b1", np.array("0")), X, Y),
    }[case]
    assert case != "string in W1" or call[0]["W1"].shape == (3, 2)
    with pytest.raises(DataError, match=message):
        net.compile()(*call)


@pytest.mark.torch
@pytest.mark.skipif(not HAS["torch"], reason="torch is not installed")
def test_complex_tensors_are_refused() -> None:
    import torch

    net = Network([2, 2], activations=["sigmoid"], loss="bce")
    X, Y = random_batch(net, 2, 1)
    with pytest.raises(DataError, match="inputs X must be numbers; found complex numbers"):
        net.compile(backend="torch")(random_parameters(net, 0), torch.tensor(X + 1j), torch.tensor(Y))
