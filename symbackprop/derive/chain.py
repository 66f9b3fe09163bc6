"""The chain rule, element by element: the forward pass, the output layer's delta (BP1), each hidden layer's
delta (BP2) and each parameter's gradient (BP3, BP4), as steps a lecturer writes by hand.

1. the output layer: delta^L_j = dc/dz^L_j = sum_i dc/da^L_i * da^L_i/dz^L_j
   (one term for an element-wise activation, the full Jacobian for softmax);
2. each hidden layer: delta^l_j = sum_k dc/dz^{l+1}_k dz^{l+1}_k/da^l_j da^l_j/dz^l_j,
   where dc/dz^{l+1}_k is delta^{l+1}_k by definition, and da^l_j/dz^l_j is g'(z^l_j) by name until a step of
   its own works it out (tanh' = 1 - a^2), as in the output layer;
3. each parameter: dc/dw^l_jk = dc/dz^l_j dz^l_j/dw^l_jk = delta^l_j a^{l-1}_k.

Every local derivative comes from ``sympy.diff`` of a definition (the loss,
the activation, one term of z); nothing is typed. Simplifications of the output
delta (sigmoid + BCE -> a - y, softmax + cross-entropy -> a - y) are found by
SymPy, using sum_j y_j = 1 only where the loss says its targets are a
distribution, and the derivation records that it did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from ..model import symbols
from ..model.activations import A, Z, derivative, prime, softmax_jacobian
from ..model.architecture import Architecture, times
from ..model.rules import words
from .derivation import Equation, Rule, Step

#: The per-example cost, as the symbol the derivation's partial derivatives start from.
COST = sp.Symbol("c", real=True)
#: The generic target y_j of :class:`OutputKernel` expressions.
Y = sp.Symbol("y", real=True)

# The local derivatives of one term w*s of z = sum w s + b, from SymPy once, then substituted:
# dz/dw = s (the source activation, 1 for a bias) and dz/ds = w.
_W, _S = sp.symbols("w s", real=True)
DZ_DW = sp.diff(_W * _S, _W)
DZ_DS = sp.diff(_W * _S, _S)


def partial(numerator: sp.Basic, denominator: sp.Basic) -> sp.Derivative:
    """An unevaluated partial derivative, a factor of a chain-rule product."""
    return sp.Derivative(numerator, denominator, evaluate=False)


def product(*factors: sp.Expr) -> sp.Expr:
    """A product kept in the order written, for steps that show the factors."""
    return sp.Mul(*factors, evaluate=False)


def forward_values(network: Architecture) -> dict[sp.Symbol, sp.Expr]:
    """Every z and a symbol of the network -> its value in inputs and parameters."""
    values: dict[sp.Symbol, sp.Expr] = {}
    for layer in range(1, network.depth + 1):
        zs = [network.pre_activation(layer, j).xreplace(values) for j in range(network.layers[layer])]
        outputs = network.activation(layer).apply(zs)
        values.update(zip(network.z(layer), zs))
        values.update(zip(network.a(layer), outputs))
    return values


def forward_equations(network: Architecture) -> tuple[Equation, ...]:
    """z^l_j = sum_k w^l_jk a^{l-1}_k + b^l_j and a^l_j = g_l(z^l_j), layer by layer."""
    equations: list[Equation] = []
    for layer in range(1, network.depth + 1):
        zs = network.z(layer)
        for j, z in enumerate(zs):
            equations.append(Equation(z.name, z, network.pre_activation(layer, j)))
        for a, value in zip(network.a(layer), network.activation(layer).apply(zs)):
            equations.append(Equation(a.name, a, value))
    return tuple(equations)


def _shortest(expr: sp.Expr) -> sp.Expr:
    """The fewest-operations of expr and its factored form; expr itself on a tie."""
    factored = sp.factor(expr)
    return factored if sp.count_ops(factored) < sp.count_ops(expr) else expr


def _use_sum_to_one(expr: sp.Expr, a_j: sp.Symbol, targets: Sequence[sp.Expr]) -> sp.Expr:
    """Collect expr in a_j and replace the sum of all targets by 1."""
    return sp.collect(sp.expand(expr), a_j).subs(sp.Add(*targets), 1)


@dataclass(frozen=True)
class Output:
    steps: list[Step]
    deltas: list[sp.Expr]
    assumptions: tuple[str, ...]


def output_elementwise(network: Architecture, loss: sp.Expr) -> Output:
    layer, act = network.depth, network.activation(network.depth)
    deriv = derivative(act)
    steps, deltas = [], []
    for z, a, d in zip(network.z(layer), network.a(layer), network.delta(layer)):
        quantity = d.name
        dc_da, da_dz = sp.diff(loss, a), deriv.at(z, a)
        chained = product(dc_da, da_dz)
        chain = ((partial(COST, a), partial(a, z)),)
        if act.generic or da_dz.is_Number:  # g'(z) as it stands, or a constant: nothing to work out
            steps.append(Step(quantity, "element", layer, d, chain, Rule.CHAIN_RULE, chained))
        else:  # ∂a/∂z = g'(z) since a = g(z), then g' worked out (σ' = a(1 - a))
            g_prime = prime(act.name)(z)
            steps.append(Step(quantity, "element", layer, d, chain, Rule.CHAIN_RULE, product(dc_da, g_prime)))
            steps.append(Step(quantity, "element", layer, d, (), Rule.WORK_OUT_ACTIVATION_DERIVATIVE, chained))
        value = _shortest(dc_da * da_dz)
        if value != dc_da * da_dz:  # more than the factors in SymPy's order
            steps.append(Step(quantity, "element", layer, d, (), Rule.SIMPLIFY, value))
        deltas.append(value)
    return Output(steps, deltas, ())


def output_softmax(network: Architecture, loss: sp.Expr) -> Output:
    layer, n = network.depth, network.layers[-1]
    _, jacobian, generic = softmax_jacobian(n)
    outputs = network.a(layer)
    jacobian = jacobian.xreplace(dict(zip(generic, outputs)))
    targets = list(network.targets)
    grads = [sp.diff(loss, a) for a in outputs]
    steps, deltas, used = [], [], False
    for j, (z, a_j, d) in enumerate(zip(network.z(layer), outputs, network.delta(layer))):
        quantity = d.name
        chain = tuple((partial(COST, a), partial(a, z)) for a in outputs)
        terms = sp.Add(*[product(grads[i], jacobian[i, j]) for i in range(n)], evaluate=False)
        steps.append(Step(quantity, "element", layer, d, chain, Rule.CHAIN_RULE_SOFTMAX, terms))
        value = sp.collect(sp.expand(sp.Add(*[grads[i] * jacobian[i, j] for i in range(n)])), a_j)
        steps.append(Step(quantity, "element", layer, d, (), Rule.EXPAND_AND_COLLECT, value))
        if network.loss.targets_sum_to_one:
            reduced = _use_sum_to_one(value, a_j, targets)
            if reduced != value:
                used = True
                value = reduced
                steps.append(Step(quantity, "element", layer, d, (), Rule.SUM_TO_ONE, value))
        deltas.append(value)
    return Output(steps, deltas, (words(Rule.SUM_TO_ONE),) if used else ())


def hidden_layer(network: Architecture, layer: int) -> tuple[list[Step], list[sp.Expr]]:
    act = network.activation(layer)
    deriv = derivative(act)
    weights = network.parameters[symbols.matrix("W", layer + 1)]
    offset = 1 if network.bias == "neuron" else 0
    following = network.delta(layer + 1)
    next_z = network.z(layer + 1)
    steps, deltas = [], []
    dc_dz_next = [partial(COST, zk) for zk in next_z]  # shared by every neuron of the layer
    for j, (z, a, d) in enumerate(zip(network.z(layer), network.a(layer), network.delta(layer))):
        w_col = [weights[k, j + offset] for k in range(len(following))]
        dz_da = [DZ_DS.xreplace({_W: w}) for w in w_col]  # dz^{l+1}_k/da^l_j
        g_prime = deriv.at(z, a)
        # ∂a/∂z = g'(z) since a = g(z), named until the last step works it out (tanh' = 1 - a^2), as in the
        # output layer; as it stands where there is nothing to work out (generic g', a constant)
        named = g_prime if act.generic or g_prime.is_Number else prime(act.name)(z)
        chain = tuple((dc_dz, partial(zk, a), partial(a, z)) for dc_dz, zk in zip(dc_dz_next, next_z))
        paths = list(zip(following, dz_da))
        terms = sp.Add(*[product(dk, wk, named) for dk, wk in paths], evaluate=False)
        steps.append(Step(d.name, "element", layer, d, chain, Rule.CHAIN_RULE_NEXT_LAYER, terms))
        value = g_prime * sp.Add(*[times(wk, dk) for dk, wk in paths])
        if len(following) > 1:  # with one term there is nothing to factor out, only factors to reorder
            factored = product(named, sp.Add(*[times(wk, dk) for dk, wk in paths]))  # g'(z_j) first, as worked out
            steps.append(Step(d.name, "element", layer, d, (), Rule.FACTOR_OUT_DERIVATIVE, factored))
        if named is not g_prime:
            worked = value if len(following) > 1 else sp.Add(*[product(dk, wk, g_prime) for dk, wk in paths],
                                                               evaluate=False)
            steps.append(Step(d.name, "element", layer, d, (), Rule.WORK_OUT_ACTIVATION_DERIVATIVE, worked))
        deltas.append(value)
    return steps, deltas


def parameter_gradients(network: Architecture, layer: int) -> tuple[list[Step], dict[str, sp.ImmutableMatrix]]:
    """dc/dw = dc/dz dz/dw for every parameter of one layer, from the terms of z."""
    deltas = network.delta(layer)
    zs = network.z(layer)
    values: dict[sp.Symbol, tuple[sp.Expr, list[tuple[sp.Expr, ...]]]] = {}
    for j, (z, d) in enumerate(zip(zs, deltas)):
        dc_dz = partial(COST, z)
        for param, source in network.pre_activation_terms(layer, j):
            local = DZ_DW.xreplace({_S: source})
            term = times(d, local)
            if param in values:  # a shared bias: one term per neuron of the layer
                total, chain = values[param]
                values[param] = (total + term, [*chain, (dc_dz, partial(z, param))])
            else:
                values[param] = (term, [(dc_dz, partial(z, param))])
    steps, gradients = [], {}
    for name in (symbols.matrix("W", layer), symbols.matrix("b", layer)):
        if name not in network.parameters:
            continue
        matrix = network.parameters[name]
        for param in matrix:
            value, chain = values[param]
            lhs = partial(COST, param)
            steps.append(Step(param.name, "element", layer, lhs, tuple(chain), Rule.CHAIN_RULE_PARAMETER, value))
        gradients[name] = matrix.applyfunc(lambda p: values[p][0])
    return steps, gradients


def weight_entries(network: Architecture, layer: int, bias_column: bool = True
                   ) -> tuple[sp.ImmutableMatrix, sp.ImmutableMatrix]:
    """A layer's weight gradients written out: the matrix of every ∂c/∂w_jk, and the result in each entry,
    [δ_j a_k]; with bias units, the unit's column first (its source 1, its entry δ_j), or, without
    ``bias_column``, the matrix without it (W̃)."""
    weights, sources = network.parameters[symbols.matrix("W", layer)], list(network.a(layer - 1))
    if network.bias == "neuron":
        weights, sources = (weights, [sp.S.One, *sources]) if bias_column else (weights[:, 1:], sources)
    deltas = network.delta(layer)
    results = sp.ImmutableMatrix(len(deltas), len(sources), lambda j, k: deltas[j] if sources[k] == 1
                                 else product(deltas[j], sources[k]))
    return weights.applyfunc(lambda w: partial(COST, w)), results


def local_derivatives(network: Architecture, layer: int, partials: sp.MatrixBase) -> sp.ImmutableMatrix:
    """The local derivatives ∂z_j/∂w_jk of a layer's weights, entry by entry as ``partials`` (the matrix of their
    ∂c/∂w_jk, :func:`weight_entries`) holds them: seed 000's matrix that diag(δ) scales."""
    z = network.z(layer)
    return sp.ImmutableMatrix(*partials.shape, lambda j, k: partial(z[j], partials[j, k].variables[0]))


def thin_chain(network: Architecture) -> Step:
    """Seed 002's demo on a thin network (one neuron in every layer): the chain of partials from the cost down to
    the first weight ``w^1_{11}``, one path, two factors per layer, ``∂c/∂a^L ∂a^L/∂z^L ∂z^L/∂a^{L-1} ...
    ∂a^1/∂z^1 ∂z^1/∂w^1_{11}``; its result the gradient in error terms, ``δ^1_1 x_1``."""
    # the first weight from an input: with bias units, column 0 holds the bias unit's weight w^1_{10}
    L, weight = network.depth, network.parameters[symbols.matrix("W", 1)][0, 1 if network.bias == "neuron" else 0]
    factors: list[sp.Basic] = [partial(COST, network.a(L)[0])]
    for layer in range(L, 0, -1):
        factors.append(partial(network.a(layer)[0], network.z(layer)[0]))
        factors.append(partial(network.z(layer)[0], network.a(layer - 1)[0] if layer > 1 else weight))
    value = times(network.delta(1)[0], DZ_DW.xreplace({_S: network.inputs_list()[0]}))
    return Step(weight.name, "thin", 1, partial(COST, weight), (tuple(factors),), Rule.CHAIN_RULE, value)


def paths_layers(network: Architecture) -> tuple[int, ...]:
    """The layers seed 000's route takes by their whole chains: the output layer, then the one below it (where
    there is one)."""
    L = network.depth
    return (L, L - 1) if L > 1 else (L,)


#: Past this many parameters seed 000's chains are derived for the first two neurons of each layer alone, those a
#: document writes out before "likewise for every weight" (it summarises past this size,
#: :data:`symbackprop.documents.sections.ELEMENT_LIMIT`): a chain one layer down has a path through every output
#: neuron, so every parameter's would take minutes for a wide network.
PATHS_LIMIT = 40


def parameter_paths(network: Architecture) -> list[Step]:
    """Seed 000's route to the gradients of the last two layers: each parameter's chain from the cost down to it
    (past :data:`PATHS_LIMIT` parameters, those of the first two neurons of each layer),
    before any error term is named: for the output layer ``∂C/∂a^L_j ∂a^L_j/∂z^L_j ∂z^L_j/∂w`` (every output
    through a softmax), one layer down a path through each output neuron ``i``, ending ``... ∂z^L_i/∂a_j
    ∂a_j/∂z_j ∂z_j/∂w``, then its common last factors taken out of the sum; then the same with the error terms:
    ``δ^L_j a_k``; ``(Σ_i δ^L_i ∂z^L_i/∂a_j) ∂a_j/∂z_j ∂z_j/∂w``, the derivatives worked out (a weight's: a bias's
    are the same times 1, as seed 000 goes straight on), ``δ_j a_k`` (a bias shared by the layer: summed over its
    neurons)."""
    steps: list[Step] = []
    for layer in paths_layers(network):
        # parameter -> its paths, each line's terms (a shared bias's: one per neuron), each line's rule
        found: dict[sp.Symbol, tuple[list, list[list[sp.Expr]], list[Rule]]] = {}
        every = network.parameter_count <= PATHS_LIMIT
        for j in range(network.layers[layer] if every else min(2, network.layers[layer])):
            for param, source in network.pre_activation_terms(layer, j):
                paths, lines = _paths_to(network, layer, j, param, source)
                known, terms, rules = found.setdefault(param, ([], [[] for _ in lines], [rule for _, rule in lines]))
                known += paths
                for total, (line, _) in zip(terms, lines, strict=True):
                    total.append(line)
        for param, (paths, terms, rules) in found.items():
            lhs = partial(COST, param)
            if len(terms[0]) > 1 and len(terms) > 2:  # a bias shared by the layer: its chain, its error terms
                terms, rules = [terms[0], terms[-1]], [rules[0], rules[-1]]
            results = [total[0] if len(total) == 1 else sp.Add(*total, evaluate=False) for total in terms]
            steps.append(Step(param.name, "paths", layer, lhs, tuple(paths), rules[0], results[0]))
            steps += [Step(param.name, "paths", layer, lhs, (), rule, line)
                      for line, rule in zip(results[1:], rules[1:], strict=True)]
    return steps


def _paths_to(network: Architecture, layer: int, j: int, param: sp.Symbol, source: sp.Expr
              ) -> tuple[list[tuple[sp.Expr, ...]], list[tuple[sp.Expr, Rule]]]:
    """The paths from the cost to ``param`` through neuron ``j`` of ``layer`` (the output layer or the one below),
    and the lines that follow, each with its rule: one layer down the paths' sum written out, their common factors
    taken out, the output layer's error terms named, the derivatives worked out; then this layer's error term."""
    L, z, d = network.depth, network.z(layer)[j], network.delta(layer)[j]
    outputs = network.a(L)

    def to_output(i: int) -> list[tuple[sp.Expr, ...]]:  # the paths from the cost to z^L_i
        if network.activation(L).elementwise:
            return [(partial(COST, outputs[i]), partial(outputs[i], network.z(L)[i]))]
        return [(partial(COST, a), partial(a, network.z(L)[i])) for a in outputs]

    if layer == L:  # the chain, then its first two factors named δ (∂z/∂w worked out: a, or a bias unit's 1)
        return [(*path, partial(z, param)) for path in to_output(j)], [(product(d, source), Rule.CHAIN_RULE_PARAMETER)]
    a, offset = network.a(layer)[j], 1 if network.bias == "neuron" else 0
    weights = network.parameters[symbols.matrix("W", L)]
    above = [(i, path) for i in range(network.layers[L]) for path in to_output(i)]
    paths = [(*path, partial(network.z(L)[i], a), partial(a, z), partial(z, param)) for i, path in above]
    common = (partial(a, z), partial(z, param))

    def terms(*parts: sp.Expr) -> sp.Expr:
        return sp.Add(*parts, evaluate=False)

    factored = product(terms(*[product(*path[:-2]) for path in paths]), *common)
    named = product(terms(*[product(di, partial(network.z(L)[i], a)) for i, di in enumerate(network.delta(L))]),
                    *common)
    through = terms(*[product(di, weights[i, j + offset]) for i, di in enumerate(network.delta(L))])
    g_prime = derivative(network.activation(layer)).at(z, a)
    worked = [] if source == 1 else [(product(through, g_prime, source), Rule.EVALUATE_DERIVATIVES)]
    # a sum in brackets cannot break across lines: the factored sum only where it is as short as seed 000's
    brackets = [(factored, Rule.FACTORS_EVERY_PATH_SHARES)] if len(paths) <= SHORT_SUM else []
    brackets += [(named, Rule.ERROR_TERM)] if network.layers[L] <= SHORT_SUM else []
    # the bracket times ∂a_j/∂z_j is ∂C/∂z_j, δ_j (a bias unit's ∂z_j/∂w_j0 = 1 not worked out, said)
    last = Rule.ERROR_TERM_BIAS_UNIT if source == 1 and network.bias == "neuron" else Rule.ERROR_TERM_BELOW
    return paths, [(terms(*[product(*path) for path in paths]), Rule.CHAIN_RULE), *brackets, *worked,
                   (product(d, source), last)]


#: The most terms a sum in brackets of seed 000's chains may have (its own two paths, one per output neuron).
SHORT_SUM = 3


@dataclass(frozen=True)
class OutputKernel:
    """The output layer's derivatives as scalar expressions, for vectorised code.

    Attributes:
        grad_a: dc/da_j in terms of the output ``A`` and the target ``Y``.
        delta: delta^L_j = dc/dz^L_j in ``A``, ``Y`` and ``Z`` when it is point-wise
            (every element-wise output; softmax with a distribution-target loss); else None,
            and delta = a * (g - sum_i a_i g_i) with g = grad_a (the softmax Jacobian-vector product).
    """

    grad_a: sp.Expr
    delta: sp.Expr | None


def output_kernel(network: Architecture) -> OutputKernel:
    """The point-wise output-layer kernels of ``network``, read off its element-form derivation.

    The kernels are the same for every output neuron, so they are derived on a network
    with at most two outputs (and the real n_L for mse's 1/n): their cost does not grow with the width.
    """
    n = network.layers[-1]
    small = Architecture([1, min(n, 2)], activations=[network.activation(network.depth).label],
                    loss=network.loss.name, bias="none")
    layer = 1
    loss = network.loss(small.a(layer), list(small.targets), outputs=n)
    generic = {small.a(layer)[0]: A, small.z(layer)[0]: Z, small.targets[0]: Y}
    grad_a = sp.diff(loss, small.a(layer)[0]).xreplace(generic)
    if grad_a.is_polynomial(A, Y):
        grad_a = _shortest(grad_a)  # 2 (a - y) rather than 2a - 2y
    if small.activation(layer).elementwise:
        delta = output_elementwise(small, loss).deltas[0]
    elif small.loss.targets_sum_to_one:
        delta = output_softmax(small, loss).deltas[0]
    else:
        return OutputKernel(grad_a, None)
    return OutputKernel(grad_a, _shortest(delta.xreplace(generic)))
