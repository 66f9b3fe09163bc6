"""The independent references the compiled gradients are checked against.

Everything here is written apart from the engine on purpose: no SymPy, no derivation, no activation
derivative from :mod:`symbackprop.model.activations`. A network enters only as its description (layer sizes,
activation names and parameters, loss name, bias convention), and the references are

* ``reference``: a hand-written NumPy backprop with its own hand-written activation derivatives;
* ``finite_differences``: central differences of the hand-written forward pass;
* ``torch``: ``torch.autograd`` through torch's own functions (when torch is installed);
* ``jax``: ``jax.grad`` through ``jax.nn`` (when jax is installed).

Conventions: X is (m, n_0) with one example per row; Y is (m, n_L) or (m,) labels from 0; the cost is
C = (1/m) sum over examples of c; parameters and gradients have the shapes of ``net.parameters``
(biases (n_l, 1), a shared bias (1, 1)). All references compute in float64.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model import symbols
from ..model.architecture import Architecture

Array = np.ndarray
REFERENCES = ("reference", "finite_differences", "torch", "jax")
#: The step of the central differences: their rounding error is about eps(float64) |C| / FD_STEP.
FD_STEP = 1e-6


@dataclass(frozen=True)
class Description:
    """A network as the references see it: plain names and numbers, nothing symbolic."""

    layers: tuple[int, ...]
    activations: tuple[tuple[str, float], ...]
    loss: str
    bias: str


def describe(net: Architecture) -> Description:
    """The plain description of ``net`` (activation parameters as floats, 0.0 where there is none)."""
    acts = tuple((a.name, float(a.param) if a.param is not None else 0.0) for a in net.activations)
    return Description(tuple(net.layers), acts, net.loss.name, net.bias)


# ---------------------------------------------------------------------------------------- hand-written NumPy
def _sigmoid(z: Array) -> Array:
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


_erf = np.vectorize(math.erf, otypes=[np.float64])


def _gelu_prime(z: Array) -> Array:
    return 0.5 * (1.0 + _erf(z / math.sqrt(2.0))) + z * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


#: name -> (g(z, p), g'(z, a, p)), derivatives written by hand; at a kink the left derivative (PyTorch's).
_ACTIVATIONS: dict[str, tuple[Callable[[Array, float], Array], Callable[[Array, Array, float], Array]]] = {
    "sigmoid": (lambda z, p: _sigmoid(z), lambda z, a, p: a * (1.0 - a)),
    "tanh": (lambda z, p: np.tanh(z), lambda z, a, p: 1.0 - a * a),
    "relu": (lambda z, p: np.maximum(z, 0.0), lambda z, a, p: (z > 0).astype(z.dtype)),
    "leaky_relu": (lambda z, p: np.where(z > 0, z, p * z), lambda z, a, p: np.where(z > 0, 1.0, p)),
    "linear": (lambda z, p: z, lambda z, a, p: np.ones_like(z)),
    "softplus": (lambda z, p: np.logaddexp(0.0, z), lambda z, a, p: _sigmoid(z)),
    "elu": (lambda z, p: np.where(z > 0, z, p * np.expm1(np.minimum(z, 0.0))),
            lambda z, a, p: np.where(z > 0, 1.0, p * np.exp(np.minimum(z, 0.0)))),
    "silu": (lambda z, p: z * _sigmoid(z), lambda z, a, p: _sigmoid(z) * (1.0 + z * (1.0 - _sigmoid(z)))),
    "gelu": (lambda z, p: 0.5 * z * (1.0 + _erf(z / math.sqrt(2.0))), lambda z, a, p: _gelu_prime(z)),
}


def _softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _logsumexp(z: Array) -> Array:
    top = z.max(axis=1)
    return top + np.log(np.exp(z - top[:, None]).sum(axis=1))


def _one_hot(desc: Description, Y: Array) -> Array:
    if desc.loss != "sparse_cross_entropy":
        return np.asarray(Y, dtype=np.float64)
    return np.eye(desc.layers[-1])[np.asarray(Y, dtype=np.int64)]


def _split(desc: Description, params: Mapping[str, Any], l: int) -> tuple[Array, Array | float]:
    """(W without bias column, bias broadcastable to a row) of layer l."""
    W = np.asarray(params[symbols.matrix("W", l)], dtype=np.float64)
    if desc.bias == "neuron":
        return W[:, 1:], W[:, 0]
    if desc.bias == "none":
        return W, 0.0
    return W, np.asarray(params[symbols.matrix("b", l)], dtype=np.float64).reshape(-1)


def _forward(desc: Description, params: Mapping[str, Any], X: Array) -> tuple[list[Array], list[Array]]:
    """Pre-activations and activations of every layer; A[0] is X."""
    Zs: list[Array] = [np.empty(0)]
    As: list[Array] = [np.asarray(X, dtype=np.float64)]
    for l, (name, p) in enumerate(desc.activations, start=1):
        W, b = _split(desc, params, l)
        Z = As[-1] @ W.T + b
        A = _softmax(Z) if name == "softmax" else _ACTIVATIONS[name][0](Z, p)
        Zs.append(Z)
        As.append(A)
    return Zs, As


def _loss_terms(desc: Description, Z: Array, A: Array, Y: Array) -> Array:
    """c per example, from the logits where the output activation allows (no log(0))."""
    out = desc.activations[-1][0]
    loss = "cross_entropy" if desc.loss == "sparse_cross_entropy" else desc.loss
    if loss == "quadratic":
        return 0.5 * ((A - Y) ** 2).sum(axis=1)
    if loss == "mse":
        return ((A - Y) ** 2).mean(axis=1)
    if loss == "bce":
        if out == "sigmoid":
            return (np.logaddexp(0.0, Z) - Y * Z).sum(axis=1)
        return -(Y * np.log(A) + (1.0 - Y) * np.log(1.0 - A)).sum(axis=1)
    if out == "softmax":
        return _logsumexp(Z) * Y.sum(axis=1) - (Y * Z).sum(axis=1)
    if out == "sigmoid":
        return (Y * np.logaddexp(0.0, -Z)).sum(axis=1)
    return -(Y * np.log(A)).sum(axis=1)


def _output_delta(desc: Description, Z: Array, A: Array, Y: Array) -> Array:
    """dc/dz^L for each example, by hand: dc/da times the activation's derivative (Jacobian for softmax)."""
    out, p = desc.activations[-1]
    loss = "cross_entropy" if desc.loss == "sparse_cross_entropy" else desc.loss
    if loss == "cross_entropy" and out == "softmax":
        return A * Y.sum(axis=1, keepdims=True) - Y  # exact, whether or not the targets sum to one
    if (loss, out) in (("bce", "sigmoid"), ("cross_entropy", "sigmoid")):
        return A - Y if loss == "bce" else -Y * (1.0 - A)
    dc_da = {
        "quadratic": lambda: A - Y,
        "mse": lambda: 2.0 * (A - Y) / A.shape[1],
        "bce": lambda: (A - Y) / (A * (1.0 - A)),
        "cross_entropy": lambda: -Y / A,
    }[loss]()
    if out == "softmax":
        return A * (dc_da - (A * dc_da).sum(axis=1, keepdims=True))
    return dc_da * _ACTIVATIONS[out][1](Z, A, p)


def reference_loss(desc: Description, params: Mapping[str, Any], X: Any, Y: Any) -> float:
    """C = (1/m) sum c, by the hand-written forward pass."""
    Zs, As = _forward(desc, params, np.asarray(X, dtype=np.float64))
    return float(_loss_terms(desc, Zs[-1], As[-1], _one_hot(desc, Y)).mean())


def output_delta(desc: Description, params: Mapping[str, Any], X: Any, Y: Any) -> Array:
    """dc/dz^L of every example (one row each), by the hand-written forward pass and output delta."""
    Zs, As = _forward(desc, params, np.asarray(X, dtype=np.float64))
    return _output_delta(desc, Zs[-1], As[-1], _one_hot(desc, Y))


def reference_grad(desc: Description, params: Mapping[str, Any], X: Any, Y: Any) -> dict[str, Any]:
    """The loss and every gradient by a hand-written NumPy backprop (canonical shapes).

    Args:
        desc: the network, from :func:`describe`.
        params: arrays ``W1``, ``b1``, ... (biases flat or as columns).
        X, Y: the batch.
    """
    Zs, As = _forward(desc, params, np.asarray(X, dtype=np.float64))
    Yd = _one_hot(desc, Y)
    m = Yd.shape[0]
    result: dict[str, Any] = {"loss": float(_loss_terms(desc, Zs[-1], As[-1], Yd).mean())}
    delta = _output_delta(desc, Zs[-1], As[-1], Yd) / m
    for l in range(len(desc.activations), 0, -1):
        gW = delta.T @ As[l - 1]
        if desc.bias == "neuron":
            gW = np.concatenate([delta.sum(axis=0)[:, None], gW], axis=1)
        elif desc.bias == "vector":
            result[symbols.matrix("b", l)] = delta.sum(axis=0)[:, None]
        elif desc.bias == "shared":
            result[symbols.matrix("b", l)] = np.array([[delta.sum()]])
        result[symbols.matrix("W", l)] = gW
        if l > 1:
            W, _ = _split(desc, params, l)
            name, p = desc.activations[l - 2]
            delta = (delta @ W) * _ACTIVATIONS[name][1](Zs[l - 1], As[l - 1], p)
    return {key: result[key] for key in ["loss", *_parameter_names(desc)]}


def _parameter_names(desc: Description) -> list[str]:
    names = []
    for l in range(1, len(desc.layers)):
        names.append(symbols.matrix("W", l))
        if desc.bias in ("vector", "shared"):
            names.append(symbols.matrix("b", l))
    return names


def finite_difference_grad(
    desc: Description, params: Mapping[str, Any], X: Any, Y: Any, eps: float = FD_STEP
) -> dict[str, Any]:
    """Central differences (C(θ + ε) − C(θ − ε)) / 2ε of the hand-written loss, entry by entry."""
    work = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    result: dict[str, Any] = {"loss": reference_loss(desc, work, X, Y)}
    for name in _parameter_names(desc):
        theta = work[name]
        grad = np.zeros(theta.shape)
        for index in np.ndindex(theta.shape):
            saved = theta[index]
            theta[index] = saved + eps
            up = reference_loss(desc, work, X, Y)
            theta[index] = saved - eps
            down = reference_loss(desc, work, X, Y)
            theta[index] = saved
            grad[index] = (up - down) / (2 * eps)
        result[name] = grad
    return result


# ---------------------------------------------------------------------------------------- autograd references
def installed(library: str) -> bool:
    """Whether ``torch`` or ``jax`` can be imported."""
    return importlib.util.find_spec(library) is not None


def _autograd_loss(desc: Description, nn: Any, params: Mapping[str, Any], X: Any, Y: Any) -> Any:
    """C through one library's own functions; ``nn`` maps a few names to that library's operations."""
    A = X
    Z = X
    for l, (name, p) in enumerate(desc.activations, start=1):
        W = params[symbols.matrix("W", l)]
        if desc.bias == "neuron":
            Z = A @ W[:, 1:].T + W[:, 0]
        else:
            Z = A @ W.T + (params[symbols.matrix("b", l)].reshape(-1) if desc.bias != "none" else 0.0)
        A = nn["softmax"](Z) if name == "softmax" else nn[name](Z, p)
    loss = "cross_entropy" if desc.loss == "sparse_cross_entropy" else desc.loss
    out = desc.activations[-1][0]
    if loss == "quadratic":
        terms = 0.5 * ((A - Y) ** 2).sum(1)
    elif loss == "mse":
        terms = ((A - Y) ** 2).mean(1)
    elif loss == "bce":
        terms = nn["bce_logits"](Z, Y) if out == "sigmoid" else nn["bce"](A, Y)
    elif out == "softmax":
        terms = -(Y * nn["log_softmax"](Z)).sum(1)
    elif out == "sigmoid":
        terms = -(Y * nn["log_sigmoid"](Z)).sum(1)
    else:
        terms = -(Y * nn["log"](A)).sum(1)
    return terms.mean()


def torch_grad(desc: Description, params: Mapping[str, Any], X: Any, Y: Any) -> dict[str, Any]:
    """The loss and gradients by ``torch.autograd`` in float64 on the CPU."""
    import torch
    import torch.nn.functional as F

    nn = {
        "sigmoid": lambda z, p: torch.sigmoid(z), "tanh": lambda z, p: torch.tanh(z),
        "relu": lambda z, p: torch.relu(z), "leaky_relu": lambda z, p: F.leaky_relu(z, p),
        "linear": lambda z, p: z, "softplus": lambda z, p: torch.logaddexp(z, torch.zeros_like(z)),
        "elu": lambda z, p: F.elu(z, p), "silu": lambda z, p: F.silu(z), "gelu": lambda z, p: F.gelu(z),
        "softmax": lambda z: torch.softmax(z, 1), "log_softmax": lambda z: torch.log_softmax(z, 1),
        "log_sigmoid": F.logsigmoid, "log": torch.log,
        "bce_logits": lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction="none").sum(1),
        "bce": lambda a, y: -(y * torch.log(a) + (1 - y) * torch.log1p(-a)).sum(1),  # no clamping: the formula
    }
    tensors = {k: torch.tensor(np.asarray(v, dtype=np.float64), requires_grad=True) for k, v in params.items()}
    targets = torch.tensor(_one_hot(desc, Y), dtype=torch.float64)
    loss = _autograd_loss(desc, nn, tensors, torch.tensor(np.asarray(X, dtype=np.float64)), targets)
    loss.backward()
    result: dict[str, Any] = {"loss": float(loss.detach())}
    for name in _parameter_names(desc):
        grad = tensors[name].grad
        result[name] = np.zeros(tuple(tensors[name].shape)) if grad is None else grad.numpy()
    return result


def jax_grad(desc: Description, params: Mapping[str, Any], X: Any, Y: Any) -> dict[str, Any]:
    """The loss and gradients by ``jax.value_and_grad`` in float64 (64-bit mode switched on for the call)."""
    import jax
    import jax.numpy as jnp

    nn = {
        "sigmoid": lambda z, p: jax.nn.sigmoid(z), "tanh": lambda z, p: jnp.tanh(z),
        "relu": lambda z, p: jax.nn.relu(z), "leaky_relu": lambda z, p: jax.nn.leaky_relu(z, p),
        "linear": lambda z, p: z, "softplus": lambda z, p: jax.nn.softplus(z),
        "elu": lambda z, p: jax.nn.elu(z, p), "silu": lambda z, p: jax.nn.silu(z),
        "gelu": lambda z, p: jax.nn.gelu(z, approximate=False),
        "softmax": lambda z: jax.nn.softmax(z, axis=1), "log_softmax": lambda z: jax.nn.log_softmax(z, axis=1),
        "log_sigmoid": jax.nn.log_sigmoid, "log": jnp.log,
        "bce_logits": lambda z, y: (jax.nn.softplus(z) - y * z).sum(1),
        "bce": lambda a, y: -(y * jnp.log(a) + (1 - y) * jnp.log1p(-a)).sum(1),
    }
    with jax.enable_x64(True):
        arrays = {k: jnp.asarray(np.asarray(v, dtype=np.float64)) for k, v in params.items()}
        loss, grads = jax.value_and_grad(lambda p: _autograd_loss(desc, nn, p, jnp.asarray(
            np.asarray(X, dtype=np.float64)), jnp.asarray(_one_hot(desc, Y))))(arrays)
        result: dict[str, Any] = {"loss": float(loss)}
        result.update({name: np.asarray(grads[name]) for name in _parameter_names(desc)})
    return result


REFERENCE_FUNCTIONS: dict[str, Callable[[Description, Mapping[str, Any], Any, Any], dict[str, Any]]] = {
    "reference": reference_grad,
    "finite_differences": finite_difference_grad,
    "torch": torch_grad,
    "jax": jax_grad,
}
