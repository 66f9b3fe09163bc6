"""The general rules the documents state: each schema proven by SymPy, and a wrong side caught."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from symbackprop.derive import schemas
from symbackprop.derive.schemas import SCHEMAS, Schema, Sides, prove, proven
from symbackprop.derive.truth import VerificationError


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", list(SCHEMAS))
def test_every_rule_the_documents_state_is_proven(name: str) -> None:
    prove(name)  # raises where the difference of its sides is not exactly 0
    lhs, rhs = SCHEMAS[name].sides()
    assert lhs.free_symbols and lhs.free_symbols == rhs.free_symbols  # a rule about its letters, on both sides


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_a_rule_is_quoted_as_its_last_displayed_line(name: str) -> None:
    lhs, rel, rhs, _ = SCHEMAS[name].rows[-1]
    assert SCHEMAS[name].latex == f"{lhs} {rel} {rhs}" and rel == "="


def test_proven_counts_the_rules_it_proves() -> None:
    assert proven(("outer product", "quotient rule")) == 2
    assert proven(()) == 0


def _wrong_quotient() -> Sides:
    x = sp.Symbol("x")
    u, v = sp.Function("u")(x), sp.Function("v")(x)
    return sp.diff(u / v, x), (sp.diff(u, x) * v + u * sp.diff(v, x)) / v**2  # + for -


def _wrong_sigmoid() -> Sides:
    z = sp.Symbol("z")
    sigma = 1 / (1 + sp.exp(-z))
    return sp.diff(sigma, z), sigma * (1 + sigma)


def _wrong_chain_rule() -> Sides:  # one of the intermediate variables' terms left out
    lhs, rhs = schemas._chain_rule(3, 2)()
    x = sp.symbols("x_1:3", real=True)
    left_out = [sp.diff(sp.Function("g_3")(*x), xi) for xi in x]
    return lhs, sp.Matrix([entry.subs(term, 0) for entry, term in zip(rhs, left_out)])


def _wrong_transpose() -> Sides:  # (AB)^T = A^T B^T: of other shapes
    a, b = schemas._matrix("A", 2, 3), schemas._matrix("B", 3, 2)
    return (a * b).T, a.T * b.T


def _wrong_rows() -> Sides:  # [u_r A_rs] = A diag(u) on a square A: same shape, other entries
    u, a = schemas._vector("u", 2), schemas._matrix("A", 2, 2)
    return sp.Matrix(2, 2, lambda r, s: u[r] * a[r, s]), a * sp.diag(*u)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("name", "wrong", "said"), [
    ("quotient rule", _wrong_quotient, "not proven"),
    ("derivative of sigmoid", _wrong_sigmoid, "not proven"),
    ("generalised chain rule", _wrong_chain_rule, "not proven"),
    ("transpose of product", _wrong_transpose, "shapes"),
    ("rows scaled", _wrong_rows, "not proven"),
])
def test_a_wrong_side_is_not_proven(monkeypatch: pytest.MonkeyPatch, name: str, wrong: object, said: str) -> None:
    monkeypatch.setattr(schemas, "SCHEMAS", {**SCHEMAS, name: dataclasses.replace(SCHEMAS[name], sides=wrong)})
    with pytest.raises(VerificationError, match=said) as raised:
        prove(name)
    assert SCHEMAS[name].latex in str(raised.value)  # said with the rule as the documents print it
    with pytest.raises(VerificationError):
        proven(("outer product", name))


def test_a_rule_sympy_cannot_prove_is_an_error_not_a_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    x = sp.Symbol("x")
    unknown = Schema((("f(x)", "=", "g(x)", ""),), lambda: (sp.Function("f")(x), sp.Function("g")(x)))
    monkeypatch.setattr(schemas, "SCHEMAS", {**SCHEMAS, "unknown": unknown})
    with pytest.raises(VerificationError, match="f\\(x\\) - g\\(x\\), not 0"):
        prove("unknown")
