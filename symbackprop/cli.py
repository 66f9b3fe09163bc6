"""The command line: a thin edge over the library.

Each command parses its options, calls the library, and prints or writes.
Errors a user can cause arrive as :class:`~symbackprop.errors.SymbackpropError`
and leave as one line on stderr with exit status 2; nothing else is caught.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from .errors import SymbackpropError

app = typer.Typer(
    name="symbackprop",
    help="Backpropagation derived symbolically: every delta and gradient, from the chain rule, in closed form.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])

ACTIVATIONS_HELP = "One activation per non-input layer, comma-separated: tanh,tanh,softmax."

# The network options shared by derive, compile, check and example.
HiddenOption = Annotated[str | None, typer.Option(help="Activation of the hidden layers (default sigmoid).")]
OutputOption = Annotated[str | None, typer.Option(help="Activation of the output layer (default sigmoid).")]
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


@app.callback()
def _group() -> None:
    """Backpropagation derived symbolically: every delta and gradient, from the chain rule, in closed form."""


@app.command("list")
@user_errors
def list_rules() -> None:
    """Print every activation, loss and bias convention with its formula and derivative."""
    from .catalogue import catalogue_text

    typer.echo(catalogue_text())


DERIVE_EXAMPLES = """Examples, one per seed notation:

  symbackprop derive 2-2-2 --bias neuron --notation ng

  symbackprop derive 3-4-2 --hidden tanh --loss bce --notation input-major --exercise

  symbackprop derive 3-3-3-2 --hidden relu --output softmax --loss sparse_cross_entropy --notation goodfellow

  symbackprop derive 3-3-1 --bias none --loss bce --notation bishop

  symbackprop derive 2-3-2 --notation nielsen --form element,vector --format tex,md

SPEC may be a TOML file: the network's keys, and these options in a table named derive."""


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
    from .network import Network, read_toml
    from .options import DocumentOptions

    network_options = _network_options(hidden, output, loss, bias, activations)
    settings: dict[str, Any] = {}
    if _names_a_file(spec):
        data = read_toml(spec)
        network_data = {k: v for k, v in data.items() if k != "derive"} | network_options
        network = Network.from_mapping(network_data, source=spec)
        table = data.get("derive", {})
        settings.update(DocumentOptions.settings(table, source=f"{spec} [derive]"))
        if "out" in table and not isinstance(table["out"], str):
            raise SymbackpropError(f"{spec} [derive]: out must be a folder name, got {table['out']!r}")
        out = out if out is not None else table.get("out")
    else:
        network = Network.from_spec(spec, **network_options)
    given = {"notation": notation, "forms": form, "formats": format, "fragment": fragment, "heading": heading,
             "label_prefix": label_prefix, "exercise": exercise, "seed": seed}
    settings.update({k: v for k, v in given.items() if v is not None})
    if symbol:
        from .notation import parse_overrides

        settings["symbols"] = dict(settings.get("symbols", {})) | parse_overrides(symbol)
    options = DocumentOptions(**settings)
    folder = _output_folder(out) if out is not None else Path("output") / network.name
    for path in write_documents(network, options, folder):
        typer.echo(str(path))


def write_documents(network: Any, options: Any, out_dir: Path) -> list[Path]:
    """Derive, render every file in memory, build the PDFs in a scratch folder, then write each file atomically.

    Any failure, LaTeX's included, comes before the first file is written: ``out_dir`` is left as it was, never
    with a new .tex beside an old PDF. The PDF's log is written beside it (LaTeX's warnings stay readable).

    Raises:
        SymbackpropError: the folder cannot be written, or LaTeX is missing or fails.
    """
    from .documents import document_files, engine_forms

    _check_writable(out_dir)
    steps = ["derive", "render", *(["pdf"] if "pdf" in options.formats else [])]
    files: dict[str, str | bytes] = {}
    logs: dict[str, bytes] = {}
    with _progress(steps) as progress:
        for step in progress:
            if step == "derive":
                derivation = network.derive(forms=engine_forms(options))
            elif step == "render":
                files = dict(document_files(derivation, options))
            else:
                for name, text in list(files.items()):
                    if name.endswith(".tex"):
                        pdf, log = _build_pdf(name, str(text), out_dir)
                        files[name[:-4] + ".pdf"] = pdf
                        logs[name[:-4] + ".log"] = log
    for name in [*files, *logs]:
        _check_target(out_dir / name)
    written = [_write_atomic(out_dir / name, content) for name, content in files.items()]
    for name, log in logs.items():
        _write_atomic(out_dir / name, log)
    return written


def _build_pdf(name: str, text: str, out_dir: Path) -> tuple[bytes, bytes]:
    """The PDF and the log of the LaTeX file ``name``, built in a scratch folder.

    Raises:
        TexMissingError, LatexError: as :func:`symbackprop.pdf.build_pdf`, saying that nothing was written.
    """
    from .pdf import LatexError, TexMissingError, build_pdf, require_tex

    try:
        require_tex()
    except TexMissingError as exc:
        raise TexMissingError(f"{exc}; nothing was written (without pdf in --format no TeX is needed)") from None
    with tempfile.TemporaryDirectory(prefix="symbackprop-") as scratch:
        tex = Path(scratch) / name
        tex.write_text(text, encoding="utf-8")
        try:
            pdf = build_pdf(tex)
        except LatexError as exc:
            raise LatexError(f"LaTeX failed on {out_dir / name}: {' | '.join(exc.errors)}; nothing was written",
                             exc.errors) from None
        return pdf.read_bytes(), tex.with_suffix(".log").read_bytes()


def _progress(steps: list[str]) -> Any:
    """A progress bar on stderr when it is a terminal; silence otherwise (pipes, CI, tests)."""
    if sys.stderr.isatty():
        return typer.progressbar(steps, label="symbackprop", file=sys.stderr)
    return contextlib.nullcontext(steps)


def _check_writable(folder: Path) -> None:
    """Fail before any work when ``folder`` cannot be created or written."""
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise SymbackpropError(f"cannot write to {folder}: {existing} is not a writable folder")


def _output_file(text: str) -> Path | None:
    """The file an ``--out`` names; None for ``-`` (print).

    Raises:
        SymbackpropError: an empty name, or one ending in a slash (a folder).
    """
    if not text.strip():
        raise SymbackpropError("--out is empty; give a file name, or - to print")
    if text == "-":
        return None
    if text.endswith(("/", os.sep)):
        raise SymbackpropError(f"--out {text} names a folder; give a file name")
    return Path(text)


def _output_folder(text: str) -> Path:
    """The folder an ``--out`` of ``derive`` names.

    Raises:
        SymbackpropError: an empty name, or ``-`` (derive writes several files, so it cannot print them).
    """
    if not text.strip():
        raise SymbackpropError("--out is empty; give a folder")
    if text == "-":
        raise SymbackpropError("derive writes several files, so --out takes a folder, not -")
    return Path(text)


def _check_target(path: Path) -> Path:
    """The file to write for ``path``: the file a symbolic link points to (the link stays), or ``path``.

    Raises:
        SymbackpropError: ``path`` is a folder, or exists and is not a regular file (a device, a pipe).
    """
    target = path.resolve() if path.is_symlink() else path
    if target.is_dir():
        raise SymbackpropError(f"cannot write {path}: it is a folder; give a file name")
    if target.exists() and not target.is_file():
        raise SymbackpropError(f"cannot write {path}: it is not a regular file (a device or a pipe)")
    return target


def _write_atomic(path: Path, content: str | bytes) -> Path:
    """Write ``content`` to ``path`` (through a symbolic link, to its file) by way of a temporary file and
    os.replace: never a half-written file, and no temporary file left behind when writing fails."""
    target = _check_target(path)
    temporary: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        binary = isinstance(content, bytes)
        handle = tempfile.NamedTemporaryFile("wb" if binary else "w", encoding=None if binary else "utf-8",
                                             dir=target.parent, prefix=f".{target.name}.", suffix=".tmp",
                                             delete=False)
        temporary = handle.name
        with handle:
            handle.write(content)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # a temporary file is private; the result is not
        os.replace(temporary, target)
    except OSError as exc:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.remove(temporary)
        raise SymbackpropError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


# --------------------------------------------------------------------------- compiled gradients
SPEC_HELP = 'Layer sizes such as "2-3-1", or a TOML file.'
#: The most examples ``check`` draws: finite differences evaluate the loss twice per parameter on all of them.
MAX_CHECK_EXAMPLES = 100_000


def _names_a_file(spec: str) -> bool:
    """A SPEC argument names a TOML file unless it is written as layer sizes: "2-3-1" is a spec even where a file
    of that name exists."""
    looks_like_sizes = bool(spec.strip()) and set(spec) <= set("0123456789- ")
    return not looks_like_sizes and (spec.endswith(".toml") or Path(spec).is_file())


def _network_options(hidden: str | None, output: str | None, loss: str | None, bias: str | None,
                     activations: str | None) -> dict[str, Any]:
    """The network options given on the command line, as keyword arguments of :class:`Network`."""
    options: dict[str, Any] = {k: v for k, v in (("hidden", hidden), ("output", output), ("loss", loss),
                                                 ("bias", bias)) if v is not None}
    if activations is not None:
        options["activations"] = [name.strip() for name in activations.split(",")]
    return options


def _network(spec: str, hidden: str | None, output: str | None, loss: str | None, bias: str | None,
             activations: str | None) -> Any:
    """The network of a SPEC argument (sizes or a TOML file) and the network options given."""
    from .network import Network, read_toml

    options = _network_options(hidden, output, loss, bias, activations)
    if _names_a_file(spec):
        data = {k: v for k, v in read_toml(spec).items() if k != "derive"}
        return Network.from_mapping(data | options, source=spec)
    return Network.from_spec(spec, **options)


def _read_json(path: Path, what: str) -> Any:
    from .params import parse_json

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SymbackpropError(f"cannot read the {what} file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SymbackpropError(f"the {what} file {path} is not UTF-8 text; save it as UTF-8 JSON") from None
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
    from .compile import generate_source

    network = _network(spec, hidden, output, loss, bias, activations)
    path = _output_file(out) if out is not None else Path("output") / network.name / "grads.py"
    source = generate_source(network, backend=backend, form=form, dtype=dtype)
    if path is None:
        typer.echo(source, nl=False)
        return
    _check_writable(path.parent)
    typer.echo(str(_write_atomic(path, source)))


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
    examples: int = typer.Option(4, min=1, max=MAX_CHECK_EXAMPLES, help="Examples in the random batch."),
) -> None:
    """Compare the compiled gradient with independent references; exit status 1 beyond tolerance."""
    from .check import check_grads

    network = _network(spec, hidden, output, loss, bias, activations)
    references = None
    if reference is not None:
        from .options import split_list
        from .references import REFERENCES

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
    lr: float = typer.Option(0.5, help="Learning rate of the gradient-descent step."),
    format: str = typer.Option("json", "--format", help="json, tex or md."),
    notation: str = typer.Option("nielsen", help="Notation of tex and md: ng, input-major, goodfellow, bishop, "
                                                  "nielsen."),
    seed: int = typer.Option(0, min=0, help="Seed of the random parameters (and of X, Y when not given)."),
    out: str | None = typer.Option(None, help="File to write (default, or -: print)."),
) -> None:
    """A worked numeric example: forward values, loss, deltas, gradients and one gradient-descent step."""
    import json

    from .example import check_example_size, example_json, render_example, worked_example
    from .params import inputs_from_data, parameters_from_data, random_batch, random_parameters, targets_from_data

    network = _network(spec, hidden, output, loss, bias, activations)
    check_example_size(network)
    path = _output_file(out) if out is not None else None
    if format not in ("json", "tex", "md"):
        from .errors import UnknownNameError

        raise UnknownNameError("format", format, ("json", "tex", "md"))
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
        _check_writable(path.parent)
        typer.echo(str(_write_atomic(path, text)))


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

    from .bench import SUITES, run_benchmark
    from .errors import UnknownNameError

    if suite not in SUITES:
        raise UnknownNameError("benchmark suite", suite, SUITES)
    given: dict[str, Any] = {"spec": layers, "hidden": hidden, "batch": batch, "dtype": dtype, "device": device,
                             "repeat": repeat, "number": number}
    config = replace(SUITES[suite], **{k: v for k, v in given.items() if v is not None})
    report = run_benchmark(config, tuple(name.strip() for name in contenders.split(",")))
    typer.echo(report.table())


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM ends the command as an exception would: scratch folders are removed, LaTeX is stopped."""
    typer.echo("symbackprop: terminated", err=True)
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``symbackprop`` script and ``python -m symbackprop``.

    Usage mistakes (an unknown option, a missing argument) are reported like the
    library's errors: one line on stderr, exit status 2.
    """
    # Typer 0.29 vendors click; its exceptions are the ones raised here.
    from typer._click import exceptions as click_errors

    signal.signal(signal.SIGTERM, _terminated)
    command = typer.main.get_command(app)
    try:
        status = command.main(args=argv, prog_name="symbackprop", standalone_mode=False)
    except click_errors.NoArgsIsHelpError as exc:
        typer.echo(exc.ctx.get_help() if exc.ctx else "", err=False)
        status = 0
    except click_errors.ClickException as exc:
        ctx = getattr(exc, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        typer.echo(f"symbackprop: error: {exc.format_message()}{hint}", err=True)
        status = exc.exit_code
    except typer.Abort:
        typer.echo("symbackprop: aborted", err=True)
        status = 1
    sys.exit(status if isinstance(status, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
