"""Every displayed equality of a derivation, checked: ``Derivation.verify()`` and ``symbackprop derive --verify``.

A derivation narrates. Each quantity (an error term, a gradient) is a column of lines: the quantity, the chain
rule as a sum over paths of products of partial derivatives, then each rewrite. The verifier checks every line
against the quantity's true value, found apart from the engine; two lines equal to the same true value are equal,
so every displayed equality holds.

* **The truth** (:mod:`.truth`), at a random point: rational inputs, parameters and targets (a distribution where
  the loss says its targets are one, a label for sparse cross-entropy); each δ by forward-mode differentiation,
  each parameter's gradient as ``Σ_j δ^l_j ∂z^l_j/∂p``.
* **A line**: every symbol takes its value at the point (each δ its true value). A partial derivative in a chain
  takes the derivative of the definitions it names, by ``sympy.diff``: ``∂a/∂z`` of the activation,
  ``∂z/∂w`` and ``∂z^{l+1}/∂a^l`` of the weighted sum, ``∂c/∂a`` of the loss; ``∂c/∂z`` is δ by definition.
  A matrix chain ``(∂U/∂V)ᵀ ∂C/∂U`` is the contraction ``Σ_u ∂C/∂u ∂u/∂V``, whatever the shapes (a Jacobian,
  or the outer product of ``∂C/∂z ∂z/∂W``). Vector and batch lines are expanded into explicit matrices
  (:mod:`.explicit`); the batch has two examples, ``C`` their mean.
* **The general equations** (a neuron ``j``, sums over a layer; :mod:`.general`) are checked for every ``j`` and
  ``k`` of the network, their sums written out; so are the local derivatives the element form's displays say at
  every layer, ``∂z^l_j/∂w^l_{jk} = a^{l-1}_k`` since ``z^l_j = Σ_m w^l_{jm} a^{l-1}_m + b^l_j``
  (:func:`.reasoning.local_derivatives`).
* **A note's equation** ("since a_j = g(z_j)", "since σ'(z) = σ(z)(1 - σ(z))" for any z) is checked as a line of
  its own: both sides at the point, an identity in a variable of its own at :data:`IDENTITY_POINTS`.

Each line is compared with the truth to :data:`TOLERANCE` (relative), its value computed to :data:`DIGITS`
digits, at :data:`POINTS` random points. A rewrite of the element form is also proven symbolically where the
difference of the two lines expands to 0. A line that cannot be evaluated is a failure, never a skip.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sympy as sp

from ..errors import SpecError, cut
from ..model import symbols
from ..model.architecture import Architecture
from ..model.losses import LABEL
from . import general, reasoning
from .chain import COST
from .derivation import Derivation, Equation, Step
from .explicit import Functions, evaluate
from .forms import M, Named, Partial, definitions
from .truth import (  # (check_verifiable and the limits it keeps, where a caller of verify() finds them)
    DIGITS,
    VerificationError,
    World,
    check_verifiable,
    contract,
    draw_worlds,
    environment,
    gradient,
    jacobian,
    layer_functions,
    matrix_name,
    numeric,
)
from .truth import MAX_DEPTH as MAX_DEPTH
from .truth import MAX_PARAMETERS as MAX_PARAMETERS
from .truth import MAX_PATHS as MAX_PATHS

#: Random points each line is checked at, by default and at most (each point takes about a second on a small network).
POINTS, MAX_POINTS = 2, 20
#: The largest relative difference between a line and the truth.
TOLERANCE = sp.Float("1e-25", DIGITS)
#: Examples in the batch the batch form is checked on.
EXAMPLES = 2
#: The letters of the general equations' indices, those the engine writes its arguments in (derive.reasoning): j a
#: neuron of the layer, k one of the layer below.
LETTERS = reasoning.LETTERS[:2]


@dataclass(frozen=True)
class Verification:
    """What :func:`verify` checked.

    Attributes:
        steps: the steps of the derivation and the general equations checked (a chain-rule step counts once).
        lines: the lines compared with the truth, at every point.
        points: the random points.
        proven: element-form rewrites also proven symbolically (their difference simplifies to 0)...
        rewrites: ...of so many.
        rules: the general rules the documents state beside a step (diag(v)u = u ⊙ v, the quotient rule), proven
            by SymPy (:mod:`.schemas`; the documents' check, not a derivation's).
        sizes: the sizes the documents state (W ∈ ℝ^{3×2}; a general layer's W^l, n_l × n_{l-1}, at every layer).
    """

    steps: int
    lines: int
    points: int
    proven: int
    rewrites: int
    rules: int = 0
    sizes: int = 0

    def __str__(self) -> str:
        return f"{self.steps} steps verified"

    def __add__(self, other: Verification) -> Verification:
        """What two verifications checked together (a document's derivation and the generic one it quotes)."""
        return Verification(self.steps + other.steps, self.lines + other.lines, max(self.points, other.points),
                            self.proven + other.proven, self.rewrites + other.rewrites, self.rules + other.rules,
                            self.sizes + other.sizes)

    def report(self) -> str:
        """One line: the steps, and how they were checked."""
        proven = (f"; {self.proven} of the {self.rewrites} element-form rewrites also proven by SymPy"
                  if self.rewrites else "")
        rules = f"; the {self.rules} general rules the documents state, proven by SymPy" if self.rules else ""
        sizes = f"; the {self.sizes} sizes they can state, each that of its matrix in the forward pass (a general " \
            "layer's at every layer)" if self.sizes else ""
        return (f"{self.steps} steps verified ({self.lines} lines, each equal to the true derivative at "
                f"{self.points} random rational points{proven}{rules}{sizes})")


def verify(derivation: Derivation, points: int = POINTS, seed: int = 0) -> Verification:
    """Check every line of every step of ``derivation`` (each form it has, and the general equations).

    Raises:
        VerificationError: a line that differs from the truth, or that cannot be evaluated.
        SizeLimitError: a network of more than :data:`MAX_PARAMETERS` parameters, :data:`MAX_PATHS` paths or
            :data:`MAX_DEPTH` layers of weights (:func:`check_verifiable`).
        SpecError: a loss that takes the log of outputs its output activation can make 0 or negative; ``points``
            not a whole number from 1 to :data:`MAX_POINTS`.
    """
    net = derivation.network
    if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= MAX_POINTS:  # (0 checks nothing)
        raise SpecError(f"points must be a whole number from 1 to {MAX_POINTS}, got {cut(repr(points))}")
    check_verifiable(net)
    rng, thin_rng = random.Random(seed), random.Random(seed)
    tally = _Tally()
    for _ in range(points):
        worlds = draw_worlds(derivation, rng, EXAMPLES)
        _check_element(derivation, worlds[0], tally)
        one = _Layers(environment(worlds[:1], False), layer_functions(net, worlds[0].instance))  # one example's
        _check_layer_form(derivation, worlds[:1], tally, batch=False, layers=one)
        _check_layer_form(derivation, worlds, tally, batch=True)
        _check_general(derivation, worlds[0], tally, one)
        if derivation.thin is not None:  # seed 002's chain, at a point of its own network
            _check_element(derivation.thin, draw_worlds(derivation.thin, thin_rng, EXAMPLES)[0], tally)
    thin_steps = len(derivation.thin.steps) if derivation.thin is not None else 0
    jacobians = sum(len(steps) for steps in derivation.jacobians.values())
    steps = len(derivation.steps) + jacobians + thin_steps + tally.general // points
    return Verification(steps, tally.lines, points, tally.proven // points, tally.rewrites // points)


class _Tally:
    def __init__(self) -> None:
        self.lines = self.proven = self.rewrites = self.general = 0


def close(value: sp.Expr, truth: sp.Expr) -> bool:
    """Whether ``value`` is a number within :data:`TOLERANCE` (relative) of the number ``truth``."""
    value, truth = sp.sympify(value), sp.sympify(truth)
    if not (value.is_number and truth.is_number):
        return False
    return bool(abs(value - truth) <= TOLERANCE * max(sp.S.One, abs(truth)))


def _fail(step: Step | str, what: str, got: object, truth: object) -> VerificationError:
    where = step if isinstance(step, str) else f"{step.form} form, {step.quantity}, {step.rule.name}"
    return VerificationError(f"{where}: the {what} is {got}, the true derivative {truth}")


# ------------------------------------------------------------------------------------------- element form
def _element_truth(step: Step, world: World) -> sp.Expr:
    if isinstance(step.lhs, sp.Symbol) and step.lhs in world.truth:
        return world.truth[step.lhs]
    if isinstance(step.lhs, sp.Derivative) and step.lhs.expr == COST:
        return world.cost_partial(step.lhs.variables[0])
    raise VerificationError(f"cannot check {step.quantity}: no true value of {step.lhs}")


def _check_element(derivation: Derivation, world: World, tally: _Tally) -> None:
    """The element form's steps, seed 000's chains to each parameter (form ``paths``) and seed 002's through a thin
    network (form ``thin``, in a derivation of its own): each chain and line."""
    previous: dict[tuple[str, str], sp.Expr] = {}
    for step in derivation.steps_of("element") + derivation.steps_of("paths") + derivation.steps_of("thin"):
        if _of_a_matrix(step):
            continue  # seed 000's vectors and matrices (form paths), checked with the vector form's steps
        truth = _element_truth(step, world)
        if step.chain:
            chained = numeric(sp.Add(*[sp.Mul(*[world.partial(f) for f in path]) for path in step.chain]))
            if not close(chained, truth):
                raise _fail(step, "chain rule's sum of products", chained, truth)
            tally.lines += 1
        value = world.line(step.result)  # its partial derivatives (seed 000's factored chains) worked out
        if not close(value, truth):
            raise _fail(step, "line", value, truth)
        tally.lines += 1
        for equation in definitions(step, derivation.network):  # what its note says: "since σ'(z_j) = a_j(1 - a_j)"
            said, worked = world.line(equation.lhs), world.line(equation.rhs)
            if not close(said, worked):
                raise VerificationError(f"{step.form} form, {step.quantity}, {step.rule.name}: its note's "
                                        f"{equation.lhs} is {said}, and {equation.rhs} is {worked}")
            tally.lines += 1
        before = previous.get((step.form, step.quantity))
        if before is not None:
            tally.rewrites += 1
            tally.proven += _proven(before, step.result, world)
        previous[(step.form, step.quantity)] = step.result


def _of_a_matrix(step: Step) -> bool:
    """Whether a step derives a whole vector or matrix (δ^l, ∂C/∂W̃), not one entry."""
    return isinstance(step.lhs, sp.MatrixExpr) or isinstance(step.lhs, sp.Derivative) and \
        not isinstance(step.lhs.variables[0], sp.Symbol)


#: Where an identity a note states for any value of its variable (σ'(z) = σ(z)(1 - σ(z))) is checked.
IDENTITY_POINTS = (sp.Rational(2, 7), sp.Rational(-5, 3))


#: The largest difference of two lines :func:`_proven` asks SymPy to simplify (in operations).
SIMPLIFY_OPS = 60


def _proven(before: sp.Expr, after: sp.Expr, world: World) -> bool:
    """Whether SymPy proves two consecutive lines equal: their difference, each output a written as g(z), expands
    or (when small) simplifies to 0."""
    if any(d.expr != COST for line in (before, after) for d in line.atoms(sp.Derivative)):
        return False  # a chain's partials (∂a/∂z), which SymPy would take for derivatives of independent symbols
    # a = g(z) written out, except inside a derivative of the generic cost (∂c/∂a stays a symbol there)
    outputs = {} if (before - after).has(sp.Derivative) else {
        s: world.outputs[s] for s in (before - after).free_symbols if s in world.outputs}
    difference = sp.expand((before - after).xreplace(outputs))
    if difference == 0 or sp.cancel(difference) == 0:
        return True
    return sp.count_ops(difference) <= SIMPLIFY_OPS and sp.simplify(difference) == 0


# ------------------------------------------------------------------------------------- vector and batch
def _chain_term(term: Sequence[sp.Basic], worlds: Sequence[World], batch: bool) -> sp.Matrix:
    """One product of a matrix chain: ∂C/∂U with ∂U/∂V (either transposed, in either order)."""
    factors = [f.arg if isinstance(f, sp.Transpose) else f for f in term]
    if not all(isinstance(f, sp.Derivative) and len(f.variables) == 1 for f in factors):
        raise VerificationError(f"cannot check the chain term {term}")
    cost = [f for f in factors if f.expr == COST]
    local = [f for f in factors if f.expr != COST]
    if len(cost) != 1 or len(local) > 1:
        raise VerificationError(f"cannot check the chain term {term}")
    total = gradient(worlds, matrix_name(cost[0].variables[0]), batch)
    if not local:
        return total
    u, v = local[0].expr, local[0].variables[0]
    if u != cost[0].variables[0]:
        raise VerificationError(f"cannot check the chain term {term}: ∂C/∂{cost[0].variables[0]} with ∂{u}")
    return contract(total, matrix_name(u), matrix_name(v), worlds, batch)


def _layer_truth(step: Step, worlds: Sequence[World], batch: bool) -> sp.Matrix:
    """The true value of a vector- or batch-form step's quantity: δ^l (Δ^l) is ∂C/∂z^l (∂C/∂Z^l); a Jacobian ∂u/∂v
    is taken from the definitions."""
    if isinstance(step.lhs, Partial) and step.lhs.args[0] != COST:
        return jacobian(worlds[0], *step.lhs.args)
    lhs = step.lhs.variables[0] if isinstance(step.lhs, sp.Derivative) else step.lhs
    lhs = lhs.args[1] if isinstance(lhs, Partial) else lhs
    if isinstance(lhs, sp.MatrixSlice):  # W̃: the weights without the bias units' column
        rows, columns = (slice(*part[:2]) for part in (lhs.rowslice, lhs.colslice))
        return gradient(worlds, matrix_name(lhs.parent), batch)[rows, columns]
    name = matrix_name(lhs)
    info = symbols.describe(name)
    if info is not None and info.kind in ("delta", symbols.batch("delta")):
        name = symbols.matrix(symbols.batch("z") if batch else "z", info.layer)
    elif info is not None and info.kind == "grad_a":  # ∂c/∂a^l, a hidden layer's too
        name = symbols.matrix("a", info.layer)
    return gradient(worlds, name, batch)


@dataclass(frozen=True)
class _Layers:
    """Every matrix symbol of a form written out at the point, and each activation (and g') on matrices."""

    env: dict[str, sp.Matrix]
    functions: Functions


def _check_layer_form(derivation: Derivation, worlds: Sequence[World], tally: _Tally, batch: bool,
                      layers: _Layers | None = None) -> None:
    """The vector form (one world) or the batch form's steps; ``layers`` the form's matrices, if already made."""
    form = "batch" if batch else "vector"
    steps = derivation.steps_of(form)
    if not batch:  # seed 000's vectors and matrices: W̃^L's gradient, the hidden layer's error terms; the Jacobians
        steps += tuple(step for form in ("paths", "through") for step in derivation.steps_of(form)
                       if _of_a_matrix(step))
        steps += tuple(step for jacobian in derivation.jacobians.values() for step in jacobian)
    if not steps:
        return
    if layers is None:
        layers = _Layers(environment(worlds, batch), layer_functions(derivation.network, worlds[0].instance))
    env, functions = layers.env, layers.functions
    for step in steps:
        _check_layer_step(step, env, functions, worlds, tally, batch)


def _check_layer_step(step: Step, env: dict[str, sp.Matrix], functions: Functions, worlds: Sequence[World],
                      tally: _Tally, batch: bool) -> None:
    """One step of the vector or batch form: its chain and its line, written out, against the true gradient."""
    if isinstance(step.lhs, sp.Derivative) and isinstance(step.lhs.variables[0], sp.Symbol):
        _check_entry(step, worlds[0], tally)
        return
    truth = _layer_truth(step, worlds, batch)
    if step.chain:
        terms = [_chain_term(term, worlds, batch) for term in step.chain]
        if any(term.shape != truth.shape for term in terms):
            raise _fail(step, "chain rule's product", [t.shape for t in terms], f"of shape {truth.shape}")
        _compare(step, "chain rule's product", sum(terms, sp.zeros(*truth.shape)), truth)
        tally.lines += 1
    _compare(step, "line, written out,", _written_out(step, env, functions, worlds, batch), truth)
    tally.lines += 1
    for named in sorted(step.result.atoms(Named), key=str):  # under a brace: what it holds is what it is named
        braced, name = (_written_out(step, env, functions, worlds, batch, part) for part in named.args)
        if not agree(braced, name):
            raise VerificationError(f"{step.form} form, {step.quantity}, {step.rule.name}: what is under the brace "
                                    f"is {braced.tolist()}, not {name.tolist()}, what it is named")
        tally.lines += 1
    for equation in definitions(step, worlds[0].net):  # its note's "since z^l = W^l a^(l-1) + b^l", "σ'(z) = a(1-a)"
        if isinstance(equation.lhs, sp.MatrixExpr):
            said, worked = (_written_out(step, env, functions, worlds, batch, side)
                            for side in (equation.lhs, equation.rhs))
            _compare(step, f"note's {equation.lhs}", said, worked)
            tally.lines += 1
        else:
            _check_said(step.rule.name, equation, worlds[0], {}, tally)


def _written_out(step: Step, env: dict[str, sp.Matrix], functions: Functions, worlds: Sequence[World],
                 batch: bool, expr: sp.Basic | None = None) -> sp.Matrix:
    """A line (or ``expr``, a part of it) as an explicit matrix; in the vector form each Jacobian ∂U/∂V from the
    definitions and each entry of a matrix written out (a partial derivative in it too) at the point; in the batch
    form the cost's gradient ∂C/∂U alone (the rest fail)."""
    world = worlds[0]

    def batch_partial(u: sp.Basic, v: sp.Basic) -> sp.Matrix:
        if u != COST:
            raise VerificationError(f"no Jacobian ∂{u}/∂{v} in the batch form")
        return gradient(worlds, matrix_name(v), batch=True)

    try:
        value = evaluate(step.result if expr is None else expr, env, functions, {M: len(worlds)} if batch else {},
                         partials=batch_partial if batch else lambda u, v: jacobian(world, u, v),
                         entries=None if batch else world.line)
    except (ValueError, TypeError, VerificationError) as error:  # SymbackpropError, a ShapeError: not evaluated
        raise _fail(step, "line", f"not evaluated ({error})", "a number") from error
    return sp.Matrix(value).applyfunc(numeric)


def _check_entry(step: Step, world: World, tally: _Tally) -> None:
    """A general entry of the vector form (∂C/∂w_jk with letters j and k) for every j and k of its layer: its chain
    and its line."""
    for letters in instances(world.net, step.lhs):
        truth = _general_truth(general.instantiate(step.lhs, letters), world)
        lines = [("chain rule's sum of products", sp.Add(*[sp.Mul(*[world.partial(general.instantiate(f, letters))
                                                                   for f in path]) for path in step.chain]))]
        lines = (lines if step.chain else []) + [("line", world.line(general.instantiate(step.result, letters)))]
        for what, value in lines:
            if truth is None or not close(numeric(value), truth):
                raise _fail(f"{step.form} form, {step.quantity}, {step.rule.name} for {letters}", what, value, truth)
            tally.lines += 1


def _compare(step: Step, what: str, value: sp.Matrix, truth: sp.Matrix) -> None:
    if not agree(value, truth):
        raise _fail(step, what, value.tolist(), truth.tolist())


def agree(value: sp.Matrix, truth: sp.Matrix) -> bool:
    """Whether two explicit matrices have one shape and each entry within :data:`TOLERANCE` of the other's."""
    return value.shape == truth.shape and all(close(v, t) for v, t in zip(value, truth))


# -------------------------------------------------------------------------------------- general equations
def instances(net: Architecture, lhs: sp.Basic) -> Iterator[dict[str, int]]:
    """Every assignment of neurons to the letters free in ``lhs``, each over the layer its symbol names there: j of
    δ^l_j a neuron of layer l, k of ∂z^l_j/∂w^l_{jk} one of the layer below, k of ∂z^{l+1}_k/∂a^l_j one above."""
    ranges = {letter: net.layers[counted] for s in lhs.atoms(sp.Symbol)
              for letter, counted in symbols.counted_layers(s.name).items()}
    free = sorted(ranges)
    for numbers in itertools.product(*[range(1, ranges[letter] + 1) for letter in free]):
        yield dict(zip(free, numbers))


def _general_truth(left: sp.Basic, world: World) -> sp.Expr | None:
    if isinstance(left, sp.Derivative):  # ∂c/∂v, or a local derivative ∂u/∂v from the definitions
        return world.partial(left)
    return world.truth.get(left, world.values.get(left))


def _check_said(where: str, equation: Equation, world: World, label: dict[str, int], tally: _Tally) -> None:
    """An equation a note states, for every neuron its letters stand for: both sides at the point, the cost c as
    the loss; an identity in a variable of its own (σ'(z) = σ(z)(1 - σ(z)) for any z) at :data:`IDENTITY_POINTS`."""
    for letters in ({**found, **label} for found in instances(world.net, sp.Tuple(equation.lhs, equation.rhs))):
        left, right = (world.line(general.instantiate(side, letters).xreplace({COST: world.loss}))
                       for side in (equation.lhs, equation.rhs))
        free = left.free_symbols | right.free_symbols
        for point in IDENTITY_POINTS[:1 + bool(free)]:
            at = dict.fromkeys(free, point)
            if not close(numeric(left.xreplace(at)), numeric(right.xreplace(at))):
                raise _fail(f"{where}, its note {equation.lhs} = {equation.rhs} for {letters}", "line", left, right)
            tally.lines += 1


def _check_general(derivation: Derivation, world: World, tally: _Tally, layers: _Layers) -> None:
    """The general equations (weighted sum, BP2, BP3, BP4), the argued derivations (:mod:`.reasoning`) and the
    local derivatives of every layer (∂z^l_j/∂w^l_{jk} = a^{l-1}_k, since z^l_j = ...), each line for every neuron of
    the network; their stacked vectors and the nested model with ``layers``, the one
    example's matrices."""
    net = derivation.network
    shown = [(name, lhs, (rhs,)) for name, lhs, rhs, _ in general.equations(net, LETTERS)]
    shown += [(arg.name, arg.lhs, tuple(line.result for line in arg.lines + arg.concrete + arg.by_input))
              for arg in derivation.arguments]
    every = [(f"layer {layer}", line) for layer in range(1, net.depth + 1)  # the element form's, at every layer
             for line in reasoning.local_derivatives(net, layer, *LETTERS).values()]
    argued = [(arg.name, line) for arg in derivation.arguments for line in arg.lines + arg.concrete + arg.by_input]
    shown += [(f"{name}'s local derivative", line.local.lhs, line.worked())
              for name, line in argued + every if line.local]
    label = {"ell": int(world.values[LABEL])} if LABEL in world.values else {}  # ŷ_ℓ of a general formula
    for name, lhs, lines in shown:
        tally.general += len(lines)
        for letters in ({**found, **label} for found in instances(net, lhs)):
            truth = _general_truth(general.instantiate(lhs, letters), world)
            for line in lines:
                value = world.line(general.instantiate(line, letters))
                if truth is None or not close(value, truth):
                    raise _fail(f"general {name} for {letters}", "line", value, truth)
                tally.lines += 1
    said = [(name, equation) for name, line in argued + every for equation in line.since]
    for name, equation in said:  # what a note says, "since a_j = g(z_j)", "by ∂c/∂a_j = Σ_k w_kj δ_k above"
        _check_said(f"general {name}", equation, world, label, tally)
    vectors = [step for argument in derivation.arguments for step in argument.stacked]
    env, functions = layers.env, layers.functions
    for step in vectors:  # each argument's result for every neuron at once, its entries' sums written out
        tally.general += 1
        step = dataclasses.replace(step, result=general.instantiate(step.result, label))
        _check_layer_step(step, env, functions, [world], tally, batch=False)
    if derivation.model is not None:  # the nested model is the forward pass
        tally.general += 1
        value = sp.Matrix(evaluate(derivation.model.rhs, env, functions)).applyfunc(numeric)
        truth = env[symbols.matrix("a", net.depth)]
        if not all(close(v, t) for v, t in zip(value, truth)):
            raise _fail("the nested model", "line", value.tolist(), truth.tolist())
        tally.lines += 1


__all__ = ["Verification", "VerificationError", "World", "verify"]
