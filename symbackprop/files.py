"""Reading a user's input files: regular files only, of a bounded size, as UTF-8 text.

A spec or data file is named on the command line, so it may be anything the path leads to: a pipe (reading would
wait for a writer forever), a device (``/dev/zero`` never ends) or a folder. Each is refused at once, in one line.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import SymbackpropError


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
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{path} is not UTF-8 text; save it as UTF-8 {kind}") from None


def _size(limit: int) -> str:
    if limit >= 1 << 20 and not limit % (1 << 20):
        return f"{limit >> 20} MiB"
    return f"{limit >> 10} KiB" if limit >= 1 << 10 and not limit % (1 << 10) else f"{limit:,} bytes"
