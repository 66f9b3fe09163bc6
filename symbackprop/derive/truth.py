"""The truth a derivation is checked against (:mod:`.verify`): one example at a random rational point, every
value of its forward pass, and the true derivative of its cost by each error term and each parameter, found apart
from the engine.

The error term ``δ^l_j = ∂c/∂z^l_j`` comes from forward-mode differentiation: ``z^l_j`` is nudged by ``ε`` and
carried, as a first-order dual number, through the later layers and the loss, each differentiated by
``sympy.diff`` of its own formula. A parameter's gradient is ``Σ_j δ^l_j ∂z^l_j/∂p``, the local derivative again
from ``sympy.diff`` of the weighted sum. Every value has :data:`DIGITS` significant digits.

A generic network (activation g, cost c) is checked on an :class:`Instance`: random concrete g and c put in place
of the symbols in the truth and in every line.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from ..errors import SizeLimitError, cut
from ..model import symbols
from ..model.activations import GENERIC, GENERIC_PRIME, Activation
from ..model.architecture import Architecture
from ..model.losses import LABEL, GenericCost
from .chain import COST
from .derivation import Derivation

#: Significant digits of every value computed.
DIGITS = 40


class VerificationError(AssertionError):
    """A displayed line that does not equal its quantity, or that the verifier cannot evaluate."""


#: Parameters are drawn as k / PARAMETER_SCALE, 0 < |k| <= 4/3 PARAMETER_SCALE: more values than any network
#: verify() takes has parameters (:data:`.verify.MAX_PARAMETERS`).
PARAMETER_SCALE = 1500


def draw_parameters(net: Architecture, rng: random.Random) -> dict[sp.Symbol, sp.Expr]:
    """Rational parameters of magnitude at most 4/3, no two equal and none 0: a line with two weights swapped,
    or one left out, never agrees with the truth by a tie of the draw."""
    params = [p for matrix in net.parameters.values() for p in matrix]
    limit = 4 * PARAMETER_SCALE // 3
    numerators = rng.sample([k for k in range(-limit, limit + 1) if k], len(params))
    return {p: sp.Rational(k, PARAMETER_SCALE) for p, k in zip(params, numerators)}


def draw_example(net: Architecture, rng: random.Random) -> dict[sp.Symbol, sp.Expr]:
    """An input, and a target the loss allows: a label, a distribution, or numbers in (0, 1)."""
    point: dict[sp.Symbol, sp.Expr] = {x: sp.Rational(rng.randint(-3, 3), rng.randint(1, 3))
                                       for x in net.inputs_list()}
    n = net.layers[-1]
    if net.loss.sparse:
        point[LABEL] = sp.Integer(rng.randint(1, n))
    elif net.loss.targets_sum_to_one:
        weights = [rng.randint(1, 5) for _ in range(n)]
        point.update({y: sp.Rational(w, sum(weights)) for y, w in zip(net.targets, weights)})
    else:
        point.update({y: sp.Rational(rng.randint(1, 9), 10) for y in net.targets})
    return point


def numeric(expr: sp.Basic) -> sp.Expr:
    """``expr`` as a number of :data:`DIGITS` digits."""
    return sp.N(expr, DIGITS)


@dataclass(frozen=True)
class Instance:
    """Concrete functions in place of a generic network's activation g and cost c (:func:`draw_instance`): a line
    that holds for every g and c holds for these, so a generic derivation is checked on a random instance of it."""

    activation: sp.Lambda | None = None
    prime: sp.Lambda | None = None
    cost: sp.Lambda | None = None

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        """``expr`` with g, g' and c replaced, and the derivatives of c carried out."""
        if self.activation is not None and self.prime is not None:
            expr = expr.replace(GENERIC, self.activation).replace(GENERIC_PRIME, self.prime)
        if self.cost is not None and expr.has(GenericCost):
            expr = expr.replace(GenericCost, self.cost)
            expr = expr.replace(lambda e: isinstance(e, sp.Derivative), lambda e: e.doit())
        return expr


def draw_instance(net: Architecture, rng: random.Random) -> Instance:
    """Random concrete g and c for a generic network (the identity for a concrete one): g(z) = p tanh(z) + q z +
    r z²/8, c(a, y) = Σ_j u_j (a_j - y_j)² + v_j a_j³ y_j + w Π_j a_j, each coefficient a random non-zero rational."""
    def coefficient() -> sp.Rational:
        return sp.Rational(rng.choice([-1, 1]) * rng.randint(1, 3), rng.randint(2, 4))

    activation = prime = cost = None
    if any(act.generic for act in net.activations):
        z = sp.Symbol("z", real=True)
        g = coefficient() * sp.tanh(z) + coefficient() * z + coefficient() * z**2 / 8
        activation, prime = sp.Lambda(z, g), sp.Lambda(z, sp.diff(g, z))
    if net.loss.generic:
        n = net.layers[-1]
        a, y = sp.symbols(f"a1:{n + 1}", real=True), sp.symbols(f"y1:{n + 1}", real=True)
        terms = [coefficient() * (ai - yi) ** 2 + coefficient() * ai**3 * yi for ai, yi in zip(a, y)]
        cost = sp.Lambda((*a, *y), sp.Add(*terms) + coefficient() * sp.Mul(*a))
    return Instance(activation, prime, cost)


class World:
    """One example at one point: the value of every symbol, and the true derivative of the cost by each error term
    and each parameter.

    Attributes:
        values: inputs, targets (or the label), parameters, every z and a, and every δ at its true value.
        truth: each δ symbol and each parameter -> the true ∂c/∂z or ∂c/∂p.
    """

    def __init__(self, derivation: Derivation, point: Mapping[sp.Symbol, sp.Expr],
                 instance: Instance = Instance()) -> None:
        self.instance = instance
        z = sp.Symbol("z", real=True)
        concrete = [act for act in derivation.network.activations if act.elementwise and not act.generic]
        self.primes = {act.name: sp.Lambda(z, sp.diff(act(z), z)) for act in concrete}
        self.functions = {act.name: sp.Lambda(z, act(z)) for act in concrete}
        self.net, self.loss = derivation.network, instance(derivation.loss)
        self.values: dict[sp.Symbol, sp.Expr] = {s: v if s == LABEL else numeric(v) for s, v in point.items()}
        self.outputs: dict[sp.Symbol, sp.Expr] = {}  # a^l_j = g(z^l_j), g generic where the network's is
        self.definitions: dict[sp.Symbol, sp.Expr] = {}  # every z and a, g the instance's
        for layer in range(1, self.net.depth + 1):
            zs = [self.net.pre_activation(layer, j) for j in range(self.net.layers[layer])]
            self.definitions.update(zip(self.net.z(layer), zs))
            self.outputs.update(zip(self.net.a(layer), self.net.activation(layer).apply(self.net.z(layer))))
            self.definitions.update({a: instance(self.outputs[a]) for a in self.net.a(layer)})
            for z in self.net.z(layer):
                self.values[z] = numeric(self.definitions[z].xreplace(self.values))
            for a in self.net.a(layer):
                self.values[a] = numeric(self.definitions[a].xreplace(self.values))
        self.truth: dict[sp.Symbol, sp.Expr] = {}
        self.error_of = {z: d for layer in range(1, self.net.depth + 1)
                         for z, d in zip(self.net.z(layer), self.net.delta(layer))}
        for layer in range(1, self.net.depth + 1):
            for j, delta in enumerate(self.net.delta(layer)):
                self.truth[delta] = self._nudged(layer, j)
        self.values.update(self.truth)
        for layer in range(1, self.net.depth + 1):
            for name in (symbols.matrix("W", layer), symbols.matrix("b", layer)):
                for p in self.net.parameters.get(name, ()):
                    self.truth[p] = numeric(sp.Add(*[d * sp.diff(self.definitions[z], p) for z, d in
                                                zip(self.net.z(layer), self.net.delta(layer))]).xreplace(self.values))

    @property
    def finite(self) -> bool:
        """Whether every true derivative is a finite number (not so at a point where an output saturates to 1 in
        the digits kept and a loss takes log(1 - a))."""
        return all(value.is_finite for value in self.truth.values())

    def _nudged(self, layer: int, j: int) -> sp.Expr:
        """∂c/∂z^layer_j: z^layer_j + ε carried to first order through the later layers and the loss."""
        eps = sp.Symbol("epsilon")

        def first_order(expr: sp.Expr) -> sp.Expr:
            return numeric(expr.subs(eps, 0)) + numeric(sp.diff(expr, eps).subs(eps, 0)) * eps

        fixed = {s: v for s, v in self.values.items() if s not in self.truth}
        pre = [self.values[z] + (eps if i == j else 0) for i, z in enumerate(self.net.z(layer))]
        for l in range(layer, self.net.depth + 1):
            if l > layer:
                pre = [sp.expand(self.definitions[z].xreplace(fixed)) for z in self.net.z(l)]
            outputs = [first_order(self.instance(out)) for out in self.net.activation(l).apply(pre)]
            fixed.update(zip(self.net.a(l), outputs))
        cost = self.loss.xreplace(fixed)
        return numeric(sp.diff(cost, eps).subs(eps, 0))

    def at(self, expr: sp.Basic) -> sp.Expr:
        """``expr`` at this point (with the instance's g and c, each named activation ``sigmoid`` and its derivative
        ``sigmoid'`` worked out from its formula)."""
        for name, formula in self.primes.items():
            expr = expr.replace(sp.Function(f"{name}'", real=True), formula)
        for name, formula in self.functions.items():
            expr = expr.replace(sp.Function(name, real=True), formula)
        return numeric(self.instance(expr).xreplace(self.values))

    def line(self, expr: sp.Basic) -> sp.Expr:
        """A line at this point, each partial derivative in it (``∂c/∂z``, ``∂z/∂w``, ...) by :meth:`partial`."""
        derivatives = {d: self.partial(d) for d in expr.atoms(sp.Derivative)}
        return self.at(expr.xreplace(derivatives))

    def local(self, u: sp.Expr, v: sp.Symbol) -> sp.Expr:
        """∂u/∂v from the definitions, written out from u down to v's layer, then ``sympy.diff``; 0 where u,
        written out, does not depend on v."""
        expr = u
        for _ in range(2 * self.net.depth + 1):
            if v in expr.free_symbols:
                return sp.diff(expr, v)
            above = {s: self.definitions[s] for s in expr.free_symbols if s in self.definitions and
                     rank(s) > rank(v)}
            if not above:
                break
            expr = expr.xreplace(above)
        return sp.S.Zero

    def cost_partial(self, v: sp.Symbol) -> sp.Expr:
        """∂c/∂v: the true δ for a z, the loss's derivative for an output a, the true gradient for a parameter."""
        if v in self.error_of:
            return self.truth[self.error_of[v]]
        if v in self.truth:
            return self.truth[v]
        if v in self.net.a(self.net.depth):
            return self.at(sp.diff(self.loss, v))
        info = symbols.describe(v.name)
        if info is not None and info.kind == "a" and info.layer is not None:  # a hidden output: through layer l+1
            following = zip(self.net.z(info.layer + 1), self.net.delta(info.layer + 1))
            return numeric(sp.Add(*[self.truth[d] * sp.diff(self.definitions[z], v) for z, d in following])
                           .xreplace(self.values))
        raise VerificationError(f"cannot check ∂c/∂{v}")

    def partial(self, factor: sp.Basic) -> sp.Expr:
        """The value of one factor ``∂u/∂v`` of an element-form chain."""
        if not isinstance(factor, sp.Derivative) or len(factor.variables) != 1:
            raise VerificationError(f"cannot check the chain factor {factor}")
        u, (v,) = factor.expr, factor.variables
        return self.cost_partial(v) if u == COST else self.at(self.local(u, v))


def rank(symbol: sp.Symbol) -> tuple[int, int]:
    """Where a symbol sits in the forward pass: (layer, 0 for z, 1 for a); inputs and parameters lowest."""
    info = symbols.describe(symbol.name)
    if info is None or info.layer is None or info.kind not in ("z", "a"):
        return (-1, 0)
    return (info.layer, 0 if info.kind == "z" else 1)


# ------------------------------------------------- the vector and batch forms' matrices, written out
def entries_of(name: str, net: Architecture) -> list[sp.Symbol] | sp.ImmutableMatrix:
    """The element symbols of a one-example matrix symbol, or the parameter matrix."""
    if name in net.parameters:
        return net.parameters[name]
    info = symbols.describe(name)
    if info is None:
        raise VerificationError(f"cannot check: no entries for {name}")
    kind = {v: k for k, v in symbols.BATCH.items()}.get(info.kind, info.kind)
    if kind == "x":
        return net.inputs_list()
    if kind == "y":
        return list(net.targets)
    if kind in ("z", "a", "delta") and info.layer is not None:
        return {"z": net.z, "a": net.a, "delta": net.delta}[kind](info.layer)
    raise VerificationError(f"cannot check: no entries for {name}")


def gradient(worlds: Sequence[World], name: str, batch: bool) -> sp.Matrix:
    """∂C/∂(name) at the point: a column per example (over m) for a batch's Z, the mean for a parameter."""
    net = worlds[0].net
    if name in net.parameters:
        matrix = net.parameters[name]
        return sp.Matrix(matrix.shape[0], matrix.shape[1],
                         lambda i, j: numeric(sp.Add(*[w.truth[matrix[i, j]] for w in worlds]) / len(worlds)))
    columns = [sp.Matrix([w.cost_partial(s) for s in entries_of(name, net)]) for w in worlds]
    if not batch:
        return columns[0]
    return sp.Matrix.hstack(*columns) / len(worlds)


def contract(gradient: sp.Matrix, u: str, v: str, worlds: Sequence[World], batch: bool) -> sp.Matrix:
    """Σ over the entries e of U of ∂C/∂e ∂e/∂V: the chain rule through U, shaped like V."""
    net = worlds[0].net
    u_entries, v_entries = entries_of(u, net), entries_of(v, net)
    v_list = list(v_entries)
    shape = v_entries.shape if isinstance(v_entries, sp.MatrixBase) else (len(v_list), 1)
    total = [sp.S.Zero] * len(v_list)
    for e, world in enumerate(worlds if batch else worlds[:1]):
        for i, entry in enumerate(u_entries):
            weight = gradient[i, e]
            if weight == 0:
                continue
            for index, target in enumerate(v_list):
                total[index] += weight * world.at(world.local(entry, target))
    return sp.Matrix(shape[0], shape[1], [numeric(t) for t in total])


def matrix_name(matrix: sp.Basic) -> str:
    if not isinstance(matrix, sp.MatrixSymbol):
        raise VerificationError(f"cannot check the chain factor over {matrix}")
    return str(matrix.name)


def _column(world: World, kind: str, layer: int | None) -> list[sp.Expr]:
    """One example's values of a one-example matrix symbol of kind ``kind``."""
    net = world.net
    if kind == "abar":
        return [sp.S.One, *_column(world, "a" if layer else "x", layer)]
    if kind == "x":
        return [world.values[x] for x in net.inputs_list()]
    if kind == "y":
        return [world.at(y) for y in net.targets]
    assert layer is not None
    if kind == "delta":
        return [world.truth[d] for d in net.delta(layer)]
    if kind == "grad_a":
        return [world.cost_partial(a) for a in net.a(layer)]
    return [world.values[s] for s in (net.z(layer) if kind == "z" else net.a(layer))]


def environment(worlds: Sequence[World], batch: bool) -> dict[str, sp.Matrix]:
    """Every matrix symbol of the vector (one world) or batch form (a column per world, Delta over m), explicit."""
    net = worlds[0].net
    chosen = worlds if batch else worlds[:1]
    kinds: list[tuple[str, int | None]] = [("x", None), ("y", None), ("abar", 0)]
    kinds += [(kind, layer) for layer in range(1, net.depth + 1) for kind in ("z", "a", "abar", "delta", "grad_a")]
    env = {}
    for kind, layer in kinds:
        scale = sp.Rational(1, len(chosen)) if batch and kind == "delta" else sp.S.One
        matrix = sp.Matrix.hstack(*[sp.Matrix(_column(w, kind, layer)) for w in chosen]) * scale
        env[symbols.matrix(symbols.batch(kind) if batch else kind, layer)] = matrix
    for name, parameters in net.parameters.items():
        env[name] = sp.Matrix(parameters).applyfunc(lambda p: worlds[0].values[p])
    return env


def layer_functions(net: Architecture, instance: Instance) -> dict[str, Callable[[sp.Matrix], sp.Matrix]]:
    """Each activation g applied column by column, and g' entry by entry, from the activation's formula (the
    instance's for a generic one)."""
    z = sp.Symbol("z", real=True)
    functions: dict[str, Callable[[sp.Matrix], sp.Matrix]] = {}
    for act in net.activations:
        def forward(m: sp.Matrix, act: Activation = act) -> sp.Matrix:
            return sp.Matrix.hstack(*[sp.Matrix([numeric(instance(v)) for v in act.apply(list(m[:, i]))])
                                      for i in range(m.cols)])

        functions[act.name] = forward
        if act.elementwise:
            functions[f"{act.name}'"] = _entrywise(sp.diff(instance(act(z)), z), z)
    return functions


def _entrywise(formula: sp.Expr, z: sp.Symbol) -> Callable[[sp.Matrix], sp.Matrix]:
    """``formula`` of ``z`` applied to each entry of a matrix."""
    return lambda m: m.applyfunc(lambda v: numeric(formula.xreplace({z: v})))


def jacobian(world: World, u: sp.Basic, v: sp.Basic) -> sp.Matrix:
    """∂u/∂v of one example at the point, from the definitions: for the cost its gradient (shaped like v), else the
    Jacobian of u (a row per entry of u, a column per entry of v)."""
    if u == COST:
        return gradient([world], matrix_name(v), batch=False)
    rows, cols = list(entries_of(matrix_name(u), world.net)), list(entries_of(matrix_name(v), world.net))
    return sp.Matrix(len(rows), len(cols), lambda i, j: world.at(world.local(rows[i], cols[j])))


#: Points drawn at most for one check, where outputs saturate (the truth is then infinite in the digits kept).
DRAWS = 20


def draw_worlds(derivation: Derivation, rng: random.Random, examples: int) -> list[World]:
    """``examples`` examples at a random point (parameters, and g and c for a generic network) where every true
    derivative is finite.

    Raises:
        VerificationError: no such point in :data:`DRAWS` draws.
    """
    net = derivation.network
    for _ in range(DRAWS):
        params, instance = draw_parameters(net, rng), draw_instance(net, rng)
        worlds = [World(derivation, params | draw_example(net, rng), instance) for _ in range(examples)]
        if all(world.finite for world in worlds):
            return worlds
    raise VerificationError(f"no point of {net.spec} in {DRAWS} draws where every derivative is finite")


# ------------------------------------------------------------------------------------- what can be checked
#: Above this many parameters verify() refuses: the truth costs one forward pass per neuron, and each line is
#: evaluated at every point (about 15 s at 500 parameters, 3 minutes at 1,900, with nothing to show meanwhile).
MAX_PARAMETERS = 500
#: Above this many paths from the first layer to the output (the product of the hidden layers' widths) verify()
#: refuses too: a derivative written out across layers grows with them (2^11 paths, a 2-wide network of 12 layers of
#: weights, take about 20 s; each further layer doubles it).
MAX_PATHS = 2048
#: ...and above this many layers of weights (each adds a forward pass per neuron of every layer before it).
MAX_DEPTH = 24


def check_verifiable(net: Architecture) -> None:
    """Refuse, before anything is derived, a network whose lines are undefined at random points (a loss taking the
    log of outputs the output activation can make 0 or negative: cross-entropy after relu, -r/a times relu'(z), is
    0/0 wherever an output is 0), and one too large to check in reasonable time.

    Raises:
        SpecError: such a loss and output.
        SizeLimitError: more than :data:`MAX_PARAMETERS` parameters, :data:`MAX_PATHS` paths or :data:`MAX_DEPTH`
            layers of weights.
    """
    if not net.activations[-1].generic:  # (a generic output's stand-in for the check is the loss's own)
        net.check_defined("verification at random points")
    if net.parameter_count > MAX_PARAMETERS:
        raise SizeLimitError(f"verify() is limited to {MAX_PARAMETERS:,} parameters and {cut(net.spec, 40)} has "
                             f"{net.parameter_count:,}; verify a narrower network of the same depth")
    paths = math.prod(net.layers[1:-1])
    if paths > MAX_PATHS or net.depth > MAX_DEPTH:
        raise SizeLimitError(f"verify() is limited to {MAX_DEPTH} layers of weights and {MAX_PATHS:,} paths from the "
                             f"input to the output (the hidden layers' widths multiplied), and {cut(net.spec, 40)} has "
                             f"{net.depth} and {paths:,}; verify a shallower network with the same activations")
