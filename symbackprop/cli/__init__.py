"""The command line: a thin edge over the library.

``options.py`` holds what the commands share (the network options, the choices Typer checks while it parses),
``commands.py`` the commands, each of which parses its options, calls the library, and prints or writes; this
module runs them. Errors a user can cause arrive as :class:`~symbackprop.errors.SymbackpropError` and leave as
one line on stderr with exit status 2; nothing else is caught.
"""

from __future__ import annotations

import contextlib
import re
import signal
import sys
import threading
from collections.abc import Iterator

import typer

from ..errors import SpecError
from ..model.layers import parse_spec
from .commands import app
from .options import OptionRefused, refuse

__all__ = ["app", "main"]

#: What each signal the CLI handles prints before the command ends (exit status 128 + the signal's number).
_SIGNAL_WORDS = {signal.SIGTERM: "terminated", signal.SIGINT: "interrupted"}


def _stopped(signum: int, frame: object) -> None:
    """SIGTERM and SIGINT end the command as an exception would: scratch folders are removed, LaTeX is stopped,
    and one line says why."""
    typer.echo(f"symbackprop: {_SIGNAL_WORDS.get(signal.Signals(signum), 'stopped')}", err=True)
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def _signal_handlers() -> Iterator[None]:
    """:func:`_stopped` for SIGTERM and SIGINT while the command runs; the caller's handlers restored after, so a
    library caller or a test that calls :func:`main` keeps its own. Only the main thread can set handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _stopped) for signum in _SIGNAL_WORDS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _negative_spec(exc: Exception, args: list[str]) -> str | None:
    """What is wrong with a layer spec written with a leading '-' (``-2-3``), which the parser takes for an unknown
    option ``-2``: the spec's own message, not "No such option: -2"; None for any other mistake."""
    name = getattr(exc, "option_name", None)
    if not isinstance(name, str) or not re.fullmatch(r"-[0-9]", name):
        return None
    token = next((arg for arg in args if arg.startswith(name)), name)
    try:
        parse_spec(token)
    except SpecError as error:
        return str(error)
    return None


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``symbackprop`` script and ``python -m symbackprop``.

    Usage mistakes (an unknown option, a missing argument, a name not among an option's choices) are reported
    like the library's errors: one line on stderr, exit status 2.
    """
    command = typer.main.get_command(app)
    args = sys.argv[1:] if argv is None else list(argv)
    if not args:  # no command: the overview of the commands, as --help prints it
        typer.echo(command.get_help(command.context_class(command, info_name="symbackprop")))
        sys.exit(0)
    with _signal_handlers():
        try:
            status = command.main(args=args, prog_name="symbackprop", standalone_mode=False)
        except OptionRefused as exc:  # a name Typer's parsing refused: the library's own message
            refuse(exc.error)
            status = 2
        except typer.TyperException as exc:  # a usage mistake Typer found: an unknown option, a missing argument
            negative = _negative_spec(exc, args)
            if negative is not None:
                refuse(negative)
                sys.exit(2)
            ctx = getattr(exc, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
            if message.startswith("No such command") and "Did you mean" not in message and ctx is not None:
                message = f"{message.rstrip('.')}; the commands are {', '.join(command.list_commands(ctx))}"  # type: ignore[attr-defined]
                hint = "; to verify a derivation, symbackprop derive ... --verify" if args[:1] == ["verify"] else ""
            refuse(f"{message}{hint}")
            status = getattr(exc, "exit_code", 2)
        except typer.Abort:
            typer.echo("symbackprop: interrupted", err=True)
            status = 130
    sys.exit(status if isinstance(status, int) else 0)
