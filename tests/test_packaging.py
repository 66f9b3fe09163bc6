"""The built wheel carries the templates and the type marker, and an installed copy finds its templates.

latexify's packaging once silently dropped its templates folder; this test builds the real wheel, installs it in a
fresh virtual environment and loads every template from the installed package, not from the repository.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"

pytestmark = pytest.mark.slow


def _run(*command: str | Path, cwd: Path | None = None) -> str:
    """Run a command and return its stdout; on failure, fail the test with its stderr."""
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True, cwd=cwd)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _purelib(python: str | Path) -> Path:
    """The site-packages folder of an interpreter."""
    return Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())


def _repo_templates() -> list[str]:
    """Every template in the repository, as POSIX paths relative to ``templates/``."""
    return sorted(path.relative_to(TEMPLATES).as_posix() for path in TEMPLATES.rglob("*.j2"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from the working tree (backend from the dev extra, so no download)."""
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", out, REPO)
    (built,) = out.glob("symbackprop-*.whl")
    return built


def test_repository_has_templates() -> None:
    assert _repo_templates(), f"no *.j2 template under {TEMPLATES}"


def test_wheel_contains_every_template_and_the_type_marker(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    packaged = sorted(
        name.removeprefix("symbackprop/_templates/")
        for name in names
        if name.startswith("symbackprop/_templates/") and name.endswith(".j2")
    )
    assert packaged == _repo_templates()
    assert "symbackprop/py.typed" in names
    assert "symbackprop/resources.py" in names


def test_wheel_declares_the_console_script(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (entry_points,) = (name for name in archive.namelist() if name.endswith(".dist-info/entry_points.txt"))
        text = archive.read(entry_points).decode()
    assert "symbackprop = symbackprop.cli:main" in text


_PROBE = textwrap.dedent(
    """
    import json, sysconfig
    from pathlib import Path

    import jinja2
    import symbackprop
    from symbackprop.resources import templates_dir

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir()))
    sources = {}
    for name in env.list_templates(extensions=["j2"]):
        sources[name] = env.loader.get_source(env, name)[0]
    print(json.dumps({
        "site_packages": sysconfig.get_paths()["purelib"],
        "package": symbackprop.__file__,
        "templates_dir": str(templates_dir()),
        "sources": sources,
    }))
    """
)


def test_installed_wheel_loads_templates_from_site_packages(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site_packages = _purelib(python)
    # The runtime dependencies come from this interpreter's environment, appended after the fresh site-packages so
    # that the installed wheel, not the editable checkout, is what `import symbackprop` finds.
    (site_packages / "zz_parent_env.pth").write_text(f"{_purelib(sys.executable)}\n")
    _run(python, "-m", "pip", "install", "--no-deps", "--no-index", "--disable-pip-version-check", "-q", wheel)

    # Isolated mode, outside the repository: neither the current directory nor PYTHONPATH can shadow the package.
    found = json.loads(_run(python, "-I", "-c", _PROBE, cwd=tmp_path))

    installed = Path(found["site_packages"]).resolve()
    assert installed == site_packages.resolve()
    assert Path(found["package"]).resolve().is_relative_to(installed)
    assert Path(found["templates_dir"]).resolve() == installed / "symbackprop" / "_templates"
    assert sorted(found["sources"]) == _repo_templates()
    for name, source in found["sources"].items():
        assert source == (TEMPLATES / name).read_bytes().decode("utf-8")
