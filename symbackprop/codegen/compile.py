"""Compiled gradient functions: the derivation turned into NumPy, JAX or PyTorch code.

``compile_network(net)`` returns a callable ``grad(params, X, Y) -> {"loss": C, "W1": dC/dW1, ...}``:

* X is (m, n_0), one example per row; Y is (m, n_L), or (m,) integer labels counted from 0 for
  ``sparse_cross_entropy``; C = (1/m) sum over the examples of the per-example loss c.
* ``params`` holds ``W{l}`` (n_l, n_{l-1}) and ``b{l}`` (n_l, 1) or flat (n_l,) (one number for a shared
  bias); each gradient comes back in the shape its parameter was given in, so ``p - lr * g`` never broadcasts.

Two forms, both generated as a Python module from a Jinja template (``templates/python/``) and executed;
``grad.source`` is that module, and ``symbackprop compile`` writes it to a file:

* ``vectorized``: each activation g_l and its derivative (``activations.derivative``, from SymPy), the
  output layer's loss and delta (``derive.chain.output_kernel``) are generated as scalar kernels (printed as
  ``lambdify`` would write them, see :mod:`symbackprop.codegen.printers`) and composed by the batch-form backprop
  equations with matrix products; any width. With NumPy, hidden layers' arrays are
  kept between calls (one set per thread) and wide layers are activated in row blocks; where numba is
  installed, a hidden layer's bias, activation and BP2 factor run as element loops it compiles (one pass
  over memory instead of several), from the same expressions written for one number at a time.
* ``scalar``: every element expression of the derivation (each z, a, delta and gradient entry) is generated
  as a function of its own and evaluated in order, vectorised over the examples only; small networks.
  ``grad.trace(params, X, Y)`` returns every value it computed on the way (a :class:`Trace`).

Stability (exact rewrites, see :mod:`symbackprop.codegen`): softmax subtracts the row maximum; the loss is
computed from the logits where the output activation and loss fuse (softmax or sigmoid with cross-entropy,
sigmoid with BCE); sigmoid and softplus never overflow.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import itertools
import linecache
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..derive.derivation import Derivation
from ..errors import BackendError, DataError, SizeLimitError, SymbackpropError, UnknownNameError
from ..model import symbols
from ..model.activations import A, Z, derivative
from ..model.architecture import Architecture
from ..model.number_checks import check_numbers
from ..model.params import (
    RANDOM_MAX_PARAMETERS,
    accepted_shapes,
    check_batch_shapes,
    check_parameter_shapes,
    check_target_values,
)
from . import printers
from .kernels import SOFTMAX_FUSED, output_kernels
from .scalar import Trace, read_trace, scalar_context

BACKENDS = ("numpy", "jax", "torch")
FORMS = ("vectorized", "scalar")
DTYPES = ("float64", "float32")
#: The scalar form generates one function per element expression; above this it refuses.
SCALAR_MAX_PARAMETERS = 500
#: The most parameters of a network whose vectorized gradients are compiled: the most random parameters are drawn
#: for (:data:`symbackprop.model.params.RANDOM_MAX_PARAMETERS`), a few hundred MB of float64.
VECTORIZED_MAX_PARAMETERS = RANDOM_MAX_PARAMETERS


def _check_choice(kind: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise UnknownNameError(kind, str(value), allowed)


def require_backend(backend: str) -> None:
    """Raise unless ``backend`` is known and importable.

    Raises:
        UnknownNameError: an unknown backend. BackendError: jax or torch not installed (names the extra).
    """
    _check_choice("backend", backend, BACKENDS)
    if backend != "numpy" and importlib.util.find_spec(backend) is None:
        raise BackendError(f"the {backend} backend needs {backend}, which is not installed: "
                           f"pip install 'symbackprop[{backend}]'")


@dataclass(frozen=True)
class LayerPlan:
    """What the vectorized template needs of layer l to write it (weights and bias follow from l and the bias
    convention).

    Attributes:
        l: the layer, 1..L.
        source: the name of its input, ``X`` or ``A{l-1}``.
        elementwise: whether its activation is ``g{l}`` applied element by element (else softmax).
        prime: whether BP2 multiplies by g_l'(Z^l) (hidden layers whose g' is not 1).
        element: for a hidden element-wise layer of the NumPy module, the layer k whose element loops
            ``g{k}_forward`` and ``g{k}_backward`` it runs (the first layer with the same activation).
        weights, bias: the names of W^l and b^l, the keys of ``params`` and of the result, from
            :mod:`symbackprop.model.symbols` (the module's own arrays Z{l}, A{l} and D{l} the template names).
    """

    l: int
    source: str
    elementwise: bool
    prime: bool
    element: int | None = None
    weights: str = ""
    bias: str = ""

    @classmethod
    def of(cls, l: int, elementwise: bool, prime: bool) -> LayerPlan:
        """Layer l's plan, its names from :mod:`symbackprop.model.symbols`."""
        source = symbols.matrix("X") if l == 1 else symbols.matrix("A", l - 1)
        return cls(l, source, elementwise, prime, weights=symbols.matrix("W", l), bias=symbols.matrix("b", l))


def _vectorized_context(net: Architecture) -> dict[str, Any]:
    functions: list[printers.Function] = []
    primes: set[int] = set()
    for l, act in enumerate(net.activations, start=1):
        if not act.elementwise:
            continue
        functions.append(printers.function(f"g{l}", (Z,), act(Z), [f"layer {l}: g_{l}(z) = {printers.text(act(Z))}"]))
        if l < net.depth:
            d = derivative(act).textbook
            if d != 1:
                primes.add(l)
                functions.append(printers.function(f"g{l}_prime", (Z, A), d, [
                    f"g_{l}'(z) = {printers.text(d)}: sympy.diff({printers.text(act(Z))}, z)"
                    + (f" in terms of a = g_{l}(z)" if derivative(act).in_output else "")]))
    functions += output_kernels(net)
    layers = [LayerPlan.of(l, act.elementwise, l in primes) for l, act in enumerate(net.activations, start=1)]
    out = net.activations[-1].name
    names = {f.name for f in functions}
    return {
        "functions": functions,
        "layers": layers,
        "depth": net.depth,
        "bias": net.bias,
        "sparse": net.loss.sparse,
        "n_out": net.layers[-1],
        "loss_vector": out == "softmax" and net.loss.name in SOFTMAX_FUSED,
        "softmax_jvp": "a_times_dc_da" in names,
        "loss_note": ", from the logits" if out == "softmax" and net.loss.name in SOFTMAX_FUSED else "",
        "delta_note": "" if "output_delta" in names else ", through the softmax Jacobian",
    }


def _element_context(net: Architecture, layers: list[LayerPlan]) -> dict[str, Any]:
    """The NumPy module's element loops: per distinct hidden activation, g and g' for one number at a time."""
    functions: list[printers.Function] = []
    first: dict[str, int] = {}
    for plan in layers:
        act = net.activations[plan.l - 1]
        if plan.l == net.depth or not act.elementwise or act.label in first:
            continue
        first[act.label] = l = plan.l
        functions.append(printers.element_function(f"g{l}_at", (Z,), act(Z), [f"g_{l}(z) for one number"]))
        if plan.prime:
            functions.append(printers.element_function(f"g{l}_prime_at", (Z, A), derivative(act).textbook,
                                                      [f"g_{l}'(z) for one number"]))
    planned = []
    for plan in layers:
        label = net.activations[plan.l - 1].label
        planned.append(replace(plan, element=first[label]) if plan.l < net.depth and label in first else plan)
    loops = [plan for plan in planned if plan.element == plan.l]
    return {"element_functions": functions, "element_loops": loops, "layers": planned}


# ------------------------------------------------------------------------------------------- source and module
def _title(net: Architecture) -> str:
    acts = ", ".join(a.label for a in net.activations)
    return f"{net.spec} ({acts}; loss {net.loss.name}; bias {net.bias})"


def _command(net: Architecture, backend: str, form: str, dtype: str) -> str:
    acts = ",".join(a.label for a in net.activations)
    return (f"symbackprop compile {net.spec} --activations '{acts}' --loss {net.loss.name} --bias {net.bias} "
            f"--backend {backend} --form {form} --dtype {dtype}")


def generate_source(net: Architecture, backend: str = "numpy", form: str = "vectorized", dtype: str = "float64",
                    derivation: Derivation | None = None) -> str:
    """The standalone Python module computing ``grad(params, X, Y)``; it imports the backend, never SymPy (NumPy
    modules also numba and SciPy where installed, for element loops and erf).

    Args:
        derivation: for the scalar form, the element-form derivation of ``net`` if the caller has it (else it
            is derived here); the vectorized form does not read it.

    Raises:
        UnknownNameError: unknown backend, form or dtype. SizeLimitError: the scalar form of a large network.
        ValueError: a derivation of another network.
    """
    _check_choice("backend", backend, BACKENDS)
    _check_choice("form", form, FORMS)
    _check_choice("dtype", dtype, DTYPES)
    net.check_concrete("compiled code")
    from ..resources import version
    from ..templating import render

    if form == "vectorized":
        if net.parameter_count > VECTORIZED_MAX_PARAMETERS:  # (a module no computer could run)
            raise SizeLimitError(f"{net.spec} has {net.parameter_count:,} parameters; compiled gradients are made "
                                 f"for at most {VECTORIZED_MAX_PARAMETERS:,} (400 MB of float64 parameters)")
        context = _vectorized_context(net)
        if backend == "numpy":
            context.update(_element_context(net, context["layers"]))
    else:
        if net.parameter_count > SCALAR_MAX_PARAMETERS:
            raise SizeLimitError(f"the scalar form is limited to {SCALAR_MAX_PARAMETERS} parameters and {net.spec} "
                                 f"has {net.parameter_count}; use the vectorized form")
        context = scalar_context(net, derivation)
    context.setdefault("element_functions", [])
    context.setdefault("element_loops", [])
    helpers = frozenset().union(*(f.helpers for f in context["functions"]))
    element_helpers = frozenset().union(*(f.helpers for f in context["element_functions"]))
    context.update(title=_title(net), version=version(), backend=backend, dtype=dtype, form=form,
                   command=_command(net, backend, form, dtype), helpers=helpers, element_helpers=element_helpers)
    return render(f"python/{form}.py.j2", context)


_counter = itertools.count()


def load_module(source: str, name: str) -> dict[str, Any]:
    """Execute generated source as a module namespace; registered with linecache so inspect and pdb show it."""
    filename = f"<symbackprop-generated-{next(_counter)}: {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace: dict[str, Any] = {"__name__": f"symbackprop_generated_{name}"}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


# ------------------------------------------------------------------------------------------- the callable
def _host_array(value: Any) -> np.ndarray | None:
    """``value`` as a NumPy array if that costs no device transfer (not for GPU tensors or JAX tracers)."""
    device = getattr(value, "device", None)  # torch: .type; jax: .platform
    if (getattr(device, "type", None) or getattr(device, "platform", None) or "cpu") != "cpu":
        return None
    if hasattr(value, "detach"):
        value = value.detach()
    try:
        return np.asarray(value)
    except TypeError:  # a JAX tracer under an outer jit: values unknown until run
        return None


def check_arguments(net: Architecture, params: Any, X: Any, Y: Any, shapes_checked: bool = False) -> int:
    """Check a call ``grad(params, X, Y)`` before it runs; return the number of examples m.

    Parameter names and shapes (unless ``shapes_checked``), the batch's shapes, at least one example, real
    numbers everywhere (no strings, None, complex numbers or other objects) and, for arrays in host memory,
    labels in range and distribution targets that sum to one.

    Raises:
        DataError: the first problem found, naming the array and, for values, the index.
    """
    if shapes_checked:  # arrays of accepted shapes under the expected names: their values are still looked at
        for name in net.parameter_shapes:
            check_numbers(params[name], f"params: parameter {name!r}")
    else:
        check_parameter_shapes(net, params, "params")  # lists pass; a mistake raises, named
    m = check_batch_shapes(net, X, Y, "X, Y")  # numbers too
    if m == 0:
        raise DataError(f"X, Y: the batch has no examples (X has shape (0, {net.layers[0]})); the cost is a mean "
                        "over the examples, so examples must be at least 1")
    host = _host_array(Y)
    if host is not None:
        check_target_values(net, host, "Y")
    return m


class CompiledGradient:
    """``grad(params, X, Y) -> dict`` compiled for one network; ``source`` is the generated module. In the
    scalar form, :meth:`trace` also returns every intermediate value.

    Calls are checked first by :func:`check_arguments` (names and shapes, at least one example, real numbers,
    and for arrays in host memory labels in range and distribution targets that sum to one), raising
    :class:`~symbackprop.errors.DataError`.
    """

    def __init__(self, net: Architecture, backend: str, form: str, dtype: str, source: str) -> None:
        self.network, self.backend, self.form, self.dtype, self.source = net, backend, form, dtype, source
        self.namespace = load_module(source, f"{net.name}_{backend}_{form}_{dtype}")
        self._grad: Callable[[Any, Any, Any], dict[str, Any]] = self.namespace["grad"]
        self._shapes = {name: accepted_shapes(net, name) for name in net.parameter_shapes}

    def _shapes_accepted(self, params: Any) -> bool:
        """The common case, arrays of accepted shapes under exactly the expected names, checked quickly."""
        try:
            return len(params) == len(self._shapes) and all(
                tuple(params[name].shape) in shapes for name, shapes in self._shapes.items())
        except (AttributeError, KeyError, TypeError):
            return False

    def __call__(self, params: Mapping[str, Any], X: Any, Y: Any) -> dict[str, Any]:
        check_arguments(self.network, params, X, Y, shapes_checked=self._shapes_accepted(params))
        return self._grad(params, X, Y)

    def trace(self, params: Mapping[str, Any], X: Any, Y: Any) -> Trace:
        """Evaluate like a call, keeping every value: forward z and a, deltas, per-example losses, the cost and
        the gradients, as arrays of the backend (run eagerly, not jit-compiled, on JAX).

        Raises:
            DataError: what a call raises. SymbackpropError: a gradient not of the scalar form (the vectorized
                form computes whole layers and keeps no per-neuron values).
        """
        if self.form != "scalar":
            raise SymbackpropError(f"trace() needs the scalar form, and this gradient is of the {self.form} form; "
                                   "compile with form='scalar'")
        check_arguments(self.network, params, X, Y, shapes_checked=self._shapes_accepted(params))
        record: dict[str, Any] = {}
        with self._eager_mode():
            result = self.namespace["_backprop"](params, X, Y, record)
            return read_trace(self.network, record, result, self.namespace["xp"])

    def _eager_mode(self) -> contextlib.AbstractContextManager[Any]:
        """What the module's ``grad`` wraps ``_backprop`` in, besides compiling it: JAX's 64-bit mode for
        float64, no autograd graph on torch."""
        if self.backend == "jax" and self.dtype == "float64":
            return self.namespace["jax"].enable_x64(True)
        if self.backend == "torch":
            return self.namespace["torch"].no_grad()
        return contextlib.nullcontext()

    def __repr__(self) -> str:
        return (f"<compiled gradient of {self.network!r}: backend={self.backend!r}, form={self.form!r}, "
                f"dtype={self.dtype!r}>")


def compile_network(
    net: Architecture, backend: str = "numpy", form: str = "vectorized", dtype: str = "float64",
    derivation: Derivation | None = None,
) -> CompiledGradient:
    """Compile the gradient of the network's cost C = (1/m) sum c.

    Args:
        net: the architecture.
        backend: ``"numpy"``, ``"jax"`` (jit-compiled) or ``"torch"`` (CPU or GPU tensors).
        form: ``"vectorized"`` (any width) or ``"scalar"`` (every element expression; small networks).
        dtype: ``"float64"`` or ``"float32"``.
        derivation: for the scalar form, the derivation of ``net`` if the caller has one (else it is derived).

    Returns:
        A :class:`CompiledGradient`: ``grad(params, X, Y)`` returns ``{"loss": C, "W1": ..., "b1": ..., ...}``
        as arrays of the backend.

    Raises:
        UnknownNameError: an unknown backend, form or dtype. BackendError: jax or torch not installed.
        SizeLimitError: the scalar form of a network above :data:`SCALAR_MAX_PARAMETERS` parameters.
        ValueError: a derivation of another network.
    """
    _check_choice("form", form, FORMS)
    _check_choice("dtype", dtype, DTYPES)
    require_backend(backend)
    return CompiledGradient(net, backend, form, dtype, generate_source(net, backend, form, dtype, derivation))
