"""The command line: a thin edge over the library.

Each command parses its options, calls the library, and prints or writes.
Errors a user can cause arrive as :class:`~symbackprop.errors.SymbackpropError`
and leave as one line on stderr with exit status 2; nothing else is caught.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from . import outputs
from .errors import SymbackpropError
from .numeric import MAX_EXAMPLES

app = typer.Typer(
    name="symbackprop",
    help="Backpropagation derived symbolically: every delta and gradient, from the chain rule, in closed form.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])

ACTIVATIONS_HELP = "One activation per non-input layer, comma-separated: tanh,tanh,softmax."

# The network options shared by derive, compile, check and example. --output is the output layer's activation,
# not a file: --out names where files go, and a path given to --output is refused with that hint.
HiddenOption = Annotated[str | None, typer.Option(help="Activation of the hidden layers (default sigmoid).")]
OutputOption = Annotated[str | None, typer.Option(
    help="Activation of the output layer (default sigmoid); not a file or folder: that is --out.")]
LossOption = Annotated[str | None, typer.Option(help="Loss per example (default quadratic).")]
BiasOption = Annotated[str | None, typer.Option(help="Bias convention: vector, neuron, none or shared.")]
ActivationsOption = Annotated[str | None, typer.Option(help=ACTIVATIONS_HELP)]
# ...and the backend options shared by compile and check.
BackendOption = Annotated[str, typer.Option(help="numpy, jax or torch.")]
DtypeOption = Annotated[str, typer.Option(help="float64 or float32.")]


def user_errors(func: F) -> F:
    """Turn a SymbackpropError into one line on stderr and exit status 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SymbackpropError as exc:
            typer.echo(f"symbackprop: error: {exc}", err=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def _print_version(value: bool) -> None:
    if value:
        from .resources import version

        typer.echo(f"symbackprop {version()}")
        raise typer.Exit(0)


@app.callback()
def _group(
    show_version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                      help="Print the version and exit."),
) -> None:
    """Backpropagation derived symbolically: every delta and gradient, from the chain rule, in closed form."""


@app.command("list")
@user_errors
def list_rules() -> None:
    """Print every activation, loss and bias convention with its formula and derivative."""
    from .documents.catalogue import catalogue_text

    typer.echo(catalogue_text())


DERIVE_EXAMPLES = """Examples, one per seed notation:

\b
  symbackprop derive 2-2-2 --bias neuron --notation ng
  symbackprop derive 3-4-2 --hidden tanh --loss bce --notation input-major --exercise
  symbackprop derive 3-3-3-2 --hidden relu --output softmax --loss sparse_cross_entropy --notation goodfellow
  symbackprop derive 3-3-1 --bias none --loss bce --notation bishop
  symbackprop derive 2-3-2 --notation nielsen --form element,vector --format tex,md

SPEC may be a TOML file: the network's keys, and these options in a table named derive (see the README)."""


@app.command("derive", epilog=DERIVE_EXAMPLES)
@user_errors
def derive_command(
    spec: str = typer.Argument(..., help='Layer sizes such as "2-3-1", or a TOML file.'),
    hidden: HiddenOption = None,
    output: OutputOption = None,
    loss: LossOption = None,
    bias: BiasOption = None,
    activations: ActivationsOption = None,
    notation: str | None = typer.Option(None, help="ng, input-major, goodfellow, bishop or nielsen."),
    form: str | None = typer.Option(None, help="Forms to show: element,vector,batch,closed."),
    format: str | None = typer.Option(None, "--format", help="Files to write: tex,pdf,md."),
    out: str | None = typer.Option(None, help="Output folder (default output/<network name>)."),
    fragment: bool | None = typer.Option(None, "--fragment/--standalone", help="LaTeX appendix fragment."),
    heading: str | None = typer.Option(None, help="Top heading of a fragment: chapter, section, subsection."),
    label_prefix: str | None = typer.Option(None, help="Prefix of every LaTeX label (default bp:)."),
    exercise: bool | None = typer.Option(None, "--exercise/--no-exercise", help="Also write exercises."),
    seed: int | None = typer.Option(None, min=0, help="Varies the numbers of the exercises' numeric part."),
    symbol: list[str] | None = typer.Option(None, help="Override a letter: --symbol cost=J (repeatable)."),
) -> None:
    """Derive backpropagation for a network and write it as LaTeX, PDF and Markdown in a course's notation."""
    from .documents.options import DocumentOptions

    network, table = _network_and_table(spec, hidden, output, loss, bias, activations)
    settings = DocumentOptions.settings(table, source=f"{spec} [derive]")
    if "out" in table and not isinstance(table["out"], str):
        raise SymbackpropError(f"{spec} [derive]: out must be a folder name, got {table['out']!r}")
    out = out if out is not None else table.get("out")
    given = {"notation": notation, "forms": form, "formats": format, "fragment": fragment, "heading": heading,
             "label_prefix": label_prefix, "exercise": exercise, "seed": seed}
    settings.update({k: v for k, v in given.items() if v is not None})
    if symbol:
        from .notation.overrides import parse_overrides

        settings["symbols"] = dict(settings.get("symbols", {})) | parse_overrides(symbol)
    options = DocumentOptions(**settings)
    folder = outputs.output_folder(out) if out is not None else Path("output") / network.name
    written, removed = outputs.write_documents(network, options, folder)
    for path in written:
        typer.echo(str(path))
    for path in removed:
        typer.echo(f"removed {path} (an earlier run's; this run built no PDF of that document)")


SPEC_HELP = 'Layer sizes such as "2-3-1", or a TOML file.'


def _names_a_file(spec: str) -> bool:
    """A SPEC argument names a TOML file unless it is written as layer sizes: "2-3-1" is a spec even where a file
    of that name exists."""
    looks_like_sizes = bool(spec.strip()) and set(spec) <= set("0123456789- ")
    return not looks_like_sizes and (spec.endswith(".toml") or os.path.lexists(spec))


def _network_options(hidden: str | None, output: str | None, loss: str | None, bias: str | None,
                     activations: str | None) -> dict[str, Any]:
    """The network options given on the command line, as keyword arguments of :class:`Network`."""
    if output is not None and _looks_like_a_path(output):
        raise SymbackpropError(f"--output {output}: --output is the output layer's activation (such as sigmoid or "
                               f"softmax), not a file or folder; did you mean --out {output}?")
    if activations is not None and (hidden is not None or output is not None):
        raise SymbackpropError("give either --activations (one per layer) or --hidden/--output, not both")
    options: dict[str, Any] = {k: v for k, v in (("hidden", hidden), ("output", output), ("loss", loss),
                                                 ("bias", bias)) if v is not None}
    if activations is not None:
        options["activations"] = [name.strip() for name in activations.split(",")]
    return options


def _looks_like_a_path(text: str) -> bool:
    """True for what reads as a file or folder rather than an activation name: a path separator, a file suffix,
    or a name that exists here. ``leaky_relu(0.2)`` is an activation."""
    if "/" in text or os.sep in text or text.startswith("."):
        return True
    if re.search(r"\.(tex|pdf|md|py|json|toml|txt)$", text, re.IGNORECASE):
        return True
    return "(" not in text and os.path.lexists(text)


def _network_and_table(spec: str, hidden: str | None, output: str | None, loss: str | None, bias: str | None,
                       activations: str | None) -> tuple[Any, dict[str, Any]]:
    """The network of a SPEC argument (sizes or a TOML file) with the network options given, and the file's
    ``[derive]`` table (empty for sizes)."""
    from .api import Network
    from .files import read_toml

    options = _network_options(hidden, output, loss, bias, activations)
    if not _names_a_file(spec):
        return Network.from_spec(spec, **options), {}
    data = read_toml(spec)
    network = {k: v for k, v in data.items() if k != "derive"}
    return Network.from_mapping(network | options, source=spec), data.get("derive", {})


def _network(spec: str, hidden: str | None, output: str | None, loss: str | None, bias: str | None,
             activations: str | None) -> Any:
    """The network of a SPEC argument (sizes or a TOML file) and the network options given."""
    return _network_and_table(spec, hidden, output, loss, bias, activations)[0]


#: The largest JSON file ``example`` reads: the parameters of the largest network it takes, written out, are far
#: smaller.
JSON_MAX_BYTES = 64 << 20


def _read_json(path: Path, what: str) -> Any:
    from .errors import DataError
    from .files import read_regular_file
    from .model.params import parse_json

    text = read_regular_file(path, "JSON", JSON_MAX_BYTES, f"a {what} file of a worked example is far smaller",
                             DataError, role=what)
    return parse_json(text, str(path))


@app.command("compile")
@user_errors
def compile_command(
    spec: str = typer.Argument(..., help=SPEC_HELP),
    hidden: HiddenOption = None,
    output: OutputOption = None,
    loss: LossOption = None,
    bias: BiasOption = None,
    activations: ActivationsOption = None,
    backend: BackendOption = "numpy",
    form: str = typer.Option("vectorized", help="vectorized (any width) or scalar (one function per element)."),
    dtype: DtypeOption = "float64",
    out: str | None = typer.Option(None, help="Module to write (default output/<network name>/grads.py); - prints."),
) -> None:
    """Write a standalone Python module with grad(params, X, Y); it imports the backend (and numba where
    installed), never SymPy."""
    from .codegen.compile import generate_source

    network = _network(spec, hidden, output, loss, bias, activations)
    path = outputs.output_file(out) if out is not None else Path("output") / network.name / "grads.py"
    source = generate_source(network, backend=backend, form=form, dtype=dtype)
    if path is None:
        typer.echo(source, nl=False)
        return
    outputs.check_writable(path.parent)
    typer.echo(str(outputs.write_file(path, source)))


@app.command("check")
@user_errors
def check_command(
    spec: str = typer.Argument(..., help=SPEC_HELP),
    hidden: HiddenOption = None,
    output: OutputOption = None,
    loss: LossOption = None,
    bias: BiasOption = None,
    activations: ActivationsOption = None,
    backend: BackendOption = "numpy",
    form: str = typer.Option("vectorized", help="vectorized or scalar."),
    dtype: DtypeOption = "float64",
    reference: str | None = typer.Option(None, help="reference,finite_differences,torch,jax (default: installed)."),
    seed: int = typer.Option(0, min=0, help="Seed of the random parameters and batch."),
    examples: int = typer.Option(4, min=1, max=MAX_EXAMPLES, help="Examples in the random batch."),
) -> None:
    """Compare the compiled gradient with independent references; exit status 1 beyond tolerance."""
    from .numeric.check import check_grads

    network = _network(spec, hidden, output, loss, bias, activations)
    references = None
    if reference is not None:
        from .choices import split_list
        from .numeric.references import REFERENCES

        references = list(split_list(reference, "reference", REFERENCES))
    report = check_grads(network, backend=backend, form=form, dtype=dtype, references=references, seed=seed,
                         examples=examples)
    typer.echo(report.table())
    if not report.ok:
        raise typer.Exit(1)


EXAMPLE_FORMATS = ("json", "tex", "md")


@app.command("example")
@user_errors
def example_command(
    spec: str = typer.Argument(..., help=SPEC_HELP),
    hidden: HiddenOption = None,
    output: OutputOption = None,
    loss: LossOption = None,
    bias: BiasOption = None,
    activations: ActivationsOption = None,
    params: Path | None = typer.Option(None, help='JSON {"W1": [[...]], "b1": [...], ...} (default: random).'),
    input: Path | None = typer.Option(None, "--input", help="JSON list of examples, or one example."),
    target: Path | None = typer.Option(None, help="JSON targets, one row per example, or integer labels from 0."),
    lr: float = typer.Option(0.5, help="Learning rate of the gradient-descent step."),
    format: str = typer.Option("json", "--format", help="json, tex or md."),
    notation: str = typer.Option("nielsen", help="Notation of tex and md: ng, input-major, goodfellow, bishop, "
                                                  "nielsen."),
    seed: int = typer.Option(0, min=0, help="Seed of the random parameters (and of X, Y when not given)."),
    out: str | None = typer.Option(None, help="File to write (default, or -: print)."),
) -> None:
    """A worked numeric example: forward values, loss, deltas, gradients and one gradient-descent step."""
    import json

    from .documents.example import check_example_size, example_json, render_example, worked_example
    from .errors import UnknownNameError
    from .model.params import inputs_from_data, parameters_from_data, random_batch, random_parameters, targets_from_data
    from .notation.presets import get_notation

    if format not in EXAMPLE_FORMATS:
        raise UnknownNameError("format", format, EXAMPLE_FORMATS)
    get_notation(notation)  # every option is checked, also those json output does not use
    network = _network(spec, hidden, output, loss, bias, activations)
    check_example_size(network)
    path = outputs.output_file(out) if out is not None else None
    if (input is None) != (target is None):
        raise SymbackpropError("give both --input and --target, or neither (then one random example from --seed)")
    values = (parameters_from_data(network, _read_json(params, "parameter"), str(params)) if params
              else random_parameters(network, seed))
    if input is not None and target is not None:
        X = inputs_from_data(network, _read_json(input, "input"), str(input))
        Y = targets_from_data(network, _read_json(target, "target"), X.shape[0], str(target))
    else:
        X, Y = random_batch(network, 1, seed + 1)
    example = worked_example(network, values, X, Y, lr=lr)
    text = (json.dumps(example_json(example), indent=2) + "\n" if format == "json"
            else render_example(example, format, notation=notation))
    if path is None:
        typer.echo(text, nl=False)
    else:
        outputs.check_writable(path.parent)
        typer.echo(str(outputs.write_file(path, text)))


@app.command("bench")
@user_errors
def bench_command(
    suite: str = typer.Option("cpu", help="cpu (784-256-128-10, batch 256, float64) or gpu (4096-4096-4096-1000, "
                                          "batch 4096, float32, cuda)."),
    layers: str | None = typer.Option(None, help="Layer sizes instead of the suite's, e.g. 784-256-128-10."),
    hidden: str | None = typer.Option(None, help="Hidden activation: tanh, sigmoid or relu."),
    batch: int | None = typer.Option(None, min=1, help="Examples per gradient."),
    dtype: str | None = typer.Option(None, help="float64 or float32."),
    device: str | None = typer.Option(None, help="cpu or cuda (torch only)."),
    repeat: int | None = typer.Option(None, min=1, max=1000, help="Timed rounds (the median is reported)."),
    number: int | None = typer.Option(None, min=1, max=10_000, help="Calls per round."),
    contenders: str = typer.Option("numpy,torch,jax", help="Which backends to time."),
) -> None:
    """Time the compiled gradients against hand-written NumPy, torch autograd, jax.grad and the matmul floor."""
    from dataclasses import replace

    from .errors import UnknownNameError
    from .numeric.bench import SUITES, run_benchmark

    if suite not in SUITES:
        raise UnknownNameError("benchmark suite", suite, SUITES)
    given: dict[str, Any] = {"spec": layers, "hidden": hidden, "batch": batch, "dtype": dtype, "device": device,
                             "repeat": repeat, "number": number}
    config = replace(SUITES[suite], **{k: v for k, v in given.items() if v is not None})
    report = run_benchmark(config, tuple(name.strip() for name in contenders.split(",")))
    typer.echo(report.table())


#: What each signal the CLI handles prints before the command ends (exit status 128 + the signal's number).
_SIGNAL_WORDS = {signal.SIGTERM: "terminated", signal.SIGINT: "interrupted"}


def _stopped(signum: int, frame: object) -> None:
    """SIGTERM and SIGINT end the command as an exception would: scratch folders are removed, LaTeX is stopped,
    and one line says why."""
    typer.echo(f"symbackprop: {_SIGNAL_WORDS.get(signal.Signals(signum), 'stopped')}", err=True)
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def _signal_handlers() -> Iterator[None]:
    """:func:`_stopped` for SIGTERM and SIGINT while the command runs; the caller's handlers restored after, so a
    library caller or a test that calls :func:`main` keeps its own. Only the main thread can set handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _stopped) for signum in _SIGNAL_WORDS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``symbackprop`` script and ``python -m symbackprop``.

    Usage mistakes (an unknown option, a missing argument) are reported like the
    library's errors: one line on stderr, exit status 2.
    """
    command = typer.main.get_command(app)
    args = sys.argv[1:] if argv is None else list(argv)
    if not args:  # no command: the overview of the commands, as --help prints it
        typer.echo(command.get_help(command.context_class(command, info_name="symbackprop")))
        sys.exit(0)
    with _signal_handlers():
        try:
            status = command.main(args=args, prog_name="symbackprop", standalone_mode=False)
        except typer.TyperException as exc:  # a usage mistake Typer found: an unknown option, a missing argument
            ctx = getattr(exc, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
            typer.echo(f"symbackprop: error: {message}{hint}", err=True)
            status = getattr(exc, "exit_code", 2)
        except typer.Abort:
            typer.echo("symbackprop: interrupted", err=True)
            status = 130
    sys.exit(status if isinstance(status, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
