"""What a document should contain and look like: one frozen, validated options object.

Unknown names (notation, form, format, heading) are rejected by name, with the allowed ones listed, as SymPy's
printers reject unknown settings; ``--symbol`` overrides are validated LaTeX (see :mod:`symbackprop.notation.presets`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..choices import split_list
from ..errors import SymbackpropError, UnknownNameError
from ..notation.display import LINE_WIDTH
from ..notation.overrides import check_override, with_overrides
from ..notation.presets import PRESETS, Notation, get_notation

DOCUMENT_FORMS = ("element", "vector", "batch", "closed")
FORMATS = ("tex", "pdf", "md")
HEADINGS = ("part", "chapter", "section", "subsection", "subsubsection", "paragraph", "subparagraph")
#: The levels a document may start at: its sections need three more below them.
TOP_HEADINGS = HEADINGS[:HEADINGS.index("subsection") + 1]
#: Display width for fragments: a default ``article`` page is about three quarters of the standalone one.
FRAGMENT_WIDTH = 50.0
_LABEL_PREFIX = re.compile(r"^[A-Za-z0-9:._-]*$")


@dataclass(frozen=True)
class DocumentOptions:
    """The options of ``symbackprop derive`` that shape the documents.

    Attributes:
        notation: a preset of :data:`symbackprop.notation.presets.PRESETS`.
        forms: which derivation forms to show, of :data:`DOCUMENT_FORMS`.
        formats: which files to write, of :data:`FORMATS`; by default all of them, and tex and md for a fragment.
        fragment: LaTeX without a preamble, to ``\\input`` into a host document.
        heading: the top heading level of the document's sections.
        label_prefix: prefix of every ``\\label``.
        exercise: also write problem statements and solutions.
        seed: varies the numbers of the exercises' numeric part.
        symbols: letter overrides, ``{"cost": "J"}``.
    """

    notation: str = "nielsen"
    forms: tuple[str, ...] = ("element", "vector", "batch")
    formats: tuple[str, ...] = None  # type: ignore[assignment]  # None: the default, resolved on creation
    fragment: bool = False
    heading: str = "section"
    label_prefix: str = "bp:"
    exercise: bool = False
    seed: int = 0
    symbols: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        for name in ("notation", "heading", "label_prefix"):
            _require(isinstance(getattr(self, name), str), name, "a string", getattr(self, name))
        for name in ("fragment", "exercise"):
            _require(isinstance(getattr(self, name), bool), name, "true or false", getattr(self, name))
        _require(isinstance(self.seed, int) and not isinstance(self.seed, bool) and self.seed >= 0, "seed",
                 "a non-negative integer", self.seed)
        if self.notation not in PRESETS:
            raise UnknownNameError("notation", self.notation, PRESETS)
        object.__setattr__(self, "forms", split_list(self.forms, "form", DOCUMENT_FORMS))
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
        if not _LABEL_PREFIX.match(self.label_prefix):
            raise SymbackpropError(
                f"label prefix {self.label_prefix!r}: use letters, digits and : . _ - only"
            )
        symbols = dict(self.symbols)
        for name, latex in symbols.items():
            _require(isinstance(latex, str), f"symbol {name}", "a string of LaTeX such as 'J'", latex)
        checked = {name: check_override(name, latex) for name, latex in sorted(symbols.items())}
        object.__setattr__(self, "symbols", MappingProxyType(checked))

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
        known = {"notation", "form", "format", "fragment", "heading", "label_prefix", "exercise", "seed", "symbol"}
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


def _require(ok: bool, name: str, expected: str, value: Any) -> None:
    """Raise unless ``ok``: option ``name`` must be ``expected`` (TOML files can hold any type)."""
    if not ok:
        raise SymbackpropError(f"{name} must be {expected}, got {value!r}")
