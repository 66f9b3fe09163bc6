"""Expand a matrix expression of the vector or batch form into an explicit matrix.

``evaluate(expr, env, functions)`` replaces every MatrixSymbol by the explicit
matrix ``env[name]`` and carries out each operation the forms use (products,
sums, transposes, Hadamard products and powers, ``diag``, slices, all-ones
matrices, element-wise functions). It is how the tests prove the layer-level
forms equal to the element form, and it works on any values that support the
operations, SymPy matrices included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from ..errors import SymbackpropError

Functions = Mapping[str, Callable[[sp.Matrix], sp.Matrix]]


def function_name(applied: ElementwiseApplyFunction) -> str:
    """The name of the function an ElementwiseApplyFunction applies (``"tanh'"``)."""
    func = applied.function
    if isinstance(func, sp.Lambda):
        func = func.expr.func
    return str(getattr(func, "__name__", func))


def _shape(dim: sp.Expr, sizes: Mapping[sp.Symbol, int]) -> int:
    return int(sp.sympify(dim).xreplace(dict(sizes)))


def evaluate(
    expr: sp.Basic,
    env: Mapping[str, sp.Matrix],
    functions: Functions,
    sizes: Mapping[sp.Symbol, int] | None = None,
) -> sp.Matrix:
    """The explicit value of a matrix expression.

    Args:
        expr: a matrix (or scalar) expression over MatrixSymbols.
        env: explicit value of each MatrixSymbol, by name.
        functions: for each element-wise function name (``"tanh"``, ``"tanh'"``), a map from
            the explicit argument matrix to the explicit result (softmax acts on columns).
        sizes: values of symbolic dimensions, e.g. ``{m: 3}``.

    Raises:
        SymbackpropError: a symbol or an operation it does not know.
    """
    sizes = sizes or {}

    def ev(e: sp.Basic) -> sp.Basic:
        if isinstance(e, sp.MatrixSymbol):
            if e.name not in env:
                raise SymbackpropError(f"no value for matrix symbol {e.name}")
            return sp.Matrix(env[e.name])
        if isinstance(e, sp.OneMatrix):
            return sp.ones(_shape(e.shape[0], sizes), _shape(e.shape[1], sizes))
        if isinstance(e, sp.Identity):
            return sp.eye(_shape(e.shape[0], sizes))
        if isinstance(e, sp.MatAdd):
            parts = [ev(a) for a in e.args]
            total = parts[0]
            for part in parts[1:]:
                total = total + part
            return total
        if isinstance(e, sp.MatMul):
            result: sp.Basic = sp.S.One
            for a in e.args:
                value = ev(a)
                result = value if result is sp.S.One else result * value
            return result
        if isinstance(e, sp.HadamardProduct):
            parts = [ev(a) for a in e.args]
            result = parts[0]
            for part in parts[1:]:
                result = result.multiply_elementwise(part)
            return result
        if isinstance(e, sp.HadamardPower):
            return ev(e.base).applyfunc(lambda v: v ** e.exp)
        if isinstance(e, sp.Transpose):
            return ev(e.arg).T
        if isinstance(e, sp.DiagMatrix):
            vector = ev(e.args[0])
            return sp.diag(*list(vector))
        if isinstance(e, sp.MatrixSlice):
            parent = ev(e.parent)
            rows, cols = (slice(*(None if x is None else _shape(x, sizes) for x in part))
                          for part in (e.rowslice, e.colslice))
            return parent[rows, cols]
        if isinstance(e, ElementwiseApplyFunction):
            name = function_name(e)
            if name not in functions:
                raise SymbackpropError(f"no implementation for element-wise function {name}")
            return functions[name](ev(e.expr))
        if isinstance(e, sp.Expr) and not e.is_Matrix and not e.free_symbols - set(sizes):
            return e.xreplace(dict(sizes))
        raise SymbackpropError(f"cannot evaluate {type(e).__name__}: {e}")

    return ev(expr)
