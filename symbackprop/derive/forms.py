"""The vector and batch forms: backprop at layer level, with matrices.

The element form (:mod:`symbackprop.engine`) works on scalars; here the same
chain rule is applied to whole layers with SymPy matrix expressions, as seed
004 does for one example (BP1-BP4 through Jacobians) and seed 002 for a batch
(examples as columns). SymPy's MatrixSymbol differentiation is not used (it
fails from the first nonlinear layer): each step is one identity, named by its
:class:`~symbackprop.derive.derivation.Rule`, and the tests prove every result equal to the element form by
expanding it into explicit matrices (:mod:`symbackprop.explicit`).

Matrix symbols (examples as columns in the batch form):

* vector: ``x``, ``y``, ``z{l}``, ``a{l}``, ``W{l}``, ``b{l}``, ``delta{l}``,
  ``grad_a{L}`` (the gradient of c with respect to a^L), ``abar{l}`` = (1, a^l)
  for the neuron-bias convention;
* batch: ``X``, ``Y``, ``Z{l}``, ``A{l}``, ``W{l}``, ``b{l}``, ``Delta{l}``,
  ``Grad_A{L}``, ``Abar{l}``, and ``m`` the number of examples.

``g'(z)`` applied element-wise is ``ElementwiseApplyFunction(Function("tanh'"), z)``;
``g(z)`` likewise with ``Function("tanh")`` (softmax: applied to each column).
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from ..model import symbols
from ..model.activations import A, Z
from ..model.architecture import Architecture
from .chain import COST, Y, output_kernel, partial
from .derivation import Equation, Rule, Step

#: The number of examples in a batch.
M = sp.Symbol("m", integer=True, positive=True)


class NotLiftable(Exception):
    """A scalar expression with no element-wise matrix counterpart here."""


def lift(expr: sp.Expr, mapping: Mapping[sp.Symbol, sp.MatrixExpr], ones: sp.MatrixExpr) -> sp.MatrixExpr:
    """The element-wise matrix expression of a scalar one: products become Hadamard products.

    ``a*(1 - a)`` with ``a -> a2`` gives ``a2 ∘ (1 - a2)``.

    Raises:
        NotLiftable: a symbol outside ``mapping`` or a function other than powers.
    """
    if expr in mapping:
        return mapping[expr]
    if expr.is_Number:
        return expr * ones
    if isinstance(expr, sp.Add):
        return sp.MatAdd(*[lift(term, mapping, ones) for term in expr.args])
    if isinstance(expr, sp.Mul):
        coeff, rest = expr.as_coeff_Mul()
        factors = [lift(f, mapping, ones) for f in sp.Mul.make_args(rest)]
        lifted = factors[0] if len(factors) == 1 else sp.HadamardProduct(*factors)
        return lifted if coeff == 1 else sp.MatMul(coeff, lifted)
    if isinstance(expr, sp.Pow) and expr.exp.is_Integer:
        return sp.HadamardPower(lift(expr.base, mapping, ones), expr.exp)
    raise NotLiftable(str(expr))


def try_lift(
    expr: sp.Expr | None, mapping: Mapping[sp.Symbol, sp.MatrixExpr], ones: sp.MatrixExpr
) -> sp.MatrixExpr | None:
    """``lift(expr)``, or None where it has no element-wise matrix form."""
    if expr is None:
        return None
    try:
        return lift(expr, mapping, ones)
    except NotLiftable:
        return None


def applied(name: str, arg: sp.MatrixExpr) -> sp.MatrixExpr:
    """``name`` applied element-wise to ``arg``, e.g. ``applied("tanh'", z2)``."""
    return ElementwiseApplyFunction(sp.Function(name), arg)


class _Shapes:
    """The matrix symbols of one form: lower case for one example, capitals for a batch."""

    def __init__(self, network: Architecture, batch: bool) -> None:
        self.net, self.batch = network, batch
        self.cols = M if batch else 1

    def sym(self, kind: str, layer: int | None, rows: int) -> sp.MatrixSymbol:
        """The one-example ``kind`` of ``layer`` (None for x and y), its batch kind in the batch form."""
        name = symbols.matrix(symbols.batch(kind) if self.batch else kind, layer)
        return sp.MatrixSymbol(name, rows, self.cols)

    def z(self, l: int) -> sp.MatrixSymbol:
        return self.sym("z", l, self.net.layers[l])

    def a(self, l: int) -> sp.MatrixSymbol:
        return self.sym("x", None, self.net.layers[0]) if l == 0 else self.sym("a", l, self.net.layers[l])

    def abar(self, l: int) -> sp.MatrixSymbol:
        return self.sym("abar", l, self.net.layers[l] + 1)

    def delta(self, l: int) -> sp.MatrixSymbol:
        return self.sym("delta", l, self.net.layers[l])

    def y(self) -> sp.MatrixSymbol:
        return self.sym("y", None, self.net.layers[-1])

    def grad(self) -> sp.MatrixSymbol:
        return self.sym("grad_a", self.net.depth, self.net.layers[-1])

    def weights(self, l: int) -> sp.MatrixSymbol:
        extra = 1 if self.net.bias == "neuron" else 0
        return sp.MatrixSymbol(symbols.matrix("W", l), self.net.layers[l], self.net.layers[l - 1] + extra)

    def weights_without_bias(self, l: int) -> sp.MatrixExpr:
        w = self.weights(l)
        return w[:, 1:] if self.net.bias == "neuron" else w

    def bias(self, l: int) -> sp.MatrixSymbol:
        rows = 1 if self.net.bias == "shared" else self.net.layers[l]
        return sp.MatrixSymbol(symbols.matrix("b", l), rows, 1)

    def g_prime(self, l: int) -> sp.MatrixExpr:
        return applied(f"{self.net.activation(l).name}'", self.z(l))

    def ones(self, rows: int) -> sp.MatrixExpr:
        return sp.OneMatrix(rows, self.cols)


class _Builder:
    """Collects the steps of one form."""

    def __init__(self, network: Architecture, batch: bool) -> None:
        self.s = _Shapes(network, batch)
        self.form = "batch" if batch else "vector"
        self.steps: list[Step] = []
        self.results: dict[str, sp.Basic] = {}
        self.scale = sp.S.One / M if batch else sp.S.One

    def scaled(self, expr: sp.MatrixExpr) -> sp.MatrixExpr:
        """1/m times expr in the batch form (C is the mean of the per-example costs)."""
        return expr if self.scale == 1 else sp.MatMul(self.scale, expr)

    def add(self, quantity: str, layer: int, lhs: sp.Basic, chain: tuple, rule: Rule, result: sp.Basic) -> None:
        self.steps.append(Step(quantity, self.form, layer, lhs, chain, rule, result))
        self.results[quantity] = result

    def output_delta(self) -> None:
        s, net, L = self.s, self.s.net, self.s.net.depth
        kernel = output_kernel(net)
        mapping = {A: s.a(L), Y: s.y(), Z: s.z(L)}
        grad_value = try_lift(kernel.grad_a, mapping, s.ones(net.layers[L]))
        final = try_lift(kernel.delta, mapping, s.ones(net.layers[L]))
        if self.s.batch:
            self._output_delta_batch(grad_value, final)
        elif net.activation(L).elementwise:
            self._output_delta_elementwise(grad_value, final)
        else:
            self._output_delta_softmax(grad_value)

    def _output_delta_elementwise(self, grad_value: sp.MatrixExpr | None, final: sp.MatrixExpr | None) -> None:
        s, L = self.s, self.s.net.depth
        name, d, grad = symbols.matrix("delta", L), s.delta(L), s.grad()
        chain = ((sp.Transpose(partial(s.a(L), s.z(L))), partial(COST, s.a(L))),)
        self.add(name, L, d, chain, Rule.CHAIN_RULE_DIAGONAL_JACOBIAN, sp.MatMul(sp.DiagMatrix(s.g_prime(L)), grad))
        self.add(name, L, d, (), Rule.DIAGONAL_TIMES_VECTOR, sp.HadamardProduct(grad, s.g_prime(L)))
        if grad_value is not None:
            self.add(name, L, d, (), Rule.DIFFERENTIATE_LOSS, sp.HadamardProduct(grad_value, s.g_prime(L)))
        if final is not None and final != self.results[name]:
            self.add(name, L, d, (), Rule.SIMPLIFY_IN_OUTPUT, final)

    def _output_delta_softmax(self, grad_value: sp.MatrixExpr | None) -> None:
        s, net, L = self.s, self.s.net, self.s.net.depth
        name, d, a, y = symbols.matrix("delta", L), s.delta(L), s.a(L), s.y()
        chain = ((sp.Transpose(partial(a, s.z(L))), partial(COST, a)),)
        jacobian = sp.DiagMatrix(a) - a * a.T
        self.add(name, L, d, chain, Rule.CHAIN_RULE_SOFTMAX_MATRIX, sp.MatMul(jacobian, s.grad()))
        if grad_value is None:
            return
        self.add(name, L, d, (), Rule.DIFFERENTIATE_LOSS, sp.MatMul(jacobian, grad_value))
        if net.loss.targets_sum_to_one:
            self.add(name, L, d, (), Rule.MULTIPLY_OUT, a * (sp.OneMatrix(1, net.layers[L]) * y) - y)
            self.add(name, L, d, (), Rule.SUM_TO_ONE, a - y)

    def _output_delta_batch(self, grad_value: sp.MatrixExpr | None, final: sp.MatrixExpr | None) -> None:
        s, net, L = self.s, self.s.net, self.s.net.depth
        name, d = symbols.matrix("delta", L), s.delta(L)
        chain = ((partial(COST, s.z(L)),),)
        if final is not None:
            self.add(name, L, d, chain, Rule.MEAN_OVER_EXAMPLES, self.scaled(final))
        elif net.activation(L).elementwise:
            self.add(name, L, d, chain, Rule.MEAN_OVER_EXAMPLES,
                     self.scaled(sp.HadamardProduct(grad_value or s.grad(), s.g_prime(L))))
        else:
            a, g = s.a(L), grad_value or s.grad()
            column_dot = sp.OneMatrix(net.layers[L], 1) * sp.OneMatrix(1, net.layers[L]) * sp.HadamardProduct(a, g)
            self.add(name, L, d, chain, Rule.MEAN_OVER_EXAMPLES_SOFTMAX,
                     self.scaled(sp.HadamardProduct(a, g - column_dot)))

    def hidden_delta(self, l: int) -> None:
        s = self.s
        w, d_next = s.weights_without_bias(l + 1), s.delta(l + 1)
        name, d = symbols.matrix("delta", l), s.delta(l)
        if self.s.batch:
            self.add(name, l, d, ((partial(COST, s.z(l)),),), Rule.EACH_COLUMN,
                     sp.HadamardProduct(w.T * d_next, s.g_prime(l)))
            return
        chain = ((sp.Transpose(partial(s.z(l + 1), s.z(l))), partial(COST, s.z(l + 1))),)
        self.add(name, l, d, chain, Rule.CHAIN_RULE_LAYER_JACOBIAN,
                 sp.MatMul(sp.Transpose(sp.MatMul(w, sp.DiagMatrix(s.g_prime(l)))), d_next))
        self.add(name, l, d, (), Rule.TRANSPOSE_OF_PRODUCT, sp.MatMul(sp.DiagMatrix(s.g_prime(l)), w.T, d_next))
        self.add(name, l, d, (), Rule.DIAGONAL_TIMES_VECTOR, sp.HadamardProduct(w.T * d_next, s.g_prime(l)))

    def gradients(self, l: int) -> None:
        s, net = self.s, self.s.net
        d, examples = s.delta(l), s.ones(1).T  # 1_m, (m x 1)
        weights, bias = symbols.matrix("W", l), symbols.matrix("b", l)
        source = s.abar(l - 1) if net.bias == "neuron" else s.a(l - 1)
        outer = Rule.CHAIN_RULE_OUTER_PRODUCT_SUMMED if self.s.batch else Rule.CHAIN_RULE_OUTER_PRODUCT
        self.add(weights, l, partial(COST, s.weights(l)), ((partial(COST, s.z(l)), partial(s.z(l), s.weights(l))),),
                 outer, d * source.T)
        bias_chain = ((sp.Transpose(partial(s.z(l), s.bias(l))), partial(COST, s.z(l))),)
        if net.bias == "vector":
            total = d * examples if self.s.batch else d
            self.add(bias, l, partial(COST, s.bias(l)), bias_chain, Rule.CHAIN_RULE_BIAS, total)
        elif net.bias == "shared":
            total = sp.OneMatrix(1, net.layers[l]) * d * (examples if self.s.batch else sp.Identity(1))
            self.add(bias, l, partial(COST, s.bias(l)), bias_chain, Rule.CHAIN_RULE_SHARED_BIAS, total)


def _build(network: Architecture, batch: bool) -> tuple[dict[str, sp.Basic], list[Step]]:
    builder = _Builder(network, batch)
    builder.output_delta()
    for l in range(network.depth - 1, 0, -1):
        builder.hidden_delta(l)
    for l in range(network.depth, 0, -1):
        builder.gradients(l)
    return builder.results, builder.steps


def vector_form(network: Architecture) -> tuple[dict[str, sp.Basic], list[Step]]:
    """BP1-BP4 for one example: ``({"delta2": ..., "W2": ..., ...}, steps)``."""
    return _build(network, batch=False)


def forward_vector(network: Architecture) -> tuple[Equation, ...]:
    """z^l = W^l a^{l-1} + b^l and a^l = g_l(z^l) for one example, layer by layer, as matrix expressions."""
    s = _Shapes(network, batch=False)
    equations: list[Equation] = []
    for l in range(1, network.depth + 1):
        n = network.layers[l]
        if network.bias == "neuron":
            z = s.weights(l) * s.abar(l - 1)
        elif network.bias == "vector":
            z = s.weights(l) * s.a(l - 1) + s.bias(l)
        elif network.bias == "shared":
            z = s.weights(l) * s.a(l - 1) + sp.OneMatrix(n, 1) * s.bias(l)
        else:
            z = s.weights(l) * s.a(l - 1)
        equations.append(Equation(symbols.matrix("z", l), s.z(l), z))
        equations.append(Equation(symbols.matrix("a", l), s.a(l), applied(network.activation(l).name, s.z(l))))
    return tuple(equations)


def forward_batch(network: Architecture) -> dict[str, sp.Basic]:
    """Z^l = W^l A^{l-1} + b^l 1_m^T and A^l = g_l(Z^l), examples as columns."""
    s = _Shapes(network, batch=True)
    equations: dict[str, sp.Basic] = {}
    for l in range(1, network.depth + 1):
        n = network.layers[l]
        if network.bias == "neuron":
            z = s.weights(l) * s.abar(l - 1)
        elif network.bias == "vector":
            z = s.weights(l) * s.a(l - 1) + s.bias(l) * sp.OneMatrix(1, M)
        elif network.bias == "shared":
            z = s.weights(l) * s.a(l - 1) + sp.OneMatrix(n, 1) * s.bias(l) * sp.OneMatrix(1, M)
        else:
            z = s.weights(l) * s.a(l - 1)
        equations[symbols.matrix("Z", l)] = z
        equations[symbols.matrix("A", l)] = applied(network.activation(l).name, s.z(l))
    return equations


def batch_form(network: Architecture) -> tuple[dict[str, sp.Basic], list[Step]]:
    """The batch equations (seed 002 §5.2): forward, then every Delta and gradient, in order."""
    results, steps = _build(network, batch=True)
    return {**forward_batch(network), **results}, steps
