"""The command line at its edges: signals, versions and help, files updated whole, names a new user confuses."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from symbackprop import Network, SpecError, __version__, outputs
from tests.helpers import one_line, require_tex
from tests.helpers import run_cli as run


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------------------------------- signals
def test_main_leaves_the_callers_signal_handlers_in_place(capsys: pytest.CaptureFixture[str]) -> None:
    def mine(signum: int, frame: object) -> None:
        raise AssertionError("not called")

    before = {signum: signal.signal(signum, mine) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        code, out, _ = run(capsys, "--version")
        assert code == 0 and out.strip() == f"symbackprop {__version__}"
        assert signal.getsignal(signal.SIGTERM) is mine and signal.getsignal(signal.SIGINT) is mine
        code, _, _ = run(capsys, "derive", "2-2-1", "--notation", "nope")
        assert code == 2 and signal.getsignal(signal.SIGTERM) is mine
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


def _start_pdf_build(tmp_path: Path) -> tuple[subprocess.Popen[str], Path, Path]:
    """A derive run building a PDF, stopped once LaTeX works in its scratch folder (under tmp_path/tmp)."""
    require_tex()
    scratch_root, out = tmp_path / "tmp", tmp_path / "out"
    scratch_root.mkdir(exist_ok=True)
    command = [sys.executable, "-m", "symbackprop", "derive", "3-4-4-2", "--format", "pdf", "--out", str(out)]
    process = subprocess.Popen(command, env=dict(os.environ, TMPDIR=str(scratch_root)), stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 60
    while not list(scratch_root.glob("symbackprop-*/.latexmk-*/*.tex")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list(scratch_root.glob("symbackprop-*/.latexmk-*/*.tex")), "LaTeX never started"
    time.sleep(0.1)  # LaTeX running (it takes about a second)
    return process, scratch_root, out


@pytest.mark.pdf
@pytest.mark.parametrize(("signum", "word"), [(signal.SIGTERM, "terminated"), (signal.SIGINT, "interrupted")])
def test_a_signal_during_a_pdf_build_says_so_in_one_line_and_removes_the_scratch(tmp_path: Path, signum: int,
                                                                                   word: str) -> None:
    process, scratch_root, out = _start_pdf_build(tmp_path)
    process.send_signal(signum)
    stderr = process.communicate(timeout=60)[1]
    assert process.returncode == 128 + signum and stderr == f"symbackprop: {word}\n"
    assert list(scratch_root.iterdir()) == [] and not out.exists()


@pytest.mark.pdf
def test_the_scratch_of_a_killed_run_is_removed_by_the_next_pdf_build(tmp_path: Path) -> None:
    process, scratch_root, out = _start_pdf_build(tmp_path)
    process.kill()
    process.communicate(timeout=60)
    left = [p.name for p in scratch_root.iterdir()]
    assert len(left) == 1 and left[0].startswith(f"symbackprop-{process.pid}-") and not out.exists()
    alive = scratch_root / f"symbackprop-{os.getpid()}-keepme"  # a run still going: left alone
    alive.mkdir()
    result = subprocess.run([sys.executable, "-m", "symbackprop", "derive", "2-2-1", "--format", "pdf", "--out",
                             str(out)], env=dict(os.environ, TMPDIR=str(scratch_root)), capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in scratch_root.iterdir()] == [alive.name]


def test_stale_scratch_is_recognised_by_its_name_owner_and_process(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    names = [f"symbackprop-{dead.pid}-abc", f"symbackprop-{os.getpid()}-abc", "symbackprop-notapid-abc",
             "other-1-abc"]
    for name in names:
        (tmp_path / name).mkdir()
    (tmp_path / f"symbackprop-{dead.pid}-file").write_text("a file, not a scratch folder")
    outputs.remove_stale_scratch()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[1:], f"symbackprop-{dead.pid}-file"])


# ------------------------------------------------------------------------------------------- version and help
def test_version_and_short_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out == f"symbackprop {__version__}\n"
    for args, expected in ((["-h"], "--version"), (["derive", "-h"], "--notation")):
        result = subprocess.run([sys.executable, "-m", "symbackprop", *args], capture_output=True, text=True,
                                timeout=60, env=dict(os.environ, COLUMNS="200"))
        assert result.returncode == 0 and expected in result.stdout and result.stderr == "", result


# ------------------------------------------------------------------------------------------- --output and --out
@pytest.mark.parametrize("value", ["o/x", "notes.pdf", "./here", "existing"])
def test_a_path_given_to_output_asks_whether_out_was_meant(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                           monkeypatch: Any, value: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing").mkdir()
    code, _, err = run(capsys, "derive", "2-3-1", "--output", value)
    assert code == 2 and one_line(err), err
    assert f"did you mean --out {value}?" in err and "output layer's activation" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing"]


def test_an_activation_named_like_a_folder_here_is_the_activation(capsys: pytest.CaptureFixture[str],
                                                                  tmp_path: Path, monkeypatch: Any) -> None:
    """After ``--out softmax`` a folder softmax is here: ``--output softmax`` still names the activation."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "softmax").mkdir()
    code, _, err = run(capsys, "derive", "2-3-2", "--output", "softmax", "--loss", "cross_entropy", "--format", "md",
                       "--out", "out")
    assert code == 0, err
    assert "softmax output" in (tmp_path / "out" / "derivation-nielsen.md").read_text(encoding="utf-8")


def test_a_parameter_with_a_comma_is_one_activation_of_the_list(capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    code, _, err = run(capsys, "derive", "2-3-2", "--activations", "leaky_relu(0.3,0.2),sigmoid", "--out",
                       str(tmp_path / "no"))
    assert code == 2 and one_line(err) and "parameter of 'leaky_relu' must be a number, got '0.3,0.2'" in err
    code, _, err = run(capsys, "derive", "2-3-2", "--activations", "leaky_relu(0.3), sigmoid", "--format", "md",
                       "--out", str(tmp_path / "yes"))
    assert code == 0, err


# ------------------------------------------------------------------------------------------- options checked
@pytest.mark.parametrize("args", [["--notation", "foo"], ["--format", "svg"]])
def test_example_checks_every_option_whatever_the_format(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = run(capsys, "example", "2-2-1", *args)
    assert code == 2 and one_line(err) and out == "", err
    assert "unknown notation 'foo'" in err or "unknown format 'svg'" in err


def test_toml_options_take_the_command_lines_dashes_too(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    spec = tmp_path / "net.toml"
    spec.write_text('layers = [2, 2, 1]\n[derive]\nlabel-prefix = "appA:"\nformat = "tex"\n')
    code, _, err = run(capsys, "derive", str(spec), "--out", str(tmp_path / "out"))
    assert code == 0, err
    assert r"\label{appA:" in (tmp_path / "out" / "derivation-nielsen.tex").read_text()
    spec.write_text('layers = [2, 2, 1]\n[derive]\nlabel-prefix = "a:"\nlabel_prefix = "b:"\n')
    code, _, err = run(capsys, "derive", str(spec), "--out", str(tmp_path / "again"))
    assert code == 2 and one_line(err) and "label-prefix given twice" in err
    assert not (tmp_path / "again").exists()


@pytest.mark.parametrize(("prefix", "said"), [
    ("a" * 41, "give at most 40 characters"),  # a line of its own, as a title's length is bounded
    ("a b", "use letters, digits and : . _ - only"),
])
def test_a_label_prefix_is_short_and_plain(capsys: pytest.CaptureFixture[str], tmp_path: Path, prefix: str,
                                           said: str) -> None:
    code, _, err = run(capsys, "derive", "2-2-1", "--fragment", "--label-prefix", prefix, "--out", str(tmp_path))
    assert code == 2 and one_line(err) and said in err and len(err) < 200
    assert run(capsys, "derive", "2-2-1", "--fragment", "--label-prefix", "a" * 40, "--format", "tex", "--out",
               str(tmp_path / "ok"))[0] == 0


# ------------------------------------------------------------------------------------------- files updated whole
def test_an_earlier_pdf_is_removed_when_its_tex_is_rewritten_without_one(capsys: pytest.CaptureFixture[str],
                                                                          tmp_path: Path) -> None:
    for name in ("derivation-nielsen.pdf", "derivation-nielsen.log", "notes.pdf"):
        (tmp_path / name).write_text("from an earlier run")
    code, _, err = run(capsys, "derive", "2-2-1", "--format", "md", "--out", str(tmp_path))
    assert code == 0, err
    assert (tmp_path / "derivation-nielsen.pdf").exists()  # md alone: the .tex and its PDF still agree
    code, out, err = run(capsys, "derive", "2-2-1", "--format", "tex,md", "--out", str(tmp_path))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["derivation-nielsen.md", "derivation-nielsen.tex",
                                                          "notes.pdf"]
    assert f"removed {tmp_path / 'derivation-nielsen.pdf'} (an earlier run's" in out


def _earlier_run(folder: Path) -> dict[str, bytes]:
    folder.mkdir(exist_ok=True)
    for name in ("derivation-nielsen.tex", "derivation-nielsen.md", "derivation-nielsen.pdf"):
        (folder / name).write_text(f"earlier {name}")
    return snapshot(folder)


def test_a_full_disk_while_writing_leaves_the_folder_as_it_was(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                               monkeypatch: Any) -> None:
    before = _earlier_run(tmp_path)
    stage, calls = outputs._stage, []

    def fills_up(target: Path, content: str | bytes) -> str:
        calls.append(target)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        return stage(target, content)

    monkeypatch.setattr(outputs, "_stage", fills_up)
    code, out, err = run(capsys, "derive", "2-2-1", "--format", "tex,md", "--out", str(tmp_path))
    assert code == 2 and one_line(err) and "No space left on device" in err and "nothing was changed" in err
    assert out == "" and len(calls) == 2 and snapshot(tmp_path) == before


def test_a_write_that_fails_names_the_file_as_given(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                    monkeypatch: Any) -> None:
    """A full disk stops ``write`` with no file name in the error, or with the scratch file's: the message names
    the file being written, as the user will find it."""
    def full(target: Path, content: str | bytes) -> str:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs, "_stage", full)
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "derive", "2-2-1", "--format", "md", "--out", "out")
    assert code == 2 and one_line(err)
    assert err.strip() == ("symbackprop: error: cannot write out/derivation-nielsen.md: No space left on device; "
                           "nothing was changed")


@pytest.mark.parametrize(("command", "suffix"), [("derive", ""), ("compile", ".py"), ("example", ".json")])
def test_an_output_the_file_system_cannot_name_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                           monkeypatch: Any, command: str, suffix: str) -> None:
    """A name too long for the file system, a loop of symbolic links, a link to nothing: one line each, every
    command that writes."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    (tmp_path / "nowhere").symlink_to(tmp_path / "missing")
    cases = [("d" * 300 + suffix, "File name too long"), ("a/" * 3000 + "x" + suffix, "File name too long"),
             ("loop1", "loop")]
    if command == "derive":  # (a file's link to nothing is written through, to its file, as any link is)
        cases.append(("nowhere", "nowhere is a symbolic link to "))
    for out, reason in cases:
        code, _, err = run(capsys, command, "2-3-1", *(["--format", "tex"] if command == "derive" else []),
                           "--out", out)
        assert code == 2 and one_line(err) and err.startswith("symbackprop: error: cannot write") and reason in err
        assert len(err) < 300
    assert sorted(path.name for path in tmp_path.iterdir()) == ["loop1", "loop2", "nowhere"]


def test_any_failure_while_writing_leaves_no_staged_file_nor_new_folder(tmp_path: Path, monkeypatch: Any) -> None:
    """Not only a full disk: whatever stops a write half-way (here text no encoding takes, as a byte that is no
    UTF-8 once was) is raised as it is, and nothing it began is left."""
    folder = tmp_path / "new" / "out"

    def fails(self: Any, content: Any) -> int:
        raise UnicodeEncodeError("utf-8", "\udcff", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(tempfile._TemporaryFileWrapper, "write", fails, raising=False)
    with pytest.raises(UnicodeEncodeError):
        outputs.commit({folder / "a.tex": "text"})
    assert not (tmp_path / "new").exists()


def test_a_failure_while_swapping_files_in_puts_every_file_back(capsys: pytest.CaptureFixture[str],
                                                                tmp_path: Path, monkeypatch: Any) -> None:
    before = _earlier_run(tmp_path)
    replace, calls = os.replace, []

    def fails_second(source: Any, target: Any) -> None:
        calls.append(target)
        if len(calls) == 2:
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(target))
        replace(source, target)

    monkeypatch.setattr(outputs.os, "replace", fails_second)
    code, _, err = run(capsys, "derive", "2-2-1", "--format", "tex,md", "--out", str(tmp_path))
    assert code == 2 and one_line(err) and "nothing was changed" in err
    assert snapshot(tmp_path) == before


def test_a_failed_write_into_a_new_folder_removes_the_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                             monkeypatch: Any) -> None:
    def full(target: Path, content: str | bytes) -> str:
        target.parent.mkdir(parents=True, exist_ok=True)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(outputs, "_stage", full)
    code, _, err = run(capsys, "derive", "2-2-1", "--format", "md", "--out", str(tmp_path / "a" / "b"))
    assert code == 2 and one_line(err)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------------- input files
@pytest.mark.parametrize("kind", ["pipe", "device", "folder", "large"])
@pytest.mark.parametrize("role", ["--params", "--input"])
def test_json_inputs_are_regular_files_of_bounded_size(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                        monkeypatch: Any, kind: str, role: str) -> None:
    path = tmp_path / "data.json"
    if kind == "pipe":
        os.mkfifo(path)  # reading would wait for a writer forever
    elif kind == "device":
        path.symlink_to("/dev/zero")  # reading would never end
    elif kind == "folder":
        path.mkdir()
    else:
        monkeypatch.setattr("symbackprop.cli.options.JSON_MAX_BYTES", 100)
        path.write_text("[" + ", ".join(["0.5"] * 50) + "]")
    (tmp_path / "other.json").write_text("[[1, 2]]")
    other = "--target" if role == "--input" else "--input"
    args = ["example", "2-2-1", role, str(path), other, str(tmp_path / "other.json")]
    if role == "--params":
        args += ["--target", str(tmp_path / "other.json")]
    code, out, err = run(capsys, *args)
    assert code == 2 and one_line(err) and out == "", err
    expected = "is not a regular file (a pipe, a device or a folder); give a JSON file"
    if kind == "large":
        expected = f"data.json is larger than 100 bytes; a {role[2:].replace('params', 'parameter')} file"
    assert expected in err, err


# ------------------------------------------------------------------------------------------- messages that say it
@pytest.mark.parametrize(("args", "message"), [
    (["derive", "2-3-1", "--hidden", "tanh", "--activations", "tanh,sigmoid"],
     "give either --activations (one per layer) or --hidden/--output, not both"),
    (["derive", "2-3-1", "--symbol", "cost=J", "--symbol", "cost=K"],
     "--symbol cost is given twice (cost=J and cost=K); give each letter once"),
    (["derive", "2-3-1", "--symbol", "cost=J^{2}^{3}"], "a double superscript; group one, as in {J^2}^3"),
    (["derive", "2-3-1", "--out", "afile"], "cannot write into afile: it is a file, not a folder"),
    (["derive", "folder"], "folder is not a regular file (a pipe, a device or a folder); give a TOML file"),
    (["compile", "/dev/null"], "/dev/null is not a regular file"),
])
def test_mistakes_are_named_as_the_user_made_them(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                  monkeypatch: Any, args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("mine")
    (tmp_path / "folder").mkdir()
    before = snapshot(tmp_path)
    code, out, err = run(capsys, *args)
    assert code == 2 and one_line(err) and out == "" and message in err, err
    assert snapshot(tmp_path) == before and sorted(p.name for p in tmp_path.iterdir()) == ["afile", "folder"]


@pytest.mark.pdf
def test_derive_prints_every_file_it_writes_the_log_included(capsys: pytest.CaptureFixture[str],
                                                             tmp_path: Path) -> None:
    require_tex()
    code, out, err = run(capsys, "derive", "2-2-1", "--format", "pdf", "--out", str(tmp_path))
    assert code == 0, err
    assert sorted(out.split()) == sorted(str(p) for p in tmp_path.iterdir())
    assert {p.suffix for p in tmp_path.iterdir()} == {".tex", ".pdf", ".log"}


# ------------------------------------------------------------------------------ numbers Python cannot read or hold
def test_numbers_too_long_or_too_large_are_refused_in_one_line(capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    """A layer size of 5,000 digits (past Python's limit for reading an integer), the same in a TOML file, and an
    integer past the largest float in an example's JSON: each one line and status 2, never a traceback."""
    huge = "1" * 5000
    code, _, err = run(capsys, "derive", f"{huge}-1", "--format", "tex", "--out", str(tmp_path / "a"))
    assert code == 2 and one_line(err) and "layer size of more than 30 digits" in err, err
    spec = tmp_path / "net.toml"
    spec.write_text(f"layers = [2, {huge}, 1]\n")
    code, _, err = run(capsys, "derive", str(spec), "--format", "tex", "--out", str(tmp_path / "b"))
    assert code == 2 and one_line(err) and "holds a value that cannot be read" in err, err
    with pytest.raises(SpecError, match=r"^layer sizes are read with at most 30 digits, and layer 1 has 5,000 or so"):
        Network([2, 10**5000 - 1, 1])  # (Python cannot even print it)
    (tmp_path / "x.json").write_text(f"[[1{'0' * 400}, 0.1]]")
    (tmp_path / "y.json").write_text("[[0.2, 0.8]]")
    code, _, err = run(capsys, "example", "2-2-2", "--input", str(tmp_path / "x.json"), "--target",
                       str(tmp_path / "y.json"))
    assert code == 2 and one_line(err) and "a number too large for a float" in err, err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_deep_networks_default_folder_name_fits_a_file_system() -> None:
    """The default output folder is named after the network: a deep one's name is cut, with a digest of the whole,
    so that two networks still get two folders."""
    from symbackprop import Network

    deep, deeper = Network([10] * 101), Network([10] * 100 + [9])
    assert len(deep.name) <= 120 and deep.name.startswith("10-10-10") and deep.name != deeper.name
    assert Network([2, 3, 1]).name == "2-3-1_sigmoid_quadratic_vector"  # a short one as it was


def test_a_very_long_value_is_quoted_in_part(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A 100,000-character activation name, a 5,000-digit parameter or learning rate: the message quotes their
    start, and stays a short line; a learning rate past the largest float says so."""
    for args in (["derive", "2-3-1", "--hidden", "x" * 100_000], ["derive", "2-3-1", "--hidden", f"elu({'1' * 5000})"],
                 ["example", "2-2-2", "--lr", "1" * 5000]):
        code, _, err = run(capsys, *args, "--out", str(tmp_path / "o"))
        assert code == 2 and one_line(err) and len(err) < 400, err[:200]
    code, _, err = run(capsys, "example", "2-2-2", "--lr", "1e400")
    assert code == 2 and "above the largest float" in err, err


def test_a_byte_order_mark_is_read_past(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Some editors begin UTF-8 with a byte-order mark: a TOML spec and an example's JSON read as without it."""
    spec, inputs, targets = tmp_path / "net.toml", tmp_path / "x.json", tmp_path / "y.json"
    spec.write_bytes(b"\xef\xbb\xbflayers = [2, 2, 1]\n")
    inputs.write_bytes(b"\xef\xbb\xbf[[0.1, 0.2]]")
    targets.write_text("[[0.5]]")
    code, out, err = run(capsys, "derive", str(spec), "--format", "tex", "--out", str(tmp_path / "o"))
    assert code == 0 and (tmp_path / "o" / "derivation-nielsen.tex").exists(), err
    code, out, err = run(capsys, "example", "2-2-1", "--input", str(inputs), "--target", str(targets))
    assert code == 0 and '"loss"' in out, err
