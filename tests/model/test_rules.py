"""Steps cite rules as data: every rule has words in every language, and the engine cites nothing else."""

from __future__ import annotations

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.derive.derivation import Rule, Step
from symbackprop.documents.model import PUT_IN
from symbackprop.documents.notes import NOTES, note
from symbackprop.model.activations import ACTIVATIONS, DerivativeStep, derivative, get_activation
from symbackprop.model.derivatives import WORKED, worked
from symbackprop.model.rules import WORDS

#: Every table that turns a rule into words: the engine's plain English and the documents' LaTeX notes (the
#: Markdown documents print the same notes as math).
TABLES = {"engine words": WORDS, "document notes": NOTES}

#: Small networks that between them take every path of the engine: each output (element-wise, softmax) with a loss
#: whose targets sum to one and one whose do not, each bias convention, hidden layers of several activations, weight
#: matrices small enough to be written out entry by entry in the vector form and larger ones.
NETWORKS = [
    dict(layers=[2, 2, 3], hidden="relu", output="softmax", loss="cross_entropy", bias="vector"),
    dict(layers=[2, 2, 2], hidden="tanh", output="softmax", loss="quadratic", bias="shared"),
    dict(layers=[2, 3, 1], hidden="sigmoid", output="sigmoid", loss="bce", bias="neuron"),
    dict(layers=[2, 2, 2], hidden="relu", output="linear", loss="mse", bias="none"),
    dict(layers=[2, 2, 1], hidden="softplus", output="tanh", loss="quadratic", bias="shared"),
    dict(layers=[2, 2, 2, 2], hidden="silu", output="sigmoid", loss="bce", bias="vector"),
    dict(layers=[2, 2, 1], hidden="tanh", output="sigmoid", loss="quadratic", bias="neuron"),  # weights written out
    dict(layers=[2, 2, 2], hidden="relu", output="softmax", loss="sparse_cross_entropy", bias="vector"),  # seed 002
]


def _steps(case: dict) -> tuple[Step, ...]:
    return Network(**case).derive(forms=("element", "vector", "batch")).steps


@pytest.mark.parametrize("table", TABLES.values(), ids=TABLES.keys())
def test_every_rule_has_words_in_every_language(table: dict) -> None:
    assert list(table) == list(Rule)  # every member, in declaration order, and nothing else
    assert all(isinstance(words, str) and words.strip() for words in table.values())


@pytest.mark.parametrize("case", NETWORKS, ids=lambda c: f"{c['hidden']}-{c['output']}-{c['loss']}-{c['bias']}")
def test_every_step_of_the_engine_cites_a_rule(case: dict) -> None:
    steps = _steps(case)
    assert {step.form for step in steps} == {"element", "vector", "batch"}
    assert all(type(step.rule) is Rule for step in steps)


def test_every_rule_is_cited_by_some_step() -> None:
    """No rule lingers that nothing cites: the networks above and the activations' derivatives use them all."""
    cited = {step.rule for case in NETWORKS for step in _steps(case)}
    cited |= {line.rule for case in NETWORKS for argument in Network(**case).derive(forms=()).arguments
              for line in argument.lines + argument.concrete + argument.by_input + argument.stacked}
    cited |= {line.rule for name in WORKED for line in worked(ACTIVATIONS[name]).function
              + worked(ACTIVATIONS[name]).derivative}
    cited |= {step.rule for act in ACTIVATIONS.values() if act.elementwise for step in derivative(act).steps}
    for bias, output in (("neuron", "sigmoid"), ("none", "softmax")):  # seed 000's chains down to a weight; its
        # hidden error terms two ways; the output layer's matrix by δ^L's own factors (element-wise), or by δ^L
        network = Network([2, 2, 2], activations=["sigmoid", output], loss="cross_entropy", bias=bias)
        derived = network.derive(forms=("element", "paths"))
        cited |= {step.rule for form in ("paths", "through") for step in derived.steps_of(form)}
    cited |= set(PUT_IN.values())  # seed 004's steps once their Jacobian is worked out the step before
    assert cited == set(Rule)


def test_a_step_refuses_a_sentence_for_its_rule() -> None:
    c, z = sp.symbols("c z")
    with pytest.raises(TypeError, match="member of Rule"):
        Step("delta1_1", "element", 1, c, (), "chain rule", z)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="member of Rule"):
        DerivativeStep(z, "simplify")  # type: ignore[arg-type]


def test_a_rule_that_names_an_activation_needs_one_and_no_other_rule_takes_one() -> None:
    z = sp.Symbol("z")
    with pytest.raises(ValueError, match="RECOGNISE_ACTIVATION names an activation"):
        DerivativeStep(z, Rule.RECOGNISE_ACTIVATION)
    with pytest.raises(ValueError, match="SIMPLIFY names no activation"):
        DerivativeStep(z, Rule.SIMPLIFY, "tanh")


@pytest.mark.parametrize(("name", "rule", "activation", "justification"), [
    ("softplus", Rule.RECOGNISE_ACTIVATION, "sigmoid", "recognise sigmoid(z)"),
    ("tanh", Rule.IN_TERMS_OF_OUTPUT, "tanh", "in terms of the output a = tanh(z)"),
    ("silu", Rule.IN_TERMS_OF_SIGMOID, "", "in terms of sigmoid(z)"),
    ("relu", Rule.DIFFERENTIATE, "", "differentiate"),
])
def test_an_activation_derivative_ends_with_its_rule_and_the_activation_it_names(
        name: str, rule: Rule, activation: str, justification: str) -> None:
    last = derivative(get_activation(name)).steps[-1]
    assert (last.rule, last.activation, last.justification) == (rule, activation, justification)


@pytest.mark.parametrize(("rule", "activation", "z", "expected"), [
    (Rule.CHAIN_RULE_NEXT_LAYER, "", "z", r"\text{chain rule}"),
    (Rule.DIAGONAL_TIMES_VECTOR, "", "z", r"\operatorname{diag}(v)\,u = u \odot v"),
    (Rule.RECOGNISE_ACTIVATION, "sigmoid", "a", r"\text{recognise } \sigma(a)"),
    (Rule.IN_TERMS_OF_SIGMOID, "", "a", r"\text{in terms of } \sigma(a)"),
    (Rule.IN_TERMS_OF_OUTPUT, "tanh", "a", r"\text{in terms of the output}"),
])
def test_a_note_fills_in_the_notations_letter_and_the_named_activation(
        rule: Rule, activation: str, z: str, expected: str) -> None:
    assert note(rule, activation, z) == expected


def test_the_engine_words_are_what_a_step_shows_as_its_justification() -> None:
    steps = _steps(NETWORKS[0])
    assert all(step.justification == WORDS[step.rule] for step in steps)
    assert steps[0].justification == "chain rule; softmax Jacobian"
