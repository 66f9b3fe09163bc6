"""The architecture: symbols and shapes, TOML files, and the messages bad input gets."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from symbackprop import Network, SpecError, SymbackpropError, UnknownNameError
from symbackprop.cli import main
from symbackprop.files import TOML_MAX_BYTES, read_toml
from symbackprop.model.activations import derivative, get_activation


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
        (dict(hidden=""), "unknown activation ''"),
        (dict(output=""), "unknown activation ''"),
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
    with pytest.raises(SpecError, match=r"unknown key\(s\) hiden; allowed: layers, .*, bias, and a \[derive\] table"):
        Network.from_file(bad)
    with pytest.raises(SpecError, match=r"unknown key\(s\) hiden; allowed: layers, .*, bias$"):  # a dict: no file
        Network.from_mapping({"layers": [2, 1], "hiden": "tanh"})
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
    assert "; the commands are list, derive, compile, check, example, bench" in err  # what there is
    with pytest.raises(SystemExit):
        main(["verify", "2-3-1"])
    assert capsys.readouterr().err.rstrip().endswith("; to verify a derivation, symbackprop derive ... --verify")
    with pytest.raises(SystemExit):
        main(["derve", "2-3-1"])
    assert "Did you mean 'derive'?" in capsys.readouterr().err  # a typo: the one it is most like


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


# ------------------------------------------------------------------------------ NumPy sizes, activations
@pytest.mark.parametrize("integer", [np.int64, np.int32, np.uint8])
def test_numpy_integers_are_layer_sizes(integer: type) -> None:
    net = Network([integer(2), integer(3), 1])
    assert net.layers == (2, 3, 1) and all(type(n) is int for n in net.layers)
    assert net == Network([2, 3, 1])


def test_a_numpy_vector_of_sizes_is_a_list_of_them_and_a_matrix_is_not() -> None:
    assert Network(np.array([2, 3, 1])) == Network([2, 3, 1])
    with pytest.raises(SpecError, match="layers must be a list of positive integers"):
        Network(np.array([[2, 3, 1]]))  # type: ignore[arg-type]


def test_none_is_the_default_loss_and_bias_as_it_is_the_default_activation() -> None:
    assert Network([2, 3, 1], hidden=None, loss=None, bias=None) == Network([2, 3, 1], loss="quadratic", bias="vector")


def test_a_network_cannot_be_changed_once_made() -> None:
    """Its symbols, derivations and compiled code are made from it: setting or deleting an attribute is refused
    and so is a new parameter; the network stays as it was (and a copy of it is itself)."""
    import copy

    net = Network([3, 4, 2])
    for name, value in (("layers", [1, 1]), ("loss", "bce"), ("bias", "none"), ("activations", ())):
        with pytest.raises(AttributeError, match=f"a network cannot be changed once made \\(its {name}\\)"):
            setattr(net, name, value)
    with pytest.raises(AttributeError, match="cannot be changed"):
        del net.bias
    with pytest.raises(TypeError):
        net.parameters["x"] = sp.ImmutableMatrix([[1]])  # type: ignore[index]
    with pytest.raises(TypeError):
        net.parameter_shapes["W1"] = (5, 5)  # type: ignore[index]
    assert net.parameter_count == 4 * 3 + 4 + 2 * 4 + 2
    assert net == Network([3, 4, 2]) and repr(net) == repr(Network([3, 4, 2])) and set(net.parameters) == {
        "W1", "b1", "W2", "b2"}
    assert copy.copy(net) is net and copy.deepcopy(net) is net
    net.derive(forms=("element",))  # (its cached symbols are still made)


def test_a_network_pickles_as_what_makes_it() -> None:
    """Its activations hold functions pickle cannot take: it is pickled as its layers, activations, loss and bias,
    and comes back equal, and of its own class."""
    import pickle

    net = Network([2, 3, 1], activations=["leaky_relu(0.2)", "sigmoid"], loss="bce", bias="neuron")
    back = pickle.loads(pickle.dumps(net))
    assert back == net and type(back) is Network and hash(back) == hash(net)


@pytest.mark.parametrize(("call", "said"), [
    (lambda: Network([2, 3, 1]).derive(forms="element"), "forms must be a list of form names"),  # not 'e', 'l', ...
    (lambda: Network([2, 3, 1]).derive(forms=None), "forms must be a list of form names"),
    (lambda: Network([2, 3, 1]).derive(progress="yes"), "progress must be True, False or None"),
    (lambda: Network.from_file(None), "from_file takes the path of a TOML spec file"),
])
def test_an_argument_of_the_wrong_type_is_one_clear_error(call: object, said: str) -> None:
    with pytest.raises(SpecError, match=re.escape(said)):
        call()  # type: ignore[operator]


def test_forms_are_any_collection_of_names_read_once() -> None:
    def made(forms: object) -> list[tuple[str, str, object]]:
        return [(step.form, step.quantity, step.rule) for step in net.derive(forms=forms).steps]  # type: ignore[arg-type]

    net = Network([2, 2, 1])
    steps = made(("element", "vector"))
    assert {form for form, _, _ in steps} == {"element", "vector"}
    assert made({"vector", "element"}) == steps
    assert made(form for form in ("element", "vector")) == steps  # (a generator: read once)


def test_check_grads_names_what_it_takes() -> None:
    from symbackprop import check_grads

    with pytest.raises(SpecError, match=r"^check_grads takes a Network, such as Network.from_spec\('3-4-2'\), got "
                                        r"str '3-4-2'$"):
        check_grads("3-4-2")


@pytest.mark.parametrize("size", [True, np.bool_(True), 2.0, np.float64(2.0), "2", np.int64(0), np.int32(-1)])
def test_booleans_floats_and_non_positive_numpy_integers_are_not_layer_sizes(size: object) -> None:
    with pytest.raises(SpecError, match="layer sizes must be positive integers"):
        Network([2, size, 1])  # type: ignore[list-item]


@pytest.mark.parametrize("other", [dict(hidden="tanh"), dict(output="linear"), dict(hidden="tanh", output="relu")])
def test_activations_together_with_hidden_or_output_are_refused(other: dict) -> None:
    with pytest.raises(SpecError, match=r"give either activations \(one per layer\) or hidden/output, not both"):
        Network([2, 3, 1], activations=["relu", "sigmoid"], **other)
    with pytest.raises(SpecError, match=r"^net.toml: give either activations"):
        Network.from_mapping({"layers": [2, 3, 1], "activations": ["relu", "sigmoid"], **other}, source="net.toml")


def test_hidden_output_and_activations_alone_keep_their_meaning() -> None:
    assert Network([2, 3, 1]).activations == Network([2, 3, 1], hidden="sigmoid", output="sigmoid").activations
    assert [a.name for a in Network([2, 3, 3, 1], hidden="tanh").activations] == ["tanh", "tanh", "sigmoid"]
    assert [a.name for a in Network([2, 3, 1], output="linear").activations] == ["sigmoid", "linear"]
    assert [a.name for a in Network([2, 3, 1], activations=["relu", "linear"]).activations] == ["relu", "linear"]


def test_a_command_line_hidden_overrides_a_toml_files_activations(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """As any option given on the command line overrides the file's: the file's hidden layers' activations give
    way, its output's stays."""
    spec = tmp_path / "net.toml"
    spec.write_text('layers = [2, 3, 1]\nactivations = ["relu", "sigmoid"]\n')
    with pytest.raises(SystemExit) as exit_info:
        main(["compile", str(spec), "--hidden", "tanh", "--out", str(tmp_path / "grads.py")])
    assert exit_info.value.code in (0, None), capsys.readouterr().err
    assert '"""Gradients of the 2-3-1 (tanh, sigmoid; loss quadratic; bias vector) network' in (
        tmp_path / "grads.py").read_text()


# ------------------------------------------------------------------------------ TOML files that are not specs
@pytest.mark.parametrize("text", [
    "a = " + "[" * 500 + "]" * 500 + "\n",  # deeper than tomllib's recursion
    "a = " + "{b = " * 500 + "1" + "}" * 500 + "\n",
    "a = " + "[" * 40 + "]" * 40 + "\n",  # parses, but deeper than any spec
    f"[{'t.' * 39}t]\n",  # a table header 40 deep
], ids=["arrays-500", "inline-tables-500", "arrays-40", "table-header-40"])
def test_a_deeply_nested_toml_file_is_one_line(tmp_path: Path, text: str) -> None:
    spec = tmp_path / "deep.toml"
    spec.write_text(text)
    with pytest.raises(SpecError, match=r"deep.toml: nested too deeply to be a network spec") as info:
        read_toml(spec)
    assert "\n" not in str(info.value)


def test_nesting_a_spec_needs_is_read(tmp_path: Path) -> None:
    spec = tmp_path / "net.toml"
    spec.write_text('layers = [2, 3, 1]\n[derive]\nsymbols = {cost = "J"}\nforms = ["element"]\n')
    assert read_toml(spec)["derive"]["symbols"] == {"cost": "J"}


def test_a_pipe_named_like_a_toml_file_is_refused_at_once(tmp_path: Path) -> None:
    pipe = tmp_path / "x.toml"
    os.mkfifo(pipe)
    outcome: list[BaseException | None] = []

    def read() -> None:
        try:
            read_toml(pipe)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # blocked waiting for a writer: release it, then fail
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("read_toml blocked on a pipe")
    assert isinstance(outcome[0], SpecError), outcome
    assert "x.toml is not a regular file (a pipe, a device or a folder); give a TOML file" in str(outcome[0])


def test_a_link_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "null.toml"
    link.symlink_to(os.devnull)
    with pytest.raises(SpecError, match="null.toml is not a regular file"):
        read_toml(link)


def test_a_link_to_an_endless_device_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    link = tmp_path / "zero.toml"
    link.symlink_to("/dev/zero")
    # In a child with 2 GiB of address space and a minute: reading /dev/zero to the end would take all memory.
    code = ("import resource, sys\n"
            "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
            "from symbackprop.files import read_toml\n"
            "from symbackprop.errors import SpecError\n"
            "try:\n    read_toml(sys.argv[1])\nexcept SpecError as exc:\n    print(exc)\n")
    result = subprocess.run([sys.executable, "-c", code, str(link)], capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stderr[-500:]
    assert "zero.toml is not a regular file (a pipe, a device or a folder); give a TOML file" in result.stdout


def test_a_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "folder.toml").mkdir()
    with pytest.raises(SpecError, match="folder.toml is not a regular file"):
        read_toml(tmp_path / "folder.toml")


def test_a_toml_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "big.toml"
    spec.write_text("layers = [2, 3, 1]\n" + "# padding\n" * (TOML_MAX_BYTES // 10 + 1))
    with pytest.raises(SpecError, match=r"big.toml is larger than 1 MiB; a network spec is a few lines"):
        read_toml(spec)
    spec.write_text("layers = [2, 3, 1]\n" + "#" * (TOML_MAX_BYTES - 40) + "\n")
    assert read_toml(spec) == {"layers": [2, 3, 1]}


def test_a_toml_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    spec = tmp_path / "latin1.toml"
    spec.write_bytes('layers = [2, 3, 1]\nhidden = "t\xe4nh"\n'.encode("latin-1"))
    with pytest.raises(SpecError, match=r"latin1.toml is not UTF-8 text; save it as UTF-8 TOML$"):
        read_toml(spec)


@pytest.mark.parametrize(("options", "message"), [
    (dict(activations=False), "activations must be a list of names, one per non-input layer"),
    (dict(activations="tanh,sigmoid"), "activations must be a list of names"),
    (dict(activations=["tanh", 3]), "activations must be a list of names"),
    (dict(loss=[]), "loss must be a name such as 'bce', got []"),
    (dict(bias=[]), "bias must be a name such as 'vector', got []"),
    (dict(hidden=3), "hidden must be a name such as 'tanh', got 3"),
])
def test_options_that_are_not_names_are_one_line_spec_errors(options: dict, message: str) -> None:
    with pytest.raises(SpecError, match=re.escape(message)) as info:
        Network([2, 2, 1], **options)
    assert "\n" not in str(info.value)


def test_a_networks_name_is_a_folder_name_of_its_own() -> None:
    """The default output folder: two networks never share one (leaky_relu(1/3) and leaky_relu(13) did)."""
    assert Network([2, 3, 1], hidden="tanh", loss="bce").name == "2-3-1_tanh_sigmoid_bce_vector"
    names = {Network([2, 3, 1], hidden=hidden).name for hidden in
             ("leaky_relu(1/3)", "leaky_relu(13)", "leaky_relu(0.3)", "leaky_relu(310)", "leaky_relu(3/10)")}
    assert names == {f"2-3-1_leaky_relu_{p}_sigmoid_quadratic_vector" for p in ("1-3", "13", "3-10", "310")}
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", name) for name in names)
