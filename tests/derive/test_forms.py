"""The vector and batch forms, expanded into explicit matrices, equal the element form."""

from __future__ import annotations

import random

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.derive.chain import forward_values
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


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c["layers"])) + "_" + c["hidden"])
def test_vector_form_equals_element_form(case: dict) -> None:
    net = Network(**case)
    d = net.derive(forms=("vector",))
    a_of = {z: a for l in range(1, net.depth + 1) for z, a in zip(net.z(l), net.a(l), strict=True)}
    env = _vector_env(net, d.loss)
    point = random_point(net, random.Random(5))
    values = d.substitutions()
    for quantity in d.vector:
        element = d.deltas[quantity] if quantity.startswith("delta") else d.gradients[quantity]
        # Every step of the quantity, not only the last, must hold.
        for step in d.steps_of("vector", quantity):
            explicit = evaluate(step.result, env, _functions(net, a_of))
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
