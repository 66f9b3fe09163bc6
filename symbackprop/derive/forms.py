"""The vector and batch forms: backprop at layer level, with matrices.

The element form (:mod:`.chain`) works on scalars; here the same chain rule is applied to whole layers with SymPy
matrix expressions, as seed 004 does for one example (BP1-BP4 through Jacobians) and seed 002 for a batch (examples
as columns). SymPy's MatrixSymbol differentiation is not used (it fails from the first nonlinear layer): each step
is one identity, named by its :class:`~.derivation.Rule`, and :mod:`.verify` proves every line by expanding it into
explicit matrices (:mod:`.explicit`).

Matrix symbols (examples as columns in the batch form):

* vector: ``x``, ``y``, ``z{l}``, ``a{l}``, ``W{l}``, ``b{l}``, ``delta{l}``, ``grad_a{L}`` (the gradient of c
  with respect to a^L), ``abar{l}`` = (1, a^l) for the neuron-bias convention;
* batch: ``X``, ``Y``, ``Z{l}``, ``A{l}``, ``W{l}``, ``b{l}``, ``Delta{l}``, ``Grad_A{L}``, ``Abar{l}``, and ``m``
  the number of examples.

``g'(z)`` applied element-wise is ``ElementwiseApplyFunction(Function("tanh'"), z)``; ``g(z)`` likewise with
``Function("tanh")`` (softmax: applied to each column).

The vector form works each Jacobian out from the definition it comes from, as seed 004 does: a line may hold
unevaluated Jacobians (:class:`Partial`: ``(∂z^{l+1}/∂a^l ∂a^l/∂z^l)^T δ^{l+1}``), ``diag`` of a narrow layer's
entries, the identity, or a matrix written out entry by entry (``[∂C/∂w_jk]``, ``[δ_j a_k]``); a weight's gradient
starts from its general entry ``∂C/∂w_jk`` (letters :data:`J`, :data:`K`). :func:`definitions` names the definition
each such step differentiates.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from ..model import symbols
from ..model.activations import A, Z, derivative, prime
from ..model.architecture import Architecture
from . import general
from .chain import COST, Y, local_derivatives, output_kernel, partial, product, weight_entries
from .derivation import Equation, Rule, Step
from .reasoning import activation

#: The number of examples in a batch.
M = sp.Symbol("m", integer=True, positive=True)
#: A layer of at most this many neurons is written out entry by entry (diag(σ'(z_1), σ'(z_2))), and so is the
#: gradient of a weight matrix of at most this many rows and columns, and twice as many entries (2 x 3, 3 x 2).
EXPLICIT = 3
#: The letters of a weight's general entry w_jk, and of the sum in its neuron's weighted input z_j = Σ_m w_jm a_m.
J, K, SUM = "j", "k", "m"


class Partial(sp.MatrixExpr):
    """∂u/∂v of a layer's vectors, unevaluated: the Jacobian of u (a row per entry of u, a column per entry of v);
    for the cost (a scalar u), its gradient, shaped like v. Printed ∂u/∂v; the verifier works it out from the
    definitions."""

    def __new__(cls, u: sp.Basic, v: sp.MatrixExpr) -> Partial:
        return sp.Basic.__new__(cls, u, v)

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        u, v = self.args
        return (u.shape[0], v.shape[0]) if isinstance(u, sp.MatrixExpr) else v.shape


class Named(sp.MatrixExpr):
    """A matrix expression under a brace with its name: seed 000's W̃ᵀ δ^L ⊙ σ'(z) named δ^{(L-1)} inside the
    chain that finds it. Printed ``\\underbrace{...}_{name}``; evaluated as what it braces, and the verifier checks
    that this equals the named expression."""

    def __new__(cls, expr: sp.MatrixExpr, name: sp.MatrixSymbol) -> Named:
        return sp.Basic.__new__(cls, expr, name)

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return self.args[0].shape


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


class Shapes:
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

    def g_prime_in_output(self, l: int) -> sp.MatrixExpr | None:
        """g'(z^l) in the activation's textbook form, element-wise: a^l ⊙ (1 - a^l) for the sigmoid; None where
        that form has no matrix one."""
        textbook = derivative(self.net.activation(l)).textbook
        return try_lift(textbook, {A: self.a(l), Z: self.z(l)}, self.ones(self.net.layers[l]))

    def ones(self, rows: int) -> sp.MatrixExpr:
        return sp.OneMatrix(rows, self.cols)


class _Builder:
    """Collects the steps of one form."""

    def __init__(self, network: Architecture, batch: bool) -> None:
        self.s = Shapes(network, batch)
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
        name, d, grad, a = symbols.matrix("delta", L), s.delta(L), s.grad(), s.a(L)
        self.add(name, L, d, (), Rule.CHAIN_RULE_DIAGONAL_JACOBIAN,
                 sp.MatMul(sp.Transpose(Partial(a, s.z(L))), Partial(COST, a)))
        self.add(name, L, d, (), Rule.SYMMETRIC_JACOBIAN, sp.MatMul(diagonal(s, L), grad))
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
        if self.s.batch:  # seed 002's ∇A_k = ∇H_k ⊙ g'(A_k) = (W_{k+1}^T ∇A_{k+1}) ⊙ g'(A_k)
            self.add(name, l, d, ((partial(COST, s.z(l)),),), Rule.EACH_COLUMN,
                     sp.HadamardProduct(Partial(COST, s.a(l)), s.g_prime(l)))
            self.add(name, l, d, (), Rule.OUTPUTS_EACH_COLUMN, sp.HadamardProduct(w.T * d_next, s.g_prime(l)))
            return
        z, a, z_next, diagonal = s.z(l), s.a(l), s.z(l + 1), sp.DiagMatrix(s.g_prime(l))

        def transposed(*factors: sp.MatrixExpr) -> sp.MatrixExpr:  # (AB)^T delta^{l+1}
            return sp.MatMul(sp.Transpose(sp.MatMul(*factors)), d_next)

        lines = ((Rule.CHAIN_RULE_LAYER_JACOBIAN, sp.MatMul(sp.Transpose(Partial(z_next, z)), Partial(COST, z_next))),
                 (Rule.ERROR_TERM, sp.MatMul(sp.Transpose(Partial(z_next, z)), d_next)),
                 (Rule.JACOBIAN_CHAIN, transposed(Partial(z_next, a), Partial(a, z))),
                 (Rule.JACOBIAN_OF_WEIGHTED_SUM, transposed(w, Partial(a, z))),
                 (Rule.DIAGONAL_JACOBIAN, transposed(w, diagonal)),
                 (Rule.TRANSPOSE_OF_PRODUCT, sp.MatMul(diagonal, w.T, d_next)),
                 (Rule.DIAGONAL_TIMES_VECTOR, sp.HadamardProduct(w.T * d_next, s.g_prime(l))))
        for rule, result in lines:
            self.add(name, l, d, (), rule, result)
        act = s.net.activation(l)
        in_output = s.g_prime_in_output(l) if not act.generic and derivative(act).in_output else None
        if in_output is not None:  # σ'(z^l) = a^l ⊙ (1 - a^l), as BP1 writes it
            self.add(name, l, d, (), Rule.SIMPLIFY_IN_OUTPUT, sp.HadamardProduct(w.T * d_next, in_output))

    def gradients(self, l: int) -> None:
        if self.s.batch:
            self._gradients_batch(l)
            return
        self._weight_entry(l)
        self._weight_matrix(l)
        net, s = self.s.net, self.s
        if net.bias not in ("vector", "shared"):
            return
        name, z, b, n = symbols.matrix("b", l), s.z(l), s.bias(l), net.layers[l]
        lhs, vector = partial(COST, b), net.bias == "vector"
        self.add(name, l, lhs, (), Rule.CHAIN_RULE_BIAS if vector else Rule.CHAIN_RULE_SHARED_BIAS,
                 sp.MatMul(sp.Transpose(Partial(z, b)), Partial(COST, z)))
        jacobian = sp.Identity(n) if vector else sp.OneMatrix(n, 1)
        self.add(name, l, lhs, (), Rule.JACOBIAN_OF_BIAS, sp.MatMul(sp.Transpose(jacobian), s.delta(l)))
        if vector:
            self.add(name, l, lhs, (), Rule.IDENTITY_TIMES_VECTOR, s.delta(l))

    def _weight_entry(self, l: int) -> None:
        """∂C/∂w_jk = ∂C/∂z_j ∂z_j/∂w_jk = δ_j ∂z_j/∂w_jk = δ_j a_k for a general entry (seeds 000 and 004)."""
        def entry(kind: str, layer: int | None, *indices: str) -> sp.Symbol:
            return sp.Symbol(symbols.element(kind, layer, *indices), real=True)

        w, z, d = entry("W", l, J, K), entry("z", l, J), entry("delta", l, J)
        source = entry("x", None, K) if l == 1 else entry("a", l - 1, K)
        name, lhs = symbols.matrix("W", l), partial(COST, w)
        self.add(name, l, lhs, ((partial(COST, z), partial(z, w)),), Rule.CHAIN_RULE_PARAMETER,
                 product(d, partial(z, w)))
        self.add(name, l, lhs, (), Rule.LOCAL_LINEAR, product(d, source))

    def _weight_matrix(self, l: int) -> None:
        """The matrix of every ∂C/∂w_jk: written out entry by entry for a small layer, then an outer product."""
        s, net = self.s, self.s.net
        name, neuron = symbols.matrix("W", l), net.bias == "neuron"
        lhs, weights = partial(COST, s.weights(l)), net.parameters[name]
        outer = s.delta(l) * (s.abar(l - 1) if neuron else s.a(l - 1)).T
        if max(weights.shape) > EXPLICIT or len(weights) > 2 * EXPLICIT:
            self.add(name, l, lhs, (), Rule.CHAIN_RULE_OUTER_PRODUCT, outer)
            return
        partials, entries = weight_entries(net, l)
        self.add(name, l, lhs, (), Rule.DEFINITION, partials)
        if neuron:  # seed 000: each entry δ_j ∂z_j/∂w_jk, diag(δ) times the local derivatives, the bias unit's
            # column among them; worked out, each row [1 a_1 a_2 ...]
            scaled, local = sp.DiagMatrix(s.delta(l)), local_derivatives(net, l, partials)
            worked = sp.ImmutableMatrix([[sp.S.One, *net.a(l - 1)]] * net.layers[l])
            self.add(name, l, lhs, (), Rule.ROWS_OF_LOCAL_DERIVATIVES, sp.MatMul(scaled, local, evaluate=False))
            self.add(name, l, lhs, (), Rule.BIAS_UNIT_DERIVATIVES, sp.MatMul(scaled, worked, evaluate=False))
        else:
            self.add(name, l, lhs, (), Rule.ENTRY_BY_ENTRY, entries)
        self.add(name, l, lhs, (), Rule.OUTER_PRODUCT, outer)

    def _gradients_batch(self, l: int) -> None:
        """BP4 of the vector form for each example (column), summed; BP3 through Z^l = W^l A^{l-1} + b^l 1^T, where b^l
        enters every column, so the columns' gradients add up: Δ^l 1."""
        s, net = self.s, self.s.net
        d, examples = s.delta(l), s.ones(1).T  # 1_m, (m x 1)
        weights, bias = symbols.matrix("W", l), symbols.matrix("b", l)
        source = s.abar(l - 1) if net.bias == "neuron" else s.a(l - 1)
        self.add(weights, l, partial(COST, s.weights(l)), (), Rule.CHAIN_RULE_OUTER_PRODUCT_SUMMED, d * source.T)
        # b^l enters every column of Z^l: no Jacobian of a matrix by a vector, the columns' gradients add up
        if net.bias == "vector":
            self.add(bias, l, partial(COST, s.bias(l)), (), Rule.SUM_OVER_COLUMNS, d * examples)
        elif net.bias == "shared":
            total = sp.OneMatrix(1, net.layers[l]) * d * examples
            self.add(bias, l, partial(COST, s.bias(l)), (), Rule.CHAIN_RULE_SHARED_BIAS, total)


def diagonal(shapes: Shapes, l: int) -> sp.MatrixExpr:
    """diag(g'(z^l_1), ..., g'(z^l_n)) for a layer of at most :data:`EXPLICIT` neurons, else diag(g'(z^l))."""
    net = shapes.net
    if net.layers[l] > EXPLICIT:
        return sp.DiagMatrix(shapes.g_prime(l))
    g_prime = prime(net.activation(l).name)
    return sp.DiagMatrix(sp.ImmutableMatrix([g_prime(z) for z in net.z(l)]))


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
    s = Shapes(network, batch=False)
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


def definitions(step: Step, network: Architecture) -> tuple[Equation, ...]:
    """The definition a vector-form step differentiates (what a document writes after "since"): z^{l+1} =
    W^{l+1} a^l + b^{l+1} for ∂z^{l+1}/∂a^l, a^l = g(z^l) for the diagonal Jacobian, z^l for ∂z^l/∂b^l, and
    z^l_j = Σ_m w^l_jm a^{l-1}_m + b^l_j for a weight's general entry, g' in terms of the output (σ'(z^L) =
    a^L ⊙ (1 - a^L)) for BP1 so written, and for one output neuron's error term (σ'(z_j) = a_j (1 - a_j)); none
    for other steps."""
    s, l, act = Shapes(network, batch=False), step.layer, network.activation(step.layer)
    if step.form == "element" and step.rule is Rule.WORK_OUT_ACTIVATION_DERIVATIVE:  # σ'(z_j) = a_j (1 - a_j)
        j = network.delta(l).index(step.lhs)  # its neuron
        z, a = network.z(l)[j], network.a(l)[j]
        return (Equation(act.name, prime(act.name)(z), derivative(act).at(z, a)),)
    if step.form == "vector" and step.rule is Rule.LOCAL_LINEAR:
        return (general.forward(network, l, J, SUM),)
    if step.form == "vector" and step.rule is Rule.SIMPLIFY_IN_OUTPUT:
        worked = s.g_prime_in_output(l)
        return () if worked is None else (Equation(act.name, s.g_prime(l), worked),)
    at = {Rule.JACOBIAN_OF_WEIGHTED_SUM: (l + 1, 0), Rule.DIAGONAL_JACOBIAN: (l, 1), Rule.SYMMETRIC_JACOBIAN: (l, 1),
          Rule.JACOBIAN_OF_BIAS: (l, 0)}
    if step.form != "vector" or step.rule not in at:
        return ()
    return (forward_vector(network)[2 * (at[step.rule][0] - 1) + at[step.rule][1]],)


def entry_definition(step: Step, network: Architecture, j: str) -> tuple[Equation, ...]:
    """The definition a diagonal Jacobian's step differentiates, for one neuron ``j``: a^l_j = g(z^l_j), each output
    its own input's (seed 004's BP1); none for other steps."""
    if step.form != "vector" or step.rule is not Rule.DIAGONAL_JACOBIAN:
        return ()
    return (activation(network, step.layer, j)[0],)


def forward_batch(network: Architecture) -> dict[str, sp.Basic]:
    """Z^l = W^l A^{l-1} + b^l 1_m^T and A^l = g_l(Z^l), examples as columns."""
    s = Shapes(network, batch=True)
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
