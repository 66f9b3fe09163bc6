"""``check_grads``: a compiled gradient function compared with every independent reference.

The references (:mod:`symbackprop.numeric.references`) are written apart from the engine; this module runs them on one
point (parameters, inputs, targets) and reports, per reference and per quantity, the largest absolute and
relative error against an allclose-style tolerance ``atol + rtol * max |reference|``: rtol depends on the dtype
and on whether the reference is exact or finite differences, atol on the dtype and on the magnitude of the
numbers whose sums cancel (see :func:`absolute_tolerance`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import DataError, SpecError, UnknownNameError, cut
from ..model.architecture import Architecture
from ..model.params import check_seed, random_batch, random_parameters
from . import MAX_EXAMPLES
from .references import FD_STEP, REFERENCE_FUNCTIONS, REFERENCES, Array, describe, installed, output_delta

# ---------------------------------------------------------------------------------------- the check
#: A gradient function: ``grad(params, X, Y) -> {"loss": C, "W1": dC/dW1, ...}``.
GradFunction = Callable[[Mapping[str, Any], Any, Any], Mapping[str, Any]]
#: check_grads shows its progress (where someone watches) for networks of more parameters than this.
PROGRESS_PARAMETERS = 1000
#: Finite differences cost two forward passes per parameter: by default they are skipped above this many.
FD_MAX_PARAMETERS = 5000
#: Finite differences run two forward passes per parameter, each some (parameters + neurons) operations per example:
#: beyond this many operations in all (about 10 to 30 s) they are refused when named, and skipped by default.
FD_MAX_WORK = 5 * 10**9
#: Relative tolerance (of the largest entry of the quantity in the reference) per (dtype, reference kind).
TOLERANCES = {("float64", "exact"): 1e-8, ("float64", "finite_differences"): 1e-5,
              ("float32", "exact"): 2e-3, ("float32", "finite_differences"): 2e-3}
#: The absolute tolerance in units of eps * S (see :func:`absolute_tolerance`). Over random networks (those of the
#: property tests, up to 3 layers of 4) the compiled gradients of every backend and form stay within 4 eps S of the
#: float64 reference, in float32 and float64 alike: 64 leaves a margin of 16, while an error above 8e-6 S (float32)
#: or 3e-14 S (float64) still fails, even in a gradient that is zero.
ATOL_ULPS = 64
#: The rounding unit of each dtype.
EPS = {"float64": float(np.finfo(np.float64).eps), "float32": float(np.finfo(np.float32).eps)}
#: The references' own relative noise: exact ones round in float64; central differences divide the rounding error
#: of the loss by the step.
REFERENCE_NOISE = {"exact": EPS["float64"], "finite_differences": EPS["float64"] / FD_STEP}


def absolute_tolerance(dtype: str, kind: str, scale: float) -> float:
    """atol = ATOL_ULPS (eps(dtype) + the reference's noise) S, S the largest magnitude that may cancel.

    A gradient that is zero in exact arithmetic (a shared bias under softmax sums deltas whose sum is zero) is
    computed as a sum of rounding errors of its terms: no relative tolerance fits it, and its error is bounded
    by eps times the magnitude of the terms. ``scale`` is S = max(1, |C|, the largest |gradient entry|, the
    largest sum over one example's outputs of |dc/dz^L|), the last bounding the delta sums of the output layer.
    """
    return ATOL_ULPS * (EPS[dtype] + REFERENCE_NOISE[kind]) * scale


@dataclass(frozen=True)
class CheckRow:
    """One line of the report: the largest error of one quantity against one reference, and the tolerance.

    ``max_rel`` is ``max_abs`` over the largest reference entry of the quantity (inf for a zero quantity with an
    error); ``ok`` is ``max_abs <= atol + rtol * max |reference|``.
    """

    reference: str
    quantity: str
    max_abs: float
    max_rel: float
    rtol: float
    atol: float
    ok: bool


@dataclass(frozen=True)
class CheckReport:
    """The result of :func:`check_grads`: rows, the references skipped and why, and a text table."""

    title: str
    rows: tuple[CheckRow, ...]
    skipped: tuple[tuple[str, str], ...]

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    def table(self) -> str:
        """The report as fixed-width text, with the tolerance applied to each row."""
        lines = [self.title,
                 f"tolerance: |error| <= atol + rtol*max|reference| per quantity; atol = {ATOL_ULPS}*(eps + r)*S,",
                 "  eps the dtype's machine epsilon, r the reference's own rounding (eps64, or eps64/step for finite",
                 "  differences), S = max(1, |loss|, max |gradient|, max sum_j |dc/dz^L_j|)",
                 f"{'reference':<19} {'quantity':<9} {'max abs err':>12} {'max rel err':>12} {'rtol':>8} "
                 f"{'atol':>8}  ok"]
        for r in self.rows:
            lines.append(f"{r.reference:<19} {r.quantity:<9} {r.max_abs:>12.3e} {r.max_rel:>12.3e} {r.rtol:>8.1e} "
                         f"{r.atol:>8.1e}  {'yes' if r.ok else 'NO'}")
        lines += [f"skipped {name}: {why}" for name, why in self.skipped]
        lines.append("all gradients agree" if self.ok else "GRADIENTS DISAGREE beyond tolerance")
        return "\n".join(lines)


def _to_numpy(value: Any, dtype: Any = np.float64) -> Array:
    """A host NumPy array (tensors detached and copied from their device)."""
    if hasattr(value, "detach"):
        value = value.detach().cpu()
    return np.asarray(value, dtype=dtype)


def _compare(name: str, quantity: str, got: Any, want: Any, rtol: float, atol: float) -> CheckRow:
    """The largest error of one quantity, within ``atol + rtol * max |want|`` or not."""
    got_a, want_a = _to_numpy(got).reshape(-1), _to_numpy(want).reshape(-1)
    scale = float(np.max(np.abs(want_a))) if want_a.size else 0.0
    if got_a.shape != want_a.shape or not np.all(np.isfinite(got_a)):
        max_abs = math.inf
    else:
        max_abs = float(np.max(np.abs(got_a - want_a))) if want_a.size else 0.0
    max_rel = max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else math.inf)
    return CheckRow(name, quantity, max_abs, max_rel, rtol, atol, max_abs <= atol + rtol * scale)


def _magnitude(want: Mapping[str, Any], delta_sums: float) -> float:
    """S of :func:`absolute_tolerance` for one reference's values."""
    gradients = [float(np.max(np.abs(_to_numpy(v)), initial=0.0)) for k, v in want.items() if k != "loss"]
    return max(1.0, abs(float(want["loss"])), *gradients, delta_sums)


def check_examples(examples: Any) -> None:
    """Raise unless ``examples`` (the size of a random batch) is a whole number of at least 1.

    Raises:
        DataError: naming the value given.
    """
    if isinstance(examples, bool) or not isinstance(examples, numbers.Integral) or examples < 1:
        raise DataError(f"examples must be at least 1 (a whole number of examples in the random batch), got "
                        f"{examples!r}")
    if int(examples) > MAX_EXAMPLES:
        raise DataError(f"examples must be at most {MAX_EXAMPLES:,} (finite differences run the whole batch twice "
                        f"per parameter), got {examples:,}")


def _fd_work(net: Architecture, examples: int) -> int:
    """About how many operations finite differences take on ``examples`` examples (see :data:`FD_MAX_WORK`)."""
    return 2 * net.parameter_count * examples * (net.parameter_count + sum(net.layers))


def _choose_references(net: Architecture, references: Sequence[str] | None,
                       examples: int) -> tuple[list[str], list[tuple[str, str]]]:
    from ..errors import BackendError, SizeLimitError

    work = _fd_work(net, examples)
    if references is None:
        chosen, skipped = [], []
        for name in REFERENCES:
            if name in ("torch", "jax") and not installed(name):
                skipped.append((name, f"not installed (pip install 'symbackprop[{name}]')"))
            elif name == "finite_differences" and net.parameter_count > FD_MAX_PARAMETERS:
                skipped.append((name, f"{net.parameter_count} parameters > {FD_MAX_PARAMETERS}; ask for it by name"))
            elif name == "finite_differences" and work > FD_MAX_WORK:
                skipped.append((name, f"{examples:,} examples are too many for it; check fewer"))
            else:
                chosen.append(name)
        return chosen, skipped
    for name in references:
        if name not in REFERENCES:
            raise UnknownNameError("reference", str(name), REFERENCES)
        if name in ("torch", "jax") and not installed(name):
            raise BackendError(f"the {name} reference needs {name}: pip install 'symbackprop[{name}]'")
        if name == "finite_differences" and work > FD_MAX_WORK:
            raise SizeLimitError(f"finite differences on {cut(net.spec, 40)} with {examples:,} examples take about "
                                 f"{work:.0e} operations (two passes of the batch per parameter); they are limited to "
                                 f"{FD_MAX_WORK:.0e}: check fewer examples or a smaller network, or leave them out")
    return list(references), []


def check_grads(
    net: Architecture, params: Mapping[str, Any] | None = None, X: Any = None, Y: Any = None, *,
    backend: str = "numpy", form: str = "vectorized", dtype: str = "float64", references: Sequence[str] | None = None,
    seed: int = 0, examples: int = 4, grad: GradFunction | None = None, progress: bool | None = None,
) -> CheckReport:
    """Compare a compiled gradient function with every independent reference.

    Args:
        net: the architecture.
        params, X, Y: the point; random (from ``seed``, ``examples`` examples) where omitted (X and Y together).
        backend, form, dtype: what to compile and check; with ``grad``, only dtype is used (for the tolerance).
        references: names from :data:`REFERENCES`; by default every installed one (finite differences
            only up to :data:`FD_MAX_PARAMETERS` parameters).
        grad: a gradient function to check instead of compiling one (e.g. a generated module's ``grad``).
        progress: show which step runs (compiling, then each reference) on stderr or in a notebook: True, False,
            or None to show it only for networks of over :data:`PROGRESS_PARAMETERS` parameters where someone is
            watching (see :mod:`symbackprop.progress`).

    Returns:
        A :class:`CheckReport`; ``report.ok`` is False beyond tolerance.

    Raises:
        UnknownNameError: an unknown reference or dtype; BackendError: a reference or backend not installed.
        DataError: a negative seed, fewer than 1 example, or a given point a compiled gradient would refuse
            (:func:`~symbackprop.codegen.compile.check_arguments`). SizeLimitError: random parameters for a network
            above :data:`~symbackprop.model.params.RANDOM_MAX_PARAMETERS` parameters.
    """
    if not isinstance(net, Architecture):
        raise SpecError(f"check_grads takes a Network, such as Network.from_spec('3-4-2'), got "
                        f"{type(net).__name__} {net!r}"[:200])
    net.check_concrete("a gradient check")
    net.check_defined("a gradient check")
    references = _check_options(seed, examples, dtype, references, X, Y)
    params, X, Y = _point(net, params, X, Y, seed, examples)
    chosen, skipped = _choose_references(net, references, np.shape(X)[0])
    rows = _run_checks(net, (params, X, Y), chosen, grad, backend=backend, form=form, dtype=dtype, progress=progress)
    title = (f"check of {net!r}: backend {backend}, form {form}, {dtype}; {np.shape(X)[0]} examples, seed {seed}")
    return CheckReport(title, tuple(rows), tuple(skipped))


def _run_checks(net: Architecture, point: tuple[Mapping[str, Any], Any, Any], chosen: Sequence[str],
                grad: GradFunction | None, *, backend: str, form: str, dtype: str,
                progress: bool | None) -> list[CheckRow]:
    """The rows of :func:`check_grads`: ``grad`` (or the gradient compiled from backend, form and dtype) at ``point``
    against each reference in ``chosen``, with a step of the progress bar for each."""
    from ..progress import progress_bar

    params, X, Y = point
    with progress_bar(len(chosen) + 2, "checking", progress, long=net.parameter_count > PROGRESS_PARAMETERS) as bar:
        if grad is None:
            from ..codegen.compile import compile_network

            bar.describe(f"compiling the {backend} gradient")
            grad = compile_network(net, backend=backend, form=form, dtype=dtype)
        bar.update()
        bar.describe("the compiled gradient")
        got = grad(params, X, Y)
        bar.update()
        reference_point = _Point.of(net, params, X, Y)
        rows: list[CheckRow] = []
        for name in chosen:
            bar.describe(f"reference {name}")
            rows += _rows(reference_point, name, got, dtype)
            bar.update()
    return rows


def _check_options(seed: int, examples: int, dtype: str, references: Sequence[str] | str | None, X: Any,
                   Y: Any) -> Sequence[str] | None:
    """The options of :func:`check_grads` checked, before any work; the references as a list of names."""
    check_seed(seed)
    check_examples(examples)
    if dtype not in EPS:  # checked here too: with ``grad`` nothing is compiled, but dtype picks the tolerance
        raise UnknownNameError("dtype", str(dtype), EPS)
    if (X is None) != (Y is None):
        raise DataError("give X and Y together, or neither (then a random batch of `examples` examples is drawn)")
    if references is None:
        return None
    from ..choices import split_list

    # "reference,torch" as the command line writes it, or a list; none at all would check nothing
    given: Any = list(references) if isinstance(references, (set, frozenset)) else references  # (others refused)
    return split_list(given, "reference", REFERENCES)


def _point(net: Architecture, params: Mapping[str, Any] | None, X: Any, Y: Any, seed: int,
           examples: int) -> tuple[Mapping[str, Any], Any, Any]:
    """The point checked: what was given, checked as a compiled gradient would check it, or drawn from ``seed``."""
    from ..codegen.compile import check_arguments

    given = params is not None or X is not None
    if params is None:
        params = random_parameters(net, seed)
    if X is None or Y is None:
        X, Y = random_batch(net, examples, seed + 1)
    if given:  # names, shapes, at least one example, numbers, valid targets
        check_arguments(net, params, X, Y)
    return params, X, Y


@dataclass(frozen=True)
class _Point:
    """The point every reference is evaluated at, in NumPy and the canonical shapes, and its output deltas' largest
    per-example sum (a magnitude the absolute tolerance scales with): computed once for all references."""

    desc: Any
    params: dict[str, Array]
    inputs: Array
    targets: Array
    delta_sums: float

    @classmethod
    def of(cls, net: Architecture, params: Mapping[str, Any], X: Any, Y: Any) -> _Point:
        desc = describe(net)
        canonical = {k: _to_numpy(params[k]).reshape(shape) for k, shape in net.parameter_shapes.items()}
        inputs, targets = _to_numpy(X), _to_numpy(Y, None)
        delta_sums = float(np.max(np.abs(output_delta(desc, canonical, inputs, targets)).sum(axis=1)))
        return cls(desc, canonical, inputs, targets, delta_sums)


def _rows(point: _Point, name: str, got: Mapping[str, Any], dtype: str) -> list[CheckRow]:
    """One row per quantity: the compiled gradient ``got`` against the reference ``name`` at ``point``."""
    want = REFERENCE_FUNCTIONS[name](point.desc, point.params, point.inputs, point.targets)
    kind = "finite_differences" if name == "finite_differences" else "exact"
    atol = absolute_tolerance(dtype, kind, _magnitude(want, point.delta_sums))
    return [_compare(name, quantity, got[quantity], want[quantity], TOLERANCES[(dtype, kind)], atol)
            for quantity in want]
