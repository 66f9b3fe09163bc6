"""What the commands share: the network options, the choices Typer checks while it parses, the SPEC argument.

A choice (``--notation``, ``--backend``, ``--format tex,md``, ...) is checked by Typer as it parses the command
line, through a parser of :func:`choice` or :func:`choices`. A wrong name is the library's own
:class:`~symbackprop.errors.UnknownNameError` ("unknown notation 'foo'; allowed: ...; did you mean ...?"), the
same one line as for the name in a TOML file or a call: Typer would replace a ``ValueError`` raised while it
parses by a message of its own, so the error travels inside :class:`OptionRefused`, a usage error of Typer's.
The allowed names come from the library's tables, read when an option is parsed, so that ``--help`` and
``list`` start without importing SymPy.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from ..choices import split_names
from ..errors import SymbackpropError, UnknownNameError, cut
from ..model.activations import ACTIVATIONS

#: The allowed names of a choice, read when an option is parsed.
Allowed = Callable[[], tuple[str, ...]]


def refuse(message: object) -> None:
    """A user's mistake on stderr, always one line: ``symbackprop: error: ...``, any line break the message holds
    (a value as the user typed it) written as ``\\n``."""
    said = str(message).replace("\r", "\\r").replace("\n", "\\n")
    typer.echo(f"symbackprop: error: {said}", err=True)


class OptionRefused(typer.BadParameter):
    """A library error raised while Typer parses an option: a usage error (exit status 2) whose message is the
    library's own, not Typer's "Invalid value for ..." (:func:`symbackprop.cli.main` prints it as it is)."""

    def __init__(self, error: SymbackpropError) -> None:
        super().__init__(str(error))
        self.error = error

    def format_message(self) -> str:
        return str(self.error)

    def show(self, file: Any = None) -> None:
        """What Typer prints when it runs the command itself (a test's runner): the same one line as main()."""
        refuse(self.error)


def choice(kind: str, allowed: Allowed) -> Callable[[str], str]:
    """A Typer parser accepting one name of ``allowed()``; any other raises the library's UnknownNameError."""

    def parse(value: str) -> str:
        names = allowed()
        if value not in names:
            raise OptionRefused(UnknownNameError(kind, value, names))
        return value

    return parse


def choices(kind: str, allowed: Allowed) -> Callable[[str], str]:
    """A Typer parser accepting a comma-separated list of names of ``allowed()`` (``tex,md``), checked as the
    library checks a list (:func:`symbackprop.choices.split_list`); the value is passed on as written."""

    def parse(value: str) -> str:
        from ..choices import split_list

        try:
            split_list(value, kind, allowed())
        except SymbackpropError as exc:
            raise OptionRefused(exc) from None
        return value

    return parse


def _notations() -> tuple[str, ...]:
    from ..notation.presets import PRESETS

    return tuple(PRESETS)


def _backends() -> tuple[str, ...]:
    from ..codegen.compile import BACKENDS

    return BACKENDS


def _code_forms() -> tuple[str, ...]:
    from ..codegen.compile import FORMS

    return FORMS


def _dtypes() -> tuple[str, ...]:
    from ..codegen.compile import DTYPES

    return DTYPES


def _references() -> tuple[str, ...]:
    from ..numeric.references import REFERENCES

    return tuple(REFERENCES)


def _document_forms() -> tuple[str, ...]:
    from ..documents.options import DOCUMENT_FORMS

    return DOCUMENT_FORMS


def _sections() -> tuple[str, ...]:
    from ..documents.options import SECTIONS

    return ("all", *SECTIONS)


def _document_formats() -> tuple[str, ...]:
    from ..documents.options import FORMATS

    return FORMATS


#: The formats of ``example``'s output.
EXAMPLE_FORMATS = ("json", "tex", "md", "pdf")

ACTIVATIONS_HELP = "One activation per non-input layer, comma-separated: tanh,tanh,softmax."
SPEC_HELP = 'Layer sizes such as "2-3-1", or a TOML file.'

# The network options shared by derive, compile, check and example. --output is the output layer's activation,
# not a file: --out names where files go, and a path given to --output is refused with that hint.
HiddenOption = Annotated[str | None, typer.Option(help="Activation of the hidden layers (default sigmoid).")]
OutputOption = Annotated[str | None, typer.Option(
    help="Activation of the output layer (default sigmoid); not a file or folder: that is --out.")]
LossOption = Annotated[str | None, typer.Option(help="Loss per example (default quadratic).")]
BiasOption = Annotated[str | None, typer.Option(help="Bias convention: vector, neuron, none or shared.")]
ActivationsOption = Annotated[str | None, typer.Option(help=ACTIVATIONS_HELP)]
# ...the backend options shared by compile and check...
BackendOption = Annotated[str, typer.Option(help="numpy, jax or torch.", parser=choice("backend", _backends))]
DtypeOption = Annotated[str, typer.Option(help="float64 or float32.", parser=choice("dtype", _dtypes))]
# ...and the choices of one command.
CodeFormOption = Annotated[str, typer.Option(help="vectorized (any width) or scalar (one function per element).",
                                             parser=choice("form", _code_forms))]
ReferencesOption = Annotated[str | None, typer.Option(
    help="reference,finite_differences,torch,jax (default: installed).", parser=choices("reference", _references))]
NotationOption = Annotated[str | None, typer.Option(help="ng, input-major, goodfellow, bishop, bishop-single or "
                                                         "nielsen.",
                                                    parser=choice("notation", _notations))]
SectionsOption = Annotated[str | None, typer.Option(
    help="Sections to show: figure,notation,forward,thin,problem,general,element,vector,batch,closed,summary,sgd,"
         "init,appendix, or all (default: those of the notation's lecture notes).",
    parser=choices("section", _sections))]
DocumentFormsOption = Annotated[str | None, typer.Option(help="Forms to show: element,vector,batch,closed.",
                                                         parser=choices("form", _document_forms))]
DocumentFormatsOption = Annotated[str | None, typer.Option(
    "--format", help="Files to write: tex,pdf,md (md with pdf: its figures as SVG images too).",
    parser=choices("format", _document_formats))]
ExampleFormatOption = Annotated[str, typer.Option("--format", help="json, tex, md or pdf (a file: --out, by default "
                                                                   "output/<network name>/example-<notation>.pdf).",
                                                  parser=choice("format", lambda: EXAMPLE_FORMATS))]
ExampleNotationOption = Annotated[str, typer.Option(
    help="Notation of tex, md and pdf: ng, input-major, goodfellow, bishop, bishop-single, nielsen.",
    parser=choice("notation", _notations))]


def _names_a_file(spec: str) -> bool:
    """A SPEC argument names a TOML file unless it is written as layer sizes: "2-3-1" is a spec even where a file
    of that name exists."""
    looks_like_sizes = bool(spec.strip()) and set(spec) <= set("0123456789- ")
    return not looks_like_sizes and (spec.endswith(".toml") or os.path.lexists(spec))


def _looks_like_a_path(text: str) -> bool:
    """True for what reads as a file or folder rather than an activation name: a path separator, a file suffix,
    or a name that exists here and is no activation's. ``leaky_relu(0.2)`` and ``softmax`` are activations, even
    beside a folder ``softmax`` (an earlier ``--out softmax``)."""
    if "/" in text or os.sep in text or text.startswith("."):
        return True
    if re.search(r"\.(tex|pdf|md|py|json|toml|txt)$", text, re.IGNORECASE):
        return True
    return "(" not in text and text not in ACTIVATIONS and os.path.lexists(text)


def network_options(hidden: str | None, output: str | None, loss: str | None, bias: str | None,
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
        options["activations"] = split_names(activations)
    return options


def network_and_table(spec: str, hidden: str | None, output: str | None, loss: str | None, bias: str | None,
                      activations: str | None) -> tuple[Any, dict[str, Any]]:
    """The network of a SPEC argument (sizes or a TOML file) with the network options given, and the file's
    ``[derive]`` table (empty for sizes)."""
    from ..api import Network
    from ..files import read_toml

    options = network_options(hidden, output, loss, bias, activations)
    if not _names_a_file(spec):
        if spec.strip() and not any(char.isdigit() for char in spec):  # a word: a file's name, mistyped, likelier
            raise SymbackpropError(f"no file {cut(repr(spec))}, and it is not layer sizes either: give sizes such as "
                                   "'2-3-1', or the path of a TOML spec file")
        return Network.from_spec(spec, **options), {}
    data = read_toml(spec)
    network = {k: v for k, v in data.items() if k != "derive"}
    try:
        return Network.from_mapping(_overridden(network, options), source=spec), data.get("derive", {})
    except SymbackpropError as exc:  # the file's own mistake (a loss of "hinge"): said with the file's name
        if not str(exc).startswith(f"{spec}: ") and _refused_alone(network, spec, str(exc)):
            raise SymbackpropError(f"{spec}: {exc}") from None
        raise


def _refused_alone(network: dict[str, Any], spec: str, message: str) -> bool:
    """Whether the network keys of file ``spec`` alone, without the command line's options, are refused with
    ``message``."""
    from ..api import Network

    try:
        Network.from_mapping(network, source=spec)
    except SymbackpropError as own:
        return str(own) == message
    return False


def _overridden(network: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """A spec file's network keys with the command line's options in place of the file's: ``--activations`` in
    place of the file's hidden and output; ``--hidden`` (``--output``) in place of the file's activations of the
    hidden layers (of the output layer), the rest of its list kept."""
    if "activations" in options:
        network = {k: v for k, v in network.items() if k not in ("hidden", "output")}
    elif {"hidden", "output"} & set(options) and network.get("activations") == []:  # (nothing to keep of it)
        network = {k: v for k, v in network.items() if k != "activations"}
    elif {"hidden", "output"} & set(options) and isinstance(network.get("activations"), list):
        acts = list(network["activations"])
        if "hidden" in options:
            acts[:-1] = [options["hidden"]] * (len(acts) - 1)
        if "output" in options:
            acts[-1] = options["output"]
        options = {k: v for k, v in options.items() if k not in ("hidden", "output")} | {"activations": acts}
    return network | options


def network_from(spec: str, hidden: str | None, output: str | None, loss: str | None, bias: str | None,
            activations: str | None) -> Any:
    """The network of a SPEC argument (sizes or a TOML file) and the network options given."""
    return network_and_table(spec, hidden, output, loss, bias, activations)[0]


#: The largest JSON file ``example`` reads: the parameters of the largest network it takes, written out, are far
#: smaller.
JSON_MAX_BYTES = 64 << 20


def read_json(path: Path, what: str) -> Any:
    """A worked example's JSON file (parameters, inputs or targets), read within :data:`JSON_MAX_BYTES`."""
    from ..errors import DataError
    from ..files import read_regular_file
    from ..model.params import parse_json

    text = read_regular_file(path, "JSON", JSON_MAX_BYTES, f"a {what} file of a worked example is far smaller",
                             DataError, role=what)
    return parse_json(text, str(path))
