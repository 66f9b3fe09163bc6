"""Expand a matrix expression of the vector or batch form into an explicit matrix.

``evaluate(expr, env, functions)`` replaces every MatrixSymbol by the explicit
matrix ``env[name]`` and carries out each operation the forms use (products,
sums, transposes, Hadamard products and powers, ``diag``, slices, all-ones
matrices, the identity, element-wise functions, a matrix written out entry by
entry). A Jacobian left unevaluated in a line (:class:`~.forms.Partial`) takes
the value the caller gives it, and each entry of a matrix written out goes
through the caller's ``entries`` (a partial derivative in it evaluated there).
It is how the tests prove the layer-level forms equal to the element form, and
it works on any values that support the operations, SymPy matrices included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from ..errors import SymbackpropError
from .forms import Named, Partial

Functions = Mapping[str, Callable[[sp.Matrix], sp.Matrix]]
#: ∂u/∂v (u a matrix symbol or the cost, v a matrix symbol) -> its explicit value.
Partials = Callable[[sp.Basic, sp.Basic], sp.Matrix]


def function_name(applied: ElementwiseApplyFunction) -> str:
    """The name of the function an ElementwiseApplyFunction applies (``"tanh'"``)."""
    func = applied.function
    if isinstance(func, sp.Lambda):
        func = func.expr.func
    return str(getattr(func, "__name__", func))


def _shape(dim: sp.Expr, sizes: Mapping[sp.Symbol, int]) -> int:
    return int(sp.sympify(dim).xreplace(dict(sizes)))


@dataclass(frozen=True)
class _Evaluator:
    """:func:`evaluate` with its arguments bound: called on a subexpression, its explicit value."""

    env: Mapping[str, sp.Matrix]
    functions: Functions
    sizes: Mapping[sp.Symbol, int]
    partials: Partials | None = None
    entries: Callable[[sp.Basic], sp.Basic] | None = None

    def __call__(self, e: sp.Basic) -> sp.Basic:
        for kind, rule in _RULES:
            if isinstance(e, kind):
                return rule(self, e)
        if isinstance(e, sp.Expr) and not e.is_Matrix and not e.free_symbols - set(self.sizes):
            return e.xreplace(dict(self.sizes))
        if isinstance(e, sp.Expr) and not e.is_Matrix and self.entries is not None:  # a scalar factor: ŷ_ℓ
            return self.entries(e)
        raise SymbackpropError(f"cannot evaluate {type(e).__name__}: {e}")

    def shape(self, dim: sp.Expr) -> int:
        return _shape(dim, self.sizes)


def _symbol(ev: _Evaluator, e: sp.MatrixSymbol) -> sp.Basic:
    if e.name not in ev.env:
        raise SymbackpropError(f"no value for matrix symbol {e.name}")
    return sp.Matrix(ev.env[e.name])


def _sum(ev: _Evaluator, e: sp.MatAdd) -> sp.Basic:
    parts = [ev(a) for a in e.args]
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def _product(ev: _Evaluator, e: sp.MatMul) -> sp.Basic:
    result: sp.Basic = sp.S.One
    for a in e.args:
        value = ev(a)
        result = value if result is sp.S.One else result * value
    return result


def _hadamard_product(ev: _Evaluator, e: sp.HadamardProduct) -> sp.Basic:
    parts = [ev(a) for a in e.args]
    result = parts[0]
    for part in parts[1:]:
        result = result.multiply_elementwise(part)
    return result


def _slice(ev: _Evaluator, e: sp.MatrixSlice) -> sp.Basic:
    parent = ev(e.parent)
    rows, cols = (slice(*(None if x is None else ev.shape(x) for x in part)) for part in (e.rowslice, e.colslice))
    return parent[rows, cols]


def _partial(ev: _Evaluator, e: Partial) -> sp.Basic:
    if ev.partials is None:
        raise SymbackpropError(f"no value for the Jacobian {e}")
    return sp.Matrix(ev.partials(*e.args))


def _written_out(ev: _Evaluator, e: sp.MatrixBase) -> sp.Basic:
    """A matrix written out entry by entry: each entry through ``entries`` (as it stands without)."""
    return sp.Matrix(e.rows, e.cols, [entry if ev.entries is None else ev.entries(entry) for entry in e])


def _blocks(ev: _Evaluator, e: sp.BlockMatrix) -> sp.Basic:
    """A matrix of blocks (seed 002's column of (W_{·,i})ᵀ ∇ products), each block evaluated, then joined."""
    rows = [sp.Matrix.hstack(*[ev(e.blocks[i, j]) for j in range(e.blocks.cols)]) for i in range(e.blocks.rows)]
    return sp.Matrix.vstack(*rows)


def _elementwise(ev: _Evaluator, e: ElementwiseApplyFunction) -> sp.Basic:
    name = function_name(e)
    if name not in ev.functions:
        raise SymbackpropError(f"no implementation for element-wise function {name}")
    return ev.functions[name](ev(e.expr))


#: How each kind of matrix expression is evaluated, tried in this order (the first it is an instance of).
_RULES: tuple[tuple[type, Callable[[_Evaluator, Any], sp.Basic]], ...] = (
    (sp.MatrixBase, _written_out),
    (Partial, _partial),
    (Named, lambda ev, e: ev(e.args[0])),  # what the brace holds; the verifier checks its name
    (sp.MatrixSymbol, _symbol),
    (sp.OneMatrix, lambda ev, e: sp.ones(ev.shape(e.shape[0]), ev.shape(e.shape[1]))),
    (sp.Identity, lambda ev, e: sp.eye(ev.shape(e.shape[0]))),
    (sp.MatAdd, _sum),
    (sp.MatMul, _product),
    (sp.HadamardProduct, _hadamard_product),
    (sp.HadamardPower, lambda ev, e: ev(e.base).applyfunc(lambda v: v ** e.exp)),
    (sp.Transpose, lambda ev, e: ev(e.arg).T),
    (sp.DiagMatrix, lambda ev, e: sp.diag(*list(ev(e.args[0])))),
    (sp.MatrixSlice, _slice),
    (sp.BlockMatrix, _blocks),
    (ElementwiseApplyFunction, _elementwise),
)


def evaluate(
    expr: sp.Basic,
    env: Mapping[str, sp.Matrix],
    functions: Functions,
    sizes: Mapping[sp.Symbol, int] | None = None,
    partials: Partials | None = None,
    entries: Callable[[sp.Basic], sp.Basic] | None = None,
) -> sp.Matrix:
    """The explicit value of a matrix expression.

    Args:
        expr: a matrix (or scalar) expression over MatrixSymbols.
        env: explicit value of each MatrixSymbol, by name.
        functions: for each element-wise function name (``"tanh"``, ``"tanh'"``), a map from
            the explicit argument matrix to the explicit result (softmax acts on columns).
        sizes: values of symbolic dimensions, e.g. ``{m: 3}``.
        partials: the explicit value of each Jacobian ∂u/∂v in ``expr`` (:class:`~.forms.Partial`).
        entries: the value of each entry of a matrix written out in ``expr`` (the entry itself without), and of
            a scalar factor with symbols (ŷ_ℓ in -(1/ŷ_ℓ) e_ℓ).

    Raises:
        SymbackpropError: a symbol or an operation it does not know, or a Jacobian without ``partials``.
    """
    return _Evaluator(env, functions, sizes or {}, partials, entries)(expr)
