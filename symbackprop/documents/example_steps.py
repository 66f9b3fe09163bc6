"""How a worked example (:mod:`.example_blocks`) reaches an error term's formula before its numbers: the derivation's
own steps, each with its note, and the factors of each product in the order the derivation's argument writes them
(g'(z_j) δ_k w_kj, as the lines "for this network" do), not SymPy's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp

from ..derive.derivation import Derivation, Equation, Rule
from ..derive.forms import definitions
from ..derive.reasoning import cancel_denominators
from ..model import symbols
from ..notation.display import LINE_WIDTH, join_terms, product, visual_width
from ..notation.linebreak import formula_width
from ..notation.printer import NotationPrinter
from .local import hidden_note
from .notes import note


@dataclass(frozen=True)
class Derived:
    """How the derivation reaches an error term's formula (:func:`derived`): the rows shown before it with the note
    of each, the note of the formula's row (:attr:`~.example_lines.Line.note`), and the equalities worked out here
    rather than taken from the derivation's steps (``--verify`` checks them: :attr:`~.example_lines.Line.identities`).
    """

    steps: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    note: str = ""
    identities: tuple[tuple[sp.Expr, sp.Expr], ...] = ()


def _rank(factor: sp.Basic) -> int:
    """Where a factor goes in the derivation's order: the activation's derivative (and anything else) first, then
    the error term, the weight, and last a sum of such products."""
    info = symbols.describe(getattr(factor, "name", ""))
    kind = info.kind if info else ""
    return {"delta": 1, "W": 2}.get(kind, 3 if isinstance(factor, sp.Add) and factor.has(*_deltas(factor)) else 0)


def _deltas(expr: sp.Basic) -> list[sp.Symbol]:
    return [s for s in expr.free_symbols if (info := symbols.describe(s.name)) and info.kind == "delta"]


def in_derivation_order(expr: sp.Basic, show: Callable[[sp.Basic], str], times: str) -> str:
    """``expr`` printed by ``show``, each product that holds an error term (BP2's, through the layer above) with its
    factors in the derivation's order, g'(z_j) δ_k w_kj, and a sum of such products term by term; any other
    expression as ``show`` prints it."""
    if not _deltas(expr) or not isinstance(expr, (sp.Add, sp.Mul)):
        return show(expr)
    if isinstance(expr, sp.Add):
        return join_terms([in_derivation_order(term, show, times) for term in expr.as_ordered_terms()])
    factors = sorted(expr.as_ordered_factors(), key=_rank)
    factors = sorted(factors, key=lambda f: f != -1)  # a sign first
    return product(factors, lambda factor: in_derivation_order(factor, show, times), times)


def derived(derivation: Derivation, symbol: sp.Symbol, formula: sp.Expr, printer: NotationPrinter) -> Derived:
    """How the derivation reaches an error term's ``formula``, as the example shows it before the numbers: the chain
    rule's paths (∂C/∂a ∂a/∂z; Σ_k ∂C/∂z_k ∂z_k/∂a ∂a/∂z) with the chain rule's note, then what the chain rule gives
    where it is not yet the formula (the loss's derivative times σ'(z); δ_k w_kj tanh'(z_j) through the layer
    above), and the activation's derivative worked out (``since tanh'(z) = 1 - a^2``): the derivation's own steps
    and the equation its note states, each of which ``derive --verify`` checks. Where the loss's derivative has
    denominators that the activation's derivative cancels (cross-entropy after a sigmoid), the derivative is
    worked out on a row of its own, then multiplied out, each denominator cancelled, then simplified: those two
    rows the example works out itself, and records as identities. Where the chain does not fit on one line
    (through many neurons of the layer above), the step before the derivative is worked out in its place
    (g'(z_j) Σ_k w_kj δ_k, the common factor taken out), if there is one."""
    def shown(expr: sp.Basic) -> str:
        return in_derivation_order(expr, printer.doprint, printer.notation.times)

    steps = derivation.steps_of("element", symbol.name)
    worked = [i for i, step in enumerate(steps) if step.rule is Rule.WORK_OUT_ACTIVATION_DERIVATIVE]
    said = [equation for i in worked for equation in definitions(steps[i], derivation.network)]  # σ'(z) = a (1 - a)
    since = ", ".join(f"{printer.doprint(eq.lhs)} = {printer.doprint(eq.rhs)}" for eq in said)
    why = f"{note(Rule.WORK_OUT_ACTIVATION_DERIVATIVE)}\\ {since}" if since else ""
    chained = [step for step in steps if step.chain]
    chain = printer.doprint(chained[0].chain_sum) if chained else ""
    if not chain or formula_width(chain) > LINE_WIDTH - visual_width(printer.doprint(symbol)) - 2.0:
        before = steps[worked[0] - 1] if worked and worked[0] > 0 else None  # (through many neurons the chain
        named = () if before is None or before.chain else (shown(before.result),)  # would run over lines)
        return Derived(named, ("",) * len(named), why)
    gives = sp.Mul(*sp.Mul.make_args(chained[0].result))  # (in SymPy's order: the formula's, where it is it)
    rows, notes = [chain], [note(chained[0].rule)]
    if gives != formula:  # the loss differentiated (the output layer), or the error terms above named
        layer = chained[0].layer
        why_gives = note(Rule.DIFFERENTIATE_LOSS) if layer == derivation.network.depth else \
            hidden_note(derivation.network, layer, derivation.network.delta(layer).index(symbol) + 1, printer,
                        LINE_WIDTH - visual_width(printer.doprint(symbol)) - 2.0)  # under the row, past its left side
        rows, notes = rows + [shown(gives)], notes + [why_gives]
    cancelled = _cancelled(gives, said)
    if cancelled is None:
        return Derived(tuple(rows), tuple(notes), why)
    factors, product_of = cancelled
    multiplied = product(factors, printer.doprint, " ")
    return Derived((*rows, multiplied, shown(product_of)), (*notes, why, note(Rule.CANCEL_DENOMINATORS)),
                   note(Rule.SIMPLIFY), ((sp.Mul(*factors), product_of), (product_of, formula)))


def _cancelled(gives: sp.Expr, said: Sequence[Equation]) -> tuple[list[sp.Basic], sp.Expr] | None:
    """The loss's derivative times the activation's derivative worked out (its factors, in the order the chain
    rule gives them) and that product multiplied out, each denominator cancelled (seed 003's (-r/σ + (1-r)/(1-σ))
    σ(1-σ) = -r(1-σ) + (1-r)σ); None where the derivative has no such form or nothing cancels."""
    if len(said) != 1:
        return None
    loss_part = [f for f in sp.Mul.make_args(gives) if f != said[0].lhs]
    if len(loss_part) != 1 or len(loss_part) == len(sp.Mul.make_args(gives)) or not isinstance(loss_part[0], sp.Add):
        return None
    result = cancel_denominators(loss_part[0], said[0].rhs)
    return None if result is None else ([loss_part[0], *sp.Mul.make_args(said[0].rhs)], result)
