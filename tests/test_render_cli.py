"""`symbackprop derive` through Typer's CliRunner: the files it writes, and bad input as one line on stderr."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from symbackprop.cli import app

runner = CliRunner()


def derive(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["derive", *args])
    return result.exit_code, result.stdout, result.stderr


def test_derive_writes_tex_and_markdown(tmp_path: Path) -> None:
    code, out, _ = derive("2-2-1", "--notation", "bishop", "--format", "tex,md", "--out", str(tmp_path))
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["derivation-bishop.md", "derivation-bishop.tex"]
    assert str(tmp_path / "derivation-bishop.tex") in out
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_derive_writes_exercises_as_two_documents(tmp_path: Path) -> None:
    code, _, _ = derive("2-2-1", "--notation", "input-major", "--format", "md", "--exercise", "--out", str(tmp_path))
    assert code == 0
    assert {p.name for p in tmp_path.iterdir()} == {
        "derivation-input-major.md", "exercises-input-major.md", "solutions-input-major.md",
    }


def test_same_input_gives_byte_identical_files(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        assert derive("2-3-1", "--hidden", "tanh", "--format", "tex,md", "--out", str(tmp_path / folder))[0] == 0
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


def test_toml_spec_holds_the_network_and_the_options(tmp_path: Path) -> None:
    spec = tmp_path / "net.toml"
    spec.write_text(
        'layers = [2, 3, 1]\nhidden = "tanh"\nloss = "bce"\n'
        '[derive]\nnotation = "goodfellow"\nformat = ["md"]\nform = "vector"\nsymbol = { cost = "J" }\n'
    )
    code, _, err = derive(str(spec), "--out", str(tmp_path / "out"))
    assert code == 0, err
    text = (tmp_path / "out" / "derivation-goodfellow.md").read_text()
    assert r"\nabla_{W_{1}} J" in text
    assert "element by element" not in text


def test_options_on_the_command_line_override_the_toml_file(tmp_path: Path) -> None:
    spec = tmp_path / "net.toml"
    spec.write_text('layers = "2-2-1"\n[derive]\nnotation = "goodfellow"\nformat = "md"\n')
    assert derive(str(spec), "--notation", "ng", "--out", str(tmp_path / "out"))[0] == 0
    assert (tmp_path / "out" / "derivation-ng.md").exists()


def test_help_shows_an_example_for_each_seed() -> None:
    result = runner.invoke(app, ["derive", "--help"])
    assert result.exit_code == 0
    for preset in ("ng", "input-major", "goodfellow", "bishop", "nielsen"):
        assert f"--notation {preset}" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--notation", "nielson"], "did you mean 'nielsen'"),
        (["--form", "element,matrix"], "unknown form 'matrix'"),
        (["--format", "tex,docx"], "unknown format 'docx'"),
        (["--symbol", "cost=\\input{x}"], "is not allowed"),
        (["--symbol", "cost={J"], "unbalanced braces"),
        (["--heading", "chapterr"], "unknown heading level"),
        (["--label-prefix", "a b"], "label prefix"),
    ],
)
def test_bad_options_give_one_line_and_write_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    code, out, err = derive("2-2-1", *args, "--out", str(tmp_path / "out"))
    assert code != 0
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_toml_file_that_does_not_parse_is_one_line(tmp_path: Path) -> None:
    spec = tmp_path / "broken.toml"
    spec.write_text("layers = [2, 3\n")
    code, _, err = derive(str(spec), "--out", str(tmp_path / "out"))
    assert code != 0 and "not valid TOML" in err and len(err.strip().splitlines()) == 1


def test_unknown_keys_in_the_derive_table_are_refused(tmp_path: Path) -> None:
    spec = tmp_path / "net.toml"
    spec.write_text('layers = "2-2-1"\n[derive]\nnotaton = "ng"\n')
    code, _, err = derive(str(spec))
    assert code != 0 and "unknown key(s) notaton" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_an_unwritable_output_folder_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, _, err = derive("2-2-1", "--format", "md", "--out", str(locked / "out"))
    finally:
        locked.chmod(0o700)
    assert code != 0 and "cannot write" in err


def test_an_output_path_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = derive("2-2-1", "--format", "md", "--out", str(blocker / "out"))
    assert code != 0 and "cannot write" in err and len(err.strip().splitlines()) == 1
