"""The package's layering: one folder per stage, data flowing one way, no import cycle (scripts/check_imports.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_imports.py"


def _checker():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("check_imports", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("check_imports", module)
    spec.loader.exec_module(module)
    return module


def test_no_stage_imports_a_later_one_and_nothing_imports_in_a_circle() -> None:
    assert _checker().problems() == []


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "symbackprop"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_checker_finds_an_import_of_a_later_stage_even_inside_a_function(tmp_path: Path) -> None:
    root = _package(tmp_path, {
        "__init__.py": "", "errors.py": "", "model/__init__.py": "", "documents/__init__.py": "",
        "model/architecture.py": "def f():\n    from ..documents.render import x\n",
        "documents/render.py": "from ..model.architecture import f\nfrom ..errors import E\n",
    })
    found = _checker().problems(root)
    assert found == ["symbackprop/model/architecture.py:2: model.architecture imports documents.render, a later stage",
                     "import cycle among documents.render, model.architecture (one: documents.render -> "
                     "model.architecture -> documents.render)"]


def test_the_checker_finds_a_cycle_within_a_stage(tmp_path: Path) -> None:
    root = _package(tmp_path, {
        "__init__.py": "", "derive/__init__.py": "",
        "derive/engine.py": "from . import forms\n", "derive/forms.py": "from .engine import derive\n",
    })
    assert _checker().problems(root) == ["import cycle among derive.engine, derive.forms (one: derive.engine -> "
                                         "derive.forms -> derive.engine)"]


def test_a_module_outside_every_stage_must_be_placed(tmp_path: Path) -> None:
    root = _package(tmp_path, {"__init__.py": "", "stray.py": "from .errors import E\n", "errors.py": ""})
    with pytest.raises(ValueError, match="stray: not in a stage, support or the edge"):
        _checker().problems(root)
