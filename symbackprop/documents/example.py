"""Worked numeric examples: the derivation's formulas with numbers in them, as lecture notes print them.

:func:`worked_example` derives the network once, evaluates its scalar form (every element expression of that
derivation, generated as a function) on given parameters and examples and keeps every value
(:meth:`~symbackprop.codegen.compile.CompiledGradient.trace`): forward z and a, the loss, delta per layer, the
gradients of C = (1/m) sum c, the parameters after one gradient-descent step p - lr dC/dp, and the trace of the
same function at the updated parameters (the loss after the step). The documents show the formulas of the same
derivation.

:func:`example_json` gives the documented schema::

    {"loss": C, "forward": {"z1": [[...], ...], "a1": ..., ...}, "delta": {"delta1": ..., ...},
     "gradients": {"W1": [[...]], "b1": [...], ...}, "updated": {"W1": ..., "b1": ..., ...},
     "loss_after": C after the step, "labels": {the same keys: LaTeX in a notation}}

forward values and deltas one row per example (dc/dz of each example, not divided by m), gradients and updated
parameters shaped as ``net.parameters``, b flat (a number for a shared bias), as in the parameter files.
The document made of it, in backprop's order, is :mod:`.example_blocks`'s.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..codegen.compile import SCALAR_MAX_PARAMETERS, Trace, compile_network
from ..derive.derivation import Derivation
from ..derive.engine import derive
from ..errors import DataError, SizeLimitError, cut
from ..model import symbols
from ..model.architecture import Architecture
from ..model.params import check_batch_shapes, check_parameter_shapes, check_target_values, parameters_to_data
from .example_lines import (
    example_labels,
)
from .example_zeros import with_exact_zeros


@dataclass(frozen=True)
class WorkedExample:
    """Every number of one gradient-descent step on a batch.

    Attributes:
        network: the architecture.
        params: the parameters, in the shapes of ``net.parameters``.
        X: (m, n_0) inputs; Y: the targets as given ((m, n_L), or (m,) labels from 0).
        lr: the learning rate.
        derivation: the element-form derivation whose formulas were evaluated.
        trace: every value of the evaluation: x, y (one-hot rows for labels), z, a and delta per layer.
        losses: c of each example; loss: C = mean of c.
        gradients: dC/dp in the shapes of ``net.parameters``, 0 where the derivation proves it
            (:mod:`.example_zeros`), not the trace's rounding noise; updated: p - lr dC/dp.
        after: the trace of the same evaluation at the updated parameters (the forward pass after the step).
    """

    network: Architecture
    params: Mapping[str, np.ndarray]
    X: np.ndarray
    Y: np.ndarray
    lr: float
    derivation: Derivation
    trace: Trace
    losses: np.ndarray
    loss: float
    gradients: Mapping[str, np.ndarray]
    updated: Mapping[str, np.ndarray]
    after: Trace

    @property
    def examples(self) -> int:
        return int(self.X.shape[0])

    @property
    def losses_after(self) -> np.ndarray:
        """c of each example at the updated parameters."""
        return np.asarray(self.after.losses, dtype=np.float64)

    @property
    def loss_after(self) -> float:
        """C at the updated parameters: the loss after the step."""
        return float(self.after.loss)

    def layer_values(self, kind: str, layer: int) -> np.ndarray:
        """(m, n_l) values of ``z``, ``a`` or ``delta`` of one layer."""
        return np.asarray({"z": self.trace.z, "a": self.trace.a, "delta": self.trace.delta}[kind][layer])


def check_example_size(net: Architecture) -> None:
    """Refuse a network too large for a worked example, before any number is drawn or computed.

    Raises:
        SpecError: a generic network (no numbers to compute).
        SizeLimitError: more than :data:`~symbackprop.compile.SCALAR_MAX_PARAMETERS` parameters.
    """
    net.check_concrete("a worked example")
    if net.parameter_count > SCALAR_MAX_PARAMETERS:
        raise SizeLimitError(f"worked examples print every element and are limited to {SCALAR_MAX_PARAMETERS} "
                             f"parameters; {net.spec} has {net.parameter_count:,}")


def _check_learning_rate(lr: Any) -> float:
    """``lr`` as a float, if it is a finite number > 0.

    Raises:
        DataError: anything else (nan, inf, 0, negative), naming what was given.
    """
    try:
        value = float(lr)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        written, shown = isinstance(lr, str) and not lr.lstrip().startswith("-"), str(lr).strip() and cut(str(lr), 40)
        underflow = value == 0 and written and any(digit in lr for digit in "123456789")
        overflow = value == math.inf and written and not any(word in lr.lower() for word in ("inf", "nan"))
        raise DataError(f"learning rate must be a finite number > 0, got {shown or repr(lr)}"
                        + (" (below the smallest float, about 5e-324: 0)" if underflow else "")
                        + (" (above the largest float, about 1.8e308)" if overflow else ""))
    return value


def _check_finite(net: Architecture, example: WorkedExample) -> None:
    """Raise on the first quantity, in the order of the computation, that is not a finite number; from the loss on,
    where the loss takes the log of outputs the output activation can make 0 or negative, that (a SpecError)."""
    layers = range(1, net.depth + 1)
    quantities: list[tuple[str, str, np.ndarray]] = []
    quantities += [("forward value", symbols.matrix(kind, l), example.layer_values(kind, l))
                   for l in layers for kind in "za"]
    quantities += [("per-example loss", "c", example.losses), ("loss", "C", np.asarray(example.loss))]
    quantities += [("error term", symbols.matrix("delta", l), example.layer_values("delta", l))
                   for l in reversed(layers)]
    quantities += [("gradient", f"dC/d{k}", v) for k, v in example.gradients.items()]
    quantities += [("updated parameter", k, v) for k, v in example.updated.items()]
    quantities += [("loss after the step", "C", np.asarray(example.loss_after))]
    for kind, name, values in quantities:
        bad = values[~np.isfinite(values)]
        if bad.size:
            if kind != "forward value":  # a log of an output the loss is not defined at (bce after tanh): say so
                net.check_defined("a worked example")
            what = "is not a number (nan)" if np.isnan(bad[0]) else f"overflows to {bad[0]}"
            after = kind in ("updated parameter", "loss after the step")
            remedy = "a smaller learning rate" if after else "smaller inputs or parameters"
            raise DataError(f"the {kind} {name} {what}; use {remedy}")


def worked_example(net: Architecture, params: Mapping[str, Any], X: Any, Y: Any, lr: float | str = 0.5
                   ) -> WorkedExample:
    """Evaluate the derived formulas on ``params`` and the batch (X, Y), take one gradient-descent step, and
    evaluate them again at the updated parameters (the loss after the step).

    Raises:
        DataError: parameters, inputs or targets of the wrong shape or with invalid labels/targets; a learning
            rate that is not a finite number > 0; a value that overflows (names the first).
        SizeLimitError: a network too large for a worked example (:func:`check_example_size`).
    """
    check_example_size(net)
    lr = _check_learning_rate(lr)
    check_parameter_shapes(net, params, "params")
    check_batch_shapes(net, X, Y, "X, Y")
    check_target_values(net, np.asarray(Y), "Y")
    canonical = {k: np.asarray(params[k], dtype=np.float64).reshape(shape) for k, shape in net.parameter_shapes.items()}
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y)
    derivation = derive(net, forms=("element",), progress=False)
    grad = compile_network(net, "numpy", "scalar", derivation=derivation)
    with np.errstate(all="ignore"):  # overflow is reported below, by name, not as RuntimeWarnings
        trace = grad.trace(canonical, X, Y)
        gradients = with_exact_zeros(derivation, {k: trace.gradients[k] for k in net.parameter_shapes})
        updated = {k: canonical[k] - lr * gradients[k] for k in net.parameter_shapes}
        after = grad.trace(updated, X, Y)
    example = WorkedExample(net, canonical, X, Y, lr, derivation, trace, np.asarray(trace.losses),
                            float(trace.loss), gradients, updated, after)
    _check_finite(net, example)
    return example


def example_json(example: WorkedExample, notation: str = "nielsen") -> dict[str, Any]:
    """The worked example in the documented JSON schema (see the module docstring), labelled in ``notation``.

    Raises:
        UnknownNameError: an unknown notation.
    """
    net = example.network
    layers = range(1, net.depth + 1)
    return {
        "loss": example.loss,
        "forward": {symbols.matrix(kind, l): example.layer_values(kind, l).tolist()
                    for l in layers for kind in ("z", "a")},
        "delta": {symbols.matrix("delta", l): example.layer_values("delta", l).tolist() for l in layers},
        "gradients": parameters_to_data(net, example.gradients),
        "updated": parameters_to_data(net, example.updated),
        "loss_after": example.loss_after,
        "labels": example_labels(net, notation, example.examples),
    }
