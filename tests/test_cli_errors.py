"""Mistakes on every command as a user makes them: one line on stderr, exit status 2, nothing left behind."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from symbackprop import documents
from symbackprop.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def one_line(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("args", [
    ["derive", "2-2-1", "--seed", "-1"],
    ["example", "2-2-1", "--seed", "-1"],
    ["check", "2-2-1", "--seed", "-1"],
    ["check", "2-2-1", "--examples", "100000000"],
])
def test_numbers_out_of_range_are_one_line(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2 and one_line(err), err
    assert f"Invalid value for '{args[2]}'" in err


def test_an_empty_reference_list_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "2-2-1", "--reference", "")
    assert code == 2 and one_line(err) and "no reference given; allowed: reference, finite_differences" in err


@pytest.mark.parametrize("command", [["compile", "2-2-1"], ["example", "2-2-1"]])
def test_an_output_file_that_is_a_folder_leaves_nothing_behind(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                               command: list[str]) -> None:
    folder = tmp_path / "result"
    folder.mkdir()
    code, _, err = run(capsys, *command, "--out", str(folder))
    assert code == 2 and one_line(err) and "it is a folder; give a file name" in err
    assert [p.name for p in tmp_path.iterdir()] == ["result"] and not list(folder.iterdir())


def test_a_json_file_that_is_not_utf8_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "x.json").write_bytes(b"\xff\xfe[[1, 2]]")
    (tmp_path / "y.json").write_text("[[1]]")
    code, _, err = run(capsys, "example", "2-2-1", "--input", str(tmp_path / "x.json"), "--target",
                       str(tmp_path / "y.json"))
    assert code == 2 and one_line(err) and "x.json is not UTF-8 text" in err


@pytest.mark.pdf
def test_a_latex_failure_leaves_the_folder_as_it_was(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                     monkeypatch: Any) -> None:
    if shutil.which("latexmk") is None:
        pytest.skip("needs latexmk")
    before = {"derivation-nielsen.tex": "old tex", "derivation-nielsen.pdf": "old pdf"}
    for name, text in before.items():
        (tmp_path / name).write_text(text)
    render = documents.document_files

    def broken(*args: Any, **kwargs: Any) -> dict[str, str]:
        files = dict(render(*args, **kwargs))
        files["derivation-nielsen.tex"] = files["derivation-nielsen.tex"].replace(r"\begin{document}",
                                                                                    r"\begin{document}\undefinedmacro")
        return files

    monkeypatch.setattr(documents, "document_files", broken)
    code, _, err = run(capsys, "derive", "2-2-1", "--out", str(tmp_path))
    assert code == 2 and one_line(err), err
    assert "Undefined control sequence" in err and "nothing was written" in err
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == before  # no .md, no log, no temporary file


@pytest.mark.pdf
def test_an_override_with_its_own_scripts_compiles(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    if shutil.which("latexmk") is None:
        pytest.skip("needs latexmk")
    code, out, err = run(capsys, "derive", "2-2-1", "--symbol", "weight=w_0^{*}", "--symbol", "delta=\\hat\\delta",
                         "--format", "tex,pdf", "--out", str(tmp_path))
    assert code == 0, err
    assert (tmp_path / "derivation-nielsen.pdf").stat().st_size > 10_000
    assert "{w_0^{*}}^{1}_{" in (tmp_path / "derivation-nielsen.tex").read_text()
