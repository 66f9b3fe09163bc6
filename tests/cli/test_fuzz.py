"""Every entry point fed random input: a clear answer or a clear refusal, never a traceback, a hang or a stray file.

The property of the command line: exit 0 with its output, or exit 2 with one line on stderr; on exit 2 the folder
it ran in is byte for byte as it was, and no run leaves a temporary file behind. The property of the Python API:
a result, or a :class:`~symbackprop.errors.SymbackpropError`, never another exception. Networks are kept small
(layer sizes of one digit) so that every draw ends in seconds; the per-test time limit catches any that would not.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from symbackprop import Network, SymbackpropError
from symbackprop.cli import main

#: Examples per fuzz test; SYMBACKPROP_FUZZ_EXAMPLES=1000 for a long hunt (the time limit then needs raising too).
FUZZ = settings(max_examples=int(os.environ.get("SYMBACKPROP_FUZZ_EXAMPLES", "100")), deadline=60_000,
                suppress_health_check=[HealthCheck.too_slow])

ACTIVATION_NAMES = ["sigmoid", "tanh", "relu", "leaky_relu(0.2)", "linear", "softplus", "elu", "silu", "gelu",
                    "softmax"]
LOSS_NAMES = ["quadratic", "mse", "bce", "cross_entropy", "sparse_cross_entropy"]
BIAS_NAMES = ["vector", "neuron", "none", "shared"]
NOTATIONS = ["nielsen", "ng", "input-major", "goodfellow", "bishop", "bishop-single"]

#: Text a user might type: names from the vocabulary, near misses, and arbitrary characters.
text = st.text(min_size=0, max_size=12)
small_spec = st.lists(st.integers(1, 4), min_size=2, max_size=4).map(lambda sizes: "-".join(map(str, sizes)))
spec_text = st.one_of(small_spec, text, st.sampled_from(["2-2-1", "2--1", "0-1", "2-2-2 ", "-1", "1e3-2"]))


def vocabulary(names: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(names), text, st.sampled_from(names).map(lambda n: n[:-1] or "x"))


@contextlib.contextmanager
def in_fresh_folder() -> Iterator[Path]:
    """A new empty folder as the working directory, holding one earlier file that no failed run may touch."""
    before = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            Path(folder, "keep.txt").write_text("written before the run")
            yield Path(folder)
        finally:
            os.chdir(before)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(args)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return code, out.getvalue(), err.getvalue()


def assert_clean(args: list[str], folder: Path, before: dict[str, bytes | None]) -> tuple[int, str]:
    """Run the CLI and check the property; return the exit status and stdout."""
    code, out, err = run_cli(args)
    assert "Traceback" not in err and "Traceback" not in out, (args, err)
    assert code in (0, 2), (args, code, err)
    after = snapshot(folder)
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("symbackprop: error: "), (args, err)
        assert after == before, (args, err)
    else:
        assert err == "", (args, err)
        assert after.get("keep.txt") == before["keep.txt"] or "keep.txt" in " ".join(args), args
    leftovers = [name for name in after if Path(name).name.startswith(".") or name.endswith((".new", ".old", ".tmp"))]
    assert not leftovers, (args, leftovers)
    return code, out


def network_options(draw: st.DrawFn) -> list[str]:
    args: list[str] = []
    for option, names in (("--hidden", ACTIVATION_NAMES), ("--output", ACTIVATION_NAMES), ("--loss", LOSS_NAMES),
                          ("--bias", BIAS_NAMES)):
        if draw(st.booleans()):
            args += [option, draw(vocabulary(names))]
    if draw(st.integers(0, 4)) == 0:
        args += ["--activations", ",".join(draw(st.lists(vocabulary(ACTIVATION_NAMES), max_size=3)))]
    return args


@st.composite
def derive_args(draw: st.DrawFn) -> list[str]:
    args = ["derive", draw(spec_text), *network_options(draw)]
    if draw(st.booleans()):
        args += ["--notation", draw(vocabulary(NOTATIONS))]
    args += ["--format", draw(st.sampled_from(["md", "tex", "tex,md", "md,", "pdf,", "", "txt"]))]
    if draw(st.booleans()):
        args += ["--form", draw(st.sampled_from(["element", "vector,batch", "closed", "elem", ""]))]
    if draw(st.integers(0, 2)) == 0:
        args += ["--sections", draw(st.sampled_from(["all", "general,summary", "figure,init", "sgd", "intro", "",
                                                     "general,"]))]
    if draw(st.integers(0, 2)) == 0:
        args += ["--appendix", draw(st.sampled_from(["sigmoid,tanh", "none", "relu,", "generic", "softmax", "x"]))]
    for flag in ("--exercise", "--fragment", "--verify"):
        if draw(st.integers(0, 3)) == 0:
            args.append(flag)
    if draw(st.booleans()):
        args += ["--out", draw(st.one_of(st.just("out"), st.just("keep.txt"), st.just("out/sub/"), text))]
    if draw(st.integers(0, 2)) == 0:
        args += ["--label-prefix", draw(text)]
    if draw(st.integers(0, 2)) == 0:
        args += ["--symbol", draw(st.one_of(st.just("cost=J"), text.map(lambda t: f"cost={t}"), text))]
    return args


@FUZZ
@given(args=derive_args())
# a draw that once broke the property: a value with a line break, echoed in the message, made it three lines
@example(args=["derive", "", "--output", "/\n", "--activations", "", "--format", "md", "--sections", "all",
               "--exercise", "--fragment", "--verify", "--label-prefix", ""])
def test_derive_answers_or_refuses_in_one_line(args: list[str]) -> None:
    with in_fresh_folder() as folder:
        code, out = assert_clean(args, folder, snapshot(folder))
        if code == 0:
            lines = out.splitlines()
            if "--verify" in args:  # first, the verification's one line
                assert re.fullmatch(r"\d+ steps verified \(.*\)", lines.pop(0))
            written = [line for line in lines if not line.startswith("removed ")]
            assert written and all(Path(line).is_file() and Path(line).stat().st_size > 0 for line in written)


@st.composite
def numeric_command_args(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(["compile", "check", "example"]))
    args = [command, draw(spec_text), *network_options(draw)]
    if command in ("compile", "check"):
        for option, names in (("--backend", ["numpy", "torch", "jax"]), ("--form", ["vectorized", "scalar"]),
                              ("--dtype", ["float64", "float32"])):
            if draw(st.booleans()):
                args += [option, draw(vocabulary(names))]
    if command == "check":
        args += ["--reference", draw(st.sampled_from(["reference", "reference,finite_differences", "torch", "x"]))]
        if draw(st.booleans()):
            args += ["--examples", draw(st.sampled_from(["1", "0", "-3", "abc", "7"]))]
    if command == "example":
        for option, values in (("--format", ["json", "md", "tex", "pdf"]), ("--notation", NOTATIONS),
                               ("--lr", ["0.5", "0", "-1", "nan", "1e400", "abc"])):
            if draw(st.booleans()):
                args += [option, draw(vocabulary(values))]
    if command != "check" and draw(st.booleans()):
        args += ["--out", draw(st.one_of(st.just("-"), st.just("g.py"), st.just("keep.txt"), st.just("d/"), text))]
    if draw(st.booleans()):
        args += ["--seed", draw(st.sampled_from(["0", "3", "-1", "x"]))]
    return args


@FUZZ
@given(args=numeric_command_args())
def test_compile_check_and_example_answer_or_refuse_in_one_line(args: list[str]) -> None:
    with in_fresh_folder() as folder:
        assert_clean(args, folder, snapshot(folder))


toml_scalar = st.one_of(st.integers(-3, 5), st.booleans(), text, st.floats(allow_nan=True),
                        st.sampled_from(ACTIVATION_NAMES + LOSS_NAMES + BIAS_NAMES + NOTATIONS + ["2-2-1"]))
toml_value = st.recursive(toml_scalar, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
toml_keys = st.sampled_from(["layers", "hidden", "output", "activations", "loss", "bias", "notation", "form",
                             "format", "fragment", "heading", "label_prefix", "label-prefix", "exercise", "seed",
                             "out", "extra", "sections", "appendix"])


def toml_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else ("inf" if value == float("inf") else
                                             "-inf" if value == float("-inf") else repr(value))
    if isinstance(value, list):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    return json.dumps(value)


@st.composite
def toml_documents(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 5)) == 0:
        return draw(st.text(max_size=60))  # arbitrary text, mostly not TOML
    top = draw(st.dictionaries(toml_keys, toml_value, max_size=5))
    if draw(st.booleans()):
        top["layers"] = draw(st.lists(st.integers(1, 3), min_size=2, max_size=3))
    lines = [f'"{key}" = {toml_literal(value)}' for key, value in top.items()]
    if draw(st.booleans()):
        table = draw(st.dictionaries(toml_keys, toml_value, max_size=4))
        table.setdefault("format", "md")
        lines += ["[derive]", *(f'"{key}" = {toml_literal(value)}' for key, value in table.items())]
    return "\n".join(lines) + "\n"


@FUZZ
@given(document=toml_documents(), command=st.sampled_from(["derive", "compile", "example"]))
def test_toml_specs_answer_or_refuse_in_one_line(document: str, command: str) -> None:
    with in_fresh_folder() as folder:
        Path("net.toml").write_text(document, encoding="utf-8")
        extra = {"derive": ["--format", "md"], "compile": ["--out", "g.py"], "example": []}[command]
        assert_clean([command, "net.toml", *extra], folder, snapshot(folder))


json_value = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(-10, 10), text),
                          lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                              st.sampled_from(["W1", "b1", "W2", "b2", "x"]), inner, max_size=4),
                          max_leaves=12)


@FUZZ
@given(params=st.one_of(st.none(), json_value), inputs=json_value, targets=json_value,
       spec=st.sampled_from(["2-2-1", "2-3-2", "1-1"]), loss=st.sampled_from(LOSS_NAMES))
def test_json_files_of_the_worked_example_answer_or_refuse_in_one_line(params: Any, inputs: Any, targets: Any,
                                                                       spec: str, loss: str) -> None:
    with in_fresh_folder() as folder:
        args = ["example", spec, "--loss", loss, "--input", "x.json", "--target", "y.json"]
        Path("x.json").write_text(json.dumps(inputs))
        Path("y.json").write_text(json.dumps(targets))
        if params is not None:
            Path("p.json").write_text(json.dumps(params))
            args += ["--params", "p.json"]
        assert_clean(args, folder, snapshot(folder))


# ------------------------------------------------------------------------------------------------ the Python API
api_value = st.one_of(st.none(), st.booleans(), st.integers(-2, 4), st.floats(allow_nan=True), text,
                      st.lists(st.integers(-1, 4), max_size=4), st.lists(text, max_size=3))


@FUZZ
@given(layers=st.one_of(api_value, st.lists(st.integers(1, 3), min_size=2, max_size=3)),
       hidden=st.one_of(st.none(), vocabulary(ACTIVATION_NAMES), api_value),
       output=st.one_of(st.none(), vocabulary(ACTIVATION_NAMES)),
       activations=st.one_of(st.none(), st.lists(vocabulary(ACTIVATION_NAMES), max_size=3), api_value),
       loss=st.one_of(st.none(), vocabulary(LOSS_NAMES), api_value),
       bias=st.one_of(st.none(), vocabulary(BIAS_NAMES), api_value))
def test_the_network_api_builds_or_raises_a_symbackprop_error(layers: Any, hidden: Any, output: Any,
                                                               activations: Any, loss: Any, bias: Any) -> None:
    given_options = {k: v for k, v in (("hidden", hidden), ("output", output), ("activations", activations),
                                       ("loss", loss), ("bias", bias)) if v is not None}
    try:
        net = Network(layers, **given_options)
    except SymbackpropError as exc:
        assert "\n" not in str(exc)
        return
    derivation = net.derive(forms=("element",))
    assert set(derivation.gradients) == set(net.parameters)


array_like = st.one_of(
    st.none(), text, st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.lists(st.one_of(st.floats(-3, 3), st.integers(0, 2), text, st.none()), max_size=3), max_size=3),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=4),
)


@FUZZ
@given(X=array_like, Y=array_like, swap=st.sampled_from(["W1", "b1", "W2", None]), value=array_like,
       backend=st.sampled_from(["numpy", "torch", "jax"]), form=st.sampled_from(["vectorized", "scalar"]))
def test_a_compiled_gradient_answers_or_raises_a_data_error(X: Any, Y: Any, swap: str | None, value: Any,
                                                             backend: str, form: str) -> None:
    if importlib.util.find_spec(backend) is None:
        backend = "numpy"
    net = Network([2, 2, 2], hidden="tanh", output="softmax", loss="cross_entropy")
    grad = _compiled(backend, form)
    params: dict[str, Any] = {k: v.copy() for k, v in _params().items()}
    if swap is not None:
        params[swap] = value
    try:
        result = grad(params, X, Y)
    except SymbackpropError as exc:
        assert "\n" not in str(exc)
        return
    assert set(result) == {"loss", *net.parameters}


_CACHE: dict[Any, Any] = {}


def _compiled(backend: str, form: str) -> Any:
    key = (backend, form)
    if key not in _CACHE:
        _CACHE[key] = Network([2, 2, 2], hidden="tanh", output="softmax", loss="cross_entropy").compile(
            backend=backend, form=form)
    return _CACHE[key]


def _params() -> dict[str, np.ndarray]:
    from symbackprop.model.params import random_parameters

    if "params" not in _CACHE:
        _CACHE["params"] = random_parameters(Network([2, 2, 2], hidden="tanh", output="softmax",
                                                     loss="cross_entropy"), 0)
    return _CACHE["params"]
