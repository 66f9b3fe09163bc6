"""The command line: a thin edge over the library.

Each command parses its options, calls the library, and prints or writes.
Errors a user can cause arrive as :class:`~symbackprop.errors.SymbackpropError`
and leave as one line on stderr with exit status 2; nothing else is caught.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer

from .errors import SymbackpropError

app = typer.Typer(
    name="symbackprop",
    help="Backpropagation derived symbolically: every delta and gradient, from the chain rule, in closed form.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Turn a SymbackpropError into one line on stderr and exit status 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SymbackpropError as exc:
            typer.echo(f"symbackprop: error: {exc}", err=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def _group() -> None:
    """Backpropagation derived symbolically: every delta and gradient, from the chain rule, in closed form."""


@app.command("list")
@user_errors
def list_rules() -> None:
    """Print every activation, loss and bias convention with its formula and derivative."""
    from .catalogue import catalogue_text

    typer.echo(catalogue_text())


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``symbackprop`` script and ``python -m symbackprop``.

    Usage mistakes (an unknown option, a missing argument) are reported like the
    library's errors: one line on stderr, exit status 2.
    """
    # Typer 0.29 vendors click; its exceptions are the ones raised here.
    from typer._click import exceptions as click_errors

    command = typer.main.get_command(app)
    try:
        status = command.main(args=argv, prog_name="symbackprop", standalone_mode=False)
    except click_errors.NoArgsIsHelpError as exc:
        typer.echo(exc.ctx.get_help() if exc.ctx else "", err=False)
        status = 0
    except click_errors.ClickException as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if getattr(exc, "ctx", None) else ""
        typer.echo(f"symbackprop: error: {exc.format_message()}{hint}", err=True)
        status = exc.exit_code
    except typer.Abort:
        typer.echo("symbackprop: aborted", err=True)
        status = 1
    sys.exit(status if isinstance(status, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
