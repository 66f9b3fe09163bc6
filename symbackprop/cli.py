"""The command line: a thin edge over the library.

Each command parses its options, calls the library, and prints or writes.
Errors a user can cause arrive as :class:`~symbackprop.errors.SymbackpropError`
and leave as one line on stderr with exit status 2; nothing else is caught.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
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


def version() -> str:
    """The installed package's version (the source tree's where it is not installed)."""
    from importlib import metadata

    try:
        return metadata.version("symbackprop")
    except metadata.PackageNotFoundError:
        from . import __version__

        return __version__


def _print_version(value: bool) -> None:
    if value:
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
    from .api import Network
    from .documents.options import DocumentOptions
    from .files import read_toml

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
        from .notation.overrides import parse_overrides

        settings["symbols"] = dict(settings.get("symbols", {})) | parse_overrides(symbol)
    options = DocumentOptions(**settings)
    folder = _output_folder(out) if out is not None else Path("output") / network.name
    written, removed = write_documents(network, options, folder)
    for path in written:
        typer.echo(str(path))
    for path in removed:
        typer.echo(f"removed {path} (an earlier run's; this run built no PDF of that document)")


def write_documents(network: Any, options: Any, out_dir: Path) -> tuple[list[Path], list[Path]]:
    """Derive, render every file in memory, build the PDFs in a scratch folder, then write the files as one change.

    Any failure, LaTeX's and a full disk's included, leaves ``out_dir`` as it was, never with a new .tex beside an
    old PDF. The PDF's log is written beside it (LaTeX's warnings stay readable). A .tex written without its PDF
    removes the PDF and log an earlier run left of that document, which would no longer match it.

    Returns:
        The files written (the documents, then LaTeX's logs), and the earlier PDFs and logs removed.

    Raises:
        SymbackpropError: the folder cannot be written, or LaTeX is missing or fails.
    """
    from .documents.files import document_files, engine_forms

    _check_writable(out_dir)
    steps = ["derive", "render", *(["pdf"] if "pdf" in options.formats else [])]
    files: dict[str, str | bytes] = {}
    logs: dict[str, bytes] = {}
    with _progress(steps) as progress:
        for step in progress:
            if step == "derive":
                derivation = network.derive(forms=engine_forms(options), progress=False)
            elif step == "render":
                files = dict(document_files(derivation, options))
            else:
                for name, text in list(files.items()):
                    if name.endswith(".tex"):
                        pdf, log = _build_pdf(name, str(text), out_dir)
                        files[name[:-4] + ".pdf"] = pdf
                        logs[name[:-4] + ".log"] = log
    # An earlier run's PDF and log of a document rewritten without one would no longer match its .tex.
    stale = [out_dir / f"{name[:-4]}.{suffix}" for name in files if name.endswith(".tex")
             for suffix in ("pdf", "log") if f"{name[:-4]}.{suffix}" not in {*files, *logs}]
    removed = [path for path in stale if path.is_file()]
    changed = _commit({out_dir / name: content for name, content in [*files.items(), *logs.items()]}, removed)
    return changed[:len(files) + len(logs)], removed


def _commit(contents: dict[Path, str | bytes], remove: Sequence[Path] = ()) -> list[Path]:
    """Write every file of ``contents`` and remove those of ``remove`` as one change: all of it or none of it.

    Each file is first written in full beside its target (a full disk fails here, before anything is replaced);
    then the targets are swapped in one by one, the files they replace kept aside, and on any failure every
    target is put back as it was. Writes go through symbolic links to the files they point to.

    Returns:
        The paths written, in the order given, then the paths removed.

    Raises:
        SymbackpropError: a target is a folder or not a regular file, or the folder cannot be written; nothing
            was changed.
    """
    targets = {path: _check_target(path) for path in [*contents, *remove]}
    created = _missing_folders([target.parent for target in targets.values()])
    staged: dict[Path, str] = {}
    kept: dict[Path, str] = {}
    swapped: list[Path] = []
    try:
        for path, content in contents.items():
            staged[path] = _stage(targets[path], content)
        for path in [*contents, *remove]:
            target = targets[path]
            if target.exists():
                kept[path] = _stage_name(target, "old")
                os.link(target, kept[path])
            if path in staged:
                os.replace(staged[path], target)
                del staged[path]
            else:
                os.remove(target)
            swapped.append(path)
    except OSError as exc:
        _roll_back(targets, kept, swapped, [*staged.values()], created)
        name = getattr(exc, "filename", None) or "the output folder"
        raise SymbackpropError(f"cannot write {name}: {exc.strerror or exc}; nothing was changed") from None
    for old in kept.values():
        with contextlib.suppress(OSError):
            os.remove(old)
    return [*contents, *remove]


def _missing_folders(folders: list[Path]) -> list[Path]:
    """The folders, and the parents of each, that do not exist yet, deepest first."""
    missing: set[Path] = set()
    for folder in folders:
        while not folder.exists() and folder != folder.parent:
            missing.add(folder)
            folder = folder.parent
    return sorted(missing, key=lambda folder: len(folder.parts), reverse=True)


def _roll_back(targets: dict[Path, Path], kept: dict[Path, str], swapped: list[Path], staged: list[str],
               created: list[Path]) -> None:
    """Undo a failed :func:`_commit`: every target as it was, no staged or kept copy left, no new folder."""
    for path, old in kept.items():  # a kept file is the one that was there (a second link to it)
        with contextlib.suppress(OSError):
            os.replace(old, targets[path])
        with contextlib.suppress(OSError):  # rename does nothing where both names are links to one file
            os.remove(old)
    for path in swapped:
        if path not in kept:  # a file that did not exist before
            with contextlib.suppress(OSError):
                os.remove(targets[path])
    for temporary in staged:
        with contextlib.suppress(OSError):
            os.remove(temporary)
    for folder in created:
        with contextlib.suppress(OSError):
            folder.rmdir()


def _stage_name(target: Path, kind: str) -> str:
    """A free name beside ``target`` for a staged (``new``) or kept (``old``) copy."""
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=f".{kind}")
    os.close(handle)
    os.remove(name)
    return name


def _stage(target: Path, content: str | bytes) -> str:
    """``content`` written in full to a new file beside ``target`` (created with the folder if need be), with the
    permissions a new file gets; its name. A partly written file is removed before the error is raised."""
    target.parent.mkdir(parents=True, exist_ok=True)
    binary = isinstance(content, bytes)
    handle = tempfile.NamedTemporaryFile("wb" if binary else "w", encoding=None if binary else "utf-8",
                                         dir=target.parent, prefix=f".{target.name}.", suffix=".new", delete=False)
    try:
        with handle:
            handle.write(content)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(handle.name, 0o666 & ~umask)  # a temporary file is private; the result is not
    except OSError:
        with contextlib.suppress(OSError):
            os.remove(handle.name)
        raise
    return handle.name


def _build_pdf(name: str, text: str, out_dir: Path) -> tuple[bytes, bytes]:
    """The PDF and the log of the LaTeX file ``name``, built in a scratch folder.

    Raises:
        TexMissingError, LatexError: as :func:`symbackprop.pdf.build_pdf`, saying that nothing was written.
    """
    from .documents.pdf import LatexError, TexMissingError, build_pdf, require_tex

    try:
        require_tex()
    except TexMissingError as exc:
        raise TexMissingError(f"{exc}; nothing was written (without pdf in --format no TeX is needed)") from None
    _remove_stale_scratch()
    with tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-") as scratch:
        tex = Path(scratch) / name
        tex.write_text(text, encoding="utf-8")
        try:
            pdf = build_pdf(tex)
        except LatexError as exc:
            raise LatexError(f"LaTeX failed on {out_dir / name}: {' | '.join(exc.errors)}; nothing was written",
                             exc.errors) from None
        return pdf.read_bytes(), tex.with_suffix(".log").read_bytes()


#: Scratch folders of PDF builds are named after the process that made them: symbackprop-<pid>-<random>.
SCRATCH_PREFIX = "symbackprop-"


def _remove_stale_scratch() -> None:
    """Remove the scratch folders that killed runs (SIGKILL, a power cut) left in the temporary folder: those of
    this user whose process is gone."""
    root = Path(tempfile.gettempdir())
    for folder in root.glob(f"{SCRATCH_PREFIX}*-*"):
        match = re.fullmatch(rf"{SCRATCH_PREFIX}(\d+)-\w+", folder.name)
        try:
            if not match or not folder.is_dir() or folder.is_symlink() or folder.stat().st_uid != os.getuid():
                continue
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, OverflowError):
            continue


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
    if existing == folder and not folder.is_dir():
        raise SymbackpropError(f"cannot write into {folder}: it is a file, not a folder")
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
    """Write one file (through a symbolic link, to its file) all at once: never a half-written file, and no
    temporary file left behind when writing fails."""
    return _commit({path: content})[0]


# --------------------------------------------------------------------------- compiled gradients
SPEC_HELP = 'Layer sizes such as "2-3-1", or a TOML file.'
#: The most examples ``check`` draws: finite differences evaluate the loss twice per parameter on all of them.
MAX_CHECK_EXAMPLES = 100_000


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


def _network(spec: str, hidden: str | None, output: str | None, loss: str | None, bias: str | None,
             activations: str | None) -> Any:
    """The network of a SPEC argument (sizes or a TOML file) and the network options given."""
    from .api import Network
    from .files import read_toml

    options = _network_options(hidden, output, loss, bias, activations)
    if _names_a_file(spec):
        data = {k: v for k, v in read_toml(spec).items() if k != "derive"}
        return Network.from_mapping(data | options, source=spec)
    return Network.from_spec(spec, **options)


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
    path = _output_file(out) if out is not None else None
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
    # Typer 0.29 vendors click; its exceptions are the ones raised here.
    from typer._click import exceptions as click_errors

    command = typer.main.get_command(app)
    with _signal_handlers():
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
            typer.echo("symbackprop: interrupted", err=True)
            status = 130
    sys.exit(status if isinstance(status, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
