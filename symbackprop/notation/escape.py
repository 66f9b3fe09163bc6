"""Escaping plain text for LaTeX and Markdown, each in one pass through a table.

One pass matters: chained ``str.replace`` calls escape their own output (``\\`` becomes ``\\textbackslash{}``,
whose braces the next call turns into ``\\{``). :func:`prose` handles text with inline math: what lies
between ``$`` signs is math and is kept; the rest is escaped. :func:`bars_as_commands` keeps table cells' math
free of ``|``, which would end a Markdown table cell.
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
    "_": r"\_\allowbreak{}",  # a name such as leaky_relu(1/5) may break after its underscore
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


#: A LaTeX token of math: a command, a control symbol (``\|``, a double bar) or a character.
_MATH_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|.", re.DOTALL)


def bars_as_commands(text: str) -> str:
    """``text`` with the bars of its ``$...$`` math written as ``\\vert`` and ``\\Vert``, which LaTeX and every
    Markdown math renderer draw alike: a bare ``|`` ends a Markdown table cell, even inside math. Text outside the
    math is left to the escaping (``\\|`` in Markdown, ``\\textbar{}`` in LaTeX).
    """
    parts = str(text).split("$")
    return "$".join(_bars(part) if i % 2 else part for i, part in enumerate(parts))


def _bars(math: str) -> str:
    tokens = _MATH_TOKEN.findall(math)
    out = []
    for i, token in enumerate(tokens):
        if token in ("|", "\\|"):
            command = "\\vert" if token == "|" else "\\Vert"
            letter_next = i + 1 < len(tokens) and tokens[i + 1][:1].isalpha()
            out.append(command + (" " if letter_next else ""))
        else:
            out.append(token)
    return "".join(out)
