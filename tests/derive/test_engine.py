"""The engine's gradients equal sympy.diff of the naively expanded loss."""

from __future__ import annotations

import random

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbackprop import Network, SizeLimitError, UnknownNameError
from symbackprop.derive.chain import PATHS_LIMIT
from symbackprop.derive.derivation import CLOSED_FORM_MAX_PARAMETERS, Rule
from symbackprop.documents.sections import ELEMENT_LIMIT
from symbackprop.model import symbols
from symbackprop.model.activations import ACTIVATIONS
from symbackprop.model.losses import LOSSES
from tests.helpers import derived_at, diff_at, explicit_loss, forward_mode_at, numeric, random_point

# The concrete rules: the generic activation and cost have no formula to differentiate (tests/derive/test_generic.py).
ELEMENTWISE = [name for name, act in ACTIVATIONS.items() if act.elementwise and not act.generic]
CONCRETE_LOSSES = [name for name, loss in LOSSES.items() if not loss.generic]
BIASES = ["vector", "neuron", "none", "shared"]


def output_for(loss: str, preferred: str) -> str:
    """An output activation the loss makes sense with (log of a probability needs one)."""
    if loss == "bce" and preferred not in ("sigmoid",):
        return "sigmoid"
    if loss in ("cross_entropy", "sparse_cross_entropy") and preferred not in ("softmax", "sigmoid"):
        return "softmax"
    return preferred


def assert_matches_diff(net: Network, seed: int, sample: int | None = None) -> None:
    """Every (or a sample of) gradient(s) equals d c / d parameter at an exact random point, by sympy.diff of the
    loss written out in full: for small nets, where that expression stays small."""
    rng = random.Random(seed)
    derivation = net.derive(forms=("element",))
    loss = explicit_loss(net)
    point = random_point(net, rng)
    derived = derived_at(derivation, point)
    params = list(derived)
    if sample is not None and len(params) > sample:
        params = rng.sample(params, sample)
    for param in params:
        truth = diff_at(loss, param, point)
        assert abs(truth - derived[param]) <= 1e-25 * (1 + abs(truth)), (net, param, truth, derived[param])


def assert_matches_forward_mode(net: Network, seed: int, sample: int) -> None:
    """A sample of gradients equals forward-mode differentiation at an exact random point: bounded work at any
    depth and width (the loss written out in full grows as width ** depth)."""
    rng = random.Random(seed)
    point = random_point(net, rng)
    derived = derived_at(net.derive(forms=("element",)), point)
    params = list(derived)
    for param in rng.sample(params, min(sample, len(params))):
        truth = forward_mode_at(net, param, point)
        assert abs(truth - derived[param]) <= 1e-25 * (1 + abs(truth)), (net, param, truth, derived[param])


#: Every pair of (activation, loss) once; the bias conventions rotate so that each activation and each loss meets
#: every convention (pairwise coverage: 45 cases where the full product is 180).
PAIRWISE = [(activation, loss, BIASES[(i + j) % len(BIASES)])
            for i, activation in enumerate(ELEMENTWISE) for j, loss in enumerate(CONCRETE_LOSSES)]


def test_the_pairwise_cases_cover_every_pair() -> None:
    assert {(a, l) for a, l, _ in PAIRWISE} == {(a, l) for a in ELEMENTWISE for l in CONCRETE_LOSSES}
    assert {(a, b) for a, _, b in PAIRWISE} == {(a, b) for a in ELEMENTWISE for b in BIASES}
    assert {(l, b) for _, l, b in PAIRWISE} == {(l, b) for l in CONCRETE_LOSSES for b in BIASES}


@pytest.mark.parametrize(("activation", "loss", "bias"), PAIRWISE)
def test_every_activation_loss_and_bias_matches_sympy_diff(activation: str, loss: str, bias: str) -> None:
    net = Network([2, 2, 2], hidden=activation, output=output_for(loss, activation), loss=loss, bias=bias)
    assert_matches_diff(net, seed=sum(map(ord, activation + loss + bias)))


@pytest.mark.parametrize("bias", BIASES)
@pytest.mark.parametrize(
    ("hidden", "output", "loss"),
    [("sigmoid", "sigmoid", "quadratic"), ("tanh", "softmax", "cross_entropy"), ("relu", "linear", "mse"),
     ("elu(0.5)", "sigmoid", "bce"), ("leaky_relu(0.2)", "softmax", "sparse_cross_entropy"),
     ("softplus", "softmax", "quadratic")],
)
def test_every_bias_convention_matches_sympy_diff(bias: str, hidden: str, output: str, loss: str) -> None:
    net = Network([2, 2, 3], hidden=hidden, output=output, loss=loss, bias=bias)
    assert_matches_diff(net, seed=7)


def test_three_hidden_layers_match_sympy_diff() -> None:
    net = Network([2, 2, 2, 2, 2], activations=["tanh", "sigmoid", "relu", "softmax"], loss="cross_entropy")
    assert_matches_diff(net, seed=3)


def test_forward_mode_agrees_with_sympy_diff_of_the_loss_written_out() -> None:
    """The bounded oracle of the random architectures is itself right: it equals sympy.diff where both run."""
    net = Network([2, 3, 2], activations=["elu(0.5)", "softmax"], loss="sparse_cross_entropy", bias="shared")
    point = random_point(net, random.Random(5))
    loss = explicit_loss(net)
    for param in [symbol for matrix in net.parameters.values() for symbol in matrix]:
        assert abs(forward_mode_at(net, param, point) - diff_at(loss, param, point)) < 1e-30


@st.composite
def architectures(draw: st.DrawFn) -> Network:
    depth = draw(st.integers(1, 4))
    layers = [draw(st.integers(1, 5)) for _ in range(depth + 1)]
    loss = draw(st.sampled_from(CONCRETE_LOSSES))
    hidden = [draw(st.sampled_from(ELEMENTWISE)) for _ in range(depth - 1)]
    output = draw(st.sampled_from([*ELEMENTWISE, "softmax"]))
    output = output_for(loss, output)
    if output == "softmax" or loss == "sparse_cross_entropy":
        layers[-1] = max(layers[-1], 2)
    return Network(layers, activations=[*hidden, output], loss=loss, bias=draw(st.sampled_from(BIASES)))


# Depth 4 and width 5 at most: the derivation and the forward-mode oracle grow with the network's size (a draw
# takes 0.1-2.5 s; the loss written out in full would grow as 5 ** 4). The slowest possible draw, every weight and
# input at its largest under linear layers and a sigmoid + bce output, saturates the sigmoid so far that the
# oracle needs 62,000 digits: about 20 s a parameter, 2 minutes for the six sampled, under the 300 s time limit.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=architectures(), seed=st.integers(0, 10_000))
def test_random_architectures_match_forward_mode(net: Network, seed: int) -> None:
    assert_matches_forward_mode(net, seed, sample=6)


def test_textbook_output_deltas_are_simplified_by_sympy() -> None:
    a, y = sp.symbols("a2_1 y_1", real=True)
    bce = Network([2, 3, 1], hidden="tanh", output="sigmoid", loss="bce").derive(forms=("element",))
    assert bce.deltas["delta2"][0] == a - y
    softmax = Network([2, 3, 3], output="softmax", loss="cross_entropy").derive(forms=("element",))
    assert softmax.deltas["delta2"][1] == sp.Symbol("a2_2", real=True) - sp.Symbol("y_2", real=True)
    assert any("sum to one" in text for text in softmax.assumptions)
    quadratic = Network([2, 3, 1]).derive(forms=("element",))
    assert quadratic.deltas["delta2"][0] == a * (1 - a) * (a - y)
    assert not quadratic.assumptions


def test_sparse_cross_entropy_delta_uses_the_label_indicator() -> None:
    d = Network([2, 3, 3], output="softmax", loss="sparse_cross_entropy").derive(forms=("element",))
    ell = sp.Symbol("ell", integer=True, positive=True)
    assert d.deltas["delta2"][2] == sp.Symbol("a2_3", real=True) - sp.KroneckerDelta(ell, 3)


def test_element_steps_hold_unevaluated_chain_factors() -> None:
    d = Network([2, 3, 1], hidden="tanh", output="sigmoid", loss="bce").derive(forms=("element",))
    first = d.steps_of("element", "delta1_2")[0]
    assert first.rule is Rule.CHAIN_RULE_NEXT_LAYER
    assert all(isinstance(f, sp.Derivative) for path in first.chain for f in path)
    assert len(first.chain) == 1 and len(first.chain[0]) == 3
    weight = d.steps_of("element", "W1_2_1")[0]
    assert weight.result == sp.Symbol("delta1_2", real=True) * sp.Symbol("x_1", real=True)


def test_shared_bias_gradient_sums_the_layer_deltas() -> None:
    d = Network([2, 3, 1], bias="shared").derive(forms=("element",))
    assert d.gradients["b1"][0, 0] == sum(sp.Symbol(f"delta1_{j}", real=True) for j in (1, 2, 3))


def test_gradients_have_the_parameters_keys_and_shapes() -> None:
    for bias in BIASES:
        net = Network([3, 4, 2], bias=bias)
        d = net.derive(forms=("element",))
        assert list(d.gradients) == list(net.parameters)
        assert all(d.gradients[k].shape == net.parameters[k].shape for k in net.parameters)
        assert [m.shape for m in d.deltas.values()] == [(4, 1), (2, 1)]


def test_derivation_is_immutable() -> None:
    d = Network([2, 2, 1]).derive(forms=("element",))
    with pytest.raises(AttributeError):
        d.steps = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        d.gradients["W1"] = None  # type: ignore[index]


def test_closed_form_equals_diff_and_refuses_large_nets() -> None:
    net = Network([2, 2, 1], hidden="tanh", output="sigmoid", loss="bce")
    closed = net.derive(forms=("element",)).closed_form()
    loss = explicit_loss(net)
    point = random_point(net, random.Random(1))
    for name, matrix in net.parameters.items():
        for param, value in zip(matrix, closed[name], strict=True):
            assert not value.free_symbols - set(point)
            assert abs(numeric(value, point) - diff_at(loss, param, point)) < 1e-25
    big = Network([8, 8, 1])
    assert big.parameter_count > CLOSED_FORM_MAX_PARAMETERS
    with pytest.raises(SizeLimitError, match="delta form"):
        big.derive(forms=("element",)).closed_form()


@pytest.mark.parametrize(("outputs", "factored"), [(1, False), (2, True)])
def test_a_hidden_delta_is_factored_only_where_it_has_terms_to_factor(outputs: int, factored: bool) -> None:
    derivation = Network([2, 2, outputs], hidden="sigmoid").derive(forms=("element",))
    hidden = [step for step in derivation.steps_of("element") if step.quantity.startswith("delta1")]
    assert any(step.rule is Rule.FACTOR_OUT_DERIVATIVE for step in hidden) == factored
    for j, delta in enumerate(derivation.deltas["delta1"], start=1):
        last = [step for step in hidden if step.quantity == f"delta1_{j}"][-1]
        assert sp.simplify(last.result - delta) == 0  # the shown derivation ends at the delta


def test_steps_of_an_unknown_form_or_quantity_names_what_there_is() -> None:
    d = Network([2, 2, 1]).derive(forms=("element",))
    with pytest.raises(UnknownNameError, match=r"unknown form 'elements'; allowed: batch, element, paths, thin, "
                                               r"through, vector \(did you mean 'element'\?\)"):
        d.steps_of("elements")
    with pytest.raises(UnknownNameError, match=r"unknown element-form quantity 'delta3_1'; allowed: W1_1_1, .*"
                                               r"delta1_1, delta1_2, delta2_1"):
        d.steps_of("element", "delta3_1")
    with pytest.raises(UnknownNameError, match=r"unknown form of this derivation 'vector'; allowed: element$"):
        d.steps_of("vector", "W1")


def test_steps_of_a_form_not_derived_is_empty_and_a_known_quantity_has_its_steps() -> None:
    d = Network([2, 2, 1]).derive(forms=("element",))
    assert d.steps_of("vector") == () and d.steps_of("batch") == ()
    steps = d.steps_of("element", "delta2_1")
    assert steps and all(step.quantity == "delta2_1" for step in steps)


def test_an_unknown_quantity_of_a_wide_network_lists_a_bounded_number_of_names() -> None:
    d = Network([30, 20, 10]).derive(forms=("vector",))
    assert d.steps_of("vector", "W1")
    wide = Network([12, 8, 2]).derive(forms=("element",))
    with pytest.raises(UnknownNameError, match=r"unknown element-form quantity \(\d+ in all, the first 40 listed\)") \
            as info:
        wide.steps_of("element", "nope")
    assert str(info.value).count(",") < 45


def test_seed_000s_chains_of_a_wide_network_are_those_of_the_first_two_neurons_a_document_writes_out() -> None:
    """Every parameter's chain of a small network; past PATHS_LIMIT parameters (where the documents summarise the
    element form too) the first two neurons' of each layer alone: a chain one layer down has a path per output."""
    assert PATHS_LIMIT == ELEMENT_LIMIT

    def chained(network: Network) -> set[tuple[int, int]]:  # (layer, neuron) of every parameter with a chain
        found = set()
        for step in network.derive(forms=("paths",)).steps_of("paths"):
            info = symbols.describe(step.quantity)
            if info is not None and info.kind in ("W", "b") and len(info.indices) >= 1:
                found.add((info.layer, info.indices[0]))
        return found

    small, wide = Network([2, 3, 2], bias="neuron"), Network([4, 5, 4], bias="neuron")  # 17 and 49 parameters
    assert chained(small) == {(2, 1), (2, 2), (1, 1), (1, 2), (1, 3)}
    assert chained(wide) == {(2, 1), (2, 2), (1, 1), (1, 2)}
