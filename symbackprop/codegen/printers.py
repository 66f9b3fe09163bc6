"""SymPy expressions to Python source that runs on NumPy, JAX or PyTorch arrays.

One printer serves every backend: it writes array operations as ``xp.<name>`` (``xp`` is ``numpy``,
``jax.numpy`` or ``torch`` in the generated module), piecewise functions as nested ``xp.where``, and the
few operations whose naive form overflows as calls to helpers that every generated module defines:

* ``sigmoid(z)`` for 1/(1 + e^-z) (e^-z overflows for z far below 0);
* ``softplus(z)`` for log(1 + e^z);
* ``nonpos(z)`` = min(z, 0), put in place of z inside a branch that only applies for z <= 0, so that the
  branch NumPy evaluates anyway for z > 0 (``where`` computes both) cannot overflow (ELU's e^z);
* ``erf(z)``;
* ``either_branch()``, a context around functions with ``where``: NumPy computes both branches everywhere,
  and the one not taken may divide by zero (relu's 1/a where a = 0), which must not warn;
* ``tanh(z)``: the backend's, except NumPy in float64, whose tanh loop is scalar on many CPUs: there a
  table and a short series in vectorised arithmetic, within 3 units in the last place.

These rewrites are exact: each replaces a subexpression by an equal one. A generated function is data
(:class:`Function`): its explicit argument names, the common subexpressions ``sympy.cse`` found and the
result, each printed by a printer here, exactly what ``sympy.lambdify(args, expr, printer=..., cse=True)``
writes; the templates lay it out (``templates/python/function.py.j2``), so what runs is what a reader sees.
The printers record the helpers they print (:attr:`Function.helpers`), so a module defines those it calls.

:func:`element_function` writes the same expressions for one number at a time, for the NumPy module's
element loops (compiled by numba where it is installed): ``math`` functions, piecewise functions as
conditional expressions (only the branch taken is computed), and the helpers as ``<name>_at``.
"""

from __future__ import annotations

import keyword
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.pycode import PythonCodePrinter


class Sigmoid(sp.Function):
    """sigma(w) = 1/(1 + e^-w), printed as the stable helper ``sigmoid``."""

    def _eval_rewrite_as_exp(self, w: sp.Expr, **kwargs: Any) -> sp.Expr:
        return 1 / (1 + sp.exp(-w))


class Softplus(sp.Function):
    """log(1 + e^w), printed as the stable helper ``softplus``."""

    def _eval_rewrite_as_log(self, w: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.log(1 + sp.exp(w))


class Nonpos(sp.Function):
    """min(w, 0), printed as the helper ``nonpos``."""

    def _eval_rewrite_as_Min(self, w: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.Min(w, 0)


#: The helper functions a generated module must define, by the SymPy function they print.
HELPERS = {Sigmoid: "sigmoid", Softplus: "softplus", Nonpos: "nonpos", sp.erf: "erf", sp.tanh: "tanh"}


class PairMaximum(sp.Function):
    """The element-wise maximum of two arrays, printed ``xp.maximum(u, v)``; never evaluated, so a nest of them
    keeps the order in which it was written."""

    nargs = 2


class _HelperPrinter(PythonCodePrinter):
    """What both printers share: floats as Python writes them, and the helpers (:data:`HELPERS`) as calls of
    ``<name><HELPER_SUFFIX>``, each recorded in :attr:`helpers` (by its name in :data:`HELPERS`)."""

    HELPER_SUFFIX = ""

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        super().__init__(settings)
        self.helpers: set[str] = set()

    def _print_Float(self, expr: sp.Float) -> str:
        return repr(float(expr))

    def _print_Function(self, expr: sp.Function) -> str:
        helper = HELPERS.get(type(expr))
        if helper is not None:
            self.helpers.add(helper)
            return f"{helper}{self.HELPER_SUFFIX}({', '.join(self._print(arg) for arg in expr.args)})"
        return super()._print_Function(expr)

    _print_erf = _print_tanh = _print_Function


class ArrayPrinter(_HelperPrinter, NumPyPrinter):
    """NumPy's printer with the module written ``xp`` and ``where`` for piecewise functions."""

    _module = "xp"
    _kf = {name: "xp." + path.split(".", 1)[1] for name, path in NumPyPrinter._kf.items()}

    def _print_PairMaximum(self, expr: PairMaximum) -> str:
        return f"xp.maximum({', '.join(self._print(arg) for arg in expr.args)})"

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        *branches, last = expr.args
        if last.cond != sp.true:
            raise ValueError(f"piecewise expression without a default branch: {expr}")
        code = self._print(last.expr)
        variables = sorted(expr.free_symbols, key=lambda s: s.name)
        if variables and all(value.is_number for value, _ in expr.args):
            # constants only: an array like the argument keeps its dtype (torch.where(c, 0.2, 1) is float32)
            code = f"xp.full_like({self._print(variables[0])}, {code})"
        for value, cond in reversed(branches):
            code = f"xp.where({self._print(cond)}, {self._print(value)}, {code})"
        return code


class ElementPrinter(_HelperPrinter):
    """Python's printer for one number at a time: ``math`` functions, conditional expressions for piecewise
    functions, and the helpers as ``<name>_at``."""

    HELPER_SUFFIX = "_at"


def stabilize(expr: sp.Expr) -> sp.Expr:
    """``expr`` with overflow-prone subexpressions replaced by equal stable helpers, constants as floats."""
    w = sp.Wild("w")
    if expr.has(sp.Piecewise):
        # c * Piecewise((0, z <= 0), (1, True)) -> Piecewise((0, z <= 0), (c, True)): a factor that is infinite
        # where the branch is 0 (relu's 1/a at a = 0) no longer turns 0 into nan
        expr = sp.piecewise_fold(expr)
    else:
        expr = _exp_as_sigmoid(expr)
    expr = expr.replace(1 / (1 + sp.exp(-w)), Sigmoid(w))
    expr = expr.replace(sp.log(1 + sp.exp(w)), Softplus(w))
    expr = expr.replace(lambda e: isinstance(e, sp.Piecewise), _guard_branches)
    return expr.replace(lambda e: e.is_number and not e.is_Rational and not e.is_Float and not e.has(sp.I),
                        lambda e: e.evalf(20))


def _exp_as_sigmoid(expr: sp.Expr) -> sp.Expr:
    """Write e^z and e^-z as s/(1 - s) and (1 - s)/s with s = sigmoid(z), when that leaves a polynomial in s.

    SymPy's factored derivatives (silu's, softplus's) hold e^z / (e^z + 1)^2, which overflows for z > 709;
    in s the fraction cancels to s (1 - s), bounded for every z.
    """
    for z in sorted(expr.free_symbols, key=lambda symbol: symbol.name):
        if not (expr.has(sp.exp(z)) or expr.has(sp.exp(-z))):
            continue
        s = sp.Dummy("s", positive=True)
        candidate = sp.factor(sp.cancel(expr.xreplace({sp.exp(z): s / (1 - s), sp.exp(-z): (1 - s) / s})))
        if candidate.is_polynomial(s) and not candidate.has(sp.exp(z), sp.exp(-z)):
            expr = candidate.xreplace({s: Sigmoid(z)})
    return expr


def _guard_branches(expr: sp.Piecewise) -> sp.Piecewise:
    """In a branch with an exponential taken only when z <= 0 (or z < 0), write nonpos(z) for z."""
    args = []
    for value, cond in expr.args:
        guarded = isinstance(cond, (sp.LessThan, sp.StrictLessThan)) and cond.rhs == 0 and cond.lhs.is_Symbol
        if guarded and value.has(sp.exp):
            value = value.xreplace({cond.lhs: Nonpos(cond.lhs)})
        args.append((value, cond))
    return sp.Piecewise(*args, evaluate=False)


def _branch_may_warn(expr: sp.Expr) -> bool:
    """Whether a branch of a piecewise part divides or takes a log, which NumPy warns about where the branch
    is not taken but computed anyway."""
    for piecewise in expr.atoms(sp.Piecewise):
        for value, _ in piecewise.args:
            if value.has(sp.log) or any(power.exp.is_negative for power in value.atoms(sp.Pow)):
                return True
    return False


@dataclass(frozen=True)
class Function:
    """A generated function as data, for a template to lay out (``templates/python/function.py.j2``).

    Attributes:
        name: the function's name; args: its argument names, in order; comments: lines above its ``def``.
        assignments: the common subexpressions, in order, as (target, expression source) pairs.
        result: the source of the returned expression.
        guarded: whether the body runs inside ``either_branch()`` (a piecewise branch that may warn where
            NumPy computes it but does not take it).
        helpers: the helpers (names in :data:`HELPERS`) its body calls.
    """

    name: str
    args: tuple[str, ...]
    comments: tuple[str, ...]
    assignments: tuple[tuple[str, str], ...]
    result: str
    guarded: bool = False
    helpers: frozenset[str] = frozenset()


def function(name: str, args: Sequence[sp.Symbol], expr: sp.Expr, comments: Sequence[str] = ()) -> Function:
    """``expr`` on arrays (:class:`ArrayPrinter`) as the function ``name`` of the explicit arguments ``args``,
    common subexpressions taken out.

    Raises:
        ValueError: ``name`` or an argument is not a Python identifier.
    """
    stable = stabilize(sp.sympify(expr))
    return _function(name, args, stable, ArrayPrinter(), comments, guarded=_branch_may_warn(stable))


def element_function(name: str, args: Sequence[sp.Symbol], expr: sp.Expr, comments: Sequence[str] = ()) -> Function:
    """Like :func:`function`, for one number at a time (:class:`ElementPrinter`).

    Raises:
        ValueError: ``name`` or an argument is not a Python identifier.
    """
    return _function(name, args, stabilize(sp.sympify(expr)), ElementPrinter(), comments)


def _function(name: str, args: Sequence[sp.Symbol], expr: sp.Expr, printer: _HelperPrinter,
              comments: Sequence[str], guarded: bool = False) -> Function:
    """What ``lambdify(args, expr, printer=type(printer), cse=True)`` writes, as data: the printer made with its
    default settings prints each common subexpression and the result, and records the helpers it called."""
    for text in (name, *(a.name for a in args)):
        if not text.isidentifier() or keyword.iskeyword(text):
            raise ValueError(f"not a Python identifier: {text!r}")
    replacements, reduced = sp.cse(expr, list=False)
    assignments = tuple((printer.doprint(target), printer.doprint(value)) for target, value in replacements)
    result = printer.doprint(reduced)
    return Function(name, tuple(a.name for a in args), tuple(comments), assignments, result, guarded,
                    frozenset(printer.helpers))


def call(name: str, args: Sequence[sp.Basic]) -> sp.Expr:
    """The call ``name(*args)`` of a generated function, as an expression for :func:`statement` to print."""
    return sp.Function(name)(*args)


def statement(expr: sp.Basic) -> str:
    """The source of an expression of generated code: calls of generated functions (:func:`call`), array
    operations (:class:`ArrayPrinter`) and :class:`PairMaximum`."""
    return ArrayPrinter({"allow_unknown_functions": True}).doprint(expr)


def text(expr: sp.Basic) -> str:
    """A one-line plain-text form of an expression, for comments."""
    return " ".join(sp.sstr(expr).split())
