"""``check_grads``: a compiled gradient function compared with every independent reference.

The references (:mod:`symbackprop.references`) are written apart from the engine; this module runs them on one
point (parameters, inputs, targets) and reports, per reference and per quantity, the largest absolute and
relative error against a tolerance that depends on the dtype and on whether the reference is exact or finite
differences.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .network import Network
from .params import check_seed, random_batch, random_parameters
from .references import REFERENCE_FUNCTIONS, REFERENCES, Array, describe, installed

# ---------------------------------------------------------------------------------------- the check
#: Finite differences cost two forward passes per parameter: by default they are skipped above this many.
FD_MAX_PARAMETERS = 5000
#: Relative tolerance (of the largest reference entry) per (dtype, reference kind).
TOLERANCES = {("float64", "exact"): 1e-8, ("float64", "finite_differences"): 1e-5,
              ("float32", "exact"): 2e-3, ("float32", "finite_differences"): 2e-3}
_TINY = 1e-12


@dataclass(frozen=True)
class CheckRow:
    """One line of the report: the largest error of one quantity against one reference."""

    reference: str
    quantity: str
    max_abs: float
    max_rel: float
    tolerance: float
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
        """The report as fixed-width text."""
        lines = [self.title, f"{'reference':<19} {'quantity':<9} {'max abs err':>12} {'max rel err':>12} "
                             f"{'tolerance':>10}  ok"]
        for r in self.rows:
            lines.append(f"{r.reference:<19} {r.quantity:<9} {r.max_abs:>12.3e} {r.max_rel:>12.3e} "
                         f"{r.tolerance:>10.1e}  {'yes' if r.ok else 'NO'}")
        lines += [f"skipped {name}: {why}" for name, why in self.skipped]
        lines.append("all gradients agree" if self.ok else "GRADIENTS DISAGREE beyond tolerance")
        return "\n".join(lines)


def _to_numpy(value: Any) -> Array:
    if hasattr(value, "detach"):
        value = value.detach().cpu()
    return np.asarray(value, dtype=np.float64)


def _compare(name: str, quantity: str, got: Any, want: Any, rtol: float, floor: float) -> CheckRow:
    """Largest error, relative to the largest reference entry (at least ``floor``: exact zeros stay comparable)."""
    got_a, want_a = _to_numpy(got).reshape(-1), _to_numpy(want).reshape(-1)
    scale = max(float(np.max(np.abs(want_a))) if want_a.size else 0.0, floor, _TINY)
    if got_a.shape != want_a.shape or not np.all(np.isfinite(got_a)):
        max_abs = math.inf
    else:
        max_abs = float(np.max(np.abs(got_a - want_a))) if want_a.size else 0.0
    return CheckRow(name, quantity, max_abs, max_abs / scale, rtol, max_abs <= rtol * scale)


def _choose_references(net: Network, references: Sequence[str] | None) -> tuple[list[str], list[tuple[str, str]]]:
    from .errors import BackendError, UnknownNameError

    if references is None:
        chosen, skipped = [], []
        for name in REFERENCES:
            if name in ("torch", "jax") and not installed(name):
                skipped.append((name, f"not installed (pip install 'symbackprop[{name}]')"))
            elif name == "finite_differences" and net.parameter_count > FD_MAX_PARAMETERS:
                skipped.append((name, f"{net.parameter_count} parameters > {FD_MAX_PARAMETERS}; ask for it by name"))
            else:
                chosen.append(name)
        return chosen, skipped
    for name in references:
        if name not in REFERENCES:
            raise UnknownNameError("reference", str(name), REFERENCES)
        if name in ("torch", "jax") and not installed(name):
            raise BackendError(f"the {name} reference needs {name}: pip install 'symbackprop[{name}]'")
    return list(references), []


def check_grads(
    net: Network,
    params: Mapping[str, Any] | None = None,
    X: Any = None,
    Y: Any = None,
    *,
    backend: str = "numpy",
    form: str = "vectorized",
    dtype: str = "float64",
    references: Sequence[str] | None = None,
    seed: int = 0,
    examples: int = 4,
    grad: Callable[[Mapping[str, Any], Any, Any], Mapping[str, Any]] | None = None,
) -> CheckReport:
    """Compare a compiled gradient function with every independent reference.

    Args:
        net: the architecture.
        params, X, Y: the point; random (from ``seed``, ``examples`` examples) where omitted.
        backend, form, dtype: what to compile and check (ignored when ``grad`` is given).
        references: names from :data:`REFERENCES`; by default every installed one (finite differences
            only up to :data:`FD_MAX_PARAMETERS` parameters).
        grad: a gradient function to check instead of compiling one (e.g. a generated module's ``grad``).

    Returns:
        A :class:`CheckReport`; ``report.ok`` is False beyond tolerance.

    Raises:
        UnknownNameError: an unknown reference; BackendError: a reference or backend not installed.
        DataError: a negative seed. SizeLimitError: random parameters for a network above
            :data:`~symbackprop.params.RANDOM_MAX_PARAMETERS` parameters.
    """
    check_seed(seed)
    chosen, skipped = _choose_references(net, references)
    if params is None:
        params = random_parameters(net, seed)
    if X is None or Y is None:
        X, Y = random_batch(net, examples, seed + 1)
    if grad is None:
        from .compile import compile_network

        grad = compile_network(net, backend=backend, form=form, dtype=dtype)
    got = grad(params, X, Y)
    desc = describe(net)
    canonical = {k: np.asarray(v, dtype=np.float64).reshape(net.parameter_shapes[k]) for k, v in params.items()}
    rows = []
    for name in chosen:
        want = REFERENCE_FUNCTIONS[name](desc, canonical, np.asarray(X), np.asarray(Y))
        kind = "finite_differences" if name == "finite_differences" else "exact"
        rtol = TOLERANCES[(dtype, kind)]
        # A gradient that is exactly zero (a shared bias under softmax) is judged against 1% of the largest one.
        floor = 0.01 * max(float(np.max(np.abs(want[k]))) for k in want if k != "loss")
        for quantity in want:
            rows.append(_compare(name, quantity, got[quantity], want[quantity], rtol, floor))
    title = (f"check of {net!r}: backend {backend}, form {form}, {dtype}; {np.shape(X)[0]} examples, seed {seed}")
    return CheckReport(title, tuple(rows), tuple(skipped))
