"""Compile a LaTeX file to PDF with latexmk and pdflatex, and a figure's page to SVG with latex and dvisvgm: the
one module that runs the TeX process.

The build never enables shell escape, ignores latexmkrc files (``-norc``: a file in the output folder must not run
commands) and runs in a scratch folder next to the output, so a failed build leaves no half-written PDF: on success
the PDF is moved into place with :func:`os.replace`; on failure the error quotes the log's first error lines. Either
way the log is copied next to the .tex, where LaTeX's warnings (overfull boxes) stay readable. ``SOURCE_DATE_EPOCH``
fixes the dates and the document ID that pdfTeX writes, so the same .tex gives a byte-identical PDF.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import SymbackpropError

#: The Debian packages the documents need (latexmk; LaTeX with amsmath, bm, geometry; booktabs; TikZ).
DEBIAN_PACKAGES = ("latexmk", "texlive-latex-base", "texlive-latex-recommended", "texlive-pictures")
#: Seconds a build may take before it is abandoned.
TIMEOUT = 300
#: Lines of the log quoted in an error.
ERROR_LINES = 6
_ERROR = re.compile(r"^(!|\S+?:\d+: )")


class TexMissingError(SymbackpropError):
    """latexmk or pdflatex is not installed."""


class LatexError(SymbackpropError):
    """LaTeX failed on a file; the message quotes the first errors and names the log.

    Attributes:
        errors: the log's first error lines, as quoted.
    """

    def __init__(self, message: str, errors: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.errors = errors


def tex_available() -> bool:
    """True when latexmk and pdflatex are both on the PATH."""
    return shutil.which("latexmk") is not None and shutil.which("pdflatex") is not None


def svg_available() -> bool:
    """True when latex and dvisvgm, which draw the Markdown's figures as SVG, are both on the PATH (dvisvgm is
    recommended by TeX Live but may be left out)."""
    return shutil.which("latex") is not None and shutil.which("dvisvgm") is not None


def require_tex(tex_path: Path | None = None) -> None:
    """Raise :class:`TexMissingError`, naming the Debian packages to install, unless TeX is available."""
    if tex_available():
        return
    kept = f"; the LaTeX source was written to {tex_path}" if tex_path is not None else ""
    raise TexMissingError(
        "cannot build the PDF: latexmk and pdflatex are not installed; install them with "
        f"'apt-get install {' '.join(DEBIAN_PACKAGES)}'{kept}"
    )


def latexmk_command(tex_name: str) -> list[str]:
    """The latexmk command line for ``tex_name`` in the current folder: pdflatex, no shell escape, no rc files."""
    return [
        "latexmk",
        "-norc",
        "-pdf",
        "-pdflatex=pdflatex -no-shell-escape -interaction=nonstopmode -halt-on-error -file-line-error %O %S",
        "-no-shell-escape",
        "-interaction=nonstopmode",
        "-halt-on-error",
        "-file-line-error",
        tex_name,
    ]


def first_errors(log: str, count: int = ERROR_LINES) -> list[str]:
    """The first error lines of a LaTeX log (``! ...`` or ``file:line: ...``) with the line after each."""
    lines = log.splitlines()
    found: list[str] = []
    for i, line in enumerate(lines):
        if _ERROR.match(line):
            found.append(line.strip())
            if i + 1 < len(lines) and lines[i + 1].strip():
                found.append(lines[i + 1].strip())
        if len(found) >= count:
            break
    return found[:count]


def build_pdf(tex_path: Path) -> Path:
    """Compile ``tex_path`` to a PDF next to it.

    Returns:
        The PDF's path.

    Raises:
        TexMissingError: latexmk or pdflatex is missing (the .tex stays where it is).
        LatexError: LaTeX failed; the log is copied next to the .tex and its first errors are quoted.
    """
    tex_path = Path(tex_path)
    require_tex(tex_path)
    target = tex_path.with_suffix(".pdf")
    log_path = tex_path.with_suffix(".log")
    # max_print_line: log lines unwrapped (TeX breaks them at 79 characters, splitting words of the errors quoted)
    env = dict(os.environ, SOURCE_DATE_EPOCH="0", FORCE_SOURCE_DATE="1", TEXINPUTS=f"{tex_path.parent.resolve()}:",
               max_print_line="10000")
    with tempfile.TemporaryDirectory(prefix=".latexmk-", dir=tex_path.parent) as scratch:
        work = Path(scratch)
        shutil.copyfile(tex_path, work / tex_path.name)
        try:
            result = subprocess.run(
                latexmk_command(tex_path.name), cwd=work, env=env, capture_output=True, text=True, errors="replace",
                timeout=TIMEOUT, check=False,  # (TeX echoes a title's bytes as they are, no UTF-8 where split)
            )
        except subprocess.TimeoutExpired:
            raise LatexError(f"LaTeX took longer than {TIMEOUT} s on {tex_path}; the .tex is kept") from None
        built_log = work / log_path.name
        if built_log.exists():
            shutil.copyfile(built_log, log_path)
        built = work / target.name
        if result.returncode != 0 or not built.exists():
            log = built_log.read_text(errors="replace") if built_log.exists() else result.stdout + result.stderr
            errors = first_errors(log) or (result.stderr or result.stdout).splitlines()[-3:]
            raise LatexError(f"LaTeX failed on {tex_path}: {' | '.join(errors)} (log: {log_path})", tuple(errors))
        os.replace(built, target)
    return target


def build_svgs(tex_path: Path) -> list[Path]:
    """Draw the standalone figures ``tex_path`` (:func:`symbackprop.documents.render.render_figures`) as SVG images
    next to it, one per page, in page order: latex (no shell escape) to DVI, then dvisvgm with the glyphs as paths,
    so the images need no fonts. The same .tex gives byte-identical images.

    Raises:
        TexMissingError: latex or dvisvgm is missing.
        LatexError: LaTeX or dvisvgm failed; the first errors are quoted.
    """
    tex_path = Path(tex_path)
    if not svg_available():
        raise TexMissingError("cannot draw the Markdown's figures: latex and dvisvgm are not installed; install "
                              f"them with 'apt-get install {' '.join(DEBIAN_PACKAGES)} dvisvgm'")
    folder, dvi = tex_path.parent, tex_path.with_suffix(".dvi")
    commands = (["latex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
                 tex_path.name],
                ["dvisvgm", "--no-fonts", "--exact-bbox", "--verbosity=1", "--page=1-", dvi.name, "-o", "page-%p.svg"])
    env = dict(os.environ, max_print_line="10000")
    for command in commands:
        try:
            result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, errors="replace",
                                    timeout=TIMEOUT, check=False)  # (TeX echoes a title's bytes as they are)
        except subprocess.TimeoutExpired:
            raise LatexError(f"{command[0]} took longer than {TIMEOUT} s on {tex_path}") from None
        if result.returncode != 0:
            log = tex_path.with_suffix(".log")
            errors = first_errors(log.read_text(errors="replace") if log.exists() else "") or \
                (result.stderr or result.stdout).splitlines()[-3:]
            raise LatexError(f"{command[0]} failed on {tex_path}: {' | '.join(errors)}", tuple(errors))
    return sorted(folder.glob("page-*.svg"), key=lambda page: int(page.stem.split("-")[1]))  # page-01 or page-1
