"""Shared test helpers: the seeds' networks, random points and the naive truth (sympy.diff of the expanded loss)."""

from __future__ import annotations

import os
import random
import tomllib
from pathlib import Path

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.derive.chain import forward_values
from symbackprop.derive.derivation import Derivation
from symbackprop.documents import pdf
from symbackprop.documents.options import DocumentOptions
from symbackprop.model.losses import LABEL

DIGITS = 40
#: The seeds' networks and their documents' options, by preset (tests/golden/cases.toml).
SEED_CASES = tomllib.loads((Path(__file__).parent / "golden" / "cases.toml").read_text(encoding="utf-8"))


def seed_case(name: str) -> tuple[Network, DocumentOptions]:
    """The network of the seed ``name`` (a preset's) and the options of its golden document."""
    case = dict(SEED_CASES[name])
    options = DocumentOptions(**case.pop("derive"))
    return Network.from_mapping(case), options


def require_tex() -> None:
    """Skip a PDF test where TeX (latexmk, pdflatex) is missing; fail it in CI, whose .ci/run installs TeX."""
    if pdf.tex_available():
        return
    if os.environ.get("CI"):
        pytest.fail("TeX (latexmk, pdflatex) is missing in CI; .ci/run must install it")
    pytest.skip("latexmk/pdflatex not installed")


def require_svg() -> None:
    """As :func:`require_tex`, for the Markdown's figures: latex and dvisvgm (.ci/run installs dvisvgm)."""
    require_tex()
    if pdf.svg_available():
        return
    if os.environ.get("CI"):
        pytest.fail("dvisvgm is missing in CI; .ci/run must install it")
    pytest.skip("dvisvgm not installed")


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``symbackprop ARGS`` in this process: exit status, stdout and stderr."""
    from symbackprop.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def one_line(err: str) -> bool:
    """What a mistake prints: one line, no traceback."""
    return err.count("\n") == 1 and "Traceback" not in err


def random_point(network: Network, rng: random.Random) -> dict[sp.Symbol, sp.Expr]:
    """Rational values for inputs, parameters and targets (targets a distribution where the loss needs one)."""
    point: dict[sp.Symbol, sp.Expr] = {}
    for symbol in network.inputs_list():
        point[symbol] = sp.Rational(rng.randint(-9, 9), rng.randint(1, 5))
    for matrix in network.parameters.values():
        for symbol in matrix:
            point[symbol] = sp.Rational(rng.randint(-9, 9), rng.randint(4, 9))
    n = network.layers[-1]
    if network.loss.sparse:
        point[LABEL] = rng.randint(1, n)
    elif network.loss.targets_sum_to_one:
        weights = [rng.randint(1, 5) for _ in range(n)]
        for symbol, w in zip(network.targets, weights, strict=True):
            point[symbol] = sp.Rational(w, sum(weights))
    else:
        for symbol in network.targets:
            point[symbol] = sp.Rational(rng.randint(1, 9), 10)
    return point


def explicit_loss(network: Network) -> sp.Expr:
    """The per-example loss as a function of inputs, targets and parameters, built naively."""
    values = forward_values(network)
    outputs = [values[a] for a in network.a(network.depth)]
    return network.loss(outputs, list(network.targets))


def numeric(expr: sp.Expr, point: dict[sp.Symbol, sp.Expr], digits: int = DIGITS) -> sp.Expr:
    """expr at point, to ``digits`` significant digits."""
    return sp.N(expr.xreplace(point), digits)


def diff_at(loss: sp.Expr, param: sp.Symbol, point: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
    """sympy.diff of the loss with respect to one parameter, at the point.

    Every other symbol is fixed first (as a high-precision float), so SymPy differentiates
    a function of one variable: the same derivative, far cheaper than the full gradient.
    The derivative is then evaluated with every repeated subexpression computed once.
    """
    fixed = {s: sp.Float(v, DIGITS) for s, v in point.items() if s != param}
    derivative = sp.diff(loss.xreplace(fixed), param)
    # the tree repeats each layer's terms in every term of the next layer; evaluating every shared
    # subexpression once keeps deep nets (depth 4, width 5) to seconds
    shared, (result,) = sp.cse(derivative)
    values = {param: sp.Float(point[param], DIGITS)}
    for symbol, expr in shared:
        value = expr.xreplace(values)
        values[symbol] = value if isinstance(value, sp.logic.boolalg.Boolean) else sp.N(value, DIGITS)
    return sp.N(result.xreplace(values), DIGITS)


def forward_mode_at(network: Network, param: sp.Symbol, point: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
    """d c / d param at the point by forward-mode differentiation: an independent oracle of bounded cost.

    Every value of the forward pass is carried as a dual number v + d*eps; each activation and the loss are
    expanded to first order in eps by sympy.diff of their formulas alone. The work grows with the size of the
    network, never with the size of the loss written out in full (which :func:`diff_at` differentiates, and which
    grows as width ** depth). A saturated output (sigmoid(40) = 1 - 4e-18) loses digits where the loss takes
    log(1 - a): the pass is repeated with more digits, up to a bound, until :data:`DIGITS` of 1 - a are left.
    """
    logs = {"bce": (0, 1), "cross_entropy": (0,), "sparse_cross_entropy": (0,)}.get(network.loss.name, ())
    digits = 2 * DIGITS
    while True:
        slope, outputs = _forward_mode(network, param, point, digits)
        closest = min((abs(a - edge) for a in outputs for edge in logs), default=sp.S.One)  # a and 1 - a under log
        # the bound: random_point's weights and inputs keep |z| under 150,000, so e^-|z| has under 65,000 digits
        if (closest > sp.Float(10) ** (DIGITS + 5 - digits) and slope.is_finite) or digits >= 4096 * DIGITS:
            return slope
        digits *= 4


def _forward_mode(network: Network, param: sp.Symbol, point: dict[sp.Symbol, sp.Expr],
                  digits: int) -> tuple[sp.Expr, list[sp.Expr]]:
    """d c / d param, and the output values, computed with ``digits`` digits."""
    eps = sp.Symbol("eps")

    def first_order(expr: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
        value = expr.subs(eps, 0)
        slope = sp.diff(expr, eps).subs(eps, 0)
        return sp.N(value, digits), sp.N(slope, digits)

    def dual(symbol: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
        if symbol == 1:
            return sp.S.One, sp.S.Zero
        return sp.Float(point[symbol], digits), sp.S.One if symbol == param else sp.S.Zero

    duals = {x: dual(x) for x in network.inputs_list()}
    for layer in range(1, network.depth + 1):
        pre = []
        for j in range(network.layers[layer]):
            value, slope = sp.S.Zero, sp.S.Zero
            for weight, source in network.pre_activation_terms(layer, j):
                (w, dw), (s, ds) = dual(weight), duals[source] if source != 1 else dual(source)
                value, slope = value + w * s, slope + dw * s + w * ds
            pre.append(value + slope * eps)
        outputs = network.activation(layer).apply(pre)
        duals.update(zip(network.a(layer), (first_order(out) for out in outputs)))
    final = [duals[a] for a in network.a(network.depth)]
    targets = [target.xreplace(point) for target in network.targets]
    loss = network.loss([value + slope * eps for value, slope in final], targets)
    return first_order(loss)[1], [value for value, _ in final]


def derived_at(derivation: Derivation, point: dict[sp.Symbol, sp.Expr]) -> dict[sp.Symbol, sp.Expr]:
    """Every gradient of the derivation at the point, evaluated the way backprop does: forward, then back."""
    net = derivation.network
    values = {s: sp.Float(v, DIGITS) for s, v in point.items()}
    for equation in derivation.forward:
        values[equation.lhs] = sp.N(equation.rhs.xreplace(values), DIGITS)
    for layer in range(net.depth, 0, -1):
        for symbol, value in zip(net.delta(layer), derivation.deltas[f"delta{layer}"], strict=True):
            values[symbol] = sp.N(value.xreplace(values), DIGITS)
    return {
        param: sp.N(grad.xreplace(values), DIGITS)
        for name, matrix in net.parameters.items()
        for param, grad in zip(matrix, derivation.gradients[name], strict=True)
    }
