"""Loss functions, as data.

A loss is the per-example cost ``c(a, y)`` of the output activations
``a_1..a_n`` and targets ``y_1..y_n``; the batch cost is ``C = (1/m) sum c``.
``sparse_cross_entropy`` takes an integer label ``ell`` instead of targets; it
is written with indicator functions, ``y_j = [ell = j]``, so that the same
machinery differentiates it (seed 002).

``targets_sum_to_one`` marks losses whose targets are a probability
distribution (one-hot labels included): the engine may use ``sum_j y_j = 1``
when it simplifies, and says so in the derivation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp

from ..errors import UnknownNameError

#: The integer class label of sparse_cross_entropy (1-based, as the seeds index).
LABEL = sp.Symbol("ell", integer=True, positive=True)
PerExample = Callable[[Sequence[sp.Expr], Sequence[sp.Expr]], sp.Expr]


def indicator(j: int) -> sp.Expr:
    """The one-hot target ``[ell = j]`` of sparse cross-entropy."""
    return sp.KroneckerDelta(LABEL, j)


@dataclass(frozen=True)
class Loss:
    """One loss function.

    Attributes:
        name: registry name.
        latex: a short LaTeX formula for tables (``j`` indexes outputs).
        per_example: ``c(a, y)`` as a SymPy expression.
        description: one line for ``symbackprop list``.
        targets_sum_to_one: targets are a distribution; the engine may use sum y = 1.
        sparse: targets are one integer label per example.
        mean_over_outputs: the sum is divided by the number of outputs (mse).
        outputs: the output activations on whose range the loss is defined, where it takes logs of the outputs
            (bce: of a and 1 - a, so a sigmoid's or a softmax's, in (0, 1)); empty for a loss defined everywhere.
        classes: a loss for classification, whose targets a worked example draws as classes (bce: each 0 or 1;
            cross-entropy: one-hot), not as values in between.
    """

    name: str
    latex: str
    per_example: PerExample
    description: str
    targets_sum_to_one: bool = False
    sparse: bool = False
    mean_over_outputs: bool = False
    outputs: tuple[str, ...] = ()
    classes: bool = False

    @property
    def generic(self) -> bool:
        """Whether this is the generic cost c(a, y), whose derivatives stay symbols."""
        return self.name == "generic"

    def __call__(self, a: Sequence[sp.Expr], y: Sequence[sp.Expr], outputs: int | None = None) -> sp.Expr:
        """c(a, y); ``outputs`` is n_L when ``a`` holds only some of the outputs (for mse's 1/n)."""
        value = self.per_example(a, y)
        return value / (outputs or len(a)) if self.mean_over_outputs else value


class GenericCost(sp.Function):
    """The generic cost c(a_1, ..., a_n, y_1, ..., y_n): an undefined function of the outputs and the targets, so
    that ∂c/∂a_j stays a symbol (printed ∂C/∂a^L_j in a preset's letters), as the lecture notes argue before they
    choose a loss."""

    is_real = True


#: The output activations whose values are all positive, where a cross-entropy's log of the outputs is defined.
POSITIVE = ("sigmoid", "softmax", "softplus")


def _sum(terms: Sequence[sp.Expr]) -> sp.Expr:
    return sp.Add(*terms)


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("quadratic", r"\tfrac{1}{2}\sum_j (a_j - y_j)^2",
             lambda a, y: sp.Rational(1, 2) * _sum([(ai - yi) ** 2 for ai, yi in zip(a, y)]),
             "half the squared error, 1/2 sum (a - y)^2"),
        Loss("mse", r"\tfrac{1}{n}\sum_j (a_j - y_j)^2",
             lambda a, y: _sum([(ai - yi) ** 2 for ai, yi in zip(a, y)]),
             "mean squared error over the outputs, 1/n sum (a - y)^2", mean_over_outputs=True),
        Loss("bce", r"-\sum_j \left[y_j \log a_j + (1 - y_j)\log(1 - a_j)\right]",
             lambda a, y: -_sum([yi * sp.log(ai) + (1 - yi) * sp.log(1 - ai) for ai, yi in zip(a, y)]),
             "binary cross-entropy, -sum [y log a + (1-y) log(1-a)]", outputs=("sigmoid", "softmax"),
             classes=True),
        Loss("cross_entropy", r"-\sum_j y_j \log a_j",
             lambda a, y: -_sum([yi * sp.log(ai) for ai, yi in zip(a, y)]),
             "categorical cross-entropy, -sum y log a, targets sum to 1", targets_sum_to_one=True,
             outputs=POSITIVE, classes=True),
        Loss("sparse_cross_entropy", r"-\log a_\ell",
             lambda a, y: -_sum([yi * sp.log(ai) for ai, yi in zip(a, y)]),
             "cross-entropy with an integer label ell, -log a_ell", targets_sum_to_one=True, sparse=True,
             outputs=POSITIVE, classes=True),
        Loss("generic", r"c(a, y)", lambda a, y: GenericCost(*a, *y),
             "any cost c(a, y): the derivation keeps dc/da_j as a symbol (derive only)"),
    )
}


def get_loss(name: str) -> Loss:
    """Look up a loss by name.

    Raises:
        UnknownNameError: the name is not in the table.
    """
    if name not in LOSSES:
        raise UnknownNameError("loss", str(name), LOSSES)
    return LOSSES[name]
