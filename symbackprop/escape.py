"""Escaping plain text for LaTeX and Markdown, each in one pass through a table.

One pass matters: chained ``str.replace`` calls escape their own output (``\\`` becomes ``\\textbackslash{}``,
whose braces the next call turns into ``\\{``). :func:`prose` handles text with inline math: what lies
between ``$`` signs is math and is kept; the rest is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

LATEX_ESCAPES: Mapping[str, str] = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}

MARKDOWN_ESCAPES: Mapping[str, str] = {
    char: "\\" + char for char in "\\`*_[]<>#|$"
}


def _one_pass(table: Mapping[str, str]) -> Callable[[str], str]:
    pattern = re.compile("|".join(re.escape(char) for char in table))
    return lambda text: pattern.sub(lambda match: table[match.group(0)], str(text))


latex_escape = _one_pass(LATEX_ESCAPES)
markdown_escape = _one_pass(MARKDOWN_ESCAPES)


def prose(text: str, escape: Callable[[str], str]) -> str:
    """Escape the text parts of ``text`` and keep its ``$...$`` math as it is."""
    parts = str(text).split("$")
    if len(parts) % 2 == 0:
        raise ValueError(f"unbalanced $ in {text!r}")
    return "$".join(part if i % 2 else escape(part) for i, part in enumerate(parts))
