"""A general-neuron argument as data: the quantity it derives and its lines, each a :class:`Reasoned` step (the
expression after it, the :class:`~.derivation.Rule` it follows, the definitions it differentiates and the local
derivative it works out), made by :mod:`.reasoning`, checked by :mod:`.verify` and laid out by
:mod:`symbackprop.documents.argued`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .derivation import Equation, Rule, Step


@dataclass(frozen=True)
class Reasoned:
    """One line of a general derivation: ``= result``, because of ``rule`` (and the definitions ``since``).

    Attributes:
        result: the right-hand side after this step (letter indices; sums over a layer as ``sp.Sum``).
        rule: why it holds.
        since: the definitions the step differentiates (``a^l_j = g(z^l_j)``, ``z^l_j = Σ_k w a + b``).
        local: the local derivative the step works out from ``since``, ``∂z^l_j/∂w^l_{jk} = a^{l-1}_k`` (a
            document may show it on its own, as seed 003 shows ∂a_j/∂w_ji = z_i); None for any other step.
    """

    result: sp.Basic
    rule: Rule
    since: tuple[Equation, ...] = ()
    local: Equation | None = None

    def worked(self) -> tuple[sp.Basic, ...]:
        """The local derivative's right-hand sides as a document shows them: the definition differentiated, then
        its value, ``∂/∂w^l_{jk} (Σ_m w^l_{jm} a^{l-1}_m + b^l_j) = a^{l-1}_k``; the value alone for an
        activation's, ``g'(z^l_j)``; nothing for a step without one."""
        if self.local is None:
            return ()
        if self.rule is not Rule.LOCAL_LINEAR:
            return (self.local.rhs,)
        (variable,) = self.local.lhs.variables
        return (sp.Derivative(self.since[0].rhs, variable, evaluate=False), self.local.rhs)


@dataclass(frozen=True)
class Argument:
    """One quantity argued for a general neuron: ``lhs = line_1 = line_2 = ...``.

    Attributes:
        name: what it derives: ``"output"``, ``"hidden"``, ``"weight"``, ``"bias"``.
        layer: the engine's layer it is written for (a document relabels it L, l, ...).
        lhs: the quantity (``δ^l_j``, ``∂c/∂w^l_{jk}``).
        lines: the steps.
        concrete: the steps after the last line "for this network", with the network's activation and loss:
            ``δ^l_j = σ'(z^l_j) Σ_k w δ = σ(z^l_j)(1 - σ(z^l_j)) Σ_k w δ = a^l_j(1 - a^l_j) Σ_k w δ`` (seed 003);
            empty where the argument is already concrete or the network generic.
        stacked: the result for every neuron of the layer at once, as a vector-form step (seed 002 stacks the
            entries: ∇_{a_L} L = -(e_ℓ - ŷ), ∇_{h_k} L = W_{k+1}ᵀ ∇_{a_{k+1}} L, ...); empty where there is none.
        by_input: the output error for this network worked out by the weighted input, as seed 003 writes it:
            ``δ_y = (loss differentiated at y = σ(a_y)) = σ(a_y) - r = y - r``; empty where the simplified error
            holds no output activation to write so.
    """

    name: str
    layer: int
    lhs: sp.Basic
    lines: tuple[Reasoned, ...]
    concrete: tuple[Reasoned, ...] = ()
    stacked: tuple[Step, ...] = ()
    by_input: tuple[Reasoned, ...] = ()
