"""The general rules the documents state beside a step, as data: :data:`SCHEMAS`, each printed from its entry and
proven by SymPy.

A :class:`Schema` holds the rule as the documents write it, LaTeX, and both sides of the rule built as SymPy objects
on a small explicit instance: the matrix rules on matrices of symbols (``A`` 2×3, ``B`` 3×2, vectors ``u``, ``v``
of 3 or 2 entries to fit them, ``diag`` by ``sp.diag``), the calculus rules on undefined functions (``sp.Function``
for ``f``, ``g_s``, ``u``, ``v``; a sum over intermediate variables has at least two of them, the generalised chain
rule two inputs as well). :func:`prove` takes the difference of the two sides and requires it to simplify to exactly
zero: a rule SymPy cannot prove is an error, never a skip.

The documents print a rule only from its entry (a note's ``<rule>``, an introduction's or a caption's ``{rule}``,
the rows of a display), so the rule printed and the rule proven cannot drift apart; ``symbackprop derive --verify``
proves every rule of the table (0.3 s), whatever its documents show, and says how many at the end of its line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import sympy as sp

from .truth import VerificationError

#: One displayed line of a rule: left side, relation, right side, note (LaTeX; the note may be empty).
Row = tuple[str, str, str, str]
#: Both sides of a rule on an explicit instance: expressions, or matrices of the same shape.
Sides = tuple[sp.Basic, sp.Basic]


@dataclass(frozen=True)
class Schema:
    """A general rule: how the documents print it, and what SymPy proves of it.

    Attributes:
        rows: the rule as displayed, one :data:`Row` per line (definitions first, the equality proven last).
        sides: builds the two sides of the equality on a small explicit instance.
    """

    rows: tuple[Row, ...]
    sides: Callable[[], Sides]

    @property
    def latex(self) -> str:
        """The rule on one line, as a note or a sentence quotes it: its last row's sides and relation."""
        lhs, rel, rhs, _ = self.rows[-1]
        return f"{lhs} {rel} {rhs}"


def _matrix(name: str, rows: int, cols: int) -> sp.Matrix:
    """A ``rows``×``cols`` matrix of symbols ``name_rs`` (1-based)."""
    return sp.Matrix(rows, cols, sp.symbols(f"{name}_1:{rows + 1}(1:{cols + 1})"))


def _vector(name: str, size: int) -> sp.Matrix:
    """A column of ``size`` symbols ``name_1``, ``name_2``, ..."""
    return sp.Matrix(sp.symbols(f"{name}_1:{size + 1}"))


def _diagonal_times_vector() -> Sides:
    u, v = _vector("u", 3), _vector("v", 3)
    return sp.diag(*v) * u, u.multiply_elementwise(v)


def _transpose_of_product() -> Sides:
    a, b = _matrix("A", 2, 3), _matrix("B", 3, 2)
    return (a * b).T, b.T * a.T


def _outer_product() -> Sides:
    u, v = _vector("u", 3), _vector("v", 2)
    return sp.Matrix(3, 2, lambda r, s: u[r] * v[s]), u * v.T


def _rows_scaled() -> Sides:
    u, a = _vector("u", 2), _matrix("A", 2, 3)
    return sp.Matrix(2, 3, lambda r, s: u[r] * a[r, s]), sp.diag(*u) * a


def _transpose_of_row() -> Sides:
    u, a = _vector("u", 2), _matrix("A", 2, 3)
    return (u.T * a).T, a.T * u


def _identity_transposed() -> Sides:
    u = _vector("u", 3)
    return sp.eye(3).T * u, u


def _derivative_of_minus_log() -> Sides:
    u = sp.Symbol("u", positive=True)
    return sp.diff(-sp.log(u), u), -1 / u


def _derivative_of_sigmoid() -> Sides:
    z = sp.Symbol("z", real=True)
    sigma = 1 / (1 + sp.exp(-z))
    return sp.diff(sigma, z), sigma * (1 - sigma)


def _derivative_of_erf() -> Sides:
    u = sp.Symbol("u", real=True)
    return sp.diff(sp.erf(u), u), 2 / sp.sqrt(sp.pi) * sp.exp(-u**2)


def _quotient_rule() -> Sides:
    x = sp.Symbol("x", real=True)
    u, v = sp.Function("u")(x), sp.Function("v")(x)
    return sp.diff(u / v, x), (sp.diff(u, x) * v - u * sp.diff(v, x)) / v**2


def _chain_rule(intermediates: int, inputs: int) -> Callable[[], Sides]:
    """The multivariable chain rule for ``y = f(u_1, ..., u_m)`` of ``u_s = g_s(x_1, ..., x_n)``: the column of
    ``∂y/∂x_i`` that SymPy differentiates, and the column of ``Σ_s ∂y/∂u_s ∂u_s/∂x_i``, each ``∂y/∂u_s`` taken at
    ``u = g(x)``."""

    def sides() -> Sides:
        x = sp.symbols(f"x_1:{inputs + 1}", real=True)
        u = sp.symbols(f"u_1:{intermediates + 1}", real=True)
        f = sp.Function("f")(*u)
        g = [sp.Function(f"g_{s + 1}")(*x) for s in range(intermediates)]
        y = f.subs(dict(zip(u, g)), simultaneous=True)
        rhs = [sum((sp.Subs(sp.Derivative(f, u[s]), u, g) * sp.diff(g[s], xi) for s in range(intermediates)),
                   sp.S.Zero) for xi in x]
        return sp.Matrix([sp.diff(y, xi) for xi in x]), sp.Matrix(rhs)

    return sides


def _one(lhs: str, rhs: str) -> tuple[Row, ...]:
    """A rule of one line, ``lhs = rhs``."""
    return ((lhs, "=", rhs, ""),)


#: Every rule the documents state, by name.
SCHEMAS: Mapping[str, Schema] = MappingProxyType({
    "diagonal times vector": Schema(_one(r"\operatorname{diag}(v)\,u", r"u \odot v"), _diagonal_times_vector),
    "transpose of product": Schema(_one(r"(AB)^{\top}", r"B^{\top} A^{\top}"), _transpose_of_product),
    "outer product": Schema(_one(r"[u_{r} v_{s}]", r"u\,v^{\top}"), _outer_product),
    "rows scaled": Schema(_one(r"[u_{r} A_{rs}]", r"\operatorname{diag}(u)\,A"), _rows_scaled),
    "transpose of row": Schema(_one(r"(u^{\top} A)^{\top}", r"A^{\top} u"), _transpose_of_row),
    "identity transposed": Schema(_one(r"I^{\top} u", "u"), _identity_transposed),
    "derivative of minus log": Schema(_one(r"\frac{d}{du} (-\log u)", r"-\frac{1}{u}"), _derivative_of_minus_log),
    "derivative of sigmoid": Schema(_one(r"\sigma'", r"\sigma\,(1 - \sigma)"), _derivative_of_sigmoid),
    "derivative of erf": Schema(_one(r"\operatorname{erf}'(u)", r"\tfrac{2}{\sqrt{\pi}}\, e^{-u^{2}}"),
                                _derivative_of_erf),
    "quotient rule": Schema(_one(r"\left(\frac{u}{v}\right)'", r"\frac{u' v - u v'}{v^2}"), _quotient_rule),
    # y of u_1, ..., u_m, each of one x (the hidden layer's introduction; its letters as seed 002 writes them)
    "chain rule through every u": Schema(
        _one(r"\frac{\partial y}{\partial x}",
             r"\sum_{i} \frac{\partial y}{\partial u_i}\,\frac{\partial u_i}{\partial x}"), _chain_rule(3, 1)),
    "chain rule along every path": Schema(
        _one(r"\frac{\partial p}{\partial z}",
             r"\sum_{m} \frac{\partial p}{\partial q_m}\,\frac{\partial q_m}{\partial z}"), _chain_rule(3, 1)),
    "chain rule along two paths": Schema(
        _one(r"\frac{dz}{dx}", r"\sum_{i=1}^{2} \frac{\partial z}{\partial y_i}\,\frac{dy_i}{dx}"),
        _chain_rule(2, 1)),
    # seed 003's generalised chain rule: y of u, u of x, then the rule
    "generalised chain rule": Schema(
        (("y", "=", r"f(u_{1}, \ldots, u_{m})", ""),
         (r"u_{s}", "=", r"g_{s}(x_{1}, \ldots, x_{n})", r"\text{for } s = 1, \ldots, m"),
         (r"\frac{\partial y}{\partial x_{i}}", "=",
          r"\sum_{s=1}^{m} \frac{\partial y}{\partial u_{s}}\,\frac{\partial u_{s}}{\partial x_{i}}", "")),
        _chain_rule(3, 2)),
})


def prove(name: str) -> None:
    """Prove the rule :data:`SCHEMAS` names ``name``: its two sides' difference simplifies to exactly zero.

    Raises:
        VerificationError: sides of different shapes, or a difference SymPy does not simplify to zero.
    """
    lhs, rhs = (side if isinstance(side, sp.MatrixBase) else sp.Matrix([[side]]) for side in SCHEMAS[name].sides())
    if lhs.shape != rhs.shape:
        raise VerificationError(f"the rule {SCHEMAS[name].latex} ({name}): its sides have shapes {lhs.shape} and "
                                f"{rhs.shape}")
    left = [entry for entry in (sp.simplify((lhs - rhs).doit())) if entry != 0]
    if left:
        raise VerificationError(f"the rule {SCHEMAS[name].latex} ({name}) is not proven: the difference of its "
                                f"sides is {left[0]}, not 0")


def proven(names: Iterable[str]) -> int:
    """Prove every rule ``names`` names (:func:`prove`) and return how many.

    Raises:
        VerificationError: a rule not proven.
    """
    names = tuple(names)
    for name in names:
        prove(name)
    return len(names)
