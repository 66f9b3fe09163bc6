"""Every number a worked example prints (:mod:`.example`), checked against the truth at the example's own point.

The truth is found apart from the compiled trace: :class:`~symbackprop.derive.truth.World` takes the example's
parameters, inputs and targets exactly (each float as the rational it is) and computes every z and a, the loss, and
each delta and parameter gradient by forward-mode differentiation in 40-digit arithmetic. The gradient of the batch
is the mean of the examples', the updated parameters are p - lr dC/dp with the learning rate exactly as a float
holds it, and the loss after the step is the forward pass of the same definitions at the updated parameters.

The equalities a line works out itself, beside the derivation's steps (the output error's denominators
cancelled), are checked as identities of rational functions. A document's numbers are read from what its template
receives: each :class:`~.example_lines.Line` and
:class:`~.example_lines.Block` keeps the results it prints (:class:`~.example_lines.Printed`: quantity, significant
digits, text), and each must occur in the line's value, its numbers or the paragraph. A printed number passes when
it equals the true value rounded (half to even, as Python formats a float) to its significant digits; the JSON's
numbers, printed to every digit of a float, to :data:`JSON_DIGITS`. The float64 trace may round a true value within
:data:`HALF_WAY` (relative) of a half-way point either way, so a number the truth rounds to from that close also
passes: far below a unit of any digit printed, that window matters only at a tie. A sum that cancels exactly (a
shared bias's gradient under softmax and cross-entropy, the sum of a - y) is left with rounding noise in both
arithmetics: a true value below :data:`HALF_WAY` times the example's scale (the largest of 1 and every true value)
is zero to the trace's precision, and a printed number below that too passes as that zero.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from typing import Any

import numpy as np
import sympy as sp

from ..derive.truth import DIGITS, VerificationError, World, numeric
from ..errors import SizeLimitError
from ..model import symbols
from ..model.architecture import Architecture
from ..model.losses import LABEL
from .example import WorkedExample
from .example_lines import Block, Line, Printed, Quantity

#: Significant digits to which the JSON's numbers (a float's every digit) must equal the truth.
JSON_DIGITS = 10
#: Relative distance from a half-way point within which float64 arithmetic may round either way (about 10^4 times
#: float64's precision: the error of the trace's few operations, with room for cancellation).
HALF_WAY = Decimal("1e-12")
#: Above this many examples times parameters ``--verify`` refuses: the truth costs one forward pass per neuron of
#: every example (about 7 s for 270 examples of 2-2-1, 18 s for 5 of 10-20-10).
MAX_WORK = 2_500


@dataclass(frozen=True)
class ExampleVerification:
    """How many printed numbers were checked, over how many examples."""

    numbers: int
    examples: int

    def report(self) -> str:
        """One line: the count, and how the numbers were checked."""
        return (f"{self.numbers} numbers verified (each equal to the true value at the example's point, to its "
                f"printed digits; the truth in {DIGITS}-digit arithmetic, apart from the compiled trace)")


def check_verifiable_example(net: Architecture, examples: int) -> None:
    """Refuse, before anything is computed, an example whose truth would take too long.

    Raises:
        SizeLimitError: more than :data:`MAX_WORK` examples times parameters.
    """
    if examples * net.parameter_count > MAX_WORK:
        raise SizeLimitError(f"--verify is limited to {MAX_WORK:,} examples times parameters, and {examples} "
                             f"examples of {net.parameter_count:,} parameters are {examples * net.parameter_count:,}; "
                             "verify fewer examples or a smaller network")


@dataclass(frozen=True)
class ExampleTruth:
    """The true value of every quantity a worked example prints (:class:`~.example_lines.Quantity`).

    Attributes:
        values: per example, every z, a and delta symbol -> its value; losses, losses_after: c of each example
            before and after the step; gradients, updated: each parameter symbol -> dC/dp and p - lr dC/dp.
    """

    values: tuple[Mapping[sp.Symbol, sp.Expr], ...]
    losses: tuple[sp.Expr, ...]
    gradients: Mapping[sp.Symbol, sp.Expr]
    updated: Mapping[sp.Symbol, sp.Expr]
    losses_after: tuple[sp.Expr, ...]

    @property
    def scale(self) -> Decimal:
        """The largest of 1 and the magnitude of every true value."""
        every = [*self.losses, *self.losses_after, *self.gradients.values(), *self.updated.values()]
        every += [v for values in self.values for v in values.values()]
        return max(Decimal(1), *(abs(_decimal(v)) for v in every))

    def of(self, quantity: Quantity) -> sp.Expr:
        """The true value of ``quantity``; for ``change``, the costs' difference before rounding (see :func:`_true`).

        Raises:
            VerificationError: a quantity of no kind the example prints.
        """
        kind, symbol, index = quantity.kind, quantity.symbol, quantity.example
        mean = {"cost": self.losses, "cost after": self.losses_after}
        if kind in mean:
            return numeric(sp.Add(*mean[kind]) / len(mean[kind]))
        if kind in ("loss", "loss after") and index is not None:
            return (self.losses if kind == "loss" else self.losses_after)[index]
        if kind == "value" and index is not None and symbol in self.values[index]:
            return self.values[index][symbol]
        if kind in ("gradient", "updated") and symbol is not None:
            return (self.gradients if kind == "gradient" else self.updated)[symbol]
        raise VerificationError(f"no true value of {quantity}")


def _exact(value: float) -> sp.Rational:
    """A float as the rational number it is."""
    return sp.Rational(float(value))


def _point(example: WorkedExample, params: Mapping[sp.Symbol, sp.Expr], index: int) -> dict[sp.Symbol, sp.Expr]:
    """Parameters, inputs and targets (or the label, from 1) of example ``index``."""
    net = example.network
    point = dict(params) | {x: _exact(v) for x, v in zip(net.inputs_list(), example.X[index])}
    if net.loss.sparse:
        return point | {LABEL: sp.Integer(int(example.Y[index]) + 1)}
    return point | {y: _exact(v) for y, v in zip(net.targets, np.asarray(example.Y[index], dtype=np.float64))}


def _loss_at(world: World, point: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
    """c at ``point`` by ``world``'s definitions of every z and a (the forward pass only)."""
    values = {s: v if s == LABEL else numeric(v) for s, v in point.items()}
    for layer in range(1, world.net.depth + 1):
        for s in world.net.z(layer) + world.net.a(layer):
            values[s] = numeric(world.definitions[s].xreplace(values))
    return numeric(world.loss.xreplace(values))


def example_truth(example: WorkedExample) -> ExampleTruth:
    """Every true value of ``example`` at its own point (see the module docstring)."""
    net, lr = example.network, _exact(example.lr)
    params = {p: _exact(v) for name, matrix in net.parameters.items()
              for p, v in zip(matrix, np.asarray(example.params[name]).reshape(-1))}
    worlds = [World(example.derivation, _point(example, params, i)) for i in range(example.examples)]
    gradients = {p: numeric(sp.Add(*[w.truth[p] for w in worlds]) / len(worlds)) for p in params}
    updated = {p: numeric(value - lr * gradients[p]) for p, value in params.items()}
    values = tuple({s: w.values[s] for l in range(1, net.depth + 1) for s in net.z(l) + net.a(l) + net.delta(l)}
                   for w in worlds)
    return ExampleTruth(values, tuple(w.at(w.loss) for w in worlds), gradients, updated,
                        tuple(_loss_at(w, _point(example, updated, i)) for i, w in enumerate(worlds)))


# ------------------------------------------------------------------------------------------------- comparing
_NUMBER = re.compile(r"^(?:\\left\()?(-?[0-9.]+)(?: \\times 10\^\{(-?[0-9]+)\})?(?:\\right\))?$")


def _decimal(value: sp.Expr) -> Decimal:
    """A true value as a Decimal of :data:`DIGITS` digits.

    Raises:
        VerificationError: not a finite number.
    """
    number = sp.N(value, DIGITS)
    if not number.is_finite or not number.is_real:
        raise VerificationError(f"the true value {value} is not a finite number")
    return Decimal(str(number))


def _printed_value(text: str) -> Decimal:
    r"""The number ``text`` prints (``-0.4751``, ``\left(-0.08217\right)``, ``1.5 \times 10^{-5}``).

    Raises:
        VerificationError: text that is no number.
    """
    match = _NUMBER.match(text)
    if match is None:
        raise VerificationError(f"{text!r} is printed where a number should be")
    return Decimal(f"{match.group(1)}e{match.group(2) or 0}")


def _rounds_to(truth: Decimal, digits: int, shown: Decimal) -> bool:
    """Whether ``shown`` is ``truth`` rounded half to even to ``digits`` significant digits, or a value within
    :data:`HALF_WAY` (relative) of it rounded so (monotone rounding: the window's ends give every such value)."""
    window = Context(prec=DIGITS + 10).multiply(abs(truth), HALF_WAY)
    wide = Context(prec=DIGITS + 10)
    rounding = Context(prec=digits, rounding=ROUND_HALF_EVEN)
    try:
        return any(rounding.plus(t) == shown for t in (truth, wide.subtract(truth, window), wide.add(truth, window)))
    except InvalidOperation:
        return False


def _true(truth: ExampleTruth, number: Printed) -> Decimal:
    """The true value of a printed number; for the loss's change, the difference of the true costs each rounded as
    the paragraph prints them (the change it states is that of the printed costs)."""
    if number.quantity.kind != "change":
        return _decimal(truth.of(number.quantity))
    rounding = Context(prec=number.digits, rounding=ROUND_HALF_EVEN)
    before, after = (rounding.plus(_decimal(truth.of(Quantity(kind)))) for kind in ("cost", "cost after"))
    return abs(Context(prec=DIGITS).subtract(after, before))


def _occurs(text: str, within: str) -> bool:
    """Whether ``text`` is printed in ``within`` as a whole number (not part of a longer one)."""
    return re.search(rf"(?<![0-9.]){re.escape(text)}(?![0-9])", within) is not None


def _check(truth: ExampleTruth, number: Printed, where: str, zero: Decimal) -> None:
    """One printed number against its true value; both below ``zero``, zero to the trace's precision, pass.

    Raises:
        VerificationError: the number differs from the true value rounded to its digits.
    """
    true, shown = _true(truth, number), _printed_value(number.text)
    if not (_rounds_to(true, number.digits, shown) or abs(true) <= zero and abs(shown) <= zero):
        expected = Context(prec=number.digits, rounding=ROUND_HALF_EVEN).plus(true)
        raise VerificationError(f"{where} prints {number.text} where the true value {true:.12g} is {expected} to "
                                f"{number.digits} significant digits")


def _printed_numbers(blocks: Sequence[Block]) -> Iterator[tuple[Printed, str]]:
    """Each result the blocks print, and where (the block's title and the line's lhs), after checking that the
    line or paragraph prints it.

    Raises:
        VerificationError: a recorded number its line or paragraph does not print.
    """
    for block in blocks:
        for line in block.lines:
            where = f"{block.title}: ${line.lhs}$"
            for i, number in enumerate(line.numbers):  # the last the line's value, the others among its numbers
                last = i == len(line.numbers) - 1
                if number.text != line.value if last else not _occurs(number.text, line.substituted):
                    raise VerificationError(f"{where} does not print its {number.quantity.kind} {number.text}")
                yield number, where
        for number in block.numbers:
            if not _occurs(number.text, block.text):
                raise VerificationError(f"{block.title}: the text does not print its {number.quantity.kind} "
                                        f"{number.text}")
            yield number, f"{block.title}: the text's {number.quantity.kind}"


def verify_blocks(example: WorkedExample, blocks: Sequence[Block], truth: ExampleTruth | None = None
                  ) -> ExampleVerification:
    """Every result the blocks of a Markdown or LaTeX example print (``example_context(...)["blocks"]``), against
    the truth at the example's point.

    Raises:
        VerificationError: the first number that differs from the truth, or that its line does not print.
    """
    truth = truth or example_truth(example)
    count, zero = 0, truth.scale * HALF_WAY
    for number, where in _printed_numbers(blocks):
        _check(truth, number, where, zero)
        count += 1
    for block in blocks:
        for line in block.lines:
            _check_identities(line, f"{block.title}: ${line.lhs}$")
    return ExampleVerification(count, example.examples)


def _check_identities(line: Line, where: str) -> None:
    """Each equality the line works out itself (:attr:`~.example_lines.Line.identities`), as rational functions.

    Raises:
        VerificationError: one whose two sides differ.
    """
    for left, right in line.identities:
        if sp.cancel(sp.together(left - right)) != 0:
            raise VerificationError(f"{where} displays {left} = {right}, which does not hold")


def _json_numbers(example: WorkedExample, data: Mapping[str, Any]) -> Iterator[tuple[Quantity, Any, str]]:
    """Each number of the example's JSON (:func:`~.example.example_json`), its quantity and its key."""
    net = example.network
    yield Quantity("cost"), data["loss"], "loss"
    for group, kinds in (("forward", ("z", "a")), ("delta", ("delta",))):
        for l in range(1, net.depth + 1):
            for kind in kinds:
                key = symbols.matrix(kind, l)
                column = {"z": net.z, "a": net.a, "delta": net.delta}[kind](l)
                rows = data[group][key]
                if len(rows) != example.examples:
                    raise VerificationError(f"{group}.{key} has {len(rows)} rows for {example.examples} examples")
                for i, row in enumerate(rows):
                    yield from ((Quantity("value", s, i), v, f"{group}.{key}") for s, v in _paired(column, row))
    for group in ("gradients", "updated"):
        for name, matrix in net.parameters.items():
            kind = "gradient" if group == "gradients" else "updated"
            pairs = _paired(list(matrix), data[group][name])
            yield from ((Quantity(kind, p), v, f"{group}.{name}") for p, v in pairs)
    yield Quantity("cost after"), data["loss_after"], "loss_after"


def _paired(entries: Sequence[sp.Symbol], values: Any) -> list[tuple[sp.Symbol, Any]]:
    """The symbols with the JSON's numbers, row by row.

    Raises:
        VerificationError: not one number per symbol.
    """
    flat = np.asarray(values, dtype=object).reshape(-1).tolist()
    if len(flat) != len(entries):
        raise VerificationError(f"{len(flat)} numbers for {len(entries)} entries")
    return list(zip(entries, flat))


def verify_json(example: WorkedExample, data: Mapping[str, Any], truth: ExampleTruth | None = None
                ) -> ExampleVerification:
    """Every number of the example's JSON against the truth, to :data:`JSON_DIGITS` significant digits.

    Raises:
        VerificationError: the first number that differs, or one that is no float.
    """
    truth = truth or example_truth(example)
    count, zero = 0, truth.scale * HALF_WAY
    for quantity, value, key in _json_numbers(example, data):
        if not isinstance(value, float):
            raise VerificationError(f"the JSON's {key} holds {value!r} where a number should be")
        shown = Context(prec=JSON_DIGITS, rounding=ROUND_HALF_EVEN).plus(Decimal(repr(value)))
        _check(truth, Printed(quantity, JSON_DIGITS, _plain(shown)), f"the JSON's {key}", zero)
        count += 1
    return ExampleVerification(count, example.examples)


def _plain(value: Decimal) -> str:
    r"""A Decimal as :func:`_printed_value` reads it (``1.5 \times 10^{-5}`` for ``1.5E-5``)."""
    mantissa, _, power = f"{value:e}".partition("e")
    return rf"{mantissa} \times 10^{{{int(power)}}}"


def verify_example(example: WorkedExample, document: Mapping[str, Any]) -> ExampleVerification:
    """Every number of ``document``: what :func:`~.example.example_context` gives a template, or
    :func:`~.example.example_json`'s data.

    Raises:
        VerificationError: the first number that differs from the truth at the example's point.
        SizeLimitError: an example too large to verify (:func:`check_verifiable_example`).
    """
    check_verifiable_example(example.network, example.examples)
    if "blocks" in document:
        return verify_blocks(example, document["blocks"])
    return verify_json(example, document)
