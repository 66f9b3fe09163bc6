"""``symbackprop bench``: compiled gradients against the ways people compute them by hand or by autograd.

One run times, on the same data and in the same process, one gradient evaluation (loss and every gradient of
C = (1/m) sum c) of an MLP by

* ``symbackprop numpy`` / ``torch`` / ``jax``: :func:`symbackprop.codegen.compile.compile_network` (vectorized form);
  with numba installed, the numpy backend runs its element loops, and ``numpy without numba`` times the same
  module with them turned off;
* ``hand-written numpy``: :func:`symbackprop.numeric.references.reference_grad`, the independent NumPy backprop;
* ``torch autograd``: the forward pass in torch and ``torch.autograd.grad``;
* ``jax.grad (jit)``: ``jax.jit(jax.value_and_grad(loss))``;
* ``matmul floor``: the matrix products alone (3 forward, 2 back-propagating, 3 weight gradients for three
  layers; the first five into arrays kept between calls), in NumPy, or in torch on the device for the GPU
  suite: no backprop can do less.

Each time is the median over ``repeat`` rounds of the mean of ``number`` calls, after warm-up calls (which
also absorb JIT compilation). ``symbackprop numpy`` (with and without numba) and the floor take turns within
each round, so that their ratio compares them under the same conditions; the others are timed one after
another (torch's and OpenBLAS's thread pools slow each other down when interleaved). Ratios are taken
between timings of the same run. Compile time is the time of ``compile_network`` for the numpy backend, the
first in the process (activation derivatives not yet cached); first call is that module's first gradient,
where numba compiles the element loops.
Nothing here asserts a speed: the numbers go to the README, with the command that produced them.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np

from ..codegen.compile import CompiledGradient, compile_network
from ..errors import BackendError, SizeLimitError, SpecError, SymbackpropError, UnknownNameError
from ..model import symbols
from ..model.architecture import Architecture, parse_spec
from ..model.params import check_seed, random_parameters
from .references import describe, installed, reference_grad


@dataclass(frozen=True)
class BenchConfig:
    """What to time: the network, the batch, the dtype and the device (``cpu`` or ``cuda``)."""

    spec: str = "784-256-128-10"
    hidden: str = "tanh"
    output: str = "softmax"
    loss: str = "cross_entropy"
    batch: int = 256
    dtype: str = "float64"
    device: str = "cpu"
    repeat: int = 7
    number: int = 10
    seed: int = 0


#: ``cpu``: the README's CPU comparison; ``gpu``: the torch backend against torch autograd on a CUDA device.
SUITES = {
    "cpu": BenchConfig(repeat=21),
    "gpu": BenchConfig(spec="4096-4096-4096-1000", batch=4096, dtype="float32", device="cuda", repeat=7, number=5),
}


@dataclass(frozen=True)
class Timing:
    """Seconds per gradient evaluation of one contender."""

    name: str
    seconds: float


@dataclass(frozen=True)
class BenchReport:
    """Timings of one run, the compile time, the ratios asked for by the README and what was skipped."""

    config: BenchConfig
    timings: tuple[Timing, ...]
    compile_seconds: float
    skipped: tuple[str, ...]
    first_call_seconds: float | None = None
    numba: str | None = None  # its version, where installed
    fuse_from: int = 0  # the fewest values of a layer run by an element loop

    def seconds(self, name: str) -> float | None:
        return next((t.seconds for t in self.timings if t.name == name), None)

    def ratios(self) -> list[tuple[str, float, str]]:
        """(description, ratio, target) for every pair present in this run."""
        pairs = [("symbackprop numpy / torch autograd", "symbackprop numpy", "torch autograd", "<= 1.0"),
                 ("symbackprop numpy / matmul floor", "symbackprop numpy", "matmul floor", "<= 1.3"),
                 ("numpy without numba / matmul floor", "numpy without numba", "matmul floor", ""),
                 ("symbackprop numpy / hand-written numpy", "symbackprop numpy", "hand-written numpy", ""),
                 ("symbackprop jax / jax.grad (jit)", "symbackprop jax", "jax.grad (jit)", "<= 1.1"),
                 ("symbackprop torch / torch autograd", "symbackprop torch", "torch autograd",
                  "<= 1.05" if self.config.device != "cpu" else "")]
        result = []
        for label, top, bottom, target in pairs:
            a, b = self.seconds(top), self.seconds(bottom)
            if a is not None and b is not None:
                result.append((label, a / b, target))
        return result

    def table(self) -> str:
        c = self.config
        lines = [f"benchmark: {c.spec} {c.hidden}/{c.output}/{c.loss}, batch {c.batch}, {c.dtype}, device {c.device}"
                 f" (median of {c.repeat} x {c.number} calls)",
                 f"numba: {self.numba}, element loops on layers of {self.fuse_from:,} values or more" if self.numba
                 else "numba: not installed, NumPy alone",
                 f"{'contender':<24} {'ms per gradient':>16}"]
        lines += [f"{t.name:<24} {t.seconds * 1e3:>16.3f}" for t in self.timings]
        lines.append(f"{'compile (numpy, cold)':<24} {self.compile_seconds * 1e3:>16.1f}")
        if self.first_call_seconds is not None:
            lines.append(f"{'first call (numpy)':<24} {self.first_call_seconds * 1e3:>16.1f}")
        lines.append("")
        lines += [f"{label:<40} {ratio:>6.3f}  {('target ' + target) if target else ''}"
                  for label, ratio, target in self.ratios()]
        lines += [f"skipped {name}" for name in self.skipped]
        return "\n".join(lines)


def _time(call: Callable[[], Any], config: BenchConfig, sync: Callable[[], None]) -> float:
    return _time_together({"call": call}, config, sync)["call"]


def _time_together(calls: Mapping[str, Callable[[], Any]], config: BenchConfig,
                   sync: Callable[[], None]) -> dict[str, float]:
    """Median seconds per call of each of ``calls``, timed in turn within every round (in reverse order every
    other round), so that all of them meet the same state of the machine (its load, its clock, the CPU's
    caches) and their ratio is fair."""
    for call in calls.values():
        for _ in range(3):
            call()
    sync()
    rounds: dict[str, list[float]] = {name: [] for name in calls}
    order = list(calls.items())
    for _ in range(config.repeat):
        order.reverse()  # each goes first as often as last: no advantage from the order
        for name, call in order:
            start = time.perf_counter()
            for _ in range(config.number):
                call()
            sync()
            rounds[name].append((time.perf_counter() - start) / config.number)
    return {name: statistics.median(times) for name, times in rounds.items()}


def _data(net: Architecture, config: BenchConfig) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(config.seed + 1)
    params = {k: v.astype(config.dtype) for k, v in random_parameters(net, config.seed).items()}
    X = rng.normal(size=(config.batch, net.layers[0])).astype(config.dtype)
    Y = np.eye(net.layers[-1], dtype=config.dtype)[rng.integers(0, net.layers[-1], size=config.batch)]
    return params, X, Y


def _floor(params: Mapping[str, Any], X: Any, depth: int, matmul: Callable[..., Any],
           work: dict[str, Any]) -> list[Any]:
    """The matrix products of one backprop, with the activations left out.

    The forward and back-propagated products go into arrays kept in ``work`` between calls, as any backprop
    may keep them; the weight gradients, which a gradient function returns, are new arrays on every call.
    ``matmul`` is ``numpy.matmul`` or ``torch.matmul``.
    """
    def product(name: str, a: Any, b: Any) -> Any:
        if name not in work:
            work[name] = matmul(a, b)
            return work[name]
        return matmul(a, b, out=work[name])

    As = [X]
    for l in range(1, depth + 1):
        As.append(product(symbols.matrix("Z", l), As[-1], params[symbols.matrix("W", l)].T))
    D, grads = As[-1], []
    for l in range(depth, 0, -1):
        grads.append(D.T @ As[l - 1])
        if l > 1:
            D = product(f"D{l - 1}", D, params[symbols.matrix("W", l)])
    return grads


def _torch_contenders(net: Architecture, config: BenchConfig, params: Mapping[str, np.ndarray], X: np.ndarray,
                      Y: np.ndarray) -> tuple[list[Timing], float]:
    import torch
    import torch.nn.functional as F

    device = torch.device(config.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    tp = {k: torch.tensor(v, device=device) for k, v in params.items()}
    leaves = [t.reshape(-1).requires_grad_() if symbols.kind_of(k) == "b" else t.requires_grad_()
              for k, t in tp.items()]
    tX, tY = torch.tensor(X, device=device), torch.tensor(Y, device=device)
    act = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}[config.hidden]
    depth = net.depth

    def autograd() -> Any:
        A = tX
        for l in range(depth):
            Z = F.linear(A, leaves[2 * l], leaves[2 * l + 1])
            A = act(Z) if l < depth - 1 else Z
        loss = F.cross_entropy(A, tY)
        return loss, torch.autograd.grad(loss, leaves)

    grad = compile_network(net, "torch", dtype=config.dtype)
    fixed = {k: t.detach() for k, t in tp.items()}
    timings = [Timing("torch autograd", _time(autograd, config, sync)),
               Timing("symbackprop torch", _time(lambda: grad(fixed, tX, tY), config, sync))]
    floor = 0.0
    if device.type != "cpu":
        ws = {k: t.detach() for k, t in tp.items()}
        floor = _time(partial(_floor, ws, tX, depth, torch.matmul, {}), config, sync)
    return timings, floor


def _jax_contenders(net: Architecture, config: BenchConfig, params: Mapping[str, np.ndarray], X: np.ndarray,
                    Y: np.ndarray) -> list[Timing]:
    import jax
    import jax.numpy as jnp

    act = {"tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid, "relu": jax.nn.relu}[config.hidden]
    depth = net.depth

    def loss(p: Mapping[str, Any], X: Any, Y: Any) -> Any:
        A = X
        for l in range(1, depth + 1):
            Z = A @ p[symbols.matrix("W", l)].T + p[symbols.matrix("b", l)].reshape(-1)
            A = act(Z) if l < depth else Z
        return -(Y * jax.nn.log_softmax(A, axis=1)).sum(1).mean()

    cpu = jax.devices("cpu")[0]  # the suite's device, also where JAX would pick a GPU: jit runs where its inputs are
    with jax.enable_x64(config.dtype == "float64"):
        jp = {k: jax.device_put(jnp.asarray(v), cpu) for k, v in params.items()}
        jX, jY = jax.device_put(jnp.asarray(X), cpu), jax.device_put(jnp.asarray(Y), cpu)
        baseline = jax.jit(jax.value_and_grad(loss))

    def autograd() -> Any:
        with jax.enable_x64(config.dtype == "float64"):
            return jax.block_until_ready(baseline(jp, jX, jY))

    grad = compile_network(net, "jax", dtype=config.dtype)
    return [Timing("jax.grad (jit)", _time(autograd, config, lambda: None)),
            Timing("symbackprop jax", _time(lambda: jax.block_until_ready(grad(jp, jX, jY)), config, lambda: None))]


#: The most values (examples x neurons of every layer) a benchmark batch may hold.
MAX_BATCH_VALUES = 2**27
#: Every contender a run may time, and the devices each runs on.
CONTENDERS = {"numpy": ("cpu",), "torch": ("cpu", "cuda"), "jax": ("cpu",)}
_DEVICE = re.compile(r"^(cpu|cuda(:[0-9]+)?)$")


def _check_contenders(contenders: tuple[str, ...], device: str) -> None:
    """Known names, at least one, and at least one that runs on ``device`` (the others are reported skipped).

    Raises:
        UnknownNameError: a name other than numpy, torch and jax. SymbackpropError: none given, or none that
            runs on the device.
    """
    if not any(contenders):
        raise SymbackpropError(f"no benchmark contenders given; name one or more of {', '.join(CONTENDERS)}")
    if not all(contenders):
        raise SymbackpropError(f"an empty benchmark contender name in {','.join(contenders)!r}; separate names by "
                               "single commas")
    for name in contenders:
        if name not in CONTENDERS:
            raise UnknownNameError("benchmark contender", name, CONTENDERS)
    kind = device.split(":")[0]
    if not any(kind in CONTENDERS[name] for name in contenders):
        runs = [name for name in CONTENDERS if kind in CONTENDERS[name]]
        raise SymbackpropError(f"{', '.join(contenders)} cannot run on device {device}; on {kind} the benchmark "
                               f"times {', '.join(runs)}")


def _check_cuda(device: str) -> None:
    """For ``cuda`` or ``cuda:N``: torch installed and that GPU present; nothing to check for ``cpu``.

    Raises:
        BackendError: cuda without torch. SymbackpropError: no such GPU.
    """
    if device == "cpu":
        return
    if not installed("torch"):
        raise BackendError("the cuda device is timed with torch, which is not installed: "
                           "pip install 'symbackprop[torch]'")
    import torch

    if not torch.cuda.is_available():
        raise SymbackpropError("no CUDA device: torch.cuda.is_available() is False; run the gpu suite on a machine "
                               "with an NVIDIA GPU")
    index = int(device.partition(":")[2] or 0)
    if index >= torch.cuda.device_count():
        raise SymbackpropError(f"no CUDA device {device}: this machine has {torch.cuda.device_count()} "
                               f"(cuda:0 to cuda:{torch.cuda.device_count() - 1})")


def run_benchmark(config: BenchConfig, contenders: tuple[str, ...] = ("numpy", "torch", "jax")) -> BenchReport:
    """Time every contender available on one network and batch; see the module docstring.

    Contenders that do not run on the device (numpy and jax on cuda) are reported skipped, as are those not
    installed.

    Raises:
        SpecError: a malformed ``spec``, or fewer than 2 output neurons (the network ends in softmax).
        UnknownNameError: a hidden activation other than tanh, sigmoid or relu (the autograd contenders are
            written for those), an unknown dtype, device or contender. BackendError: cuda without torch.
        SymbackpropError: no contender, none that runs on the device, or no CUDA device. SizeLimitError: a batch
            of more than :data:`MAX_BATCH_VALUES` values.
        DataError: a negative seed.
    """
    _check_config(config, contenders)
    net = Architecture.from_spec(config.spec, hidden=config.hidden, output="softmax", loss="cross_entropy")
    config = replace(config, output="softmax", loss="cross_entropy")
    start = time.perf_counter()
    grad = compile_network(net, "numpy", dtype=config.dtype)
    compile_seconds = time.perf_counter() - start
    params, X, Y = _data(net, config)
    timings: list[Timing] = []
    skipped: list[str] = []
    if config.device != "cpu" and "numpy" in contenders:
        skipped.append("numpy: runs on the CPU; the GPU suite compares torch only")
    first_call = None
    if config.device == "cpu" and "numpy" in contenders:
        timings, first_call = _numpy_contenders(net, config, grad, params, X, Y)
    library_timings, library_skipped = _library_contenders(net, config, contenders, params, X, Y)
    timings += library_timings
    skipped += library_skipped
    numba = getattr(grad.namespace.get("numba"), "__version__", None)  # the module imports it where installed
    return BenchReport(config, tuple(timings), compile_seconds, tuple(skipped), first_call, numba,
                       grad.namespace.get("FUSE_FROM", 0))


def _check_config(config: BenchConfig, contenders: tuple[str, ...]) -> None:
    """The checks :func:`run_benchmark` makes before any work (see what it raises)."""
    layers = parse_spec(config.spec)
    if layers[-1] < 2:
        raise SpecError(f"the benchmark network ends in softmax with cross-entropy, so its last layer needs at least "
                        f"2 neurons; got {config.spec}")
    if config.batch * sum(layers) > MAX_BATCH_VALUES:
        raise SizeLimitError(f"a batch of {config.batch:,} examples through {config.spec} holds "
                             f"{config.batch * sum(layers):,} values per array; the benchmark takes at most "
                             f"{MAX_BATCH_VALUES:,} (1 GiB in float64)")
    if config.hidden not in ("tanh", "sigmoid", "relu"):
        raise UnknownNameError("benchmark hidden activation", config.hidden, ("tanh", "sigmoid", "relu"))
    if config.dtype not in ("float64", "float32"):
        raise UnknownNameError("dtype", config.dtype, ("float64", "float32"))
    if not _DEVICE.match(config.device):
        raise UnknownNameError("device", config.device, ("cpu", "cuda"))
    check_seed(config.seed)
    _check_contenders(contenders, config.device)
    _check_cuda(config.device)


def _numpy_contenders(net: Architecture, config: BenchConfig, grad: CompiledGradient, params: Mapping[str, np.ndarray],
                      X: np.ndarray, Y: np.ndarray) -> tuple[list[Timing], float]:
    """The timings of the numpy contenders (the compiled ``grad``, without numba where it has element loops, the
    hand-written backprop and the matmul floor) and the seconds of ``grad``'s first call."""
    none = lambda: None  # noqa: E731 - NumPy is synchronous
    desc = describe(net)
    start = time.perf_counter()
    grad(params, X, Y)
    first_call = time.perf_counter() - start
    calls: dict[str, Callable[[], Any]] = {
        "symbackprop numpy": partial(grad, params, X, Y),
        "matmul floor": partial(_floor, params, X, net.depth, np.matmul, {})}
    if grad.namespace.get("FUSED"):
        alone = compile_network(net, "numpy", dtype=config.dtype)
        alone.namespace["FUSED"] = False
        calls["numpy without numba"] = partial(alone, params, X, Y)
    paired = _time_together(calls, config, none)
    timings = [Timing(name, paired[name]) for name in calls if name != "matmul floor"]
    timings += [Timing("hand-written numpy", _time(lambda: reference_grad(desc, params, X, Y), config, none)),
                Timing("matmul floor", paired["matmul floor"])]
    return timings, first_call


def _library_contenders(net: Architecture, config: BenchConfig, contenders: tuple[str, ...],
                        params: Mapping[str, np.ndarray], X: np.ndarray,
                        Y: np.ndarray) -> tuple[list[Timing], list[str]]:
    """The timings of the torch and jax contenders asked for, and those skipped (not installed, or jax on a GPU),
    with why."""
    timings: list[Timing] = []
    skipped: list[str] = []
    for name in ("torch", "jax"):
        if name not in contenders:
            continue
        if not installed(name):
            skipped.append(f"{name}: not installed (pip install 'symbackprop[{name}]')")
        elif name == "jax" and config.device != "cpu":
            skipped.append("jax: the GPU suite compares torch only")
        elif name == "torch":
            torch_timings, floor = _torch_contenders(net, config, params, X, Y)
            timings += torch_timings
            if floor:
                timings.append(Timing("matmul floor", floor))
        else:
            timings += _jax_contenders(net, config, params, X, Y)
    return timings, skipped
