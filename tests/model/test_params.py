"""Parameter, input and target data: accepted forms, and one clear error per kind of bad input."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from symbackprop import Network
from symbackprop.errors import DataError, SizeLimitError
from symbackprop.model.params import (
    check_batch_shapes,
    check_target_values,
    inputs_from_data,
    parameters_from_data,
    parameters_to_data,
    parse_json,
    random_batch,
    random_parameters,
    targets_from_data,
)

NET = Network([2, 3, 1], hidden="tanh", output="sigmoid", loss="bce")
GOOD = {"W1": [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], "b1": [0.0, 0.1, 0.2], "W2": [[1.0, -1.0, 0.5]], "b2": [0.3]}


def test_parameters_in_the_file_format_come_back_in_canonical_shapes() -> None:
    params = parameters_from_data(NET, GOOD, "P.json")
    assert [params[k].shape for k in params] == [(3, 2), (3, 1), (1, 3), (1, 1)]
    assert parameters_to_data(NET, params) == GOOD


def test_column_biases_are_accepted_too() -> None:
    data = {**GOOD, "b1": [[0.0], [0.1], [0.2]]}
    np.testing.assert_array_equal(parameters_from_data(NET, data, "P.json")["b1"], [[0.0], [0.1], [0.2]])


@pytest.mark.parametrize("value", [0.5, [0.5], [[0.5]]])
def test_a_shared_bias_is_a_number(value: object) -> None:
    net = Network([1, 1], activations=["linear"], bias="shared")
    params = parameters_from_data(net, {"W1": [[2.0]], "b1": value}, "P.json")
    assert params["b1"].shape == (1, 1)
    assert parameters_to_data(net, params) == {"W1": [[2.0]], "b1": 0.5}


def test_bias_neuron_and_none_have_no_b() -> None:
    neuron = Network([2, 1], activations=["linear"], bias="neuron")
    assert parameters_from_data(neuron, {"W1": [[0.1, 0.2, 0.3]]}, "P.json")["W1"].shape == (1, 3)
    with pytest.raises(DataError, match="unexpected b1"):
        parameters_from_data(Network([2, 1], bias="none"), {"W1": [[0.1, 0.2]], "b1": [0.0]}, "P.json")


@pytest.mark.parametrize(
    "data, message",
    [
        ({k: v for k, v in GOOD.items() if k != "W2"}, r"P.json: missing W2 \(a 2-3-1 net with bias 'vector' has "
                                                         r"W1, b1, W2, b2\)"),
        ({**GOOD, "W3": [[1.0]]}, "P.json: unexpected W3"),
        ({**GOOD, "W1": [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]}, r"P.json: parameter 'W1' has shape \(2, 3\), "
                                                             r"expected \(3, 2\)"),
        ({**GOOD, "b1": [0.0, 0.1]}, r"parameter 'b1' has shape \(2,\), expected \(3, 1\) or \(3,\)"),
        ({**GOOD, "W2": [[1.0, float("nan"), 0.5]]}, r"P.json: parameter 'W2' holds a non-finite number nan at "
                                                     r"index \[0, 1\]"),
        ({**GOOD, "W2": [[1.0, "x", 0.5]]}, "parameter 'W2' must be numbers"),
        ({**GOOD, "W1": [[0.1, 0.2], [0.3], [0.5, 0.6]]}, "parameter 'W1' must be numbers in nested lists of equal"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_bad_parameter_files_name_the_file_key_and_shapes(data: object, message: str) -> None:
    with pytest.raises(DataError, match=message):
        parameters_from_data(NET, data, "P.json")


def test_infinity_from_json_is_rejected() -> None:
    data = parse_json(json.dumps({**GOOD, "b2": [float("inf")]}), "P.json")
    with pytest.raises(DataError, match="non-finite number inf"):
        parameters_from_data(NET, data, "P.json")


def test_malformed_json_names_the_file_and_position() -> None:
    with pytest.raises(DataError, match=r"X.json: malformed JSON at line 2, column 1"):
        parse_json('[1, 2,\n]', "X.json")


@pytest.mark.parametrize("data, shape", [([1.0, 2.0], (1, 2)), ([[1.0, 2.0], [3.0, 4.0], [5, 6]], (3, 2))])
def test_inputs_are_a_list_of_examples_or_one_example(data: object, shape: tuple[int, int]) -> None:
    assert inputs_from_data(NET, data, "X.json").shape == shape


def test_one_input_neuron_takes_a_flat_list_as_examples() -> None:
    assert inputs_from_data(Network([1, 1]), [1.0, 2.0, 3.0], "X.json").shape == (3, 1)


def test_inputs_of_the_wrong_width_are_rejected() -> None:
    with pytest.raises(DataError, match=r"X.json: inputs have shape \(2, 3\), expected \(m, 2\)"):
        inputs_from_data(NET, [[1, 2, 3], [4, 5, 6]], "X.json")


@pytest.mark.parametrize("data", [[], [[]], [[], []]])
def test_inputs_with_no_example_say_so(data: object) -> None:
    with pytest.raises(DataError, match=r"^X.json: inputs hold no example; give at least one row of 2 numbers$"):
        inputs_from_data(NET, data, "X.json")


def test_targets_match_the_examples() -> None:
    assert targets_from_data(NET, [1, 0, 1], 3, "Y.json").shape == (3, 1)
    with pytest.raises(DataError, match="Y.json: 2 target example.s. but 3 input example.s."):
        targets_from_data(NET, [1, 0], 3, "Y.json")


def test_labels_are_integers_in_range() -> None:
    net = Network([2, 3], activations=["softmax"], loss="sparse_cross_entropy")
    np.testing.assert_array_equal(targets_from_data(net, [0, 2, 1], 3, "Y.json"), [0, 2, 1])
    assert targets_from_data(net, 2, 1, "Y.json").tolist() == [2]
    with pytest.raises(DataError, match="Y.json: label 3 of example 1 is out of range; labels are integers 0 to 2"):
        targets_from_data(net, [0, 3], 2, "Y.json")
    with pytest.raises(DataError, match="label -1 of example 0"):
        targets_from_data(net, [-1], 1, "Y.json")
    with pytest.raises(DataError, match="Y.json: label 1.5 of example 0 is not a whole number; labels are integers"):
        targets_from_data(net, [1.5], 1, "Y.json")
    with pytest.raises(DataError, match="label 0.5"):
        targets_from_data(net, [0.5], 1, "Y.json")
    with pytest.raises(DataError, match="integer labels"):
        targets_from_data(net, [[0, 1, 0]], 1, "Y.json")


def test_distribution_targets_sum_to_one() -> None:
    net = Network([2, 3], activations=["softmax"], loss="cross_entropy")
    assert targets_from_data(net, [[0.2, 0.3, 0.5]], 1, "Y.json").shape == (1, 3)
    with pytest.raises(DataError, match="Y.json: targets of example 0 sum to 0.9; cross_entropy needs"):
        targets_from_data(net, [[0.2, 0.3, 0.4]], 1, "Y.json")


def test_batch_shapes_are_checked_for_any_array() -> None:
    assert check_batch_shapes(NET, np.zeros((4, 2)), np.zeros((4, 1))) == 4
    with pytest.raises(DataError, match=r"targets Y have shape \(4,\), expected \(m, 1\)"):
        check_batch_shapes(NET, np.zeros((4, 2)), np.zeros(4))


@pytest.mark.parametrize("bias", ["vector", "neuron", "none", "shared"])
def test_random_parameters_and_batches_are_valid(bias: str) -> None:
    net = Network([3, 4, 2], hidden="relu", output="softmax", loss="sparse_cross_entropy", bias=bias)
    params = random_parameters(net, 1)
    assert {k: v.shape for k, v in params.items()} == {k: m.shape for k, m in net.parameters.items()}
    X, Y = random_batch(net, 5, 2)
    assert X.shape == (5, 3) and Y.shape == (5,) and set(Y.tolist()) <= {0, 1}
    assert parameters_from_data(net, parameters_to_data(net, params), "P.json").keys() == params.keys()


def test_a_negative_seed_is_rejected() -> None:
    with pytest.raises(DataError, match="seed must be a non-negative integer, got -1"):
        random_parameters(NET, -1)
    with pytest.raises(DataError, match="seed must be a non-negative integer, got -1"):
        random_batch(NET, 2, -1)


def test_random_parameters_of_a_huge_network_are_refused() -> None:
    with pytest.raises(SizeLimitError, match="has 10,000,200,001 parameters; random parameters are drawn for at most"):
        random_parameters(Network([100000, 100000, 1]), 0)


def test_file_bytes_must_be_utf8() -> None:
    assert parse_json('["é", 2]'.encode(), "X.json") == ["é", 2]
    with pytest.raises(DataError, match=r"X.json: not UTF-8 text \(byte 0xff at offset 0\); JSON files must be UTF-8"):
        parse_json(b"\xff\xfe[[1,2]]", "X.json")


@pytest.mark.parametrize("text, message", [("[" + "1" * 5000 + "]", "a number too long"),
                                           ("[" * 100000 + "]" * 100000, "nesting too deep")])
def test_json_python_cannot_parse_is_a_data_error(text: str, message: str) -> None:
    with pytest.raises(DataError, match=f"X.json: {message}"):
        parse_json(text, "X.json")


@pytest.mark.parametrize("loss, n_out, Y, message", [
    ("bce", 1, [[2]], r"target 2 of example 0 is outside \[0, 1\]; bce needs targets from 0 to 1"),
    ("bce", 1, [[0.5], [-0.5]], r"target -0.5 of example 1 is outside \[0, 1\]"),
    ("cross_entropy", 3, [[-1, 1, 1]], r"target -1 of example 0 is outside \[0, 1\]; cross_entropy needs"),
])
def test_probability_targets_lie_between_zero_and_one(loss: str, n_out: int, Y: object, message: str) -> None:
    net = Network([2, n_out], activations=["softmax" if n_out > 1 else "sigmoid"], loss=loss)
    with pytest.raises(DataError, match=f"Y.json: {message}"):
        targets_from_data(net, Y, len(Y), "Y.json")  # type: ignore[arg-type]


@pytest.mark.parametrize("read, data, found", [
    ("inputs", [[1, True]], "found true at index [0, 1]"),
    ("inputs", [["1", 2]], 'found the string "1" at index [0, 0]'),
    ("inputs", [[None, 2]], "found null (None) at index [0, 0]"),
    ("targets", [[False]], "found false at index [0, 0]"),
    ("labels", ["1"], 'found the string "1" at index [0]'),
    ("labels", [True], "found true at index [0]"),
    ("parameters", {**GOOD, "b2": [None]}, "found null (None) at index [0]"),
    ("parameters", {**GOOD, "b1": [0.0, False, 0.2]}, "found false at index [1]"),
])
def test_strings_booleans_and_null_are_not_numbers(read: str, data: object, found: str) -> None:
    sparse = Network([2, 3], activations=["softmax"], loss="sparse_cross_entropy")
    calls = {"inputs": lambda: inputs_from_data(NET, data, "D.json"),
             "targets": lambda: targets_from_data(NET, data, 1, "D.json"),
             "labels": lambda: targets_from_data(sparse, data, 1, "D.json"),
             "parameters": lambda: parameters_from_data(NET, data, "D.json")}
    with pytest.raises(DataError, match=r"D.json: .*must be numbers in nested lists of equal length; " +
                       re.escape(found)):
        calls[read]()


def test_a_key_given_twice_is_refused() -> None:
    with pytest.raises(DataError, match="p.json: the key 'b1' is given twice"):
        parse_json('{"W1": [[1.0]], "b1": [0.0], "b1": [1.0]}', "p.json")


# ----------------------------------------------------------------------------------------- the compiled gradient
ZERO = {name: np.zeros(shape) for name, shape in NET.parameter_shapes.items()}


@pytest.mark.parametrize(("params", "X", "Y", "message"), [
    (ZERO, [["a", 1.0]], [[0.5]], 'X, Y: inputs X must be numbers; found the string "a" at index [0, 0]'),
    (ZERO, np.array([["1", "2"]]), [[0.5]], 'X, Y: inputs X must be numbers; found the string "1" at index [0, 0]'),
    (ZERO, [[1.0, None]], [[0.5]], "X, Y: inputs X must be numbers; found null (None) at index [0, 1]"),
    (ZERO, [[1.0, 2.0]], [["x"]], 'X, Y: targets Y must be numbers; found the string "x" at index [0, 0]'),
    (ZERO, [[1.0, 2.0]], [[0.5 + 1j]], "X, Y: targets Y must be numbers; found a complex at index [0, 0]"),
    ({**ZERO, "W1": [["a", 1.0]] * 3}, [[1.0, 2.0]], [[0.5]],
     "params: parameter 'W1' must be numbers; found the string \"a\" at index [0, 0]"),
    ({**ZERO, "b2": [{"b": 1}]}, [[1.0, 2.0]], [[0.5]], "params: parameter 'b2' must be numbers; found an object"),
])
def test_a_compiled_gradient_refuses_what_is_not_a_number(params: dict, X: object, Y: object, message: str) -> None:
    grad = NET.compile()
    with pytest.raises(DataError) as info:
        grad(params, X, Y)
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_numbers_of_any_kind_and_booleans_pass_the_number_check() -> None:
    grad = NET.compile()
    X = [[np.float32(1.0), 2], [np.int64(3), 4.5]]
    result = grad(ZERO, X, np.array([[True], [False]]))
    assert all(np.all(np.isfinite(result[name])) for name in NET.parameter_shapes)
    check_batch_shapes(NET, [np.array([1.0, 2.0])], [[np.float64(0.5)]])


def test_target_values_and_parameter_data_refuse_strings() -> None:
    with pytest.raises(DataError, match=r"Y: targets must be numbers; found the string \"x\" at index \[0, 0\]"):
        check_target_values(NET, [["x"]], "Y")
    with pytest.raises(DataError, match=r"parameter 'W1' must be numbers; found the string \"a\""):
        parameters_to_data(NET, {**GOOD, "W1": [["a", 1.0]] * 3})
