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

These rewrites are exact: each replaces a subexpression by an equal one. Functions are made by
``sympy.lambdify`` with explicit argument names and ``cse=True``; their source is kept for the generated
module, so what runs is what a reader sees.

:func:`element_function` writes the same expressions for one number at a time, for the NumPy module's
element loops (compiled by numba where it is installed): ``math`` functions, piecewise functions as
conditional expressions (only the branch taken is computed), and the helpers as ``<name>_at``.
"""

from __future__ import annotations

import inspect
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


class _HelperPrinter(PythonCodePrinter):
    """What both printers share: floats as Python writes them, and the helpers (:data:`HELPERS`) as calls of
    ``<name><HELPER_SUFFIX>``."""

    HELPER_SUFFIX = ""

    def _print_Float(self, expr: sp.Float) -> str:
        return repr(float(expr))

    def _print_Function(self, expr: sp.Function) -> str:
        helper = HELPERS.get(type(expr))
        if helper is not None:
            return f"{helper}{self.HELPER_SUFFIX}({', '.join(self._print(arg) for arg in expr.args)})"
        return super()._print_Function(expr)

    _print_erf = _print_tanh = _print_Function


class ArrayPrinter(_HelperPrinter, NumPyPrinter):
    """NumPy's printer with the module written ``xp`` and ``where`` for piecewise functions."""

    _module = "xp"
    _kf = {name: "xp." + path.split(".", 1)[1] for name, path in NumPyPrinter._kf.items()}

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
    """A generated function: its name, its arguments, comment lines and its Python source."""

    name: str
    args: tuple[str, ...]
    comments: tuple[str, ...]
    source: str


def function(name: str, args: Sequence[sp.Symbol], expr: sp.Expr, comments: Sequence[str] = ()) -> Function:
    """Lambdify ``expr`` on arrays with the explicit arguments ``args`` (cse on) and keep its source as
    ``def name(...)``.

    Raises:
        ValueError: ``name`` or an argument is not a Python identifier.
    """
    stable = stabilize(sp.sympify(expr))
    source = _lambdified(name, args, stable, ArrayPrinter, [{"xp": None}])
    if _branch_may_warn(stable):
        head, *body = source.rstrip().splitlines()
        source = "\n".join([head, "    with either_branch():  # where() computes both branches; see the helper",
                            *("    " + line for line in body)])
    return Function(name, tuple(a.name for a in args), tuple(comments), source.rstrip() + "\n")


def element_function(name: str, args: Sequence[sp.Symbol], expr: sp.Expr, comments: Sequence[str] = ()) -> Function:
    """Like :func:`function`, for one number at a time (:class:`ElementPrinter`).

    Raises:
        ValueError: ``name`` or an argument is not a Python identifier.
    """
    source = _lambdified(name, args, stabilize(sp.sympify(expr)), ElementPrinter, ["math"])
    return Function(name, tuple(a.name for a in args), tuple(comments), source.rstrip() + "\n")


def _lambdified(name: str, args: Sequence[sp.Symbol], expr: sp.Expr, printer: type, modules: list[Any]) -> str:
    for text in (name, *(a.name for a in args)):
        if not text.isidentifier() or keyword.iskeyword(text):
            raise ValueError(f"not a Python identifier: {text!r}")
    generated = sp.lambdify(list(args), expr, modules=modules, printer=printer, cse=True, docstring_limit=0)
    return inspect.getsource(generated).replace("def _lambdifygenerated(", f"def {name}(", 1)


def text(expr: sp.Basic) -> str:
    """A one-line plain-text form of an expression, for comments."""
    return " ".join(sp.sstr(expr).split())
