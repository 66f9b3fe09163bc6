"""The Jinja environments: the one factory for every template, and the shared one for code and examples.

Templates use delimiters that cannot clash with LaTeX or Python braces, as nbconvert does: ``((* *))`` for
statements, ``((( )))`` for expressions, ``((= =))`` for comments; ``StrictUndefined`` makes a missing value
an error instead of an empty string. Templates only lay out: every value is computed before rendering.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from .resources import templates_dir


def make_environment(root: Path) -> jinja2.Environment:
    """The one Jinja factory: brace-free delimiters, StrictUndefined, no autoescape, templates under ``root``."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        block_start_string="((*",
        block_end_string="*))",
        variable_start_string="(((",
        variable_end_string=")))",
        comment_start_string="((=",
        comment_end_string="=))",
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The shared environment, loading from :func:`symbackprop.resources.templates_dir`."""
    return make_environment(templates_dir())


def render(name: str, context: dict[str, Any]) -> str:
    """Render the template ``name`` (a path under the templates folder) with ``context``."""
    return environment().get_template(name).render(**context)
