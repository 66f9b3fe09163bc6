"""The result of the engine: plain, immutable data that renderers and the compiler read.

A :class:`Derivation` holds the derivation as an ordered tuple of :class:`Step`.
A quantity (``delta2_1``, ``W1_2_3`` in the element form; ``delta2``, ``W1``
in the vector and batch forms) is derived by one or more consecutive steps: the
first applies the chain rule (its ``chain`` holds the unevaluated factors, a sum
over paths of products), the next ones rewrite the result (differentiate,
simplify, use an identity), each citing the :class:`Rule` it follows (data, never a sentence to parse; the
engine's words for it are :attr:`Step.justification`).

Element-form expressions use the network's scalar symbols (see
:mod:`symbackprop.network`); vector- and batch-form expressions are SymPy
matrix expressions over :class:`sympy.MatrixSymbol` (``a2``, ``z2``, ``W2``,
``delta2``, ``y``; capitalised ``A2``, ``Z2``, ``Delta2``, ``X``, ``Y`` with
examples as columns in the batch form), where ``g'(z)`` applied element-wise is
an ``ElementwiseApplyFunction`` of the undefined function ``Function(f"{name}'")``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import sympy as sp

from ..model import symbols
from ..model.architecture import Architecture
from ..model.rules import Rule, check_rule, words  # Rule is the derivation's too: import it from here

#: The forms a derivation can record; ``paths`` are seed 000's chains to each weight (``through`` its ∂C/∂W^{(1)} in
#: one chain through every output neuron), ``thin`` seed 002's chain through a thin network
#: (:attr:`Derivation.thin`).
FORMS = ("element", "vector", "batch", "paths", "through", "thin")

#: Above this many parameters closed_form() refuses: the expressions grow too large to print or read.
CLOSED_FORM_MAX_PARAMETERS = 64
#: How many quantity names an unknown quantity's message lists at most.
LISTED = 40


@dataclass(frozen=True)
class Step:
    """One line of the derivation.

    Attributes:
        quantity: what it derives (``"delta2_1"``, ``"W1_2_3"``, ``"delta2"``, ``"W1"``, ...).
        form: ``"element"``, ``"vector"`` or ``"batch"``.
        layer: the layer the quantity belongs to.
        lhs: the quantity as an expression (a partial derivative or a delta symbol).
        chain: for a chain-rule step, a sum over paths of products of unevaluated factors
            (``Derivative(..., evaluate=False)``); empty for other steps.
        rule: why the step holds (:attr:`Rule.CHAIN_RULE`, :attr:`Rule.SIMPLIFY`, ...).
        result: the right-hand side after this step.
    """

    quantity: str
    form: str
    layer: int
    lhs: sp.Basic
    chain: tuple[tuple[sp.Basic, ...], ...]
    rule: Rule
    result: sp.Basic

    def __post_init__(self) -> None:
        check_rule(self.rule)

    @property
    def justification(self) -> str:
        """The rule in the engine's words (``"chain rule"``, ``"simplify"``, ...), for people; never parsed."""
        return words(self.rule)

    @property
    def chain_sum(self) -> sp.Expr:
        """The chain as one expression: the sum of its paths' products, each factor in the order written (none
        for a step that is not the chain rule's: 0)."""
        return sp.Add(*[sp.Mul(*path, evaluate=False) for path in self.chain], evaluate=False)


@dataclass(frozen=True)
class Equation:
    """A named definition: ``lhs = rhs`` (forward pass, BP equations)."""

    name: str
    lhs: sp.Basic
    rhs: sp.Basic


def _frozen(mapping: Mapping[str, sp.Basic]) -> Mapping[str, sp.Basic]:
    """A read-only copy: a Derivation cannot be changed after the engine made it."""
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Derivation:
    """Everything the engine derived for one network.

    Attributes:
        network: the architecture.
        loss: the per-example loss c in terms of the output activations and targets.
        forward: element-form definitions ``z^l_j = ...``, ``a^l_j = ...``.
        forward_vector: the same for one example, layer by layer: ``z^l = W^l a^{l-1} + b^l``, ``a^l = g(z^l)``.
        steps: every step of every form asked for, in order.
        deltas: ``{"delta1": (n_1, 1) matrix, ...}``, each entry in delta form
            (in terms of z, a and the next layer's delta symbols).
        gradients: same keys and shapes as ``network.parameters``, in delta form.
        vector: ``{"delta2": ..., "W2": ..., ...}`` the BP equations for one example.
        batch: ``{"Z1": ..., "A1": ..., "Delta2": ..., "W2": ..., ...}`` forward and
            backward equations for m examples stacked as columns, in evaluation order.
        assumptions: identities used beyond the definitions (``sum_j y_j = 1``).
        arguments: BP1-BP4 argued for a general neuron, every step justified
            (:class:`symbackprop.derive.argument.Argument`, letters j and k; documents rename them).
        model: the network as one nested function of its input, ``a^L = g_L(W^L g(W^{L-1} x + b) + b^L)``
            (seed 002's ŷ = O(W_3 g(W_2 g(W_1 x + b_1) + b_2) + b_3)); None where not made.
        thin: with the form ``thin``, the derivation of a thin network as deep as this one (one neuron in every
            layer, generic activations and cost) whose one step is the chain from the cost to its first weight
            (seed 002's demo); None otherwise.
        jacobians: with the vector form, the Jacobians its steps use, each worked out on its own, by the equation
            that uses it (seed 004's ``"BP1"``: ∂a^L/∂z^L = diag(σ'(z^L)); ``"BP2"``: ∂z^{l+1}/∂z^l = W^{l+1}
            diag(σ'(z^l)); ``"BP3"``: ∂z^l/∂b^l = I): vector-form steps.
    """

    network: Architecture
    loss: sp.Expr
    forward: tuple[Equation, ...]
    steps: tuple[Step, ...]
    deltas: Mapping[str, sp.ImmutableMatrix]
    gradients: Mapping[str, sp.ImmutableMatrix]
    vector: Mapping[str, sp.Basic] = field(default_factory=dict)
    batch: Mapping[str, sp.Basic] = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()
    forward_vector: tuple[Equation, ...] = ()
    arguments: tuple[Any, ...] = ()
    model: Equation | None = None
    thin: Derivation | None = None
    jacobians: Mapping[str, tuple[Step, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("deltas", "gradients", "vector", "batch", "jacobians"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    def argument(self, name: str) -> Any:
        """The argument for a general neuron called ``name`` (a :class:`~symbackprop.derive.argument.Argument`:
        ``output``, ``hidden``, ``weight``, ...); None where this derivation has none of that name."""
        return next((argument for argument in self.arguments if argument.name == name), None)

    def steps_of(self, form: str, quantity: str | None = None) -> tuple[Step, ...]:
        """The steps of one form (none for a form the engine was not asked for), optionally of one quantity.

        Raises:
            UnknownNameError: a form not in :data:`FORMS`; a quantity with a form this derivation does not have,
                or that the form does not derive (the message names the quantities it does).
        """
        from ..errors import UnknownNameError

        if form not in FORMS:
            raise UnknownNameError("form", str(form), FORMS)
        steps = tuple(s for s in self.steps if s.form == form)
        if quantity is None:
            return steps
        if not steps:
            raise UnknownNameError("form of this derivation", form, self.forms)
        chosen = tuple(s for s in steps if s.quantity == quantity)
        if not chosen:
            names = sorted({s.quantity for s in steps})
            kind = f"{form}-form quantity" + (f" ({len(names)} in all, the first {LISTED} listed)"
                                              if len(names) > LISTED else "")
            raise UnknownNameError(kind, str(quantity), names[:LISTED])
        return chosen

    @property
    def forms(self) -> tuple[str, ...]:
        """The forms present, in :data:`FORMS` order."""
        present = {s.form for s in self.steps}
        return tuple(f for f in FORMS if f in present)

    # ---------------------------------------------------------------- expansion
    def substitutions(self, hold: Callable[[sp.Symbol, sp.Basic], sp.Basic] | None = None,
                      forward: bool = True) -> dict[sp.Symbol, sp.Expr]:
        """Every delta, z and a symbol -> its value in inputs, targets and parameters.

        Args:
            hold: rewrites each definition (the symbol and its right-hand side) before the earlier values are
                substituted into it; the closed-form document uses it to hold every Piecewise opaque.
            forward: False for the error terms alone, in the forward pass's z and a (which stay symbols): the
                closed form a document writes where the one in the inputs and parameters alone is unreadable.
        """
        values: dict[sp.Symbol, sp.Expr] = {}

        def define(symbol: sp.Symbol, value: sp.Basic) -> None:
            values[symbol] = (value if hold is None else hold(symbol, value)).xreplace(values)

        for equation in self.forward if forward else ():  # layer by layer: z^l in a^(l-1), then a^l = g(z^l)
            define(equation.lhs, equation.rhs)
        for layer in range(self.network.depth, 0, -1):
            column = self.deltas[symbols.matrix("delta", layer)]
            for j, symbol in enumerate(self.network.delta(layer)):
                define(symbol, column[j, 0])
        return values

    def expand(self, expr: sp.Basic) -> sp.Basic:
        """``expr`` with every delta, z and a replaced: a function of x, y and parameters only."""
        return expr.xreplace(self.substitutions())

    def check_closed_form(self) -> None:
        """Raise :class:`~symbackprop.errors.SymbackpropError` for the generic cost (∂c/∂a^L stays a symbol, with
        nothing to write in the inputs and parameters alone), :class:`~symbackprop.errors.SizeLimitError` above
        :data:`CLOSED_FORM_MAX_PARAMETERS` parameters."""
        from ..errors import SizeLimitError, SymbackpropError

        if self.network.loss.generic:
            raise SymbackpropError("the closed form writes each gradient in the inputs, targets and parameters "
                                   "alone, so it needs a loss to differentiate, not the generic cost; choose one "
                                   "with --loss, or leave closed out of --form and --sections (all leaves it out)")
        count = self.network.parameter_count
        if count > CLOSED_FORM_MAX_PARAMETERS:
            raise SizeLimitError(
                f"closed form is limited to {CLOSED_FORM_MAX_PARAMETERS} parameters and {self.network.spec} "
                f"has {count}; use the delta form (forms element, vector or batch) instead"
            )

    def closed_form(self) -> dict[str, sp.ImmutableMatrix]:
        """Each gradient fully expanded in inputs, targets and parameters.

        Raises:
            SymbackpropError: a network with the generic cost.
            SizeLimitError: above :data:`CLOSED_FORM_MAX_PARAMETERS` parameters.
        """
        self.check_closed_form()
        values = self.substitutions()
        return {name: grad.xreplace(values) for name, grad in self.gradients.items()}
