"""The equalities the documents state beside the steps are printed from the equations ``--verify`` checks: a wrong
builder changes the printed text and fails the check."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.derive import stated
from symbackprop.derive.argument import Argument
from symbackprop.derive.derivation import Equation
from symbackprop.derive.engine import derive
from symbackprop.derive.truth import VerificationError
from symbackprop.derive.verify import verify
from symbackprop.documents.files import document_files, engine_forms, verified
from symbackprop.documents.options import DocumentOptions
from symbackprop.model import symbols

pytestmark = pytest.mark.timeout(240)

SEED_000 = Network([2, 2, 2], loss="generic", bias="neuron")
SEED_001 = Network([2, 2, 1], hidden="tanh", loss="bce")
SEED_002 = Network([3, 3, 3, 2], hidden="relu", output="softmax", loss="sparse_cross_entropy")
BIAS_UNITS, DATA_MEAN, COLUMN = stated.bias_units, stated.data_mean, stated.column_argument  # (before any patch)


def _doubled(build: Callable[..., tuple[Equation, ...]]) -> Callable[..., tuple[Equation, ...]]:
    return lambda network: tuple(Equation(e.name, e.lhs, 2 * e.rhs) for e in build(network))


def _below(network: Network) -> tuple[Equation, ...]:  # ∂c/∂b^l = δ^(l-1): the layer below's error terms
    return tuple(Equation(e.name, e.lhs, sp.MatrixSymbol(symbols.matrix("delta", max(l - 1, 1)), 2, 1))
                 for l, e in enumerate(BIAS_UNITS(network), start=1))


def _data_doubled(lhs: sp.Basic, result: sp.Expr) -> Equation:
    right = DATA_MEAN(lhs, result)
    return Equation(right.name, right.lhs, 2 * right.rhs)


def _inputs_above(network: Network, argument: Argument) -> Equation | None:  # (W_{k+1,·,j})ᵀ a_{k+1}
    right = COLUMN(network, argument)
    if right is None:
        return None
    above = sp.MatrixSymbol(symbols.matrix("z", argument.layer + 1), network.layers[argument.layer + 1], 1)
    return Equation(right.name, right.lhs, sp.MatMul(right.rhs.args[0], above))


def _next_column(network: Network, argument: Argument) -> Equation | None:  # (W_{k+1,·,j+1})ᵀ ∇_{a_{k+1}}
    right = COLUMN(network, argument)
    if right is None:
        return None
    vector, (weights, letter) = right.rhs.args[1], right.rhs.args[0].arg.args
    return Equation(right.name, right.lhs, sp.MatMul(sp.Transpose(stated.Column(weights, letter + 1)), vector))


CASES = {  # the builder made wrong, the network and options that show it, what the documents then print
    "bias units' BP3": ("bias_units", _below, SEED_000, {"notation": "ng"},
                        r"\frac{\partial C}{\partial \mathbf{b}^{(l)}} = \delta^{(l)}"),
    "batch mean": ("batch_mean", _doubled(stated.batch_mean), SEED_000, {"notation": "ng"}, r"\frac{2}{m} \sum"),
    "batch's error terms": ("batch_errors", _doubled(stated.batch_errors), SEED_001,
                            {"notation": "input-major", "sections": "notation,batch"}, r"divided by $\frac{m}{2}$"),
    "column argument": ("column_argument", _inputs_above, SEED_002, {"notation": "goodfellow", "sections": "general"},
                        r"\cdot,j})^{\top} \underline{a}_{i+1}" + "\n"),
    "column argument, the next": ("column_argument", _next_column, SEED_002,
                                  {"notation": "goodfellow", "sections": "general"}, "NOT PRINTED"),
    "data set's means": ("data_mean", _data_doubled, SEED_001, {"notation": "input-major", "sections": "problem"},
                         r"\frac{2}{|\mathcal{D}|}"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_wrong_statement_is_printed_and_fails_verify(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    name, wrong, network, chosen, printed = CASES[case]
    options = DocumentOptions(formats=("md",), **chosen)
    derivation = derive(network, engine_forms(options))
    right = verified(derivation, options)
    assert printed not in "".join(document_files(derivation, options).values())
    monkeypatch.setattr(stated, name, wrong)
    if printed != "NOT PRINTED":  # (column j+1 has no letter of the notation to print: the check alone tells it)
        assert printed in "".join(document_files(derivation, options).values())
    with pytest.raises(VerificationError):
        verified(derivation, options)
    assert right.steps > 0


def test_what_the_documents_state_counts_as_steps() -> None:
    options = DocumentOptions(formats=("md",), notation="ng")
    derivation = derive(SEED_000, engine_forms(options))
    claims = 2  # BP3 and BP4 read from layer 1's steps too (documents.every_layer)
    assert verified(derivation, options).steps == verify(derivation).steps + 2 * SEED_000.depth + claims  # BP3, mean
