"""Numbers for a network: parameters, inputs and targets, parsed from JSON data and validated.

Conventions (those of :mod:`symbackprop.model.architecture` and of PyTorch/JAX users):

* ``W{l}`` is (n_l, n_{l-1}) (with the bias weights as column 0 for the ``neuron`` convention);
  ``b{l}`` is (n_l, 1) and may be given flat, (n_l,); a ``shared`` bias is one number.
* ``X`` is (m, n_0), one example per row; a single example may be given as a flat list.
* ``Y`` is (m, n_L), or for ``sparse_cross_entropy`` (m,) integer labels counted from 0, as PyTorch does.
* Targets of a loss whose targets are a distribution (``cross_entropy``) sum to one per example.

Nothing here touches files: the CLI reads a file and hands its text and name (``source``) in, and every
error names that source, the key and the expected and given shapes.
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import DataError, SizeLimitError
from .architecture import Architecture
from .number_checks import check_numbers, require_numbers
from .symbols import kind_of

#: Row sums of distribution targets may differ from 1 by this much (float32 soft labels).
SUM_TOLERANCE = 1e-5
#: Losses whose targets are probabilities, each in [0, 1].
UNIT_TARGET_LOSSES = ("bce", "cross_entropy")
#: Random parameters are drawn for networks up to this many parameters (400 MB in float64).
RANDOM_MAX_PARAMETERS = 50_000_000


def parse_json(text: str | bytes, source: str) -> Any:
    """Parse JSON text, or the bytes of a file, which must be UTF-8.

    Raises:
        DataError: bytes that are not UTF-8, malformed JSON (with the line and column), a key given twice, an
            integer too long to convert or nesting too deep.
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataError(f"{source}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
                            "JSON files must be UTF-8") from None
    try:
        return json.loads(text, object_pairs_hook=lambda pairs: _object(pairs, source))
    except DataError:  # a repeated key (DataError is a ValueError too)
        raise
    except json.JSONDecodeError as exc:
        raise DataError(f"{source}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:  # an integer of over 4300 digits; nesting deeper than Python's stack
        reason = "nesting too deep" if isinstance(exc, RecursionError) else "a number too long"
        raise DataError(f"{source}: {reason}; expected numbers in nested lists") from None


def _object(pairs: list[tuple[str, Any]], source: str) -> dict[str, Any]:
    """A JSON object whose keys are all different (json's default keeps the last of a repeated key silently).

    Raises:
        DataError: a key given twice.
    """
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DataError(f"{source}: the key {key!r} is given twice")
        result[key] = value
    return result


# ----------------------------------------------------------------------------------------------- shapes
def parameter_shape(net: Architecture, name: str) -> tuple[int, int]:
    """The canonical shape of parameter ``name`` (that of ``net.parameters[name]``)."""
    return net.parameter_shapes[name]


def accepted_shapes(net: Architecture, name: str) -> tuple[tuple[int, ...], ...]:
    """Every shape accepted for ``name``: biases also flat, a shared bias also as a scalar."""
    rows, cols = parameter_shape(net, name)
    if kind_of(name) != "b":
        return ((rows, cols),)
    if net.bias == "shared":
        return ((1, 1), (1,), ())
    return ((rows, 1), (rows,))


def _shape_text(shape: tuple[int, ...]) -> str:
    if shape == (-1,):
        return "none (nested lists of different lengths)"
    return "a number" if shape == () else str(tuple(shape))


def _expected_text(net: Architecture, name: str) -> str:
    return " or ".join(_shape_text(s) for s in accepted_shapes(net, name))


def check_parameter_shapes(net: Architecture, params: Mapping[str, Any], source: str = "params") -> None:
    """Check keys, shapes and values of parameter arrays of any array library (anything with ``.shape``, or lists).

    Raises:
        DataError: a missing or extra key, a shape not accepted (naming the key and both shapes), or an entry that
            is not a number.
    """
    if not isinstance(params, Mapping):
        raise DataError(f"{source}: expected a mapping of parameter names to arrays, got {type(params).__name__}")
    expected = list(net.parameter_shapes)
    missing = [k for k in expected if k not in params]
    extra = sorted(str(k) for k in params if k not in net.parameter_shapes)
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected {', '.join(extra)}")
        raise DataError(f"{source}: {'; '.join(parts)} (a {net.spec} net with bias {net.bias!r} has "
                        f"{', '.join(expected)})")
    for name in expected:
        check_numbers(params[name], f"{source}: parameter {name!r}")  # first: a string has a shape too
        shape = _shape_of(params[name])
        if shape not in accepted_shapes(net, name):
            raise DataError(f"{source}: parameter {name!r} has shape {_shape_text(shape)}, expected "
                            f"{_expected_text(net, name)}")


def _shape_of(value: Any) -> tuple[int, ...]:
    shape = getattr(value, "shape", None)
    if shape is not None:
        return tuple(int(n) for n in shape)
    try:
        return tuple(np.shape(value))
    except ValueError:
        return (-1,)  # ragged nested lists: never an accepted shape


def check_batch_shapes(net: Architecture, X: Any, Y: Any, source: str = "batch") -> int:
    """Check that X is (m, n_0) and Y (m, n_L), or (m,) labels for sparse_cross_entropy, both numbers; return m.

    Raises:
        DataError: a wrong shape, different numbers of examples, or an entry that is not a number.
    """
    check_numbers(X, f"{source}: inputs X")  # first: a string has a shape too
    check_numbers(Y, f"{source}: " + ("labels Y" if net.loss.sparse else "targets Y"))
    n_in, n_out = net.layers[0], net.layers[-1]
    x_shape, y_shape = _shape_of(X), _shape_of(Y)
    if len(x_shape) != 2 or x_shape[1] != n_in:
        raise DataError(f"{source}: inputs X have shape {_shape_text(x_shape)}, expected (m, {n_in}), "
                        "one example per row")
    want = "(m,) integer labels" if net.loss.sparse else f"(m, {n_out})"
    if (net.loss.sparse and len(y_shape) != 1) or (not net.loss.sparse and (len(y_shape) != 2 or
                                                                               y_shape[1] != n_out)):
        raise DataError(f"{source}: targets Y have shape {_shape_text(y_shape)}, expected {want}")
    if x_shape[0] != y_shape[0]:
        raise DataError(f"{source}: X has {x_shape[0]} examples but Y has {y_shape[0]}; they must match")
    return x_shape[0]


def check_target_values(net: Architecture, Y: Any, source: str = "targets") -> None:
    """Labels in range and integral for sparse_cross_entropy; targets in [0, 1] for bce and cross_entropy; rows
    summing to one for distribution targets. Vectorised: called on every compiled gradient call.

    Raises:
        DataError: the first offending example, by index.
    """
    values = np.asarray(Y)
    if values.dtype.kind not in "biuf":
        check_numbers(Y, f"{source}: targets")
        try:  # integers beyond int64 (a label of 10 ** 30) make an array of objects
            values = values.astype(np.float64)
        except OverflowError:
            raise DataError(f"{source}: a target or label too large for a float (above about 1.8e308)") from None
    n_out = net.layers[-1]
    if net.loss.name in UNIT_TARGET_LOSSES and values.size and not (values.min() >= 0 and values.max() <= 1):
        bad = np.argwhere(~((values >= 0) & (values <= 1)))[0]
        raise DataError(f"{source}: target {float(values[tuple(bad)]):g} of example {int(bad[0])} is outside [0, 1]; "
                        f"{net.loss.name} needs targets from 0 to 1 (probabilities)")
    if net.loss.sparse:
        if values.size and (np.any(values != np.round(values)) or values.min() < 0 or values.max() >= n_out):
            bad = int(np.flatnonzero((values != np.round(values)) | (values < 0) | (values >= n_out))[0])
            what = "out of range" if values[bad] == np.round(values[bad]) else "not a whole number"
            raise DataError(f"{source}: label {float(values[bad]):g} of example {bad} is {what}; labels are "
                            f"integers 0 to {n_out - 1} (one per output neuron, counted from 0)")
    elif net.loss.targets_sum_to_one and values.size:
        sums = values @ np.ones(values.shape[1], values.dtype)  # faster than sum(axis=1) over narrow rows
        if not np.abs(sums - 1).max() <= SUM_TOLERANCE:  # nan fails too
            off = np.flatnonzero(~(np.abs(sums - 1) <= SUM_TOLERANCE))
            raise DataError(f"{source}: targets of example {int(off[0])} sum to {float(sums[off[0]]):.6g}; "
                            f"{net.loss.name} needs targets that sum to 1 (one-hot or probabilities)")


# ----------------------------------------------------------------------------------------------- JSON data
def _as_float_array(value: Any, what: str) -> np.ndarray:
    must = f"{what} must be numbers in nested lists of equal length"
    require_numbers(value, must)
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(must) from None
    except OverflowError:  # an integer past the largest float, as JSON may hold one
        raise DataError(f"{what} holds a number too large for a float (at most about 1.8e308)") from None
    if array.size and not np.all(np.isfinite(array)):
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise DataError(f"{what} holds a non-finite number {array[index]} at index {list(index)}")
    return array


def parameters_from_data(net: Architecture, data: Any, source: str = "parameters") -> dict[str, np.ndarray]:
    """Parameters from parsed JSON, in the canonical shapes of ``net.parameters``.

    Args:
        net: the architecture.
        data: ``{"W1": [[...], ...], "b1": [...], ...}``; a number for a shared bias; no b for bias none.
        source: the file name, for messages.

    Raises:
        DataError: missing or extra keys, wrong shapes, non-numbers or non-finite numbers.
    """
    if not isinstance(data, Mapping):
        raise DataError(f"{source}: expected a JSON object {{\"W1\": ..., ...}}, got {type(data).__name__}")
    arrays = {str(k): _as_float_array(v, f"{source}: parameter {k!r}") for k, v in data.items()}
    check_parameter_shapes(net, arrays, source)
    return {name: arrays[name].reshape(parameter_shape(net, name)) for name in net.parameter_shapes}


def inputs_from_data(net: Architecture, data: Any, source: str = "inputs") -> np.ndarray:
    """X (m, n_0) from a list of examples, or from one example given as a flat list.

    Raises:
        DataError: non-numbers, non-finite numbers or a wrong width.
    """
    array = _as_float_array(data, f"{source}: inputs")
    return _rows(array, net.layers[0], f"{source}: inputs", "n_0")


def _rows(array: np.ndarray, width: int, what: str, name: str) -> np.ndarray:
    if array.size == 0:  # ([], [[]]): no example at all, whatever its shape reads
        raise DataError(f"{what} hold no example; give at least one row of {width} number{'s' if width > 1 else ''}")
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim == 1:
        # One example [x_1, ..., x_n]; with one input neuron a flat list is a column of examples.
        array = array.reshape(-1, 1) if width == 1 else array.reshape(1, -1)
    if array.ndim != 2 or array.shape[1] != width:
        raise DataError(f"{what} have shape {_shape_text(array.shape)}, expected (m, {width}) with {name} = {width},"
                        " one example per row")
    return array


def targets_from_data(net: Architecture, data: Any, examples: int, source: str = "targets") -> np.ndarray:
    """Y from parsed JSON: (m, n_L) rows, or (m,) integer labels (from 0) for sparse_cross_entropy.

    Args:
        examples: m, the number of input examples, which Y must match.

    Raises:
        DataError: non-numbers, a wrong shape, a count different from ``examples``, labels out of range,
            distribution targets that do not sum to one.
    """
    array = _as_float_array(data, f"{source}: targets")
    if net.loss.sparse:
        labels = array.reshape(-1) if array.ndim <= 1 else array
        if labels.ndim != 1:
            raise DataError(f"{source}: sparse_cross_entropy targets are integer labels, a list like [0, 2, 1]; got "
                            f"shape {_shape_text(array.shape)}")
        check_target_values(net, labels, source)
        result = labels.astype(np.int64)
    else:
        result = _rows(array, net.layers[-1], f"{source}: targets", "n_L")
        check_target_values(net, result, source)
    if result.shape[0] != examples:
        raise DataError(f"{source}: {result.shape[0]} target example(s) but {examples} input example(s); "
                        "X and Y must have the same number of examples")
    return result


def parameters_to_data(net: Architecture, params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters as JSON-ready lists, in the file format: b flat, a shared bias a number."""
    data: dict[str, Any] = {}
    for name in net.parameter_shapes:
        check_numbers(params[name], f"parameter {name!r}")
        array = np.asarray(params[name], dtype=np.float64)
        if kind_of(name) == "b":
            data[name] = float(array.reshape(-1)[0]) if net.bias == "shared" else array.reshape(-1).tolist()
        else:
            data[name] = array.reshape(parameter_shape(net, name)).tolist()
    return data


# ----------------------------------------------------------------------------------------------- random data
def check_seed(seed: Any) -> None:
    """Raise unless ``seed`` is what NumPy's generator takes, a non-negative integer.

    Raises:
        DataError: naming the seed given.
    """
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise DataError(f"seed must be a non-negative integer, got {seed!r}")


def generator(seed: Any) -> np.random.Generator:
    """NumPy's random generator for a user's seed.

    Raises:
        DataError: a seed that is not a non-negative integer.
    """
    check_seed(seed)
    return np.random.default_rng(int(seed))


def check_random_size(net: Architecture) -> None:
    """Refuse to draw random parameters for a network above :data:`RANDOM_MAX_PARAMETERS` parameters.

    Raises:
        SizeLimitError: naming the count and the limit.
    """
    if net.parameter_count > RANDOM_MAX_PARAMETERS:
        raise SizeLimitError(f"{net.spec} has {net.parameter_count:,} parameters; random parameters are drawn for "
                             f"at most {RANDOM_MAX_PARAMETERS:,}")


def random_parameters(net: Architecture, seed: int = 0) -> dict[str, np.ndarray]:
    """Parameters drawn from N(0, 1/fan_in) (LeCun normal), biases N(0, 0.1^2); canonical shapes.

    Raises:
        DataError: a negative seed. SizeLimitError: more than :data:`RANDOM_MAX_PARAMETERS` parameters.
    """
    rng = generator(seed)
    check_random_size(net)
    params: dict[str, np.ndarray] = {}
    for name in net.parameter_shapes:
        rows, cols = parameter_shape(net, name)
        if kind_of(name) == "W":
            fan_in = net.layers[int(name[1:]) - 1]
            params[name] = rng.normal(0.0, 1.0 / np.sqrt(fan_in), size=(rows, cols))
        else:
            params[name] = rng.normal(0.0, 0.1, size=(rows, cols))
    return params


def random_batch(net: Architecture, examples: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A batch (X, Y) valid for the loss: labels, one-hot-free distributions, or targets in (0, 1).

    Raises:
        DataError: a negative seed.
    """
    rng = generator(seed)
    n_out = net.layers[-1]
    X = rng.normal(0.0, 1.0, size=(examples, net.layers[0]))
    if net.loss.sparse:
        return X, rng.integers(0, n_out, size=examples)
    if net.loss.targets_sum_to_one:
        weights = rng.uniform(0.1, 1.0, size=(examples, n_out))
        return X, weights / weights.sum(axis=1, keepdims=True)
    return X, rng.uniform(0.05, 0.95, size=(examples, n_out))


#: Significant figures of a drawn worked example's parameters, inputs and targets (0.9221): short exact decimals.
EXAMPLE_FIGURES = 4


def example_draw(net: Architecture, seed: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Parameters and one example (X, Y) for a worked example, as an exercise states them: each number to
    :data:`EXAMPLE_FIGURES` significant figures, exactly as printed; a classification loss's targets as classes
    (bce: 0 or 1 each; cross-entropy: one-hot; sparse: a label), any other loss's as values in (0, 1).

    Raises:
        DataError: a negative seed. SizeLimitError: as :func:`random_parameters`.
    """
    params = {name: short_decimals(values) for name, values in random_parameters(net, seed).items()}
    X, Y = random_batch(net, 1, seed + 1)
    if net.loss.classes and not net.loss.sparse:
        Y = np.eye(Y.shape[1])[np.argmax(Y, axis=1)] if net.loss.targets_sum_to_one else np.round(Y)
    return params, short_decimals(X), Y if net.loss.sparse else short_decimals(Y)


def short_decimals(values: np.ndarray, figures: int = EXAMPLE_FIGURES) -> np.ndarray:
    """Each value rounded to ``figures`` significant figures (the float nearest that decimal)."""
    return np.vectorize(lambda v: float(f"{v:.{figures}g}"), otypes=[np.float64])(np.asarray(values))

