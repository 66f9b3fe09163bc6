"""Reading a user's input files (TOML specs, JSON data): regular files only, of a bounded size, as UTF-8 text.

A spec or data file is named on the command line, so it may be anything the path leads to: a pipe (reading would
wait for a writer forever), a device (``/dev/zero`` never ends) or a folder. Each is refused at once, in one line.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from .errors import SpecError, SymbackpropError


def read_regular_file(path: str | Path, kind: str, limit: int, why: str,
                      error: type[SymbackpropError] = SymbackpropError, role: str = "") -> str:
    """The UTF-8 text of the regular file ``path``, of at most ``limit`` bytes; never blocks on a pipe.

    Args:
        kind: what the file holds, for messages ("TOML", "JSON").
        why: why ``limit`` is enough, for the message of a larger file.
        error: the error class to raise.
        role: what the file is for, if the messages should say it ("parameter": "cannot read the parameter file").

    Raises:
        error: the file cannot be opened, is not a regular file, is larger than ``limit`` or is not UTF-8.
    """
    not_regular = f"{path} is not a regular file (a pipe, a device or a folder); give a {kind} file"
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise error(not_regular)
        # O_NONBLOCK: a pipe swapped in after the stat opens at once instead of waiting for a writer
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise error(not_regular)
            content = handle.read(limit + 1)
    except OSError as exc:
        named = f"the {role} file {path}" if role else str(path)
        raise error(f"cannot read {named}: {exc.strerror or exc}") from None
    if len(content) > limit:
        raise error(f"{path} is larger than {_size(limit)}; {why}")
    try:
        return content.decode("utf-8-sig")  # (a byte-order mark, as some editors write one, is not the text's)
    except UnicodeDecodeError:
        raise error(f"{path} is not UTF-8 text; save it as UTF-8 {kind}") from None


def _size(limit: int) -> str:
    if limit >= 1 << 20 and not limit % (1 << 20):
        return f"{limit >> 20} MiB"
    return f"{limit >> 10} KiB" if limit >= 1 << 10 and not limit % (1 << 10) else f"{limit:,} bytes"


#: The largest TOML file read: a spec is a few lines.
TOML_MAX_BYTES = 1 << 20
#: The deepest nesting of tables and arrays a TOML file may have (a spec needs three: [derive] symbols = {...}).
TOML_MAX_DEPTH = 16


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file, turning every failure into a one-line :class:`SpecError`.

    Only a regular file of at most :data:`TOML_MAX_BYTES` is read (a pipe would block, a device never end), and
    its tables and arrays may nest at most :data:`TOML_MAX_DEPTH` deep, so nothing that reads it recurses far.
    """
    text = read_regular_file(path, "TOML", TOML_MAX_BYTES, "a network spec is a few lines of TOML", SpecError)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path} is not valid TOML: {exc}") from None
    except ValueError as exc:  # a value TOML reads but Python cannot hold, such as an integer of 5,000 digits
        raise SpecError(f"{path} holds a value that cannot be read: {str(exc).split(':')[0]}") from None
    except RecursionError:
        data = None
    if data is None or _too_deep(data, TOML_MAX_DEPTH):
        raise SpecError(f"{path}: nested too deeply to be a network spec (at most {TOML_MAX_DEPTH} levels of "
                        "tables and arrays)")
    return data


def _too_deep(data: Any, limit: int) -> bool:
    """Whether lists and dicts in ``data`` nest more than ``limit`` levels deep (an explicit stack, no recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False
