"""What a document should contain and look like: one frozen, validated options object.

Unknown names (notation, form, format, heading) are rejected by name, with the allowed ones listed, as SymPy's
printers reject unknown settings; ``--symbol`` overrides are validated LaTeX (see :mod:`symbackprop.notation.presets`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..choices import split_list, split_names
from ..errors import SymbackpropError, UnknownNameError, cut
from ..model.activations import ACTIVATIONS, get_activation
from ..notation.display import LINE_WIDTH
from ..notation.overrides import check_override, with_overrides
from ..notation.presets import PRESETS, Notation, get_notation

DOCUMENT_FORMS = ("element", "vector", "batch", "closed")
#: The sections a document can have, in the order it has them (``--sections``; ``all`` for every one).
SECTIONS = ("figure", "notation", "forward", "thin", "problem", "general", "element", "vector", "batch", "closed",
            "summary", "sgd", "init", "appendix")
#: Each preset's default sections: what its seed has (../shared/seeds/), in the seed's order.
PRESET_SECTIONS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "nielsen": ("notation", "vector"),  # seed 004: conventions, then BP1-BP4 each derived through Jacobians
    "ng": ("figure", "element", "summary", "init"),  # seed 000: per-weight chains, the key formulas, the remark
    "input-major": ("problem",),  # seed 001: a homework, its set-up, then (a) and (b) each with its solution
    "bishop": ("figure", "forward", "general", "sgd"),  # seed 003: dynamics, a general neuron, the algorithm
    "bishop-single": ("figure", "forward", "general", "sgd"),  # seed 003 itself, in its own letters
    "goodfellow": ("figure", "notation", "forward", "thin", "general", "batch", "summary", "appendix"),  # seed 002
})
FORMATS = ("tex", "pdf", "md")
#: The activations an appendix can work out (``--appendix``): every one of the table but the generic g.
APPENDIX_ACTIVATIONS = tuple(name for name, act in ACTIVATIONS.items() if not act.generic)
HEADINGS = ("part", "chapter", "section", "subsection", "subsubsection", "paragraph", "subparagraph")
#: The levels a document may start at: its sections need three more below them.
TOP_HEADINGS = HEADINGS[:HEADINGS.index("subsection") + 1]
#: Display width for fragments: a default ``article`` page is about three quarters of the standalone one.
FRAGMENT_WIDTH = 50.0
_LABEL_PREFIX = re.compile(r"^[A-Za-z0-9:._-]*$")
#: The longest title, author or date line.
LINE_LENGTH = 200
#: The longest label prefix (``app:bp:``).
LABEL_PREFIX_LENGTH = 40


#: The lines of a title block a user may give, each with what it is.
_LINES = {"title": "a title", "author": "a name", "date": "a date"}
#: The characters such a line may hold: those the documents' LaTeX (pdflatex, its default OT1 fonts) typesets,
#: printable ASCII, the Latin letters of Latin-1 and Latin Extended-A but the few OT1 has no glyph or accent for
#: (Ð, Þ, Ħ, Ŋ, the ogonek's Ą, ...), and the typographic punctuation.
SETTABLE = frozenset(
    [chr(code) for code in range(0x20, 0x7F)]
    + [chr(code) for code in range(0xA0, 0x180) if chr(code) not in "\xad«»ÐÞðþĐđĦħĸĿŀŉŊŋŦŧſĄąĘęĮįŲų"]
    + list("–—‘’“”…•€†‡‰"))


@dataclass(frozen=True)
class DocumentOptions:
    """The options of ``symbackprop derive`` that shape the documents.

    Attributes:
        notation: a preset of :data:`symbackprop.notation.presets.PRESETS`.
        sections: which sections to show, of :data:`SECTIONS`, in that order; by default the preset's
            (:data:`PRESET_SECTIONS`), ``all`` for every one.
        forms: which derivation forms to show, of :data:`DOCUMENT_FORMS`: given, they replace the form sections
            (element, vector, batch, closed) of ``sections``; by default the form sections of ``sections``.
        formats: which files to write, of :data:`FORMATS`; by default all of them, and tex and md for a fragment.
        fragment: LaTeX without a preamble, to ``\\input`` into a host document.
        heading: the top heading level of the document's sections.
        label_prefix: prefix of every ``\\label``.
        title: the title of a standalone document in place of the network's and the line that describes it (the
            body says what the network is); the network's by default.
        author: the name under the title of a standalone document (a lecturer's, as the seeds sign theirs); none
            by default. It signs the exercises too.
        date: a line under the author, as a seed dates its notes; none by default (a document is the same
            whenever it is made).
        exercise: also write problem statements and solutions.
        seed: varies the numbers of the exercises' numeric part.
        symbols: letter overrides, ``{"cost": "J"}``.
        appendix: the activations whose derivatives the appendix works out, of :data:`APPENDIX_ACTIVATIONS` (in
            that order; naming them adds the appendix to ``sections``), each with its parameter where it takes one
            (``leaky_relu(0.3)``; a name alone: the network's parameter, else the table's), ``none`` (or an empty
            tuple) for no appendix; by default (``None``) the network's own activations.
        every: set where ``sections`` is ``all``: every section that applies to the network (no closed form of the
            generic cost, which has none, nor of a network over the closed form's size limit).
    """

    notation: str = "nielsen"
    forms: tuple[str, ...] = None  # type: ignore[assignment]  # None: the form sections of ``sections``
    sections: tuple[str, ...] = None  # type: ignore[assignment]  # None: the preset's
    formats: tuple[str, ...] = None  # type: ignore[assignment]  # None: the default, resolved on creation
    fragment: bool = False
    heading: str = "section"
    label_prefix: str = "bp:"
    title: str = ""
    author: str = ""
    date: str = ""
    exercise: bool = False
    seed: int = 0
    symbols: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    appendix: tuple[str, ...] | None = None
    every: bool = field(default=False, init=False)  # ``all`` sections: those that apply to the network

    def __post_init__(self) -> None:
        for name in ("notation", "heading", "label_prefix", *_LINES):
            _require(isinstance(getattr(self, name), str), name, "a string", getattr(self, name))
        for name in ("fragment", "exercise"):
            _require(isinstance(getattr(self, name), bool), name, "true or false", getattr(self, name))
        _require(isinstance(self.seed, int) and not isinstance(self.seed, bool) and self.seed >= 0, "seed",
                 "a non-negative integer", self.seed)
        if self.notation not in PRESETS:
            raise UnknownNameError("notation", self.notation, PRESETS)
        named = self._resolve_sections()
        self._resolve_appendix("appendix" in named)
        formats = (("tex", "md") if self.fragment else FORMATS) if self.formats is None else self.formats
        object.__setattr__(self, "formats", split_list(formats, "format", FORMATS))
        if self.fragment and "pdf" in self.formats:
            raise SymbackpropError("a fragment has no preamble, so it cannot be compiled to PDF alone; with "
                                   "--fragment ask for tex and md, and \\input the .tex in a host document")
        if self.heading in HEADINGS and self.heading not in TOP_HEADINGS:
            raise SymbackpropError(f"heading {self.heading!r} is too deep; use {', '.join(TOP_HEADINGS)}")
        if self.heading not in TOP_HEADINGS:
            raise UnknownNameError("heading level", self.heading, TOP_HEADINGS)
        if not self.fragment and self.heading in ("part", "chapter"):
            raise SymbackpropError(f"heading {self.heading!r} is for a fragment in a book or report: with --fragment; "
                                   "a standalone document is an article, which has sections")
        for name, what in _LINES.items():
            line = getattr(self, name).strip()  # (blank: none, as left out)
            object.__setattr__(self, name, line)
            shown = repr(line[:40]) + ("..." if len(line) > 40 else "")
            if "\n" in line or len(line) > LINE_LENGTH:
                raise SymbackpropError(f"{name} {shown}: give {what} of one line, at most {LINE_LENGTH} characters")
            if odd := next((char for char in line if char not in SETTABLE), None):
                raise SymbackpropError(f"{name} {shown}: the character {ascii(odd)} (U+{ord(odd):04X}) cannot be "
                                       "typeset; use Latin letters (accented too), digits and punctuation")
        if self.fragment and (given := [f"--{name}" for name in ("author", "date") if getattr(self, name)]):
            raise SymbackpropError(f"{' and '.join(given)} go{'es' if len(given) == 1 else ''} under a standalone "
                                   "document's title, and a fragment has none: its host document's \\author and "
                                   "\\date say them")
        if not _LABEL_PREFIX.match(self.label_prefix):
            raise SymbackpropError(
                f"label prefix {self.label_prefix[:LABEL_PREFIX_LENGTH]!r}: use letters, digits and : . _ - only"
            )
        if len(self.label_prefix) > LABEL_PREFIX_LENGTH:
            raise SymbackpropError(f"label prefix {self.label_prefix[:20]!r}...: give at most {LABEL_PREFIX_LENGTH} "
                                   "characters (every \\label and \\ref of the document starts with it)")
        symbols = dict(self.symbols)
        for name, latex in symbols.items():
            _require(isinstance(latex, str), f"symbol {name}", "a string of LaTeX such as 'J'", latex)
        checked = {name: check_override(name, latex) for name, latex in sorted(symbols.items())}
        object.__setattr__(self, "symbols", MappingProxyType(checked))

    def _resolve_sections(self) -> tuple[str, ...]:
        """``sections`` from the preset or ``all``; ``forms`` given replace the form sections, else follow them.
        Returns the sections named (none where the preset's are taken)."""
        base: tuple[str, ...]
        named: tuple[str, ...] = ()
        if self.sections is None:
            base = PRESET_SECTIONS[self.notation]
        else:
            named = split_list(self.sections, "section", ("all", *SECTIONS))
            base = SECTIONS if "all" in named else named
            object.__setattr__(self, "every", "all" in named and self.forms is None)
        if self.forms is None:
            forms = tuple(name for name in base if name in DOCUMENT_FORMS)
        else:
            forms = split_list(self.forms, "form", DOCUMENT_FORMS)
            base = tuple(name for name in base if name not in DOCUMENT_FORMS) + forms
        object.__setattr__(self, "forms", forms)
        object.__setattr__(self, "sections", tuple(name for name in SECTIONS if name in base))
        return named

    def _resolve_appendix(self, asked: bool) -> None:
        """``appendix`` checked: activations of the table (which put the appendix in ``sections``), or ``none``
        (which takes it out, and is refused where the appendix is one of the sections named, ``asked``); left
        ``None``, the network's own activations in the sections chosen."""
        if self.appendix is None:
            return
        items = _appendix_items(self.appendix)
        names = () if not items else split_list([name for name, _ in items], "appendix activation",
                                                (*APPENDIX_ACTIVATIONS, "none"))
        specs = dict(items)
        if len(specs) < len(set(items)):  # (the same name twice is that name, as in every list of names)
            raise SymbackpropError(f"appendix {', '.join(spec for _, spec in items)}: name each activation once")
        for name, spec in items:
            if spec != name:
                try:
                    get_activation(spec)  # its parameter checked as a layer's is
                except UnknownNameError:  # (leaky_relu( : as the appendix allows, not as a layer does)
                    raise UnknownNameError("appendix activation", spec, (*APPENDIX_ACTIVATIONS, "none")) from None
        if "none" in names and len(names) > 1:
            raise SymbackpropError(f"appendix {', '.join(spec for _, spec in items)}: 'none' means no appendix; give "
                                   f"it alone or name activations ({', '.join(APPENDIX_ACTIVATIONS)})")
        names = tuple(specs[name] for name in names if name != "none")
        if asked and not names:
            raise SymbackpropError("the sections named include the appendix, and appendix none leaves it out; drop "
                                   "one of the two, or name the appendix's activations, such as sigmoid,tanh")
        object.__setattr__(self, "appendix", names)
        shown = set(self.sections) - {"appendix"} | ({"appendix"} if names else set())
        object.__setattr__(self, "sections", tuple(name for name in SECTIONS if name in shown))

    @property
    def notation_preset(self) -> Notation:
        """The preset with the overrides applied."""
        return with_overrides(get_notation(self.notation), self.symbols)

    @property
    def line_width(self) -> float:
        """How wide displayed equations may be: the standalone page's, or a default article's for fragments."""
        return FRAGMENT_WIDTH if self.fragment else LINE_WIDTH

    @property
    def headings(self) -> tuple[str, ...]:
        """LaTeX heading commands from the top level down (four levels)."""
        start = HEADINGS.index(self.heading)
        levels = HEADINGS[start:] + ("paragraph",) * 4
        return levels[:4]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "options") -> DocumentOptions:
        """Options from a ``[derive]`` TOML table (lists or comma-separated strings for forms and formats).

        Raises:
            SymbackpropError: unknown keys or values of the wrong type.
        """
        return cls(**cls.settings(data, source))

    @staticmethod
    def settings(data: Mapping[str, Any], source: str = "options") -> dict[str, Any]:
        """The keyword arguments a ``[derive]`` TOML table gives, and only those (``out`` is left to the caller):
        options given on the command line are added to them before the options are made and checked.

        Raises:
            SymbackpropError: not a table, or unknown keys.
        """
        if not isinstance(data, Mapping):
            raise SymbackpropError(f"{source} must be a table of options, got {data!r}")
        spelled = {str(key).replace("-", "_"): key for key in data}  # label-prefix as on the command line
        if len(spelled) < len(data):
            twice = sorted(key for key in data if str(key).replace("-", "_") != key)
            raise SymbackpropError(f"{source}: {', '.join(twice)} given twice (with - and with _); keep one")
        data = {name: data[key] for name, key in spelled.items()}
        known = {"notation", "form", "format", "fragment", "heading", "label_prefix", "exercise", "seed", "symbol",
                 "sections", "appendix", *_LINES}
        unknown = sorted(set(data) - known - {"out"})
        if unknown:
            allowed = ", ".join(sorted(known | {"out"}))
            raise SymbackpropError(f"{source}: unknown key(s) {', '.join(unknown)}; allowed: {allowed}")
        options: dict[str, Any] = {}
        renames = {"form": "forms", "format": "formats", "symbol": "symbols"}
        for key, value in data.items():
            if key == "out":
                continue
            if key == "symbol":
                if not isinstance(value, Mapping):
                    raise SymbackpropError(f"{source}: 'symbol' must be a table like {{ cost = 'J' }}")
                value = dict(value)
            options[renames.get(key, key)] = value
        return options


def _appendix_items(value: object) -> list[tuple[str, str]]:
    """The appendix's activations, each as its name and as given: a name of the table, or one with its parameter
    such as ``leaky_relu(0.3)`` (commas inside parentheses kept); none for an empty tuple."""
    if isinstance(value, str):
        items = split_names(value)
        if any(items) and not all(items):  # as given, a parameter too: leaky_relu(0.3),
            raise SymbackpropError(f"an empty appendix activation name in {cut(repr(value), 80)}; separate names by "
                                   "single commas")
    elif isinstance(value, (list, tuple)) and all(isinstance(part, str) for part in value):
        items = [part.strip() for part in value]
    else:
        split_list(value, "appendix activation", (*APPENDIX_ACTIVATIONS, "none"))  # type: ignore[arg-type]
        items = []  # (not reached: split_list refuses what is not names)
    return [(item.split("(")[0].strip(), item) for item in items]


def _require(ok: bool, name: str, expected: str, value: Any) -> None:
    """Raise unless ``ok``: option ``name`` must be ``expected`` (TOML files can hold any type: a date as TOML
    writes it, 2026-03-01, is said so, not as Python's datetime)."""
    if not ok:
        if isinstance(value, (datetime.date, datetime.time)):
            raise SymbackpropError(f"{name} must be {expected}, got the TOML date or time {value.isoformat()}; "
                                   "write it in quotes")
        raise SymbackpropError(f"{name} must be {expected}, got {cut(repr(value), 80)}")
