"""Results for a whole layer at once, and the network as one function: each general-neuron argument's result with
its entries stacked into a vector as seed 002 does it, the vector's entries, the result in each, then one vector
(∇_ŷ L = -(1/ŷ_ℓ) e_ℓ, ∇_{a_L} L = -(e_ℓ - ŷ), ∇_{h_k} L = W_{k+1}ᵀ ∇_{a_{k+1}} L, ...), and the forward pass nested
into ŷ = O(W_3 g(W_2 g(W_1 x + b_1) + b_2) + b_3)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp

from ..model import symbols
from ..model.architecture import Architecture
from ..model.losses import LABEL
from .argument import Argument
from .chain import COST, local_derivatives, partial, product, weight_entries
from .derivation import Equation, Rule, Step
from .forms import EXPLICIT, Named, Partial, Shapes, diagonal, forward_vector
from .general import with_letters


def stacked(network: Architecture) -> dict[str, tuple[Step, ...]]:
    """Seed 002's vectors: each general-neuron argument (:mod:`.reasoning`, by name) for every neuron at once, its
    entries stacked: -(1/ŷ_ℓ) e_ℓ for ∂L/∂ŷ, -(e_ℓ - ŷ) for a softmax with sparse cross-entropy, W^{l+1}ᵀ δ^{l+1}
    for ∂c/∂a^l, ∂c/∂a^l ⊙ g'(z^l) for δ^l, δ^L (a^{L-1})ᵀ for the weights and δ^L for a bias vector."""
    s, L = Shapes(network, batch=False), network.depth

    def step(kind: str, layer: int, lhs: sp.Basic, result: sp.Basic, rule: Rule = Rule.STACK) -> tuple[Step, ...]:
        return (Step(symbols.matrix(kind, layer), "vector", layer, lhs, (), rule, result),)

    found: dict[str, tuple[Step, ...]] = {}
    if network.loss.sparse:  # ∇_ŷ L = -(1/ŷ_ℓ) e_ℓ
        label_output = sp.Symbol(symbols.element("a", L, "ell"), real=True)
        found["prediction"] = step("grad_a", L, s.sym("grad_a", L, network.layers[L]),
                                   sp.MatMul(-1 / label_output, s.y(), evaluate=False), Rule.ONE_HOT)
    if network.activation(L).name == "softmax" and network.loss.sparse:
        difference = sp.MatAdd(s.y(), sp.MatMul(-1, s.a(L), evaluate=False), evaluate=False)
        found["softmax"] = step("delta", L, s.delta(L), sp.MatMul(-1, difference, evaluate=False),
                                Rule.ONE_HOT_AND_OUTPUTS)
    if L > 1:
        grad = s.sym("grad_a", L - 1, network.layers[L - 1])
        found["activation"] = step("grad_a", L - 1, grad, sp.MatMul(sp.Transpose(s.weights_without_bias(L)),
                                                                     s.delta(L)), Rule.COLUMNS_TIMES_VECTOR)
        found["through_output"] = step("delta", L - 1, s.delta(L - 1), sp.HadamardProduct(grad, s.g_prime(L - 1)))
    k = parameter_layer(network)
    below = s.abar(k - 1) if network.bias == "neuron" else s.a(k - 1)
    found["weight"] = step("W", k, partial(COST, s.weights(k)), sp.MatMul(s.delta(k), sp.Transpose(below)),
                           Rule.OUTER_PRODUCT)
    if network.bias == "vector":
        found["bias"] = step("b", k, partial(COST, s.bias(k)), s.delta(k))
    return found


def parameter_layer(network: Architecture) -> int:
    """The layer whose weights and biases are stacked: as seed 002 assumes ``W_k ∈ R^{n x n}``, the highest layer
    above the first with a square weight matrix, else the output layer."""
    square = [layer for layer in range(2, network.depth + 1) if network.layers[layer] == network.layers[layer - 1]]
    return max(square, default=network.depth)


def nested_model(network: Architecture) -> Equation | None:
    """The network as one function of its input: the forward pass's definitions substituted into each other from
    the output down, ``a^L = g_L(W^L g(W^{L-1} x + b^{L-1}) + b^L)``; None with bias units (ā = (1, a) has no
    definition to substitute)."""
    if network.bias == "neuron":
        return None
    equations = forward_vector(network)
    definitions = {equation.lhs: equation.rhs for equation in equations}
    output = equations[-1]
    expr = output.rhs
    for equation in reversed(equations[:-1]):
        expr = expr.xreplace({equation.lhs: definitions[equation.lhs]})
    expr = expr.xreplace({s: definitions[s] for s in expr.atoms(sp.MatrixSymbol) if s in definitions})
    return Equation("model", output.lhs, expr)


def written_out(network: Architecture, argument: Argument, closed: Step) -> tuple[Step, ...]:
    """Seed 002's way from one entry to the vector ``closed``: the quantity's entries for every neuron of the layer
    (and of the layer below, for the weights), then the argument's result in each, its sums and the label ℓ kept,
    ``[∂L/∂h_{k1}, ...] = [Σ_m ∂L/∂a_{k+1,m} W_{k+1,m,1}, ...]``; its last line a result put in terms of the line
    before (:attr:`Rule.FROM_ABOVE`) is not the entry's own. Weights beside bias units (their column 0, of a
    source that is the constant 1) are left as one matrix."""
    if argument.name == "weight" and network.bias == "neuron":
        return (closed,)
    rows = range(1, network.layers[argument.layer] + 1)
    columns = range(1, network.layers[argument.layer - 1] + 1) if argument.name == "weight" else (0,)

    def entries(expr: sp.Basic) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix([[with_letters(expr, {"j": i, "k": k} if k else {"j": i}) for k in columns]
                                   for i in rows])

    lines: tuple[Step, ...] = tuple(replace(closed, rule=rule, result=entries(general_entry(argument, rule)))
                                    for rule in (Rule.DEFINITION, Rule.ENTRY_BY_ENTRY))
    if argument.name == "prediction":  # seed 002: -1/ŷ_ℓ taken out of the entries, the indicators left
        outside = closed.result.args[0]
        indicators = sp.ImmutableMatrix([[sp.KroneckerDelta(LABEL, i)] for i in rows])
        lines += (replace(closed, rule=Rule.COMMON_FACTOR, result=sp.MatMul(outside, indicators, evaluate=False)),)
    if argument.name == "activation" and network.bias != "neuron":  # seed 002: entry i is (W_{l+1,·,i})ᵀ ∇
        transposed, vector = closed.result.args
        blocks = sp.BlockMatrix([[sp.MatMul(sp.Transpose(transposed.arg[:, i - 1:i]), vector)] for i in rows])
        lines += (replace(closed, rule=Rule.COLUMNS_TIMES_VECTOR, result=blocks),)
        closed = replace(closed, rule=Rule.ROWS_OF_TRANSPOSE)
    return (*lines, closed)


def general_entry(argument: Argument, rule: Rule) -> sp.Basic:
    """The entry for a general neuron j of :func:`written_out`'s line by ``rule``: the quantity itself
    (:attr:`Rule.DEFINITION`), or the argument's result (:attr:`Rule.ENTRY_BY_ENTRY`), its last line but one that
    puts a result in terms of the line before (:attr:`Rule.FROM_ABOVE`)."""
    if rule is Rule.DEFINITION:
        return argument.lhs
    return next(line.result for line in reversed(argument.lines) if line.rule is not Rule.FROM_ABOVE)


def layer_weights(network: Architecture, layer: int) -> tuple[Step, ...]:
    """Seed 000's matrix after a layer's chains (the output layer's, then the one below), before any bias unit's
    weight: the layer's weight gradients (with bias units, the matrix without their column, W̃^l) entry by entry,
    then, as the seed's δ^L ⊙ ∂Z/∂W made well typed, diag(δ^l) times the local derivatives ∂z_j/∂w_jk, those
    worked out (every row the activations below), then one outer product, ``[∂C/∂w_jk] = diag(δ^l) [∂z_j/∂w_jk]
    = diag(δ^l) [a_k] = δ^l (a^{l-1})ᵀ``; for a wide layer the outer product alone. The output layer's diag(δ^L)
    is first the seed's ∂C/∂a ⊙ ∂a/∂z, braced (an element-wise output). Steps of the form ``paths``; the layer
    below the output in one chain through every output neuron, as the seed's ∂C/∂W^{(1)}, is
    :func:`through_outputs`."""
    s = Shapes(network, batch=False)
    weights, name = s.weights_without_bias(layer), symbols.matrix("W", layer)
    lhs = Partial(COST, weights)  # SymPy: no ∂ by a slice
    outer = sp.MatMul(s.delta(layer), sp.Transpose(s.a(layer - 1)))
    if max(weights.shape) > EXPLICIT:
        return (Step(name, "paths", layer, lhs, (), Rule.CHAIN_RULE_OUTER_PRODUCT, outer),)
    partials, local, sources = _written_out_weights(network, layer)
    z, scaled = network.z(layer), sp.DiagMatrix(s.delta(layer))

    def line(rule: Rule, result: sp.Basic) -> Step:
        return Step(name, "paths", layer, lhs, (), rule, result)

    # the output layer's entries are the chains above it, their first factors δ^L, braced as the seed's ∂C/∂a ⊙
    # ∂a/∂Z (an element-wise output); the one below's, by the chain rule through z_j alone
    if layer == network.depth and network.activation(layer).elementwise:
        a = network.a(layer)
        first = sp.HadamardProduct(sp.ImmutableMatrix([[partial(COST, a_j)] for a_j in a]),
                                   sp.ImmutableMatrix([[partial(a_j, z_j)] for a_j, z_j in zip(a, z)]), evaluate=False)
        named = Named(sp.DiagMatrix(first), scaled)  # the brace under diag(...): its brackets fit what they hold
        scaled_by_chains = line(Rule.ROWS_OF_CHAINS_NAMED, _times(named, local))
    else:
        rows = Rule.ROWS_OF_LOCAL_DERIVATIVES if layer == network.depth else Rule.ROWS_BY_CHAIN_RULE
        scaled_by_chains = line(rows, _times(scaled, local))
    return (line(Rule.DEFINITION, partials), scaled_by_chains,
            line(Rule.EVALUATE_DERIVATIVES, _times(scaled, sources)), line(Rule.OUTER_PRODUCT, outer))


def _written_out_weights(network: Architecture, layer: int
                         ) -> tuple[sp.ImmutableMatrix, sp.ImmutableMatrix, sp.ImmutableMatrix]:
    """A layer's weights written out (without the bias units' column): the matrix of their gradients ∂C/∂w_jk,
    the local derivatives ∂z_j/∂w_jk, and those worked out, every row the activations below."""
    partials, _ = weight_entries(network, layer, bias_column=False)
    return (partials, local_derivatives(network, layer, partials),
            sp.ImmutableMatrix([list(network.a(layer - 1))] * partials.rows))


def _times(left: sp.MatrixExpr, right: sp.MatrixBase) -> sp.MatMul:
    return sp.MatMul(left, right, evaluate=False)


def through_outputs(network: Architecture) -> tuple[Step, ...]:
    """Seed 000's ∂C/∂W^{(1)} in one chain, for the layer below the output (with biases; each layer narrow enough
    to write out): ``[∂C/∂w_jk] = diag([Σ_i δ^L_i ∂z_i/∂a_j] ⊙ [∂a_j/∂z_j]) [∂z_j/∂w_jk] = diag([(δ^L_1 ...)
    ∂z/∂a]ᵀ ⊙ [∂a/∂z]) [...] = diag([(δ^L_1 ...) W̃]ᵀ ⊙ g'(z)) [a_k] = diag(W̃ᵀ δ^L ⊙ g'(z)) [a_k] = δ aᵀ``, the
    vector of the last diag but one braced as δ^{(L-1)}; then δ^{(L-1)} = (W̃ᵀ δ^L) ⊙ g'(z), as under the brace.
    Steps of the form ``through``, besides the form ``paths``' diag(δ^{(L-1)}) and its error terms line by line: a
    document takes this chain where its lines fit the page (the widest holds the Jacobian and the local
    derivatives side by side), else those."""
    L = network.depth
    if network.bias == "none" or not _writes_out_hidden_errors(network) or max(network.layers[L - 2:]) > EXPLICIT:
        return ()
    s, layer = Shapes(network, batch=False), L - 1
    name, carried = symbols.matrix("W", layer), _carried_back(network)
    lhs = Partial(COST, s.weights_without_bias(layer))
    partials, local, sources = _written_out_weights(network, layer)
    lines = ((Rule.DEFINITION, partials),
             *((rule, _times(sp.DiagMatrix(vector), matrix)) for rule, vector, matrix in (
                 (Rule.ROWS_THROUGH_EVERY_OUTPUT, carried.sums_then_local, local),
                 (Rule.ROW_TIMES_JACOBIAN, carried.by_jacobian, local),
                 (Rule.EVALUATE_DERIVATIVES, carried.by_weights, sources),
                 (Rule.TRANSPOSE_OF_ROW_NAMED, Named(carried.result, s.delta(layer)), sources))),
             (Rule.OUTER_PRODUCT, sp.MatMul(s.delta(layer), sp.Transpose(s.a(layer - 1)))))
    return (*(Step(name, "through", layer, lhs, (), rule, result) for rule, result in lines),
            Step(symbols.matrix("delta", layer), "through", layer, s.delta(layer), (), Rule.UNDER_THE_BRACE,
                 carried.result))


@dataclass(frozen=True)
class _Carried:
    """The error terms of the layer below the output, ``[(Σ_i δ^L_i ∂z^L_i/∂a_j) ∂a_j/∂z_j]``, as seed 000 turns
    them into one vector, line by line (:func:`hidden_errors`; inside the weights' chain, :func:`through_outputs`)."""

    entries: sp.ImmutableMatrix  # each entry through every output neuron, written out
    sums_then_local: sp.MatrixExpr  # the same as [Σ_i δ^L_i ∂z^L_i/∂a_j] ⊙ [∂a_j/∂z_j], as seed 000's ∂C/∂W^{(1)}
    by_jacobian: sp.MatrixExpr  # [(δ^L_1 ... δ^L_n) ∂z^L/∂a]ᵀ ⊙ [∂a_j/∂z_j], the Jacobian written out
    by_weights: sp.MatrixExpr  # [(δ^L_1 ... δ^L_n) W̃^L]ᵀ ⊙ g'(z), the derivatives worked out
    result: sp.MatrixExpr  # (W̃^Lᵀ δ^L) ⊙ g'(z)


def _carried_back(network: Architecture) -> _Carried:
    s, L = Shapes(network, batch=False), network.depth
    deltas, z, a, below = network.delta(L), network.z(L), network.a(L - 1), network.z(L - 1)
    weights = network.parameters[symbols.matrix("W", L)]
    weights = weights[:, 1:] if network.bias == "neuron" else weights
    row = sp.ImmutableMatrix([list(deltas)])
    jacobian = sp.ImmutableMatrix(len(z), len(a), lambda i, j: partial(z[i], a[j]))
    local = sp.ImmutableMatrix([[partial(a[j], below[j])] for j in range(len(a))])
    sums = sp.ImmutableMatrix([[sp.Add(*[product(deltas[i], jacobian[i, j]) for i in range(len(z))], evaluate=False)]
                               for j in range(len(a))])
    entries = sp.ImmutableMatrix([[product(sums[j], local[j])] for j in range(len(a))])

    def by_row(matrix: sp.MatrixBase, right: sp.MatrixExpr) -> sp.HadamardProduct:
        return sp.HadamardProduct(sp.Transpose(sp.MatMul(row, matrix, evaluate=False)), right, evaluate=False)

    carried = sp.MatMul(sp.Transpose(s.weights_without_bias(L)), s.delta(L))
    return _Carried(entries, sp.HadamardProduct(sums, local, evaluate=False), by_row(jacobian, local),
                    by_row(weights, s.g_prime(L - 1)), sp.HadamardProduct(carried, s.g_prime(L - 1), evaluate=False))


def _writes_out_hidden_errors(network: Architecture) -> bool:
    """Whether the error terms of the layer below the output are narrow enough to write out as seed 000 does."""
    L = network.depth
    return L > 1 and max(network.layers[L], network.layers[L - 1]) <= EXPLICIT


def hidden_errors(network: Architecture) -> tuple[Step, ...]:
    """Seed 000's way to the error terms of the layer below the output as one vector, from their entries (each the
    factored chain's first factors): ``[(Σ_i δ^L_i ∂z^L_i/∂a_j) ∂a_j/∂z_j] = [(δ^L_1 ... δ^L_n) ∂z^L/∂a]ᵀ ⊙
    [∂a_j/∂z_j] = [(δ^L_1 ... δ^L_n) W̃^L]ᵀ ⊙ g'(z) = (W̃^Lᵀ δ^L) ⊙ g'(z)``, the Jacobian and the weights written
    out; nothing for a network of one layer or layers too wide to write out. Steps of the form ``paths`` (the form
    ``through`` finds them inside the weights' chain instead: :func:`through_outputs`)."""
    if not _writes_out_hidden_errors(network):
        return ()
    s, L = Shapes(network, batch=False), network.depth
    lhs, name, carried = s.delta(L - 1), symbols.matrix("delta", L - 1), _carried_back(network)
    lines = ((Rule.THROUGH_EVERY_OUTPUT, carried.entries),
             (Rule.ROW_TIMES_JACOBIAN, carried.by_jacobian),
             (Rule.EVALUATE_DERIVATIVES, carried.by_weights),
             (Rule.TRANSPOSE_OF_ROW, carried.result))
    return tuple(Step(name, "paths", L - 1, lhs, (), rule, result) for rule, result in lines)


def jacobians(network: Architecture) -> dict[str, tuple[Step, ...]]:
    """The vector form's local Jacobians, each worked out on its own as seed 004 computes them, by the equation
    that uses it: BP1's ∂a^L/∂z^L = diag(g'(z^L)) (an element-wise output); BP2's ∂z^L/∂z^{L-1} = ∂z^L/∂a^{L-1}
    ∂a^{L-1}/∂z^{L-1} = W^L diag(g'(z^{L-1})); BP3's ∂z^L/∂b^L = I (a bias vector). Vector-form steps, each
    checked against the Jacobian of the definitions."""
    s, L = Shapes(network, batch=False), network.depth

    def jacobian(layer: int, u: sp.MatrixExpr, v: sp.MatrixExpr, *lines: tuple[Rule, sp.Basic]) -> tuple[Step, ...]:
        return tuple(Step(f"d{u.name}/d{v.name}", "vector", layer, Partial(u, v), (), rule, result)
                     for rule, result in lines)

    found: dict[str, tuple[Step, ...]] = {}
    if network.activation(L).elementwise:
        found["BP1"] = jacobian(L, s.a(L), s.z(L), (Rule.DIAGONAL_JACOBIAN, diagonal(s, L)))
    if L > 1 and network.activation(L - 1).elementwise:
        l, compact, weights = L - 1, sp.DiagMatrix(s.g_prime(L - 1)), s.weights_without_bias(L)
        found["BP2"] = jacobian(l, s.z(L), s.z(l),
                                (Rule.CHAIN_RULE, sp.MatMul(Partial(s.z(L), s.a(l)), Partial(s.a(l), s.z(l)))),
                                (Rule.JACOBIAN_OF_WEIGHTED_SUM, sp.MatMul(weights, Partial(s.a(l), s.z(l)))),
                                (Rule.DIAGONAL_JACOBIAN, sp.MatMul(weights, compact)))
    if network.bias == "vector":
        found["BP3"] = jacobian(L, s.z(L), s.bias(L), (Rule.JACOBIAN_OF_BIAS, sp.Identity(network.layers[L])))
    return found
