"""The vector and batch forms, expanded into explicit matrices, equal the element form."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.derive import general
from symbackprop.derive.chain import COST, forward_values, partial
from symbackprop.derive.derivation import Derivation, Rule, Step
from symbackprop.derive.explicit import evaluate
from symbackprop.derive.forms import M
from symbackprop.model.activations import derivative
from tests.helpers import numeric, random_point

CASES = [
    dict(layers=[2, 3, 1], hidden="tanh", output="sigmoid", loss="bce", bias="vector"),
    dict(layers=[2, 3, 3], hidden="relu", output="softmax", loss="cross_entropy", bias="vector"),
    dict(layers=[2, 2, 3], hidden="sigmoid", output="softmax", loss="sparse_cross_entropy", bias="neuron"),
    dict(layers=[3, 2, 2], hidden="softplus", output="softmax", loss="quadratic", bias="shared"),
    dict(layers=[2, 2, 2, 2], hidden="elu", output="linear", loss="mse", bias="none"),
    dict(layers=[2, 2, 2], hidden="gelu", output="relu", loss="quadratic", bias="vector"),
]


def _functions(net: Network, a_of: dict[sp.Symbol, sp.Symbol]) -> dict:
    """Explicit element-wise maps: g(z) column by column, g'(z) through its textbook form."""
    functions: dict = {}
    for act in net.activations:
        rule = derivative(act) if act.elementwise else None

        def prime(m: sp.Matrix, d=rule) -> sp.Matrix:
            return m.applyfunc(lambda z: d.at(z, a_of[z]))

        def forward(m: sp.Matrix, act=act) -> sp.Matrix:
            return sp.Matrix.hstack(*[sp.Matrix(act.apply(list(m[:, i]))) for i in range(m.cols)])

        functions[act.name] = forward
        if act.elementwise:
            functions[f"{act.name}'"] = prime
    return functions


def _vector_env(net: Network, loss: sp.Expr) -> dict[str, sp.Matrix]:
    L = net.depth
    env: dict[str, sp.Matrix] = {"x": sp.Matrix(net.inputs_list()), "y": sp.Matrix(net.targets)}
    env.update({name: sp.Matrix(value) for name, value in net.parameters.items()})
    for l in range(0, L + 1):
        env[f"a{l}"] = sp.Matrix(net.a(l))
        env[f"abar{l}"] = sp.Matrix([1, *net.a(l)])
        if l:
            env[f"z{l}"], env[f"delta{l}"] = sp.Matrix(net.z(l)), sp.Matrix(net.delta(l))
    env[f"grad_a{L}"] = sp.Matrix([sp.diff(loss, a) for a in net.a(L)])
    return env


def _jacobians(net: Network, env: dict[str, sp.Matrix], a_of: dict) -> Callable:
    """Each Jacobian ∂u/∂v of a vector-form line in the element form's symbols: ∂C/∂z^l its δ symbols, ∂C/∂a^L
    the loss's gradient, ∂z/∂a and ∂z/∂b from the weighted sums, ∂a/∂z diagonal (the activation's derivative)."""
    def jacobian(u: sp.Basic, v: sp.MatrixSymbol) -> sp.Matrix:
        if u == COST:
            return env[f"delta{v.name[1:]}"] if v.name.startswith("z") else env[v.name.replace("a", "grad_a", 1)]
        if u.name.startswith("a"):
            act = net.activation(int(u.name[1:]))
            return sp.diag(*[derivative(act).at(z, a_of[z]) for z in env[v.name]])
        layer = int(u.name[1:])
        if v.name.startswith("z"):  # through a^{l-1}: z^l is a weighted sum of it
            below_a = sp.MatrixSymbol(f"a{layer - 1}", net.layers[layer - 1], 1)
            return jacobian(u, below_a) * jacobian(below_a, v)
        weighted = sp.Matrix([net.pre_activation(layer, j) for j in range(net.layers[layer])])
        return weighted.jacobian(sp.Matrix(list(net.parameters.get(v.name, env[v.name]))))
    return jacobian


def _textbook(entry: sp.Basic, net: Network, a_of: dict) -> sp.Basic:
    """An entry with each g'(z_j) (diag(σ'(z_1), σ'(z_2)) written out) in the activation's textbook form."""
    for act in net.activations:
        if act.elementwise:
            textbook = derivative(act)
            entry = entry.replace(sp.Function(f"{act.name}'", real=True), lambda z, d=textbook: d.at(z, a_of[z]))
    return entry


def _entry_holds(step: Step, net: Network, d: Derivation, point: dict) -> bool:
    """A weight's general entry ∂c/∂w_jk, for every j and k, equals the element form's gradient."""
    for j in range(1, net.layers[step.layer] + 1):
        for k in range(1, net.layers[step.layer - 1] + 1):
            line = general.instantiate(step.result, {"j": j, "k": k})
            z = net.pre_activation(step.layer, j - 1)
            line = line.replace(lambda e: isinstance(e, sp.Derivative), lambda e, z=z: sp.diff(z, e.variables[0]))
            gradient = d.gradients[step.quantity][j - 1, k - (0 if net.bias == "neuron" else 1)]
            if abs(numeric((line - gradient).xreplace(d.substitutions()), point)) >= 1e-20:
                return False
    return True


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c["layers"])) + "_" + c["hidden"])
def test_vector_form_equals_element_form(case: dict) -> None:
    net = Network(**case)
    d = net.derive(forms=("vector",))
    a_of = {z: a for l in range(1, net.depth + 1) for z, a in zip(net.z(l), net.a(l), strict=True)}
    env = _vector_env(net, d.loss)
    point = random_point(net, random.Random(5))
    values = d.substitutions()
    partials = {sp.Derivative(COST, p): g for name in net.parameters for p, g in
                zip(net.parameters[name], d.gradients[name], strict=True)}
    partials |= {partial(z, w): sp.diff(net.pre_activation(layer, j), w)  # a weight's local derivative ∂z_j/∂w_jk
                 for layer in range(1, net.depth + 1) for j, z in enumerate(net.z(layer))
                 for w in net.parameters[f"W{layer}"][j, :]}
    jacobians = _jacobians(net, env, a_of)
    for quantity in d.vector:
        element = d.deltas[quantity] if quantity.startswith("delta") else d.gradients[quantity]
        # Every step of the quantity, not only the last, must hold: its Jacobians and partial derivatives too.
        for step in d.steps_of("vector", quantity):
            if not isinstance(step.result, sp.MatrixExpr):
                assert _entry_holds(step, net, d, point), (quantity, step.rule)
                continue
            explicit = evaluate(step.result, env, _functions(net, a_of), partials=jacobians,
                                entries=lambda e: _textbook(e.xreplace(partials), net, a_of))
            difference = (explicit - element).xreplace(values)
            assert all(abs(numeric(e, point)) < 1e-20 for e in difference), (quantity, step.rule)


def _renamed(expr: sp.Expr, example: int) -> sp.Expr:
    """The same expression for example ``example``: every data-dependent symbol gets a suffix."""
    return expr.xreplace({s: sp.Symbol(f"{s.name}__{example}", real=True) for s in expr.free_symbols
                          if s.name[0] in "xyzad" and "ell" not in s.name})


# Sparse labels are left to the vector form: one label symbol would be shared by the examples here.
BATCH_CASES = [c for c in CASES if c["loss"] != "sparse_cross_entropy"][:4]


@pytest.mark.parametrize("case", BATCH_CASES, ids=lambda c: "-".join(map(str, c["layers"])) + "_" + c["loss"])
def test_batch_form_equals_mean_of_element_forms(case: dict) -> None:
    net = Network(**case)
    d = net.derive(forms=("batch",))
    m = 2
    L = net.depth
    per = {name: [_renamed(sp.Matrix(v), e) for e in range(m)] for name, v in (
        [("X", net.inputs_list()), ("Y", list(net.targets))]
        + [(f"A{l}", net.a(l)) for l in range(1, L + 1)] + [(f"Z{l}", net.z(l)) for l in range(1, L + 1)]
        + [(f"Abar{l}", [1, *net.a(l)]) for l in range(1, L + 1)] + [("Abar0", [1, *net.inputs_list()])])}
    env = {name: sp.Matrix.hstack(*cols) for name, cols in per.items()}
    env.update({name: sp.Matrix(value) for name, value in net.parameters.items()})
    for l in range(1, L + 1):
        env[f"Delta{l}"] = sp.Matrix.hstack(*[_renamed(sp.Matrix(net.delta(l)), e) / m for e in range(m)])
    env[f"Grad_a{L}"] = sp.Matrix.hstack(*[_renamed(sp.Matrix([sp.diff(d.loss, a) for a in net.a(L)]), e)
                                          for e in range(m)])
    a_of = {_renamed(z, e): _renamed(a, e) for e in range(m) for l in range(1, L + 1)
            for z, a in zip(net.z(l), net.a(l), strict=True)}
    functions = _functions(net, a_of)
    values = {}
    for e in range(m):
        values.update({_renamed(k, e): _renamed(v, e) for k, v in d.substitutions().items()})
    rng = random.Random(11)
    point = {}
    for e in range(m):
        point.update({_renamed(k, e) if k.name[0] in "xy" else k: v for k, v in random_point(net, rng).items()})
    for quantity, expr in d.batch.items():
        if quantity[0] in "ZA":
            continue
        explicit = evaluate(expr, env, functions, {M: m})
        if quantity.startswith("delta"):
            expected = sp.Matrix.hstack(*[_renamed(d.deltas[quantity], e) / m for e in range(m)])
        else:
            shape = d.gradients[quantity].shape
            expected = sum((_renamed(d.gradients[quantity], e) for e in range(m)), sp.zeros(*shape)) / m
        difference = (explicit - expected).xreplace(values).xreplace(values)
        assert all(abs(numeric(v, point)) < 1e-20 for v in difference), quantity


def test_forward_batch_equations_reproduce_the_forward_pass() -> None:
    net = Network([2, 3, 2], hidden="tanh", output="softmax", loss="cross_entropy", bias="shared")
    d = net.derive(forms=("batch",))
    values = forward_values(net)
    env = {"X": sp.Matrix(net.inputs_list()), **{k: sp.Matrix(v) for k, v in net.parameters.items()}}
    functions = _functions(net, {})
    for l in (1, 2):
        env[f"Z{l}"] = evaluate(d.batch[f"Z{l}"], env, functions, {M: 1})
        env[f"A{l}"] = evaluate(d.batch[f"A{l}"], env, functions, {M: 1})
        assert sp.simplify(env[f"A{l}"] - sp.Matrix([values[a] for a in net.a(l)])) == sp.zeros(net.layers[l], 1)


def test_the_vector_form_argues_as_seed_004() -> None:
    """BP1 through the diagonal Jacobian, BP2 through the Jacobians of the two maps, BP3 through the identity, BP4
    entry by entry and then as one matrix; no step multiplies ∂C/∂z by ∂z/∂W, and the batch form cites BP4."""
    d = Network([2, 3, 2]).derive(forms=("vector", "batch"))
    rules = {name: [s.rule for s in d.steps_of("vector", name)] for name in ("delta2", "delta1", "W1", "b1")}
    assert rules["delta2"][:3] == [Rule.CHAIN_RULE_DIAGONAL_JACOBIAN, Rule.SYMMETRIC_JACOBIAN,
                                   Rule.DIAGONAL_TIMES_VECTOR]  # (∂a/∂z)ᵀ is diag(σ'(z)): it is diagonal
    assert rules["delta1"] == [Rule.CHAIN_RULE_LAYER_JACOBIAN, Rule.ERROR_TERM, Rule.JACOBIAN_CHAIN,
                               Rule.JACOBIAN_OF_WEIGHTED_SUM, Rule.DIAGONAL_JACOBIAN, Rule.TRANSPOSE_OF_PRODUCT,
                               Rule.DIAGONAL_TIMES_VECTOR,  # (∂z^{l+1}/∂z^l)ᵀ δ^{l+1} as seed 004 puts δ in
                               Rule.SIMPLIFY_IN_OUTPUT]  # then σ'(z^1) = a^1 ⊙ (1 - a^1), as BP1 writes it
    general, in_output = (step.result for step in d.steps_of("vector", "delta1")[-2:])
    assert in_output.args[0] == general.args[0]  # the same (W^2)ᵀ δ^2, its σ' written through a^1 alone
    assert not in_output.args[1].atoms(sp.Function) and {m.name for m in in_output.atoms(sp.MatrixSymbol)} >= {"a1"}
    assert rules["W1"] == [Rule.CHAIN_RULE_PARAMETER, Rule.LOCAL_LINEAR, Rule.DEFINITION, Rule.ENTRY_BY_ENTRY,
                           Rule.OUTER_PRODUCT]
    assert rules["b1"] == [Rule.CHAIN_RULE_BIAS, Rule.JACOBIAN_OF_BIAS, Rule.IDENTITY_TIMES_VECTOR]
    diagonal = d.steps_of("vector", "delta2")[1].result.args[0]
    assert list(diagonal.args[0]) == [sp.Function("sigmoid'", real=True)(z) for z in d.network.z(2)]
    assert d.steps_of("vector", "b1")[1].result.args[0] == sp.Transpose(sp.Identity(3))
    for step in d.steps_of("vector") + d.steps_of("batch"):
        factors = [f for path in step.chain for f in path]
        assert not any(isinstance(f, sp.Derivative) and isinstance(f.variables[0], sp.MatrixSymbol)
                       and f.variables[0].name.startswith("W") for f in factors), step
    (batch_w,) = d.steps_of("batch", "W1")
    assert batch_w.chain == () and batch_w.rule is Rule.CHAIN_RULE_OUTER_PRODUCT_SUMMED


def test_a_wide_layer_keeps_the_general_entry_and_the_outer_product() -> None:
    d = Network([4, 2, 1], bias="neuron").derive(forms=("vector",))
    assert [s.rule for s in d.steps_of("vector", "W1")] == [Rule.CHAIN_RULE_PARAMETER, Rule.LOCAL_LINEAR,
                                                             Rule.CHAIN_RULE_OUTER_PRODUCT]
    assert [s.rule for s in d.steps_of("vector", "W2")][-3:] == [Rule.ROWS_OF_LOCAL_DERIVATIVES,
                                                                  Rule.BIAS_UNIT_DERIVATIVES, Rule.OUTER_PRODUCT]
    diagonal, local = d.steps_of("vector", "W2")[-2].result.args  # the bias unit's column: BP3 under this convention
    assert diagonal.args[0].name == "delta2" and list(local[:, 0]) == [1]


def test_a_batch_bias_gradient_sums_the_columns_without_an_ill_typed_jacobian() -> None:
    """b^l enters every column of Z^l = W^l A^{l-1} + b^l 1^T: ∂C/∂b^l = Δ^l 1_m, justified by that, with no chain
    (∂Z/∂b)ᵀ ∂C/∂Z, whose Jacobian of a matrix by a vector is no matrix; the line is verified."""
    derivation = Network([2, 3, 2]).derive(forms=("batch",))
    (step,) = derivation.steps_of("batch", "b2")
    assert step.chain == () and step.rule is Rule.SUM_OVER_COLUMNS
    assert derivation.verify(points=1).steps >= len(derivation.steps)
