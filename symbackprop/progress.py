"""Progress of long library calls, for a person watching a terminal or a notebook; no dependency.

Usage, for any counted work::

    with progress_bar(total, "deriving", enabled) as bar:
        for layer in layers:
            bar.describe(f"layer {layer}")   # what is being done now
            ...
            bar.update()                     # one more step done

``enabled`` is ``True`` (always show), ``False`` (never) or ``None`` (auto: only when the caller expects a long
call, ``long=True``, and someone is watching: stderr is a terminal or the code runs in a Jupyter kernel). Where it
shows, a terminal gets one line rewritten in place with ``\\r``; a notebook gets ``tqdm.auto`` when tqdm is
installed; anything else (a notebook without tqdm, a file, a pipe with ``enabled=True``) gets one plain line per
step. This module is the one place outside ``cli.py`` that writes to the terminal, and only when asked to.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TextIO


class Progress(Protocol):
    """What the code doing the work calls; every implementation is cheap when nothing is shown."""

    def describe(self, text: str) -> None:
        """Say what is being done now (``layer 2 of 3``)."""

    def update(self, n: int = 1) -> None:
        """Count ``n`` more steps as done."""


class _Silent:
    def describe(self, text: str) -> None:
        pass

    def update(self, n: int = 1) -> None:
        pass


class _Text:
    """One line per step (``plain``) or a single line rewritten with ``\\r`` (a terminal)."""

    def __init__(self, total: int, label: str, stream: TextIO, rewrite: bool) -> None:
        self.total, self.label, self.stream, self.rewrite = total, label, stream, rewrite
        self.done, self.text, self.width = 0, "", 0
        self.start = time.monotonic()

    def _show(self, line: str) -> None:
        if self.rewrite:
            # pad over the end of a longer previous line
            self.stream.write("\r" + line.ljust(self.width))
            self.width = max(self.width, len(line))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def _line(self) -> str:
        return f"{self.label}: [{self.done}/{self.total}] {self.text}".rstrip()

    def describe(self, text: str) -> None:
        self.text = text
        self._show(self._line())

    def update(self, n: int = 1) -> None:
        self.done = min(self.total, self.done + n)
        if self.rewrite:
            self._show(self._line())

    def close(self, completed: bool) -> None:
        elapsed = f"{time.monotonic() - self.start:.1f} s"
        if completed:
            self._show(f"{self.label}: done, {self.total} steps in {elapsed}")
        else:
            self._show(f"{self.label}: stopped after {self.done} of {self.total} steps, {elapsed}")
        if self.rewrite:
            self.stream.write("\n")
            self.stream.flush()


class _Tqdm:
    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def describe(self, text: str) -> None:
        self.bar.set_postfix_str(text)

    def update(self, n: int = 1) -> None:
        self.bar.update(n)


def in_notebook() -> bool:
    """Whether the code runs in a Jupyter kernel (IPython's ZMQ shell), without importing IPython."""
    ipython = sys.modules.get("IPython")
    shell = getattr(ipython, "get_ipython", lambda: None)() if ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def shown(enabled: bool | None, long: bool, stream: TextIO | None = None) -> bool:
    """Whether progress shows: ``enabled`` if given, else for a ``long`` call that someone watches."""
    if enabled is not None:
        return bool(enabled)
    return long and (_is_terminal(stream or sys.stderr) or in_notebook())


@contextmanager
def progress_bar(total: int, label: str, enabled: bool | None = None, *, long: bool = True,
                 stream: TextIO | None = None) -> Iterator[Progress]:
    """A progress reporter for ``total`` steps, labelled ``label``; see the module docstring.

    Args:
        total: how many steps the work has.
        label: what the work is (``deriving 64-100-100-10``).
        enabled: True always, False never, None when ``long`` and stderr is a terminal or in a notebook.
        long: the caller's guess that the work takes long enough to be worth showing (for ``enabled=None``).
        stream: where text goes; stderr by default.

    Yields:
        A :class:`Progress`; its calls do nothing when progress is not shown.
    """
    if not shown(enabled, long, stream):
        yield _Silent()
        return
    out = stream or sys.stderr
    if stream is None and in_notebook():
        try:
            tqdm = importlib.import_module("tqdm.auto").tqdm  # optional: not a dependency
        except ImportError:
            pass
        else:
            bar = tqdm(total=total, desc=label, leave=False)
            try:
                yield _Tqdm(bar)
            finally:
                bar.close()
            return
    text = _Text(total, label, out, rewrite=_is_terminal(out))
    completed = False
    try:
        yield text
        completed = True
    finally:
        text.close(completed)
