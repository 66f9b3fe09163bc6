"""`symbackprop derive` through Typer's CliRunner: the files it writes, and bad input as one line on stderr."""

from __future__ import annotations

import os
import re
import subprocess
import sys
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


def test_same_input_gives_byte_identical_files_in_any_process(tmp_path: Path) -> None:
    """Two processes with different string hashing (set and dict orders) write the same bytes."""
    for folder, hash_seed in (("a", "1"), ("b", "4242")):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        for args in (["derive", "2-3-2", "--hidden", "tanh", "--output", "softmax", "--loss", "cross_entropy",
                      "--notation", "goodfellow", "--form", "element,vector,batch,closed", "--format", "tex,md",
                      "--exercise", "--out", str(tmp_path / folder)],
                     ["compile", "2-3-2", "--hidden", "relu", "--output", "softmax", "--loss", "sparse_cross_entropy",
                      "--out", str(tmp_path / folder / "grads.py")],
                     ["example", "2-3-2", "--hidden", "tanh", "--format", "md", "--out",
                      str(tmp_path / folder / "example.md")]):
            result = subprocess.run([sys.executable, "-m", "symbackprop", *args], env=env, capture_output=True,
                                    text=True, timeout=300)
            assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(names) == 8 and names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


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


@pytest.mark.parametrize(("table", "said"), [
    ("notation = 3", "[derive]: notation must be a string, got 3"),
    ('fragment = "yes"', "[derive]: fragment must be true or false, got 'yes'"),
])
def test_a_spec_files_wrong_option_is_said_with_the_files_name(tmp_path: Path, table: str, said: str) -> None:
    """As its other mistakes are: the file named, then the option; the same option given on the command line is
    taken in its place."""
    spec = tmp_path / "net.toml"
    spec.write_text(f"layers = [2, 2, 1]\n[derive]\n{table}\n")
    code, _, err = derive(str(spec), "--out", str(tmp_path / "out"))
    assert code == 2 and err.strip() == f"symbackprop: error: {spec} {said}" and not (tmp_path / "out").exists()
    key = table.split(" = ")[0]
    fixed = ["--notation", "ng"] if key == "notation" else ["--standalone"]
    code, _, err = derive(str(spec), *fixed, "--format", "md", "--out", str(tmp_path / "out"))
    assert code == 0, err


@pytest.mark.parametrize(("toml", "said", "fixed"), [
    ('loss = "hinge"\n', ": unknown loss 'hinge'; allowed: bce,", ["--loss", "bce"]),
    ("[derive]\nseed = 3\n", " [derive]: seed = 3 varies the numbers of the exercises' numeric part; add exercise = "
                              "true (or --exercise)", ["--exercise"]),
    ('[derive]\nheading = "section"\n', ' [derive]: heading = "section" sets a fragment\'s top heading; add '
                                         "fragment = true (or --fragment)", ["--fragment"]),
])
def test_a_spec_files_mistake_names_the_file_and_its_key_not_a_flag(tmp_path: Path, toml: str, said: str,
                                                                     fixed: list[str]) -> None:
    """The file's own mistakes say where they are and how the file writes them; the command line's option that
    puts them right is taken."""
    spec = tmp_path / "net.toml"
    spec.write_text(f"layers = [2, 2, 1]\n{toml}")
    code, _, err = derive(str(spec), "--out", str(tmp_path / "out"))
    assert code == 2 and err.startswith(f"symbackprop: error: {spec}{said}") and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()
    code, _, err = derive(str(spec), *fixed, "--format", "md", "--out", str(tmp_path / "out"))
    assert code == 0, err


@pytest.mark.parametrize(("keys", "given", "said"), [
    ('activations = ["tanh", "elu", "sigmoid"]', ["--hidden", "relu"], "ReLU hidden layers, sigmoid output"),
    ('activations = ["tanh", "elu", "sigmoid"]', ["--output", "linear"], "tanh / ELU hidden layers, linear output"),
    ('hidden = "tanh"\noutput = "sigmoid"', ["--activations", "relu,relu,linear"], "ReLU hidden layers, linear output"),
    ("activations = []", ["--hidden", "relu"], "ReLU hidden layers, sigmoid output"),  # an empty list: nothing kept
])
def test_activations_on_the_command_line_override_the_files_either_way(tmp_path: Path, keys: str, given: list[str],
                                                                       said: str) -> None:
    """--hidden (--output) takes the place of the file's activations of the hidden layers (of the output layer),
    the rest of its list kept; --activations that of the file's hidden and output: neither is refused as both."""
    spec = tmp_path / "net.toml"
    spec.write_text(f'layers = [2, 3, 3, 1]\n{keys}\n')
    code, _, err = derive(str(spec), *given, "--format", "md", "--out", str(tmp_path / "out"))
    assert code == 0, err
    assert said in (tmp_path / "out" / "derivation-nielsen.md").read_text()


def test_help_shows_an_example_for_each_seed() -> None:
    """An example per preset, and every preset and section named in the options' help (which reads as plain text
    and is not generated from the tables: this keeps it up to date)."""
    from symbackprop.documents.options import SECTIONS
    from symbackprop.notation.presets import PRESETS

    result = runner.invoke(app, ["derive", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for preset in PRESETS:
        assert f"--notation {preset}" in result.stdout
        assert f" {preset}," in result.stdout or f" {preset} " in result.stdout or f" {preset}." in result.stdout
    listed = re.sub(r"\s+", "", result.stdout)
    assert ",".join(SECTIONS) in listed


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
        (["--heading", "paragraph", "--fragment"], "too deep; use part, chapter, section, subsection"),
        (["--heading", "section"], "--heading section sets a fragment's top heading; add --fragment"),
        (["--heading", "subsection"], "add --fragment"),
        (["--form", "element,,vector"], "an empty form name"),
        (["--format", "tex,"], "an empty format name"),
        (["--fragment", "--format", "tex,pdf"], "cannot be compiled to PDF alone"),
        (["--fragment", "--author", "A. Lecturer"], "--author goes under a standalone document's title"),
        (["--fragment", "--date", "May", "--author", "A"], "--author and --date go under a standalone document's"),
        (["--symbol", "cost=a_"], "_ needs something after it"),
        (["--symbol", "cost=\\mathbf"], "\\mathbf needs an argument"),
        (["--symbol", "cost=J_1_2"], "a double subscript"),
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


@pytest.mark.parametrize(("toml", "message"), [
    ('[derive]\nform = 3', "forms must be names like 'element', got 3"),
    ("derive = 3", "[derive] must be a table of options, got 3"),
    ("[derive]\nlabel_prefix = 5", "label_prefix must be a string, got 5"),
    ('[derive]\nformat = ["tex", 5]', "formats must be names like 'tex'"),
    ('[derive]\nfragment = "yes"', "fragment must be true or false, got 'yes'"),
    ("[derive]\nseed = -2", "seed must be a non-negative integer, got -2"),
    ("[derive]\nsymbol = { cost = { a = 1 } }", "symbol cost must be a string of LaTeX"),
    ("[derive]\nsymbol = { cost = 5 }", "symbol cost must be a string of LaTeX"),
    ("[derive]\nout = 5", "out must be a folder name, got 5"),
    ("[derive]\ndate = 2026-03-01", "date must be a string, got the TOML date or time 2026-03-01; write it in quotes"),
])
def test_values_of_the_wrong_type_in_the_toml_file_are_one_line(tmp_path: Path, toml: str, message: str) -> None:
    spec = tmp_path / "net.toml"
    spec.write_text(f'layers = "2-2-1"\n{toml}\n')
    code, _, err = derive(str(spec), "--out", str(tmp_path / "out"))
    assert code == 2 and message in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_toml_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    spec = tmp_path / "net.toml"
    spec.write_bytes(b'\xff\xfelayers = "2-2-1"\n')
    code, _, err = derive(str(spec))
    assert code == 2 and "not UTF-8" in err and len(err.strip().splitlines()) == 1


def test_a_fragment_is_written_as_tex_and_markdown_by_default(tmp_path: Path) -> None:
    code, _, err = derive("2-2-1", "--fragment", "--out", str(tmp_path))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["derivation-nielsen.md", "derivation-nielsen.tex"]


def test_a_network_too_large_to_derive_is_refused_at_once(tmp_path: Path) -> None:
    code, _, err = derive("2000-2000-1", "--format", "md", "--out", str(tmp_path / "out"))
    assert code == 2 and "4,004,001 parameters; derivations are limited to 50,000" in err
    assert not (tmp_path / "out").exists()


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


def test_fragment_on_the_command_line_with_a_toml_file_writes_tex_and_markdown(tmp_path: Path) -> None:
    spec = tmp_path / "net.toml"
    spec.write_text('layers = "2-2-1"\n[derive]\nnotation = "ng"\n')
    code, _, err = derive(str(spec), "--fragment", "--heading", "section", "--out", str(tmp_path / "out"))
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["derivation-ng.md", "derivation-ng.tex"]
