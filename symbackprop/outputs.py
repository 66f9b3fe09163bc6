"""Writing what a command makes: every file of a run as one change, all of it or none of it.

The command line's one place that writes files (LaTeX runs in :mod:`symbackprop.documents.pdf`). A run's files
are made in memory first, the PDF in a scratch folder; then each is written in full beside its target and moved
into place, the files it replaces kept aside until all are in, so that a failure (LaTeX, a full disk, a folder in
the way) leaves the output folder as it was. A scratch folder is named after its process, so that one left by a
killed run is recognised and removed by the next.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import SymbackpropError, cut
from .progress import progress_bar


def write_documents(network: Any, options: Any, out_dir: Path,
                    derivation: Any = None) -> tuple[list[Path], list[Path]]:
    """Derive, render every file in memory, build the PDFs (and the Markdown's figures, as SVG images) in a scratch
    folder, then write the files as one change.

    Any failure, LaTeX's and a full disk's included, leaves ``out_dir`` as it was, never with a new .tex beside an
    old PDF. The PDF's log is written beside it (LaTeX's warnings stay readable). A .tex written without its PDF
    removes the PDF and log an earlier run left of that document, which would no longer match it.

    ``derivation``, when given, is the network's, derived with ``engine_forms(options)`` (the command line derives
    first to verify it); else it is derived here.

    Returns:
        The files written (the documents, then LaTeX's logs), and the earlier PDFs and logs removed.

    Raises:
        SymbackpropError: the folder cannot be written, or LaTeX is missing or fails.
    """
    from .documents.files import engine_forms, render_files

    check_writable(out_dir)
    files: dict[str, str | bytes] = {}
    logs: dict[str, bytes] = {}
    building = "pdf" in options.formats
    with progress_bar(3 if building else 2, "symbackprop derive", None) as bar:  # shown in a terminal only
        bar.describe("deriving")
        if derivation is None:  # else derived (and verified) already, with engine_forms(options)
            derivation = network.derive(forms=engine_forms(options), progress=False)
        bar.update()
        bar.describe("rendering")
        rendered = render_files(derivation, options)
        files.update(rendered.files)
        bar.update()
        if building:
            bar.describe("building the PDF")
            logs = _build_all(files, rendered.figures, out_dir)
            bar.update()
    removed = _stale(out_dir, [*files, *logs])
    changed = commit({out_dir / name: content for name, content in [*files.items(), *logs.items()]}, removed)
    return changed[:len(files) + len(logs)], removed


def _build_all(files: dict[str, str | bytes], figures: list[tuple[tuple[str, ...], str]],
               out_dir: Path) -> dict[str, bytes]:
    """Add to ``files`` the PDF of each .tex among them and the SVG images of the Markdown's ``figures`` (each
    document's images' names and the standalone LaTeX that draws them); return LaTeX's logs of the PDFs."""
    logs: dict[str, bytes] = {}
    for name, text in list(files.items()):
        if name.endswith(".tex"):
            files[name[:-4] + ".pdf"], logs[name[:-4] + ".log"] = _build_pdf(name, str(text), out_dir)
    for names, source in figures:
        files.update(_build_svgs(names, source, out_dir))
    return logs


def _stale(out_dir: Path, names: Sequence[str]) -> list[Path]:
    """An earlier run's PDF and log of a document rewritten without one (``names``, the files of this run), and the
    figure images of a Markdown document rewritten without them: they would no longer match it."""
    stale = [out_dir / f"{name[:-4]}.{suffix}" for name in names if name.endswith(".tex")
             for suffix in ("pdf", "log") if f"{name[:-4]}.{suffix}" not in names]
    stale += [image for name in names if name.endswith(".md") for image in out_dir.glob(f"{name[:-3]}-figure-*.svg")
              if image.name not in names]
    return [path for path in stale if path.is_file()]


def commit(contents: dict[Path, str | bytes], remove: Sequence[Path] = ()) -> list[Path]:
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
    targets = {path: check_target(path) for path in [*contents, *remove]}
    created = _missing_folders([target.parent for target in targets.values()])
    staged: dict[Path, str] = {}
    kept: dict[Path, str] = {}
    swapped: list[Path] = []
    current: Path | None = None  # the file being written, as the user named it (not the scratch file beside it)
    try:
        for current, content in contents.items():
            staged[current] = _stage(targets[current], content)
        for current in [*contents, *remove]:
            _swap_in(current, targets[current], staged, kept)
            swapped.append(current)
    except BaseException as exc:  # (an interrupt too: nothing half-written is left)
        _roll_back(targets, kept, swapped, [*staged.values()], created)
        if not isinstance(exc, OSError):
            raise
        folders = sorted({str(target.parent) for target in targets.values()})
        name = _short(current) if current is not None else (f"to {', '.join(folders)}" if folders else
                                                            "the output folder")
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


def _swap_in(path: Path, target: Path, staged: dict[Path, str], kept: dict[Path, str]) -> None:
    """``target`` replaced by the staged file of ``path``, or removed if none is staged; the file it was is kept
    aside (a second link to it) in ``kept``. ``staged`` and ``kept`` follow each step, for :func:`_roll_back`."""
    if target.exists():
        kept[path] = _stage_name(target, "old")
        os.link(target, kept[path])
    if path in staged:
        os.replace(staged[path], target)
        del staged[path]
    else:
        os.remove(target)


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
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(handle.name)
        raise
    return handle.name


def write_pdf(path: Path, tex: str) -> Path:
    """The standalone LaTeX ``tex`` built to the PDF ``path``, LaTeX's log beside it, both written at once; on any
    failure, nothing is written.

    Raises:
        SymbackpropError: the folder cannot be written, or LaTeX is missing or fails.
    """
    check_writable(path.parent)
    pdf, log = _build_pdf(path.with_suffix(".tex").name, tex, path.parent)
    return commit({path: pdf, path.with_suffix(".log"): log})[0]


def _build_pdf(name: str, text: str, out_dir: Path) -> tuple[bytes, bytes]:
    """The PDF and the log of the LaTeX file ``name``, built in a scratch folder.

    Raises:
        TexMissingError, LatexError: as :func:`symbackprop.documents.pdf.build_pdf`, saying that nothing was written.
    """
    from .documents.pdf import LatexError, TexMissingError, build_pdf, require_tex

    try:
        require_tex()
    except TexMissingError as exc:
        raise TexMissingError(f"{exc}; nothing was written (without pdf in --format no TeX is needed)") from None
    remove_stale_scratch()
    with tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-") as scratch:
        tex = Path(scratch) / name
        tex.write_text(text, encoding="utf-8")
        try:
            pdf = build_pdf(tex)
        except LatexError as exc:
            raise LatexError(f"LaTeX failed on {out_dir / name}: {' | '.join(exc.errors)}; nothing was written",
                             exc.errors) from None
        return pdf.read_bytes(), tex.with_suffix(".log").read_bytes()


def _build_svgs(names: tuple[str, ...], source: str, out_dir: Path) -> dict[str, bytes]:
    """The SVG images ``names`` of one Markdown document's figures, drawn from the standalone LaTeX ``source`` (a
    page each, in order) in a scratch folder.

    Raises:
        TexMissingError, LatexError: as :func:`symbackprop.documents.pdf.build_svgs`, saying that nothing was written.
    """
    from .documents.pdf import LatexError, TexMissingError, build_svgs

    with tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-") as scratch:
        tex = Path(scratch) / "figures.tex"
        tex.write_text(source, encoding="utf-8")
        try:
            pages = build_svgs(tex)
        except TexMissingError as exc:
            raise TexMissingError(f"{exc}; nothing was written (without pdf in --format no TeX is needed)") from None
        except LatexError as exc:
            raise LatexError(f"LaTeX failed on the figures of {out_dir / names[0]}: {' | '.join(exc.errors)}; "
                             "nothing was written", exc.errors) from None
        if len(pages) != len(names):
            raise LatexError(f"LaTeX drew {len(pages)} of the {len(names)} figures of {out_dir / names[0]}; nothing "
                             "was written")
        return {name: page.read_bytes() for name, page in zip(names, pages)}


#: Scratch folders of PDF builds are named after the process that made them: symbackprop-<pid>-<random>.
SCRATCH_PREFIX = "symbackprop-"


def remove_stale_scratch() -> None:
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


def check_writable(folder: Path) -> None:
    """Fail before any work when ``folder`` cannot be created or written (a name too long, a loop of symbolic
    links, a link to nothing among them)."""
    try:
        existing = folder
        while not existing.exists():
            if existing.is_symlink():
                raise SymbackpropError(f"cannot write to {_short(folder)}: {_short(existing)} is a symbolic link "
                                       + _nowhere(existing))
            existing = existing.parent
    except OSError as exc:  # (a name too long for the file system, or a loop of links)
        raise SymbackpropError(f"cannot write to {_short(folder)}: {exc.strerror or exc}") from None
    if existing == folder and not folder.is_dir():
        raise SymbackpropError(f"cannot write into {folder}: it is a file, not a folder")
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise SymbackpropError(f"cannot write to {folder}: {existing} is not a writable folder")


def _nowhere(link: Path) -> str:
    """Where a symbolic link that leads to nothing goes: round a loop, or to a name that does not exist."""
    try:
        link.resolve(strict=True)
    except RuntimeError:  # (Python 3.11's Path.resolve on a loop; later ones raise OSError ELOOP)
        return "in a loop of links"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "in a loop of links"
    return f"to {_short(os.readlink(link))}, which does not exist"


def _short(path: Path | str, most: int = 80) -> str:
    """``path`` as text, cut to about ``most`` characters: an error stays one readable line."""
    return cut(str(path), most)


#: What each suffix of a file symbackprop writes says the file holds.
KINDS = {".json": "JSON", ".tex": "LaTeX", ".md": "Markdown", ".pdf": "a PDF", ".py": "a Python module"}


def output_file(text: str, suffix: str | None = None, remedy: str = "") -> Path | None:
    """The file an ``--out`` names; None for ``-`` (print). With ``suffix`` (the kind of file written, ".pdf"), a
    name ending in another suffix of :data:`KINDS` (``r.tex`` for a PDF) is refused, ``remedy`` added to the message.

    Raises:
        SymbackpropError: an empty name, one ending in a slash (a folder), one with a control character, or one
            whose suffix names another kind of file.
    """
    if not text.strip():
        raise SymbackpropError("--out is empty; give a file name, or - to print")
    _refuse_control(text)
    if text == "-":
        return None
    if text.endswith(("/", os.sep)):
        raise SymbackpropError(f"--out {text} names a folder; give a file name")
    path = Path(text)
    given = path.suffix.lower()
    if suffix is not None and given in KINDS and given != suffix:
        raise SymbackpropError(f"--out {_short(path.name)} ends in {given} ({KINDS[given]}), but the file written "
                               f"is {KINDS[suffix]}; name it {_short(path.with_suffix(suffix).name)}{remedy}")
    return path


def _refuse_control(text: str) -> None:
    """Refuse a name with a NUL character, which no file system takes (Python raises ValueError on it), or another
    control character (a line break, a carriage return, a tab), which a file system takes but which garbles the
    paths printed, one per line, and is a mistake far more often than a wish (a script's stray "\\r")."""
    if "\x00" in text:
        raise SymbackpropError(f"--out {text!r} holds a NUL character, which no file name can; give a file name")
    if any(ord(character) < 32 or ord(character) == 127 for character in text):
        raise SymbackpropError(f"--out {text!r} holds a control character (such as a line break or a tab); give a "
                               "name of printable characters")


def output_folder(text: str) -> Path:
    """The folder an ``--out`` of ``derive`` names.

    Raises:
        SymbackpropError: an empty name, one with a control character, or ``-`` (derive writes several files, so it
            cannot print them).
    """
    if not text.strip():
        raise SymbackpropError("--out is empty; give a folder")
    _refuse_control(text)
    if text == "-":
        raise SymbackpropError("derive writes several files, so --out takes a folder, not -")
    return Path(text)


def check_target(path: Path) -> Path:
    """The file to write for ``path``: the file a symbolic link points to (the link stays), or ``path``.

    Raises:
        SymbackpropError: ``path`` is a folder, exists and is not a regular file (a device, a pipe), or is a
            symbolic link into a folder that does not exist.
    """
    try:
        linked = path.is_symlink()
        target = path.resolve() if linked else path
        if linked and not target.parent.is_dir():  # as a shell's "> link": no folder made where it leads
            raise SymbackpropError(f"cannot write {_short(path)}: it is a symbolic link to "
                                   f"{_short(os.readlink(path))}, whose folder does not exist")
        if target.is_dir():
            raise SymbackpropError(f"cannot write {path}: it is a folder; give a file name")
        if target.exists() and not target.is_file() or path.exists() and not path.is_file():  # /dev/stdout's pipe
            raise SymbackpropError(f"cannot write {path}: it is not a regular file (a device or a pipe)")
    except OSError as exc:  # (a name too long for the file system)
        raise SymbackpropError(f"cannot write {_short(path)}: {exc.strerror or exc}") from None
    except RuntimeError:  # (Path.resolve on a loop of links)
        raise SymbackpropError(f"cannot write {_short(path)}: its symbolic links make a loop") from None
    return target


def write_file(path: Path, content: str | bytes) -> Path:
    """Write one file (through a symbolic link, to its file) all at once: never a half-written file, and no
    temporary file left behind when writing fails."""
    return commit({path: content})[0]


# --------------------------------------------------------------------------- compiled gradients
