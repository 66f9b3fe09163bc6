"""Activation functions, as data.

Each activation is one row of :data:`ACTIVATIONS`: a name, a LaTeX name and
its SymPy formula. The engine never uses a typed derivative: :func:`derivative`
asks SymPy for ``d g(z)/dz`` and then looks, by rules that SymPy verifies, for
the textbook form of the result:

1. in terms of the output ``a = g(z)`` when it is a polynomial there
   (sigma' = sigma (1 - sigma), tanh' = 1 - tanh^2);
2. as another activation of the table (softplus' = sigma);
3. otherwise the simplified expression in ``z``.

Each row also holds that textbook form (``textbook``), so that ``symbackprop
list`` prints it without seconds of simplification; the tests prove every one
equal to ``sympy.diff`` of the formula and to what :func:`derivative` finds.

Elementwise activations map a scalar ``z`` to a scalar. ``softmax`` is the one
vector map: it takes the whole layer and its derivative is a Jacobian.

Parameters (the slope of ``leaky_relu``, the ``alpha`` of ``elu``) are written
``leaky_relu(0.2)``; without one the default is used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache

import sympy as sp

from ..errors import SpecError, UnknownNameError, cut
from .rules import Rule, check_rule, words

Z = sp.Symbol("z", real=True)
A = sp.Symbol("a", real=True)
#: Scalar formula g(z, p) of an elementwise activation with parameter p.
Formula = Callable[[sp.Expr, sp.Expr], sp.Expr]
#: Textbook derivative g'(z) as a function of z, the output a = g(z) and the parameter p.
Textbook = Callable[[sp.Expr, sp.Expr, sp.Expr], sp.Expr]


def _softmax(zs: Sequence[sp.Expr]) -> list[sp.Expr]:
    total = sp.Add(*[sp.exp(z) for z in zs])
    return [sp.exp(z) / total for z in zs]


@dataclass(frozen=True)
class Activation:
    """One activation function.

    Attributes:
        name: the registry name.
        latex: LaTeX for the function's name (``\\sigma``).
        formula: ``g(z, p)`` for elementwise maps; ``None`` for softmax.
        description: one line for ``symbackprop list``.
        param: the parameter's value, or ``None`` for parameter-free maps.
        textbook: ``g'(z)`` in the form :func:`derivative` finds, for ``symbackprop list`` to print without
            working it out again (seconds of simplification); tests prove it equal to ``sympy.diff`` of the
            formula and to :func:`derivative`'s result. ``None`` for softmax.
    """

    name: str
    latex: str
    formula: Formula | None
    description: str
    param: sp.Expr | None = None
    textbook: Textbook | None = None

    @property
    def elementwise(self) -> bool:
        return self.formula is not None

    @property
    def generic(self) -> bool:
        """Whether this is the generic activation g, whose derivative stays a symbol g'(z)."""
        return self.name == "generic"

    @property
    def label(self) -> str:
        """The name as a user writes it, with its parameter if it has one."""
        return self.name if self.param is None else f"{self.name}({self.param})"

    def __call__(self, z: sp.Expr) -> sp.Expr:
        """g(z) for an elementwise activation."""
        if self.formula is None:
            raise TypeError(f"{self.name} is a vector map; use apply()")
        return self.formula(z, self.param if self.param is not None else sp.S.Zero)

    def textbook_derivative(self) -> sp.Expr:
        """The stored textbook ``g'(z)``, in :data:`Z` and the output :data:`A`, for an elementwise activation."""
        if self.textbook is None:
            raise TypeError(f"{self.name} is a vector map; its derivative is a Jacobian (softmax_jacobian)")
        return self.textbook(Z, A, self.param if self.param is not None else sp.S.Zero)

    def apply(self, zs: Sequence[sp.Expr]) -> list[sp.Expr]:
        """The layer's outputs for its pre-activations ``zs``."""
        if self.formula is None:
            return _softmax(zs)
        return [self(z) for z in zs]


def _sigma(z: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-z))


#: The generic activation g and its derivative g', undefined functions: a derivation with them argues for every
#: activation at once, as the lecture notes do before they specialise. Printed in each preset's letter (σ, g_ℓ,
#: g and O, h).
GENERIC = sp.Function("generic", real=True)
GENERIC_PRIME = sp.Function("generic'", real=True)


def prime(name: str) -> sp.FunctionClass:
    """The derivative of the activation ``name`` as an undefined function, ``sigmoid'`` (printed σ')."""
    return GENERIC_PRIME if name == "generic" else sp.Function(f"{name}'", real=True)


class SoftmaxEntry(sp.Function):
    """softmax(z)_i, entry i of a softmax layer's output, as seed 002 names it between the exponentials and the
    outputs: ``SoftmaxEntry(i, e^{z_i}, Σ_k e^{z_k})``, the index, the numerator and the denominator. Its value (by
    ``doit`` or ``evalf``) is the quotient, so a line that shows it is checked as any other."""

    nargs = 3
    is_real = True

    def doit(self, deep: bool = True, **hints: object) -> sp.Expr:
        _, top, total = (arg.doit(deep=deep, **hints) if deep else arg for arg in self.args)
        return top / total

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.doit()._eval_evalf(prec)

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        """The quotient's derivative in its numerator (2) and its denominator (3); the index (1) is a label."""
        _, top, total = self.args
        if argindex == 2:
            return 1 / total
        if argindex == 3:
            return -top / total**2
        raise sp.ArgumentIndexError(self, argindex)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", r"\sigma", lambda z, p: 1 / (1 + sp.exp(-z)), "logistic 1/(1+e^-z)",
                   textbook=lambda z, a, p: a * (1 - a)),
        Activation("tanh", r"\tanh", lambda z, p: sp.tanh(z), "hyperbolic tangent",
                   textbook=lambda z, a, p: 1 - a**2),
        Activation("relu", r"\operatorname{ReLU}", lambda z, p: sp.Piecewise((0, z <= 0), (z, True)),
                   "max(0, z); derivative 0 at z = 0, as PyTorch",
                   textbook=lambda z, a, p: sp.Piecewise((0, z <= 0), (1, True))),
        Activation("leaky_relu", r"\operatorname{LReLU}", lambda z, p: sp.Piecewise((p * z, z <= 0), (z, True)),
                   "z for z > 0, slope*z otherwise; leaky_relu(slope), slope 0.01 by default",
                   sp.Rational(1, 100), textbook=lambda z, a, p: sp.Piecewise((p, z <= 0), (1, True))),
        Activation("linear", r"\operatorname{id}", lambda z, p: z, "identity z", textbook=lambda z, a, p: sp.S.One),
        Activation("softplus", r"\operatorname{softplus}", lambda z, p: sp.log(1 + sp.exp(z)), "log(1+e^z)",
                   textbook=lambda z, a, p: _sigma(z)),
        Activation("elu", r"\operatorname{ELU}", lambda z, p: sp.Piecewise((p * (sp.exp(z) - 1), z <= 0), (z, True)),
                   "z for z > 0, alpha*(e^z-1) otherwise; elu(alpha), alpha 1 by default", sp.S.One,
                   textbook=lambda z, a, p: sp.Piecewise((p * sp.exp(z), z <= 0), (1, True))),
        Activation("silu", r"\operatorname{SiLU}", lambda z, p: z / (1 + sp.exp(-z)), "z*sigmoid(z)",
                   textbook=lambda z, a, p: _sigma(z) * (1 + z - z * _sigma(z))),
        Activation("gelu", r"\operatorname{GELU}", lambda z, p: z / 2 * (1 + sp.erf(z / sp.sqrt(2))),
                   "z/2 (1 + erf(z/sqrt 2)), the exact (erf) form",
                   textbook=lambda z, a, p: z * sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)
                   + (1 + sp.erf(z / sp.sqrt(2))) / 2),
        Activation("softmax", r"\operatorname{softmax}", None,
                   "e^z_j / sum_k e^z_k over the layer; output layer only"),
        Activation("generic", r"\sigma", lambda z, p: GENERIC(z),
                   "any activation g: the derivation keeps g(z) and g'(z) as symbols (derive only)",
                   textbook=lambda z, a, p: GENERIC_PRIME(z)),
    )
}

_WITH_PARAM = re.compile(r"^\s*([A-Za-z_]+)\s*(?:\(\s*([^()]*?)\s*\))?\s*$")


#: An activation's parameter is 0 or of a magnitude in this range: beyond it floats overflow, and the formulas
#: would print hundreds of digits.
PARAM_RANGE = (Fraction(1, 10**6), Fraction(10**6))
_PARAM_ALLOWED = "0 or a finite number of magnitude 1e-6 to 1e6, of at most 17 digits, like 0.2, 1e-3 or 1/3"
#: Digits of a float's exact decimal: more would only print as a longer fraction.
_PARAM_DIGITS = 17


def _plain(number: Decimal) -> bool:
    """Finite, of at most :data:`_PARAM_DIGITS` digits, and 0 or with an exponent within +-20."""
    return number.is_finite() and len(number.as_tuple().digits) <= _PARAM_DIGITS and (
        number.is_zero() or abs(number.adjusted()) <= 20)


def _parameter(name: str, raw: str) -> sp.Rational:
    """The exact value of a parameter written as a decimal or a fraction, checked before any big number is built.

    Raises:
        SpecError: not a number, or not :data:`_PARAM_ALLOWED`.
    """
    parts = raw.split("/")
    shown = cut(repr(raw), 40)
    if not raw.isascii():  # Decimal reads any script's digits (١ as 1); a layer spec does not, nor does this
        raise SpecError(f"parameter of {name!r} must be a number in ASCII digits, got {shown}")
    try:
        decimals = [Decimal(part) for part in parts]  # exact and cheap, even for 1e99999
    except InvalidOperation:
        raise SpecError(f"parameter of {name!r} must be a number, got {shown}") from None
    # Exponents beyond +-20 are far outside the range (Fraction would build their digits); so is a zero denominator.
    if len(parts) > 2 or not all(_plain(d) for d in decimals) or (len(parts) == 2 and decimals[1].is_zero()):
        raise SpecError(f"parameter of {name!r} must be {_PARAM_ALLOWED}; got {shown}")
    value = Fraction(decimals[0]) / (Fraction(decimals[1]) if len(parts) == 2 else 1)
    if value and not PARAM_RANGE[0] <= abs(value) <= PARAM_RANGE[1]:
        raise SpecError(f"parameter of {name!r} must be {_PARAM_ALLOWED}; got {shown}")
    return sp.Rational(value.numerator, value.denominator)


def get_activation(spec: str) -> Activation:
    """Look up an activation by name, with an optional parameter: ``leaky_relu(0.2)``.

    Raises:
        UnknownNameError: the name is not in the table.
        SpecError: a parameter given to a parameter-free activation, or not a number.
    """
    match = _WITH_PARAM.match(str(spec))
    name = match.group(1) if match else str(spec)
    if name not in ACTIVATIONS:
        raise UnknownNameError("activation", str(spec), ACTIVATIONS)
    base = ACTIVATIONS[name]
    raw = match.group(2) if match else None
    if raw is None:
        return base
    if base.param is None:
        raise SpecError(f"activation {name!r} takes no parameter (got {spec!r})")
    value = _parameter(name, raw)
    if name == "elu" and value <= 0:
        raise SpecError(f"elu's alpha must be positive, got {raw}")
    return replace(base, param=value)


@dataclass(frozen=True)
class DerivativeStep:
    """One line of an activation's derivative worked out: ``expr`` and the rule it follows.

    Attributes:
        expr: the derivative (or, for :attr:`Rule.DEFINITION`, the activation) after this step.
        rule: why the step holds.
        activation: the activation a rule of :data:`~symbackprop.model.rules.NAMES_ACTIVATION` names; else empty.
    """

    expr: sp.Expr
    rule: Rule
    activation: str = ""

    def __post_init__(self) -> None:
        check_rule(self.rule, self.activation)

    @property
    def justification(self) -> str:
        """The rule in the engine's words, for people (never parsed)."""
        return words(self.rule, self.activation)


@dataclass(frozen=True)
class Derivative:
    """The derivative of an elementwise activation in textbook form.

    Attributes:
        raw: ``sympy.diff(g(z), z)`` as SymPy returns it.
        textbook: the textbook form, in terms of ``A`` (the output) and/or ``Z``.
        steps: the derivation from ``g(z)`` to ``textbook``, each step checked.
        in_output: True when ``textbook`` depends on the output ``A`` only.
        named: the activation whose formula the derivative equals, if any.
    """

    raw: sp.Expr
    textbook: sp.Expr
    steps: tuple[DerivativeStep, ...]
    in_output: bool
    named: str | None = None

    def at(self, z: sp.Expr, a: sp.Expr) -> sp.Expr:
        """The textbook form at pre-activation ``z`` with output ``a``."""
        return self.textbook.xreplace({Z: z, A: a})


def _tidy_sign(expr: sp.Expr) -> sp.Expr:
    """Write -a*(a - 1) as a*(1 - a): flip one Add factor instead of a leading minus."""
    if not (isinstance(expr, sp.Mul) and expr.could_extract_minus_sign()):
        return expr
    factors = list(expr.args)
    for i, factor in enumerate(factors):
        if isinstance(factor, sp.Add):
            factors[i] = -factor
            return -sp.Mul(*factors)
    return expr


def _in_output(act: Activation, raw: sp.Expr) -> sp.Expr | None:
    """``raw`` rewritten as a polynomial in the output A = g(Z), or None."""
    g = act(Z)
    direct = raw.xreplace({g: A})
    if not direct.has(Z):
        candidate = sp.expand(direct)
    elif g.has(sp.Piecewise):
        return None  # piecewise maps have no single inverse
    else:
        try:
            inverses = sp.solve(sp.Eq(A, g), Z)
        except (NotImplementedError, ValueError, TypeError):
            return None
        if len(inverses) != 1:
            return None
        candidate = sp.simplify(raw.subs(Z, inverses[0]))
    if candidate.has(Z) or not candidate.is_polynomial(A):
        return None
    factored = _tidy_sign(sp.factor(candidate))
    # Factored while it has one bracket, a (1 - a) for sigmoid; else expanded, 1 - a^2 for tanh.
    brackets = [f for f in sp.Mul.make_args(factored) if isinstance(f, sp.Add)]
    candidate = factored if len(brackets) <= 1 else sp.expand(candidate)
    # SymPy proves the rewrite: substituting A = g(Z) gives back the raw derivative.
    if sp.simplify(candidate.subs(A, g) - raw) != 0:
        return None
    return candidate


def _as_named(act: Activation, raw: sp.Expr) -> str | None:
    """The name of a parameter-free table activation equal to ``raw``, if any."""
    for other in ACTIVATIONS.values():
        if other.name == act.name or other.formula is None or other.param is not None or other.generic:
            continue
        if sp.simplify(raw - other(Z)) == 0:
            return other.name
    return None


def _in_sigmoid(raw: sp.Expr) -> sp.Expr | None:
    """``raw`` written with sigma(z) = 1/(1 + e^-z) in place of e^-z, or None."""
    if not raw.has(sp.exp(-Z)):
        return None
    s = sp.Dummy("s", positive=True)
    candidate = _tidy_sign(sp.factor(raw.subs(sp.exp(-Z), (1 - s) / s)))
    if candidate.has(sp.exp):
        return None
    rewritten = candidate.xreplace({s: ACTIVATIONS["sigmoid"](Z)})
    if sp.simplify(rewritten - raw) != 0:  # pragma: no cover - SymPy proves it
        return None
    return rewritten


@cache
def derivative(act: Activation) -> Derivative:
    """The derivative of an elementwise activation, worked out by SymPy.

    Raises:
        TypeError: for softmax, whose derivative is the Jacobian (:func:`softmax_jacobian`).
    """
    g = act(Z)
    raw = sp.diff(g, Z)
    if act.generic:  # g'(z) is what there is to say
        prime = act.textbook_derivative()
        return Derivative(raw, prime, (DerivativeStep(g, Rule.DEFINITION), DerivativeStep(prime, Rule.DIFFERENTIATE)),
                          False)
    steps = [DerivativeStep(g, Rule.DEFINITION), DerivativeStep(raw, Rule.DIFFERENTIATE)]
    output_form = _in_output(act, raw)
    if output_form is not None:
        simplified = sp.simplify(raw)
        if simplified != raw and simplified != output_form:
            steps.append(DerivativeStep(simplified, Rule.SIMPLIFY))
        steps.append(DerivativeStep(output_form, Rule.IN_TERMS_OF_OUTPUT, act.name))
        return Derivative(raw, output_form, tuple(steps), True)
    named = _as_named(act, raw)
    if named is not None:
        steps.append(DerivativeStep(ACTIVATIONS[named](Z), Rule.RECOGNISE_ACTIVATION, named))
        return Derivative(raw, ACTIVATIONS[named](Z), tuple(steps), False, named)
    via_sigmoid = _in_sigmoid(raw)
    if via_sigmoid is not None:
        steps.append(DerivativeStep(via_sigmoid, Rule.IN_TERMS_OF_SIGMOID))
        return Derivative(raw, via_sigmoid, tuple(steps), False)
    simplified = sp.piecewise_fold(sp.simplify(raw)) if raw.has(sp.Piecewise) else sp.simplify(raw)
    if simplified != raw:
        steps.append(DerivativeStep(simplified, Rule.SIMPLIFY))
    return Derivative(raw, simplified, tuple(steps), False)


@cache
def softmax_jacobian(n: int) -> tuple[sp.ImmutableMatrix, sp.ImmutableMatrix, tuple[sp.Symbol, ...]]:
    """The softmax Jacobian for ``n`` outputs, from SymPy, in terms of the outputs.

    Returns:
        ``(raw, in_output, a)``: ``raw[i, j] = d a_i / d z_j`` in terms of the
        pre-activations ``z_1..z_n``, and the same rewritten in terms of the outputs
        ``a_1..a_n`` (``a_i (δ_ij - a_j)``), proven equal by substitution.
    """
    zs = sp.symbols(f"z1:{n + 1}", real=True)
    outs = sp.symbols(f"a1:{n + 1}", positive=True)
    probs = _softmax(zs)
    total = sp.Add(*[sp.exp(z) for z in zs])
    s = sp.Symbol("S", positive=True)
    raw = sp.ImmutableMatrix(n, n, lambda i, j: sp.diff(probs[i], zs[j]))
    # e^{z_k} = a_k S with S the normaliser: the exponentials cancel. SymPy rewrites and checks one
    # diagonal and one off-diagonal entry; softmax is symmetric under permuting its inputs, so every
    # other entry is the same rule with the indices renamed.
    to_outputs = {z: sp.log(outs[k] * s) for k, z in enumerate(zs)}
    rules = {}
    for j in range(min(n, 2)):
        entry = _tidy_sign(sp.factor(sp.cancel(raw[0, j].subs(total, s).subs(to_outputs))))
        if sp.cancel(entry.xreplace(dict(zip(outs, probs))) - raw[0, j]) != 0:  # pragma: no cover
            raise AssertionError("softmax Jacobian rewrite failed to verify")
        rules[j] = entry

    def rewritten(i: int, j: int) -> sp.Expr:
        if i == j:
            return rules[0].xreplace({outs[0]: outs[i]})
        return rules[1].xreplace({outs[0]: outs[i], outs[1]: outs[j]})

    return raw, sp.ImmutableMatrix(n, n, rewritten), outs
