"""The commands: each parses its options, calls the library, and prints or writes (run by :func:`main`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import typer

from .. import outputs
from ..errors import SymbackpropError
from ..numeric import MAX_EXAMPLES
from .options import (
    EXAMPLE_FORMATS,
    SPEC_HELP,
    ActivationsOption,
    BackendOption,
    BiasOption,
    CodeFormOption,
    DocumentFormatsOption,
    DocumentFormsOption,
    DtypeOption,
    ExampleFormatOption,
    ExampleNotationOption,
    HiddenOption,
    LossOption,
    NotationOption,
    OutputOption,
    ReferencesOption,
    SectionsOption,
    network_and_table,
    network_from,
    read_json,
    refuse,
)

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


def user_errors(func: F) -> F:
    """Turn a SymbackpropError into one line on stderr and exit status 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SymbackpropError as exc:
            refuse(exc)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def _print_version(value: bool) -> None:
    if value:
        from ..resources import version

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
    from ..documents.catalogue import catalogue_text

    typer.echo(catalogue_text())


DERIVE_EXAMPLES = """Examples, one per seed notation:

\b
  symbackprop derive 2-2-2 --bias neuron --loss generic --notation ng
  symbackprop derive 3-4-2 --hidden tanh --loss bce --notation input-major --exercise
  symbackprop derive 3-3-3-2 --hidden relu --output softmax --loss sparse_cross_entropy --notation goodfellow
  symbackprop derive 3-3-1 --bias none --loss bce --notation bishop
  symbackprop derive 3-3-1 --bias none --loss bce --notation bishop-single
  symbackprop derive 2-3-2 --hidden generic --output generic --loss generic --notation nielsen

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
    notation: NotationOption = None,
    sections: SectionsOption = None,
    form: DocumentFormsOption = None,
    format: DocumentFormatsOption = None,
    out: str | None = typer.Option(None, help="Output folder (default output/<network name>)."),
    fragment: bool | None = typer.Option(None, "--fragment/--standalone", help="LaTeX appendix fragment."),
    heading: str | None = typer.Option(None, help="Top heading of a fragment: part, chapter, section, subsection."),
    label_prefix: str | None = typer.Option(None, help="Prefix of every LaTeX label (default bp:)."),
    title: str | None = typer.Option(None, help="Title in place of the network's (and the line under it)."),
    author: str | None = typer.Option(None, help="Name under the title, such as \"A. Lecturer\"."),
    date: str | None = typer.Option(None, help="Date under the name, such as \"March 2026\" (default none)."),
    exercise: bool | None = typer.Option(None, "--exercise/--no-exercise", help="Also write exercises."),
    seed: int | None = typer.Option(None, min=0, help="Varies the numbers of the exercises' numeric part."),
    symbol: list[str] | None = typer.Option(None, help="Override a letter: --symbol cost=J (repeatable)."),
    appendix: str | None = typer.Option(None, help="Activations whose derivatives the appendix works out, such "
                                        "as sigmoid,tanh or leaky_relu(0.3) (any of the table), or none (default: "
                                        "the network's)."),
    verify: bool = typer.Option(False, "--verify", help="Check every displayed step against the true derivative "
                                "first; print \"N steps verified\", or exit 1 and write nothing."),
) -> None:
    """Derive backpropagation for a network and write it as LaTeX, PDF and Markdown in a course's notation."""
    network, table = network_and_table(spec, hidden, output, loss, bias, activations)
    given = {"notation": notation, "sections": sections, "forms": form, "formats": format, "fragment": fragment,
             "heading": heading, "label_prefix": label_prefix, "exercise": exercise, "seed": seed, "appendix": appendix,
             "title": title, "author": author, "date": date}
    options = _document_options(table, f"{spec} [derive]", given, symbol)
    folder = _output_folder(out, table, spec, network.name)
    _refuse_what_it_cannot_give(network, options, seeded=seed is not None or "seed" in table,
                                headed=heading is not None or "heading" in table,
                                in_file={name for name in ("seed", "heading") if given[name] is None} & set(table),
                                source=f"{spec} [derive]")
    derivation = _verified(network, options) if verify else None
    written, removed = outputs.write_documents(network, options, folder, derivation)
    for path in written:
        typer.echo(str(path))
    for path in removed:
        typer.echo(f"removed {path} (an earlier run's; this run built no PDF of that document)")


def _refuse_what_it_cannot_give(network: Any, options: Any, seeded: bool, headed: bool, in_file: set[str],
                                source: str) -> None:
    """Before anything is derived or written: a notation written for other networks, a seed asked for
    (``seeded``) with no numbers to vary, or a fragment's heading (``headed``) for a standalone document, refused in
    one line; the options ``in_file`` named as the spec file ``source`` gives them, not as flags never typed."""
    options.notation_preset.check(network.layers, network.activation(network.depth).elementwise)
    if headed and not options.fragment:
        if "heading" in in_file:
            raise SymbackpropError(f'{source}: heading = "{options.heading}" sets a fragment\'s top heading; add '
                                   "fragment = true (or --fragment): a standalone document's parts are sections")
        raise SymbackpropError(f"--heading {options.heading} sets a fragment's top heading; add --fragment, last of "
                               "--fragment and --standalone (a standalone document's parts are sections)")
    if seeded:
        from ..documents.exercises import check_seed

        try:
            check_seed(network, options, in_file="seed" in in_file)
        except SymbackpropError as exc:
            if "seed" not in in_file:
                raise
            raise SymbackpropError(f"{source}: {exc}") from None


def _output_folder(out: str | None, table: dict[str, Any], spec: str, name: str) -> Path:
    """Where derive writes: ``--out``, else the spec file's ``out``, else ``output/<network name>``."""
    if "out" in table and not isinstance(table["out"], str):
        raise SymbackpropError(f"{spec} [derive]: out must be a folder name, got {table['out']!r}")
    out = out if out is not None else table.get("out")
    return outputs.output_folder(out) if out is not None else Path("output") / name


def _document_options(table: dict[str, Any], source: str, given: dict[str, Any], symbol: list[str] | None) -> Any:
    """The DocumentOptions of a SPEC file's ``[derive]`` table, overridden by the options given on the command
    line (``--symbol`` adds to the table's symbols)."""
    from ..documents.options import DocumentOptions

    from_file = DocumentOptions.settings(table, source=source)
    settings = from_file | {k: v for k, v in given.items() if v is not None}
    if symbol:
        from ..notation.overrides import parse_overrides

        settings["symbols"] = dict(settings.get("symbols", {})) | parse_overrides(symbol)
    try:
        return DocumentOptions(**settings)
    except SymbackpropError as exc:  # the file's own mistake (a notation of 3): said with the file's name
        try:
            DocumentOptions(**{k: v for k, v in from_file.items() if given.get(k) is None})
        except SymbackpropError as own:
            if str(own) == str(exc):
                raise SymbackpropError(f"{source}: {exc}") from None
        raise


def _verified(network: Any, options: Any) -> Any:
    """The network's derivation for ``options``, every step checked; "N steps verified" printed, or one line on
    stderr and exit status 1 (a wrong step is the engine's fault, not the user's: nothing is written)."""
    from ..derive.verify import VerificationError, check_verifiable
    from ..documents.files import engine_forms, verified
    from ..model.derivatives import WorkedDerivativeError

    check_verifiable(network)  # (before the derivation: a network it cannot verify is refused at once)
    derivation = network.derive(forms=engine_forms(options), progress=False)
    try:
        typer.echo(verified(derivation, options).report())
    except (VerificationError, WorkedDerivativeError) as exc:
        typer.echo(f"symbackprop: verification failed: {exc}", err=True)
        raise typer.Exit(1) from None
    return derivation


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
    form: CodeFormOption = "vectorized",
    dtype: DtypeOption = "float64",
    out: str | None = typer.Option(None, help="Module to write (default output/<network name>/grads.py); - prints."),
) -> None:
    """Write a standalone Python module with grad(params, X, Y); it imports the backend (and numba where
    installed), never SymPy."""
    from ..codegen.compile import generate_source

    network = network_from(spec, hidden, output, loss, bias, activations)
    path = outputs.output_file(out, ".py") if out is not None else Path("output") / network.name / "grads.py"
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
    form: CodeFormOption = "vectorized",
    dtype: DtypeOption = "float64",
    reference: ReferencesOption = None,
    seed: int = typer.Option(0, min=0, help="Seed of the random parameters and batch."),
    examples: int = typer.Option(4, min=1, max=MAX_EXAMPLES, help="Examples in the random batch."),
) -> None:
    """Compare the compiled gradient with independent references; exit status 1 beyond tolerance."""
    from ..numeric.check import check_grads

    network = network_from(spec, hidden, output, loss, bias, activations)
    references = None
    if reference is not None:
        from ..choices import split_list
        from ..numeric.references import REFERENCES

        references = list(split_list(reference, "reference", REFERENCES))
    report = check_grads(network, backend=backend, form=form, dtype=dtype, references=references, seed=seed,
                         examples=examples)
    typer.echo(report.table())
    if not report.ok:
        raise typer.Exit(1)


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
    lr: str = typer.Option("0.5", help="Learning rate of the gradient-descent step, a number > 0."),
    format: ExampleFormatOption = "json",
    notation: ExampleNotationOption = "nielsen",
    seed: int = typer.Option(0, min=0, help="Seed of the random parameters (and of X, Y when not given)."),
    out: str | None = typer.Option(None, help="File to write (default, or -: print)."),
    verify: bool = typer.Option(False, "--verify", help="Check every number the example prints against the true "
                                "value at its point first; print \"N numbers verified\", or exit 1 and write nothing."),
) -> None:
    """A worked numeric example: forward values, loss, deltas, gradients and one gradient-descent step."""
    import json

    from ..documents.example import check_example_size, example_json, worked_example
    from ..documents.example_blocks import example_context, render_example
    from ..documents.example_check import check_verifiable_example
    from ..notation.presets import get_notation

    network = network_from(spec, hidden, output, loss, bias, activations)
    check_example_size(network)
    get_notation(notation).check(network.layers, network.activation(network.depth).elementwise)
    named = Path(out or "").suffix[1:].lower()  # a name for another format: r.tex with --format pdf
    path = (outputs.output_file(out, f".{format}", f", or give --format {named}" if named in EXAMPLE_FORMATS else "")
            if out is not None else None)
    if format == "pdf" and path is None and out is not None:  # a file, never printed
        raise SymbackpropError("a PDF cannot be printed; give --out a file name, such as example.pdf")
    values, X, Y = _example_data(network, params, input, target, seed)
    if verify:
        check_verifiable_example(network, len(X))
    example = worked_example(network, values, X, Y, lr=lr)
    fmt = "tex" if format == "pdf" else format
    document = example_json(example, notation) if fmt == "json" else example_context(example, fmt, notation)
    if verify:  # the report on stderr where the document itself goes to stdout
        _verified_example(example, document, err=path is None and format != "pdf")
    text = (json.dumps(document, indent=2) + "\n" if fmt == "json"
            else render_example(example, fmt, notation=notation, context=document))
    if format == "pdf":
        pdf = path or Path("output") / network.name / f"example-{notation}.pdf"
        typer.echo(str(outputs.write_pdf(pdf, text)))
        return
    if path is None:
        typer.echo(text, nl=False)
    else:
        outputs.check_writable(path.parent)
        typer.echo(str(outputs.write_file(path, text)))


def _verified_example(example: Any, document: Any, err: bool) -> None:
    """Every number of the example's ``document`` checked against the truth; "N numbers verified" printed (on stderr
    if ``err``), or one line on stderr and exit status 1 (nothing is written)."""
    from ..derive.verify import VerificationError
    from ..documents.example_check import verify_example

    try:
        typer.echo(verify_example(example, document).report(), err=err)
    except VerificationError as exc:
        typer.echo(f"symbackprop: verification failed: {exc}", err=True)
        raise typer.Exit(1) from None


def _example_data(network: Any, params: Path | None, input: Path | None, target: Path | None,
                  seed: int) -> tuple[Any, Any, Any]:
    """The parameters, inputs and targets of a worked example: from the JSON files given, else drawn from seed as
    short decimals (:func:`~symbackprop.model.params.example_draw`)."""
    from ..model.params import example_draw, inputs_from_data, parameters_from_data, targets_from_data

    if (input is None) != (target is None):
        raise SymbackpropError("give both --input and --target, or neither (then one random example from --seed)")
    drawn, X, Y = example_draw(network, seed)
    values = parameters_from_data(network, read_json(params, "parameter"), str(params)) if params else drawn
    if input is None or target is None:
        return values, X, Y
    X = inputs_from_data(network, read_json(input, "input"), str(input))
    return values, X, targets_from_data(network, read_json(target, "target"), X.shape[0], str(target))


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

    from ..errors import UnknownNameError
    from ..numeric.bench import SUITES, run_benchmark

    if suite not in SUITES:
        raise UnknownNameError("benchmark suite", suite, SUITES)
    given: dict[str, Any] = {"spec": layers, "hidden": hidden, "batch": batch, "dtype": dtype, "device": device,
                             "repeat": repeat, "number": number}
    config = replace(SUITES[suite], **{k: v for k, v in given.items() if v is not None})
    report = run_benchmark(config, tuple(name.strip() for name in contenders.split(",")))
    typer.echo(report.table())
