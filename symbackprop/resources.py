"""Where the package's data files are, and which version it is.

The Jinja templates live in the repository's top-level ``templates/`` folder. The wheel carries a copy of that
folder inside the package as ``symbackprop/_templates`` (hatch ``force-include``), so an installed package finds its
templates next to its code, and a source checkout or editable install finds them in the repository.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def templates_dir() -> Path:
    """Return the folder holding the Jinja templates.

    Returns:
        ``symbackprop/_templates`` inside the installed package when it exists (an installed wheel), otherwise the
        repository's top-level ``templates/`` (a source checkout or editable install).

    Raises:
        FileNotFoundError: if neither folder exists, which means a broken installation.
    """
    for candidate in (_PACKAGE_DIR / "_templates", _PACKAGE_DIR.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"symbackprop's templates are missing: looked in {_PACKAGE_DIR / '_templates'} "
        f"and {_PACKAGE_DIR.parent / 'templates'}; reinstall the package"
    )


def version() -> str:
    """The installed package's version, from its metadata (``pyproject.toml``); ``0+unknown`` for a source tree
    that was never installed."""
    try:
        return metadata.version("symbackprop")
    except metadata.PackageNotFoundError:
        return "0+unknown"
