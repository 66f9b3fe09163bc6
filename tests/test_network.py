"""The architecture: symbols and shapes, TOML files, and the messages bad input gets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from symbackprop import Network, SpecError, SymbackpropError, UnknownNameError
from symbackprop.activations import derivative, get_activation
from symbackprop.cli import main


@pytest.mark.parametrize(
    ("bias", "shapes"),
    [
        ("vector", {"W1": (3, 2), "b1": (3, 1), "W2": (1, 3), "b2": (1, 1)}),
        ("neuron", {"W1": (3, 3), "W2": (1, 4)}),
        ("none", {"W1": (3, 2), "W2": (1, 3)}),
        ("shared", {"W1": (3, 2), "b1": (1, 1), "W2": (1, 3), "b2": (1, 1)}),
    ],
)
def test_parameters_follow_the_naming_and_shape_contract(bias: str, shapes: dict) -> None:
    net = Network.from_spec("2-3-1", bias=bias)
    assert {k: v.shape for k, v in net.parameters.items()} == shapes
    assert list(net.parameters) == list(shapes)
    assert net.inputs.shape == (2, 1) and net.targets.shape == (1, 1)


def test_weight_rows_are_destination_neurons() -> None:
    w = Network([2, 3, 1]).parameters["W1"]
    assert w[2, 0] == sp.Symbol("W1_3_1", real=True)
    assert Network([2, 3, 1], bias="neuron").parameters["W1"][1, 0] == sp.Symbol("W1_2_0", real=True)


@pytest.mark.parametrize("spec", ["", "2", "2-", "2--3", "0-2", "a-b", "2-2.5-1", "-1-2"])
def test_malformed_specs_are_rejected_with_the_allowed_form(spec: str) -> None:
    with pytest.raises(SpecError, match="positive integers joined by '-'"):
        Network.from_spec(spec)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(hidden="tanhh"), "unknown activation 'tanhh'.*did you mean 'tanh'"),
        (dict(loss="bce_loss"), "unknown loss 'bce_loss'.*allowed: bce"),
        (dict(bias="vectors"), "unknown bias convention 'vectors'.*did you mean 'vector'"),
        (dict(activations=["tanh"]), "expected 2 names"),
        (dict(hidden="softmax"), "softmax can only be the output activation"),
        (dict(output="softmax"), "softmax needs at least 2 output neurons"),
        (dict(loss="sparse_cross_entropy"), "sparse_cross_entropy needs at least 2 output neurons"),
        (dict(hidden="tanh(2)"), "takes no parameter"),
        (dict(hidden="leaky_relu(x)"), "must be a number"),
    ],
)
def test_inconsistent_architectures_say_what_is_allowed(options: dict, message: str) -> None:
    with pytest.raises(SymbackpropError, match=message):
        Network([2, 3, 1], **options)


def test_unknown_names_are_value_errors() -> None:
    assert issubclass(UnknownNameError, ValueError) and issubclass(SpecError, ValueError)


def test_toml_file_builds_the_network_and_rejects_unknown_keys(tmp_path: Path) -> None:
    good = tmp_path / "net.toml"
    good.write_text('layers = "2-3-1"\nhidden = "tanh"\nloss = "bce"\n[derive]\nnotation = "bishop"\n')
    assert Network.from_file(good) == Network([2, 3, 1], hidden="tanh", loss="bce")
    bad = tmp_path / "bad.toml"
    bad.write_text("layers = [2, 3, 1]\nhiden = 'tanh'\n")
    with pytest.raises(SpecError, match="unknown key.*hiden"):
        Network.from_file(bad)
    typed = tmp_path / "typed.toml"
    typed.write_text("layers = [2, 3, 1]\nloss = 3\n")
    with pytest.raises(SpecError, match="'loss' must be a string"):
        Network.from_file(typed)
    broken = tmp_path / "broken.toml"
    broken.write_text("layers = [2, 3\n")
    with pytest.raises(SpecError, match="not valid TOML"):
        Network.from_file(broken)
    with pytest.raises(SpecError, match="cannot read"):
        Network.from_file(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("name", "textbook"),
    [("sigmoid", "a*(1 - a)"), ("tanh", "1 - a**2"), ("linear", "1"), ("softplus", "1/(1 + exp(-z))"),
     ("relu", "Piecewise((0, z <= 0), (1, True))"), ("leaky_relu(0.2)", "Piecewise((1/5, z <= 0), (1, True))")],
)
def test_derivatives_come_out_in_textbook_form(name: str, textbook: str) -> None:
    assert str(derivative(get_activation(name)).textbook) == textbook


def test_relu_derivative_is_zero_at_zero() -> None:
    d = derivative(get_activation("relu")).textbook
    assert d.subs(sp.Symbol("z", real=True), 0) == 0


def test_cli_list_prints_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["list"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for word in ("sigmoid", "a*(1 - a)", "1 - a^2", "softmax", "sparse_cross_entropy", "shared", "neuron"):
        assert word in out


def test_cli_usage_mistakes_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["no-such-command"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No such command" in err


@pytest.mark.parametrize("bias", ["vector", "neuron", "shared", "none"])
def test_parameter_shapes_are_the_shapes_of_the_parameter_matrices(bias: str) -> None:
    net = Network([3, 4, 2], bias=bias)
    assert net.parameter_shapes == {name: matrix.shape for name, matrix in net.parameters.items()}
    assert net.parameter_count == sum(matrix.rows * matrix.cols for matrix in net.parameters.values())


def test_compiling_and_calling_the_vectorized_form_makes_no_parameter_symbols() -> None:
    # a 784-256-128-10 net has 235,000 of them: seconds of work the vectorized form does not need
    net = Network([30, 20, 10])
    grad = net.compile()
    params = {name: np.zeros(shape) for name, shape in net.parameter_shapes.items()}
    grad(params, np.zeros((4, 30)), np.full((4, 10), 0.5))
    assert "parameters" not in vars(net)
