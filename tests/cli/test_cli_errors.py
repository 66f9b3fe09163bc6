"""Mistakes on every command as a user makes them: one line on stderr, exit status 2, nothing left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from symbackprop.documents import files as documents
from tests.helpers import one_line, require_tex
from tests.helpers import run_cli as run


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
    require_tex()
    before = {"derivation-nielsen.tex": "old tex", "derivation-nielsen.pdf": "old pdf"}
    for name, text in before.items():
        (tmp_path / name).write_text(text)
    render = documents.render_files

    def broken(*args: Any, **kwargs: Any) -> documents.Rendered:
        rendered = render(*args, **kwargs)
        files = dict(rendered.files)
        files["derivation-nielsen.tex"] = files["derivation-nielsen.tex"].replace(r"\begin{document}",
                                                                                    r"\begin{document}\undefinedmacro")
        return documents.Rendered(files, rendered.figures)

    monkeypatch.setattr(documents, "render_files", broken)
    code, _, err = run(capsys, "derive", "2-2-1", "--out", str(tmp_path))
    assert code == 2 and one_line(err), err
    assert "Undefined control sequence" in err and "nothing was written" in err
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == before  # no .md, no log, no temporary file


@pytest.mark.pdf
def test_an_override_with_its_own_scripts_compiles(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    require_tex()
    code, out, err = run(capsys, "derive", "2-2-1", "--symbol", "weight=w_0^{*}", "--symbol", "delta=\\hat\\delta",
                         "--sections", "all", "--format", "tex,pdf", "--out", str(tmp_path))
    assert code == 0, err
    assert (tmp_path / "derivation-nielsen.pdf").stat().st_size > 10_000
    assert "{w_0^{*}}^{1}_{" in (tmp_path / "derivation-nielsen.tex").read_text()


def test_a_folder_in_the_way_of_one_document_leaves_the_others_unwritten(capsys: pytest.CaptureFixture[str],
                                                                         tmp_path: Path) -> None:
    (tmp_path / "derivation-nielsen.md").mkdir()
    (tmp_path / "derivation-nielsen.tex").write_text("keep")
    code, _, err = run(capsys, "derive", "2-2-1", "--format", "tex,md", "--out", str(tmp_path))
    assert code == 2 and one_line(err) and "derivation-nielsen.md: it is a folder" in err
    assert (tmp_path / "derivation-nielsen.tex").read_text() == "keep"


def test_a_symbolic_link_is_written_through_and_stays_a_link(capsys: pytest.CaptureFixture[str],
                                                             tmp_path: Path) -> None:
    (tmp_path / "target.py").write_text("old")
    (tmp_path / "link.py").symlink_to("target.py")
    code, out, err = run(capsys, "compile", "2-2-1", "--out", str(tmp_path / "link.py"))
    assert code == 0, err
    assert out.strip() == str(tmp_path / "link.py") and (tmp_path / "link.py").is_symlink()
    assert "def _backprop" in (tmp_path / "target.py").read_text()


def test_a_link_into_a_folder_that_does_not_exist_is_refused_and_no_folder_made(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A file's link to nothing is written through where its folder exists (as a shell's "> link" is); into a
    folder that does not exist it is refused, in one line, and no folder is made where the link leads."""
    out = tmp_path / "doc"
    out.mkdir()
    (out / "derivation-nielsen.tex").symlink_to(tmp_path / "elsewhere" / "x.tex")
    code, _, err = run(capsys, "derive", "2-2-1", "--format", "tex", "--out", str(out))
    assert code == 2 and one_line(err) and "it is a symbolic link to " in err
    assert ", whose folder does not exist" in err and not (tmp_path / "elsewhere").exists()
    (tmp_path / "elsewhere").mkdir()
    code, _, err = run(capsys, "derive", "2-2-1", "--format", "tex", "--out", str(out))
    assert code == 0, err
    assert (tmp_path / "elsewhere" / "x.tex").read_text().startswith("\\documentclass")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="a pipe named by /proc/self/fd (Linux)")
def test_a_link_to_a_pipe_is_refused_as_a_pipe(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """/dev/stdout when the output goes to a pipe: a link whose target (pipe:[N]) is no file name; refused by what
    it is, not with the name of a scratch file beside it."""
    read, write = os.pipe()
    try:
        (tmp_path / "out.json").symlink_to(f"/proc/self/fd/{write}")
        code, _, err = run(capsys, "example", "2-2-1", "--out", str(tmp_path / "out.json"))
    finally:
        os.close(read)
        os.close(write)
    assert code == 2 and one_line(err) and f"cannot write {tmp_path / 'out.json'}: it is not a regular file" in err


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="a folder no file can be made in (/proc, Linux)")
def test_a_file_that_cannot_be_made_is_named_as_given(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "compile", "2-2-1", "--out", "/proc/x.py")
    assert code == 2 and one_line(err) and err.startswith("symbackprop: error: cannot write /proc/x.py: "), err
    assert ".new" not in err


def test_a_pipe_is_not_replaced_by_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    code, _, err = run(capsys, "compile", "2-2-1", "--out", str(tmp_path / "pipe.py"))
    assert code == 2 and one_line(err) and "it is not a regular file" in err
    assert stat.S_ISFIFO((tmp_path / "pipe.py").stat().st_mode)


@pytest.mark.parametrize(("args", "message"), [
    (["derive", "2-2-1", "--out", ""], "--out is empty; give a folder"),
    (["derive", "2-2-1", "--out", "-"], "derive writes several files, so --out takes a folder, not -"),
    (["compile", "2-2-1", "--out", ""], "--out is empty; give a file name, or - to print"),
    (["example", "2-2-1", "--out", " "], "--out is empty"),
    (["compile", "2-2-1", "--out", "result/"], "--out result/ names a folder; give a file name"),
    # a control character would garble the paths printed one per line (a script's stray carriage return)
    (["derive", "1-1", "--out", "0\r"], "--out '0\\r' holds a control character (such as a line break or a tab)"),
    (["compile", "2-2-1", "--out", "a\tb.py"], "holds a control character"),
    (["derive", "2-2-1", "--out", "out\x00"], "holds a NUL character"),
    (["derive", "2-2-1", "--heading", "chapter"], "heading 'chapter' is for a fragment in a book or report"),
    # a title block line LaTeX could not set (or not even write: a byte that is no UTF-8) is refused first
    (["derive", "2-2-1", "--author", "\udcff", "--format", "tex"], "author '\\udcff': the character '\\udcff' "
     "(U+DCFF) cannot be typeset; use Latin letters (accented too), digits and punctuation"),
    (["derive", "2-2-1", "--title", "Ω", "--format", "pdf"], "(U+03A9) cannot be typeset"),
    (["derive", "2-2-1", "--date", "7\t12", "--format", "md"], "(U+0009) cannot be typeset"),
    # too deep a network is refused before anything is derived or compiled (SymPy's recursion ran out at 250 layers)
    (["derive", "-".join(["1"] * 102)], "the network has 101 layers of weights; symbackprop takes at most 100"),
    (["compile", "-".join(["2"] * 5000)], "the network has 4,999 layers of weights"),
    (["check", "-".join(["1"] * 20001)], "the network has 20,000 layers of weights"),
    (["derive", "x" * 5000], "no file 'xxxxx"),  # the value cut short: the message stays short
    (["derive", "nonexist"], "no file 'nonexist', and it is not layer sizes either"),  # a file's name, mistyped
    (["derive", "02-03-01"], "(a size written with a leading 0)"),
    (["derive", "2-0-1"], "(a layer of 0 neurons)"),
    (["bench", "--number", "100000000"], "Invalid value for '--number'"),
    (["bench", "--repeat", "100000000"], "Invalid value for '--repeat'"),
])
def test_output_and_layout_mistakes_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                 monkeypatch: Any, args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *args)
    assert code == 2 and one_line(err) and message in err and len(err) < 400, err
    assert not list(tmp_path.iterdir())


def test_example_prints_for_out_dash(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "example", "2-2-1", "--out", "-")
    assert code == 0, err
    assert '"loss"' in out and not list(tmp_path.iterdir())


def test_layer_sizes_are_a_spec_even_where_a_file_of_that_name_exists(capsys: pytest.CaptureFixture[str],
                                                                      tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "2-3-1").write_text("layers = [4, 4, 1]\n")
    code, out, err = run(capsys, "check", "2-3-1", "--reference", "reference")
    assert code == 0, err
    assert "layers=[2, 3, 1]" in out


def test_derive_takes_one_activation_per_layer_as_the_other_commands_do(capsys: pytest.CaptureFixture[str],
                                                                        tmp_path: Path) -> None:
    code, _, err = run(capsys, "derive", "2-3-2", "--activations", "tanh,softmax", "--loss", "cross_entropy",
                       "--format", "md", "--out", str(tmp_path))
    assert code == 0, err
    assert "tanh hidden layer, softmax output" in (tmp_path / "derivation-nielsen.md").read_text()
    code, _, err = run(capsys, "derive", "2-3-2", "--activations", "tanh", "--out", str(tmp_path / "no"))
    assert code == 2 and one_line(err) and "expected 2 names" in err
    code, _, err = run(capsys, "derive", "2-3-2", "--activations", "tanh,,softmax", "--out", str(tmp_path / "no"))
    assert code == 2 and one_line(err) and "an empty name in 'tanh,,softmax'" in err  # not "got 3"


@pytest.mark.parametrize(("args", "message"), [
    (["derive", "2-x", "--notation", "nielson"], "unknown notation 'nielson'; allowed: bishop, bishop-single, "
                                                 "goodfellow, input-major, ng, nielsen (did you mean 'nielsen'?)"),
    (["derive", "2-x", "--form", "element,matrix"], "unknown form 'matrix'; allowed: batch, closed, element, vector"),
    (["derive", "2-x", "--format", "tex,"], "an empty format name in 'tex,'; separate names by single commas"),
    (["compile", "2-x", "--backend", "tf"], "unknown backend 'tf'; allowed: jax, numpy, torch"),
    (["compile", "2-x", "--dtype", "float16"], "unknown dtype 'float16'; allowed: float32, float64"),
    (["check", "2-x", "--form", "loops"], "unknown form 'loops'; allowed: scalar, vectorized"),
    (["check", "2-x", "--reference", "torch,fd"], "unknown reference 'fd'; allowed: finite_differences, jax, "
                                                  "reference, torch"),
    (["example", "2-x", "--format", "yaml"], "unknown format 'yaml'; allowed: json, md, pdf, tex"),
    (["example", "2-x", "--notation", "bishops"], "unknown notation 'bishops'"),
])
def test_choices_are_checked_as_the_command_line_is_parsed(capsys: pytest.CaptureFixture[str], args: list[str],
                                                          message: str) -> None:
    """Typer checks a choice while it parses (before the malformed SPEC 2-x is read), with the library's words."""
    status, out, err = run(capsys, *args)
    assert (status, out) == (2, "") and one_line(err)
    assert err.startswith(f"symbackprop: error: {message}")


@pytest.mark.parametrize("command", ["derive", "example", "compile", "check"])
def test_a_spec_with_a_leading_minus_says_what_is_wrong_with_it(capsys: pytest.CaptureFixture[str],
                                                                tmp_path: Path, monkeypatch: Any,
                                                                command: str) -> None:
    """'-2-3' reads as the option -2 to the parser; the message is the spec's, not "No such option: -2"."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, command, "-2-3")
    assert (code, out) == (2, "") and one_line(err), err
    assert "malformed layer spec '-2-3'" in err and "a layer size cannot be negative" in err
    assert "No such option" not in err and not list(tmp_path.iterdir())


@pytest.mark.parametrize(("args", "message"), [
    (["example", "2-2-1", "--format", "pdf", "--out", "r.tex"],
     "--out r.tex ends in .tex (LaTeX), but the file written is a PDF; name it r.pdf, or give --format tex"),
    (["example", "2-2-1", "--out", "r.tex"], "the file written is JSON; name it r.json, or give --format tex"),
    (["example", "2-2-1", "--format", "md", "--out", "r.py"], "the file written is Markdown; name it r.md"),
    (["compile", "2-2-1", "--out", "grads.json"],
     "--out grads.json ends in .json (JSON), but the file written is a Python module; name it grads.py"),
])
def test_an_output_named_for_another_format_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                       monkeypatch: Any, args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "") and one_line(err) and message in err, err
    assert not list(tmp_path.iterdir())


def test_a_negative_number_with_a_power_of_ten_is_bracketed_in_the_example(capsys: pytest.CaptureFixture[str],
                                                                           tmp_path: Path) -> None:
    """elu(999999) makes hidden values of order -1e5, printed as -2.03 \\times 10^{5}: the marker around a negative
    number once stayed in the LaTeX (an undefined \\negative that stopped the PDF)."""
    for fmt in ("tex", "md"):
        target = tmp_path / f"example.{fmt}"
        code, _, err = run(capsys, "example", "3-3-1", "--hidden", "elu(999999)", "--format", fmt, "--out",
                           str(target))
        assert code == 0, err
        text = target.read_text()
        assert "times 10^{" in text and "negative" not in text


def test_finite_differences_too_long_to_run_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    deep = "-".join(["2"] * 101)  # 600 parameters, 100 layers: 1,200 passes of 100,000 examples (minutes)
    code, out, err = run(capsys, "check", deep, "--reference", "finite_differences", "--examples", "100000")
    assert (code, out) == (2, "") and one_line(err), err
    assert "finite differences on 2-2-2" in err and "they are limited to 5e+09" in err


@pytest.mark.parametrize(("args", "message"), [
    (["example", "2-2-1", "--lr", ""], "learning rate must be a finite number > 0, got ''"),
    (["bench", "--layers", "4-4-2", "--contenders", "numpy,,torch"],
     "an empty benchmark contender name in 'numpy,,torch'; separate names by single commas"),
])
def test_empty_values_are_quoted_and_named(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "") and one_line(err) and err == f"symbackprop: error: {message}\n", err
