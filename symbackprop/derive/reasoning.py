"""Backpropagation argued for a general neuron, every step justified: what lecture notes write by hand.

The element form (:mod:`.chain`) works neuron by neuron; here one neuron ``j`` of a layer stands for all of them,
with letter indices and sums over a whole layer (:mod:`.general`), as seeds 001, 003 and 004 argue:

* the output layer (BP1): ``δ^L_j = ∂c/∂z^L_j = ∂c/∂a^L_j ∂a^L_j/∂z^L_j = ∂c/∂a^L_j g'(z^L_j)``, the last step
  because ``a^L_j = g(z^L_j)``; then, for a concrete loss, ∂c/∂a^L_j worked out;
* a hidden layer (BP2), by the multivariable chain rule through every neuron ``k`` of the next layer, also when it
  has one: ``δ^l_j = Σ_k ∂c/∂z^{l+1}_k ∂z^{l+1}_k/∂z^l_j = Σ_k δ^{l+1}_k ∂z^{l+1}_k/∂a^l_j ∂a^l_j/∂z^l_j =
  Σ_k δ^{l+1}_k w^{l+1}_{kj} g'(z^l_j) = g'(z^l_j) Σ_k w^{l+1}_{kj} δ^{l+1}_k``, each local derivative with the
  definition it comes from;
* a weight and a bias (BP3, BP4): ``∂c/∂w^l_{jk} = ∂c/∂z^l_j ∂z^l_j/∂w^l_{jk} = δ^l_j a^{l-1}_k`` because
  ``z^l_j = Σ_k w^l_{jk} a^{l-1}_k + b^l_j``; ``∂c/∂b^l_j = δ^l_j · 1``.

Seed 002's route adds: ∂L/∂ŷ_i = -1_{ℓ=i}/ŷ_ℓ; a softmax output with sparse cross-entropy through ŷ_ℓ alone, by the
quotient rule and the indicator, to -(1_{ℓ=i} - ŷ_i); ∂c/∂a^l_j along every path (= Σ_k δ^{l+1}_k w^{l+1}_{kj}),
then δ^l_j = ∂c/∂a^l_j g'(z^l_j). An argument's ``concrete`` steps give it "for this network" (h = σ, σ' = σ(1 - σ),
then in the neuron's output; the loss differentiated, then simplified).

Each line is a :class:`Reasoned` step: the expression after the step, the :class:`Rule` it follows and the
definitions it uses (``since``, whose sums run over :data:`SUM`, never a neuron of the step), data a document turns
into words. :mod:`.verify` checks every line for every neuron of the network (sums written out) and every label.
"""

from __future__ import annotations

import sympy as sp

from ..model import symbols
from ..model.activations import GENERIC, A, SoftmaxEntry, Z, derivative, prime
from ..model.architecture import Architecture
from ..model.losses import LABEL
from .argument import Argument, Reasoned
from .chain import COST
from .derivation import Equation, Rule
from .general import as_neuron, forward


def _symbol(kind: str, layer: int | None, *indices: str | int) -> sp.Symbol:
    return sp.Symbol(symbols.element(kind, layer, *indices), real=True)


def _partial(numerator: sp.Basic, denominator: sp.Basic) -> sp.Derivative:
    return sp.Derivative(numerator, denominator, evaluate=False)


def _product(*factors: sp.Basic) -> sp.Expr:
    return sp.Mul(*factors, evaluate=False)


def _local(u: sp.Symbol, v: sp.Symbol, value: sp.Basic) -> Equation:
    """The local derivative ``∂u/∂v = value``."""
    return Equation(f"{u.name}/{v.name}", _partial(u, v), value)


def activation(network: Architecture, layer: int, j: str | int) -> tuple[Equation, sp.Expr]:
    """``a^l_j = g(z^l_j)`` and ``g'(z^l_j)`` as a symbol (the activation's derivative, named: σ', g_ℓ', h'), as
    the notes write it before they specialise."""
    z, a = _symbol("z", layer, j), _symbol("a", layer, j)
    act = network.activation(layer)
    named = GENERIC if act.generic else sp.Function(act.name, real=True)
    return Equation(a.name, a, named(z)), prime(act.name)(z)


def output_delta(network: Architecture, j: str, loss: sp.Expr | None = None, first: sp.Expr | None = None
                 ) -> Argument:
    """BP1 for an element-wise output activation: δ^L_j = ∂c/∂a^L_j g'(z^L_j), the loss left as ∂c/∂a; then, given
    the ``loss`` and the element form's ``first`` output error δ^L_1, the same for this network."""
    layer = network.depth
    z, a, d = _symbol("z", layer, j), _symbol("a", layer, j), _symbol("delta", layer, j)
    definition, g_prime = activation(network, layer, j)
    dc_da = _partial(COST, a)
    lines = (
        Reasoned(_partial(COST, z), Rule.DEFINITION),
        Reasoned(_product(dc_da, _partial(a, z)), Rule.CHAIN_RULE),
        Reasoned(_product(dc_da, g_prime), Rule.LOCAL_ELEMENTWISE, (definition,), _local(a, z, g_prime)),
    )
    if loss is None or first is None:
        return Argument("output", layer, d, lines)
    concrete = _output_for_network(network, j, loss, first)
    return Argument("output", layer, d, lines, concrete, by_input=_output_by_input(network, j, loss, concrete))


def _output_for_network(network: Architecture, j: str, loss: sp.Expr, first: sp.Expr) -> tuple[Reasoned, ...]:
    """δ^L_j = ∂c/∂a^L_j g'(z^L_j) with the loss and the activation differentiated (g' in terms of the output,
    σ' = a(1 - a)), then simplified (y - r): nothing where both are generic or the loss picks its neuron by a
    label (an indicator no renaming of neuron 1 to j can carry)."""
    layer, act = network.depth, network.activation(network.depth)
    if network.loss.generic and act.generic or not isinstance(network.targets[0], sp.Symbol):
        return ()
    z, a = _symbol("z", layer, j), _symbol("a", layer, j)
    since: tuple[Equation, ...] = ()
    named, g_prime = activation(network, layer, j)
    if not act.generic:  # the activation named first: a = σ(z), σ'(z) = a(1 - a)
        worked = derivative(act).at(z, a)
        since, g_prime = (named, Equation(a.name, g_prime, worked)), worked
    rule = Rule.DERIVATIVE_OF_ACTIVATION if network.loss.generic else Rule.WORK_OUT_OUTPUT
    dc_da = _loss_by_output(network, j, loss)
    lines = [Reasoned(dc_da if g_prime == 1 else _product(dc_da, g_prime), rule, since)]
    if network.loss.generic:  # nothing to simplify (and the element form's ∂C/∂a^L_1 holds every output)
        return tuple(lines)
    simplified = as_neuron(first, network, layer, j)
    if simplified != sp.Mul(*sp.Mul.make_args(lines[0].result)):  # more than the same factors reordered
        cancelled = cancel_denominators(dc_da, g_prime)  # (-y/a + (1-y)/(1-a)) a(1-a) = -y(1-a) + (1-y)a first
        lines += [Reasoned(cancelled, Rule.CANCEL_DENOMINATORS)] if cancelled is not None else []
        lines.append(Reasoned(simplified, Rule.SIMPLIFY))
    return tuple(lines)


def _loss_by_output(network: Architecture, j: str, loss: sp.Expr) -> sp.Expr:
    """∂c/∂a^L_j: the loss differentiated by the output neuron j (left a partial where the loss is generic)."""
    a = _symbol("a", network.depth, j)
    return _partial(COST, a) if network.loss.generic else as_neuron(sp.diff(loss, network.a(network.depth)[0]),
                                                                    network, network.depth, j)


def _output_by_input(network: Architecture, j: str, loss: sp.Expr, concrete: tuple[Reasoned, ...]
                     ) -> tuple[Reasoned, ...]:
    """Seed 003's order: δ_y = ∂E/∂a_y worked out with y = σ(a_y) (the loss differentiated, σ' in σ's own terms),
    then ``σ(a_y) - r``, then ``y - r``; nothing where the simplified error (the last concrete line) holds no
    output activation, or the activation or the loss is generic."""
    layer, act = network.depth, network.activation(network.depth)
    z, a = _symbol("z", layer, j), _symbol("a", layer, j)
    if act.generic or network.loss.generic or not concrete or not concrete[-1].result.has(a):
        return ()
    output, _ = activation(network, layer, j)
    activated = output.rhs
    textbook = derivative(act).textbook
    own = _written(textbook.xreplace({A: activated, Z: z}))
    # σ'(z) = σ(z)(1 - σ(z)) for any z, as the hidden layer's note says it (and short enough to stand beside)
    identity = Equation(act.name, prime(act.name)(Z), _written(textbook.xreplace({A: output.rhs.func(Z)})))
    by_output = _loss_by_output(network, j, loss)
    in_terms = sp.Add(*[term.xreplace({a: activated}) for term in sp.Add.make_args(by_output)], evaluate=False)
    differentiated = _product(in_terms, own)
    terms = sorted(sp.Add.make_args(concrete[-1].result.xreplace({a: activated})), key=lambda t: not t.has(activated))
    cancelled = cancel_denominators(in_terms, own)
    simplified = sp.Add(*terms, evaluate=False)
    # no "simplify" that only reorders the same terms ((ELU(a) - r) ELU'(a) as (-r + ELU(a)) ELU'(a))
    reordered = cancelled is None and simplified.doit() == differentiated.doit()
    return (Reasoned(differentiated, Rule.WORK_OUT_OUTPUT, (output, identity)),
            *((Reasoned(cancelled, Rule.CANCEL_DENOMINATORS),) if cancelled is not None else ()),
            *(() if reordered else (Reasoned(simplified, Rule.SIMPLIFY),)),
            Reasoned(concrete[-1].result, Rule.SUBSTITUTE_OUTPUT, (output,)))


def cancel_denominators(terms: sp.Expr, factors: sp.Expr) -> sp.Expr | None:
    """Each of ``terms`` times the product ``factors``, its denominator cancelled against one of them, as seed 003's
    δ_y = (-r/σ + (1 - r)/(1 - σ)) σ(1 - σ) = -r(1 - σ) + (1 - r)σ; None unless every term's denominator is one
    of the factors (nothing to cancel)."""
    shared = list(sp.Mul.make_args(factors))
    products = []
    for term in sp.Add.make_args(terms):
        numerator, denominator = sp.fraction(term)
        if denominator not in shared:
            return None
        rest = list(shared)
        rest.remove(denominator)
        products.append(_product(numerator, *rest))
    return sp.Add(*products, evaluate=False)


def hidden_delta(network: Architecture, layer: int, j: str, k: str) -> Argument:
    """BP2 by the multivariable chain rule through every neuron k of layer ``layer + 1``, as seed 003: δ^l_j = Σ_k
    ∂c/∂z^{l+1}_k ∂z^{l+1}_k/∂z^l_j = Σ_k δ^{l+1}_k ∂z^{l+1}_k/∂z^l_j, then ∂z^{l+1}_k/∂z^l_j by the chain rule through
    a^l_j, each local derivative from its definition, and g' factored out."""
    z, a, d = _symbol("z", layer, j), _symbol("a", layer, j), _symbol("delta", layer, j)
    z_next, d_next, w = _symbol("z", layer + 1, k), _symbol("delta", layer + 1, k), _symbol("W", layer + 1, k, j)
    definition, g_prime = activation(network, layer, j)
    index = (sp.Symbol(k), 1, network.layers[layer + 1])
    through = local_derivatives(network, layer, j, k)["input"]  # ∂z^{l+1}_k/∂a^l_j = w^{l+1}_{kj}, since ...

    def over_k(*factors: sp.Basic) -> sp.Sum:
        return sp.Sum(_product(*factors), index)

    lines = (
        Reasoned(_partial(COST, z), Rule.DEFINITION),
        Reasoned(over_k(_partial(COST, z_next), _partial(z_next, z)), Rule.MULTIVARIABLE_CHAIN_RULE),
        Reasoned(over_k(d_next, _partial(z_next, z)), Rule.ERROR_TERM),
        Reasoned(over_k(d_next, _partial(z_next, a), _partial(a, z)), Rule.CHAIN_RULE),
        Reasoned(over_k(d_next, w, _partial(a, z)), Rule.LOCAL_LINEAR, through.since, through.local),
        Reasoned(over_k(d_next, w, g_prime), Rule.LOCAL_ELEMENTWISE, (definition,), _local(a, z, g_prime)),
        Reasoned(_product(g_prime, sp.Sum(_product(d_next, w), index)), Rule.FACTOR_OUT_DERIVATIVE),
    )
    return Argument("hidden", layer, d, lines, _hidden_for_network(network, layer, j, k))


def _hidden_for_network(network: Architecture, layer: int, j: str, k: str) -> tuple[Reasoned, ...]:
    """δ^l_j = g'(z^l_j) Σ_k w δ for this network: g' named (σ', written out when layer l+1 has one neuron, as
    seed 003's δ_j = σ'(a_j) δ_y v_j), then in the activation's own terms (σ(z)(1 - σ(z))), then in terms of the
    neuron's output (a(1 - a)) where the activation's derivative has such a form."""
    act = network.activation(layer)
    if act.generic:
        return ()
    z, a = _symbol("z", layer, j), _symbol("a", layer, j)
    factors = (_symbol("delta", layer + 1, k), _symbol("W", layer + 1, k, j))  # δ_k w_kj, as the seeds write it
    width = network.layers[layer + 1]
    total = _product(*(_one(s, k) for s in factors)) if width == 1 else \
        sp.Sum(_product(*factors), (sp.Symbol(k), 1, width))
    worked = derivative(act)

    def own(u: sp.Symbol) -> sp.Expr:  # g'(u) in g's own terms, as written: σ(u)(1 - σ(u))
        return _written(worked.textbook.xreplace({A: sp.Function(act.name, real=True)(u), Z: u}))

    identity = Equation(act.name, prime(act.name)(Z), own(Z))  # σ'(z) = σ(z)(1 - σ(z)), for any z
    lines = [Reasoned(_product(prime(act.name)(z), total), Rule.THIS_NETWORK),
             Reasoned(_product(own(z), total), Rule.DERIVATIVE_OF_ACTIVATION, (identity,))]
    if worked.in_output and worked.textbook.has(A):
        definition, _ = activation(network, layer, j)
        lines.append(Reasoned(_product(worked.at(z, a), total), Rule.SUBSTITUTE_OUTPUT, (definition,)))
    return tuple(lines)


def _written(expr: sp.Expr) -> sp.Expr:
    """A product as notes write it, its sums last: σ(z)(1 - σ(z)), not SymPy's (1 - σ(z)) σ(z)."""
    if not isinstance(expr, sp.Mul):
        return expr
    factors = sorted(expr.args, key=lambda factor: isinstance(factor, sp.Add))
    return _product(*factors)


def _one(symbol: sp.Symbol, k: str) -> sp.Symbol:
    """``symbol`` for neuron 1 where it has the index ``k``: the one term of a sum over a layer of one neuron."""
    info = symbols.describe(symbol.name)
    assert info is not None
    return _symbol(info.kind, info.layer, *[1 if i == k else i for i in info.indices])


def softmax_output(network: Architecture, j: str, k: str) -> Argument | None:
    """Seed 002's output layer: softmax with sparse cross-entropy, L = -log ŷ_ℓ, for a general output neuron j,
    through ŷ_ℓ alone, the quotient rule and the indicator 1_{ℓ=j}, to -(1_{ℓ=j} - ŷ_j); None for another output
    layer and loss."""
    layer = network.depth
    if network.activation(layer).name != "softmax" or not network.loss.sparse:
        return None
    z, a, d = _symbol("z", layer, j), _symbol("a", layer, j), _symbol("delta", layer, j)
    z_label, a_label = _symbol("z", layer, LABEL_INDEX), _symbol("a", layer, LABEL_INDEX)
    total = sp.Sum(sp.exp(_symbol("z", layer, k)), (sp.Symbol(k), 1, network.layers[layer]))
    loss, top = -sp.log(a_label), sp.exp(z_label)
    indicator = sp.KroneckerDelta(LABEL, sp.Symbol(j))
    outside = -1 / a_label

    def entry(index: sp.Symbol, weighted: sp.Symbol) -> sp.Expr:  # softmax(a_L)_index
        return SoftmaxEntry(index, sp.exp(weighted), total)

    def times_outside(*terms: sp.Expr) -> sp.Expr:
        return _product(outside, sp.Add(*terms, evaluate=False))

    softmax = Equation(a_label.name, a_label, entry(LABEL, z_label))
    written_out = Equation(f"softmax_{a_label.name}", entry(LABEL, z_label), top / total)
    lines = (
        Reasoned(_product(_partial(loss, a_label), _partial(a_label, z)), Rule.THROUGH_LABEL_OUTPUT,
                 (Equation("loss", COST, loss),)),
        Reasoned(_product(outside, _partial(a_label, z)), Rule.DIFFERENTIATE_LOG),
        Reasoned(_product(outside, _partial(entry(LABEL, z_label), z)), Rule.SOFTMAX_OUTPUTS, (softmax,)),
        Reasoned(_product(outside, _partial(top / total, z)), Rule.SOFTMAX_WRITTEN_OUT, (written_out,)),
        Reasoned(times_outside(_product(_partial(top, z), 1 / total), _product(-1, top, _partial(total, z), total**-2)),
                 Rule.QUOTIENT_RULE),
        Reasoned(times_outside(_product(indicator, top, 1 / total), _product(-1, top, sp.exp(z), total**-2)),
                 Rule.INDICATOR_DERIVATIVES),
        Reasoned(times_outside(_product(indicator, entry(LABEL, z_label)), -_product(entry(LABEL, z_label),
                                                                                    entry(sp.Symbol(j), z))),
                 Rule.RECOGNISE_SOFTMAX),
        Reasoned(times_outside(_product(indicator, a_label), -_product(a_label, a)), Rule.SOFTMAX_OUTPUTS,
                 (Equation(a.name, a, entry(sp.Symbol(j), z)),)),
        Reasoned(sp.Mul(-1, sp.Add(indicator, -a, evaluate=False), evaluate=False), Rule.SIMPLIFY),
    )
    return Argument("softmax", layer, d, lines)


def prediction_gradient(network: Architecture, j: str) -> Argument | None:
    """Seed 002's ∂L/∂ŷ_i of sparse cross-entropy, L = -log ŷ_ℓ: only ŷ_ℓ appears in the loss, so -1/ŷ_ℓ for i = ℓ
    and 0 otherwise, the two cases then one formula with the indicator, -1_{ℓ=i}/ŷ_ℓ; None for another loss."""
    layer = network.depth
    if not network.loss.sparse or network.loss.generic:
        return None
    a, a_label = _symbol("a", layer, j), _symbol("a", layer, LABEL_INDEX)
    loss = -sp.log(a_label)
    lines = (
        Reasoned(_partial(loss, a), Rule.DEFINITION, (Equation("loss", COST, loss),)),
        Reasoned(sp.Piecewise((-1 / a_label, sp.Eq(sp.Symbol(j), LABEL)), (0, True)), Rule.ONLY_LABEL_OUTPUT),
        Reasoned(_product(-1, sp.KroneckerDelta(LABEL, sp.Symbol(j)), 1 / a_label), Rule.AS_INDICATOR),
    )
    return Argument("prediction", layer, _partial(COST, a), lines)


def hidden_output(network: Architecture, layer: int, j: str, k: str) -> Argument:
    """Seeds 001 and 002's first step for a hidden layer: ∂c/∂a^l_j (seed 002's ∂L/∂h_ij) by the chain rule along
    every path, through each neuron k of the next layer: Σ_k ∂c/∂z^{l+1}_k w^{l+1}_{kj} = Σ_k δ^{l+1}_k w^{l+1}_{kj}.
    Where the next layer's activation is element-wise, each path first in three factors, through its activation,
    as seed 001 writes it: Σ_k ∂c/∂a^{l+1}_k ∂a^{l+1}_k/∂z^{l+1}_k ∂z^{l+1}_k/∂a^l_j."""
    a, z_next, w = _symbol("a", layer, j), _symbol("z", layer + 1, k), _symbol("W", layer + 1, k, j)
    index = (sp.Symbol(k), 1, network.layers[layer + 1])
    through = local_derivatives(network, layer, j, k)["input"]  # ∂z^{l+1}_k/∂a^l_j = w^{l+1}_{kj}, since ...
    activations: tuple[Reasoned, ...] = ()
    if network.activation(layer + 1).elementwise:
        a_next = _symbol("a", layer + 1, k)
        activations = (Reasoned(sp.Sum(_product(_partial(COST, a_next), _partial(a_next, z_next),
                                                _partial(z_next, a)), index), Rule.MULTIVARIABLE_CHAIN_RULE),)
    lines = (
        *activations,
        Reasoned(sp.Sum(_product(_partial(COST, z_next), _partial(z_next, a)), index),
                 Rule.CHAIN_RULE if activations else Rule.MULTIVARIABLE_CHAIN_RULE),
        Reasoned(sp.Sum(_product(_partial(COST, z_next), w), index), Rule.LOCAL_LINEAR, through.since, through.local),
        Reasoned(sp.Sum(_product(_symbol("delta", layer + 1, k), w), index), Rule.ERROR_TERM),
    )
    return Argument("activation", layer, _partial(COST, a), lines)


def hidden_through_output(network: Architecture, layer: int, j: str, k: str) -> Argument:
    """Seeds 001 and 002's second step: ∂c/∂z^l_j = ∂c/∂a^l_j ∂a^l_j/∂z^l_j = ∂c/∂a^l_j g'(z^l_j), since
    a = g(z); then ∂c/∂a^l_j as the step before found it (the equation it uses, its ``since``), g'(z^l_j) Σ_k
    δ^{l+1}_k w^{l+1}_{kj}."""
    z, a, d = _symbol("z", layer, j), _symbol("a", layer, j), _symbol("delta", layer, j)
    definition, g_prime = activation(network, layer, j)
    index = (sp.Symbol(k), 1, network.layers[layer + 1])
    above = sp.Sum(_product(_symbol("delta", layer + 1, k), _symbol("W", layer + 1, k, j)), index)
    lines = (
        Reasoned(_product(_partial(COST, a), _partial(a, z)), Rule.CHAIN_RULE),
        Reasoned(_product(_partial(COST, a), g_prime), Rule.LOCAL_ELEMENTWISE, (definition,), _local(a, z, g_prime)),
        Reasoned(_product(g_prime, above), Rule.FROM_ABOVE, (Equation(a.name, _partial(COST, a), above),)),
    )
    return Argument("through_output", layer, d, lines)


def weight_gradient(network: Architecture, layer: int, j: str, k: str) -> Argument:
    """BP4: ∂c/∂w^l_{jk} = ∂c/∂z^l_j ∂z^l_j/∂w^l_{jk} = δ^l_j a^{l-1}_k (the input x_k for the first layer)."""
    z, w = _symbol("z", layer, j), _symbol("W", layer, j, k)
    d, local = _symbol("delta", layer, j), local_derivatives(network, layer, j, k)["weight"]  # ∂z_j/∂w_jk = a_k
    lines = (
        Reasoned(_product(_partial(COST, z), _partial(z, w)), Rule.CHAIN_RULE),
        Reasoned(_product(d, _partial(z, w)), Rule.ERROR_TERM),
        Reasoned(_product(d, local.result), Rule.LOCAL_LINEAR, local.since, local.local),
    )
    return Argument("weight", layer, _partial(COST, w), lines)


def bias_gradient(network: Architecture, layer: int, j: str, k: str) -> Argument | None:
    """BP3: ∂c/∂b^l_j = ∂c/∂z^l_j ∂z^l_j/∂b^l_j = δ^l_j (the bias unit's weight w^l_{j0} under the neuron
    convention; a layer's shared bias reaches every z^l_j: a sum over j). None for a network without biases."""
    if network.bias == "none":
        return None
    z, d = _symbol("z", layer, j), _symbol("delta", layer, j)
    local = local_derivatives(network, layer, j, k)["bias"]  # ∂z_j/∂b = 1, since z_j = Σ_m w_jm a_m + b
    if network.bias == "shared":
        b = _symbol("b", layer)
        index = (sp.Symbol(j), 1, network.layers[layer])
        lines = (
            Reasoned(sp.Sum(_product(_partial(COST, z), _partial(z, b)), index), Rule.MULTIVARIABLE_CHAIN_RULE),
            Reasoned(sp.Sum(_product(d, _partial(z, b)), index), Rule.ERROR_TERM),
            Reasoned(sp.Sum(d, index), Rule.LOCAL_LINEAR, local.since, local.local),
        )
        return Argument("bias", layer, _partial(COST, b), lines)
    b = _symbol("W", layer, j, 0) if network.bias == "neuron" else _symbol("b", layer, j)
    lines = (
        Reasoned(_product(_partial(COST, z), _partial(z, b)), Rule.CHAIN_RULE),
        Reasoned(_product(d, _partial(z, b)), Rule.ERROR_TERM),
        Reasoned(d, Rule.LOCAL_LINEAR, local.since, local.local),
    )
    return Argument("bias", layer, _partial(COST, b), lines)


def local_derivatives(network: Architecture, layer: int, j: str | int, k: str | int, summed: str | None = None
                      ) -> dict[str, Reasoned]:
    """The local derivatives the chain rule's factors at ``layer`` work out, for neuron ``j`` (``k`` one of the layer
    below, or above for ``"input"``), each a :class:`Reasoned` step: its value, its rule, the definition it comes from
    and the derivative itself: ``"weight"`` ∂z^l_j/∂w^l_{jk} = a^{l-1}_k and ``"bias"`` ∂z^l_j/∂b^l_j = 1 (the bias
    unit's weight w^l_{j0}, a shared b^l), since z^l_j = Σ_m w^l_{jm} a^{l-1}_m + b^l_j; ``"activation"``
    ∂a^l_j/∂z^l_j = g'(z^l_j), since a^l_j = g(z^l_j) (an element-wise activation); below the output layer,
    ``"input"`` ∂z^{l+1}_k/∂a^l_j = w^{l+1}_{kj}, since z^{l+1}_k = Σ_m w^{l+1}_{km} a^l_m + b^{l+1}_k. The element
    form's displays say them (:mod:`symbackprop.documents.element`); :mod:`.verify` checks them at every layer.
    The definitions sum over ``summed`` (:data:`SUM` where None), a letter neither ``j`` nor ``k`` may be."""
    summed = SUM if summed is None else summed
    z, a, own = _symbol("z", layer, j), _symbol("a", layer, j), forward(network, layer, j, summed)
    source = _symbol("x", None, k) if layer == 1 else _symbol("a", layer - 1, k)
    found = {"weight": Reasoned(source, Rule.LOCAL_LINEAR, (own,), _local(z, _symbol("W", layer, j, k), source))}
    bias = {"neuron": _symbol("W", layer, j, 0), "vector": _symbol("b", layer, j), "shared": _symbol("b", layer)}
    if network.bias in bias:
        found["bias"] = Reasoned(sp.S.One, Rule.LOCAL_LINEAR, (own,), _local(z, bias[network.bias], sp.S.One))
    if network.activation(layer).elementwise:  # g' by name (σ'), or the number it is (a linear unit's 1)
        definition, g_prime = activation(network, layer, j)
        worked = derivative(network.activation(layer)).at(z, a)
        g_prime = worked if worked.is_Number else g_prime
        found["activation"] = Reasoned(g_prime, Rule.LOCAL_ELEMENTWISE, (definition,), _local(a, z, g_prime))
    if layer < network.depth:
        w = _symbol("W", layer + 1, k, j)
        found["input"] = Reasoned(w, Rule.LOCAL_LINEAR, (forward(network, layer + 1, k, summed),),
                                  _local(_symbol("z", layer + 1, k), a, w))
    return found


#: The index a definition a step differentiates sums over (z_j = Σ_m w_jm a_m + b_j): never a neuron of the step.
SUM = "m"

#: The index of the label's output ŷ_ℓ (``a3_ell``): a general formula's ℓ, the example's class label.
LABEL_INDEX = "ell"

#: The letters of a derivation's arguments: a neuron of the layer, one of the layer below, one of the layer above.
LETTERS = ("j", "k", "k")


def arguments(network: Architecture, letters: tuple[str, str, str] = LETTERS, loss: sp.Expr | None = None,
              first: sp.Expr | None = None) -> tuple[Argument, ...]:
    """BP1 (for an element-wise output), BP2 for the last hidden layer (standing for every hidden layer), BP4 and
    BP3 for the output layer; ``letters`` a neuron of the layer, one of the layer below, one of the layer above
    (a notation's indices); ``loss`` and the element form's output error δ^L_1 (``first``) for BP1 "for this
    network"."""
    j, k, above = letters
    found: list[Argument] = []
    if network.activation(network.depth).elementwise:
        found.append(output_delta(network, j, loss, first))
    if (softmax := softmax_output(network, j, k)) is not None:
        found.append(softmax)
    if (prediction := prediction_gradient(network, j)) is not None:
        found.append(prediction)
    if network.depth > 1:
        found.append(hidden_delta(network, network.depth - 1, j, above))
        found.append(hidden_output(network, network.depth - 1, j, above))
        found.append(hidden_through_output(network, network.depth - 1, j, above))
    found.append(weight_gradient(network, network.depth, j, k))
    bias = bias_gradient(network, network.depth, j, k)
    return tuple(found) + ((bias,) if bias is not None else ())
