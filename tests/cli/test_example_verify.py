"""``symbackprop example --verify``: the count first and the same document, or a wrong printed number as one line
on stderr, exit status 1 and nothing written."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import pytest

from symbackprop.documents import example as example_module
from tests.helpers import one_line
from tests.helpers import run_cli as run

pytestmark = pytest.mark.timeout(120)

REPORT = "numbers verified (each equal to the true value at the example's point, to its printed digits; "


def test_example_verify_prints_the_count_then_writes_the_same_document(capsys: pytest.CaptureFixture[str],
                                                                         tmp_path: Path) -> None:
    plain, checked = tmp_path / "plain.md", tmp_path / "checked.md"
    args = ["example", "2-2-1", "--notation", "bishop", "--format", "md"]
    assert run(capsys, *args, "--out", str(plain))[0] == 0
    code, out, err = run(capsys, *args, "--out", str(checked), "--verify")
    assert (code, err) == (0, "")
    # 7 of the forward pass (z, a, c), 3 error terms, 9 gradients, 9 updates with their gradients, the text's 3
    assert out.splitlines() == [f"40 {REPORT}the truth in 40-digit arithmetic, apart from the compiled trace)",
                                str(checked)]
    assert checked.read_text() == plain.read_text()


def test_example_verify_of_a_printed_batch_says_its_count_on_stderr(capsys: pytest.CaptureFixture[str],
                                                                     tmp_path: Path) -> None:
    """A document printed on stdout stays the document alone (JSON that parses); the count goes to stderr."""
    (tmp_path / "X.json").write_text("[[0.5, -1.0], [2.0, 0.25]]")
    (tmp_path / "Y.json").write_text("[1, 0]")
    code, out, err = run(capsys, "example", "2-3-2", "--hidden", "tanh", "--output", "softmax", "--loss",
                         "sparse_cross_entropy", "--input", str(tmp_path / "X.json"), "--target",
                         str(tmp_path / "Y.json"), "--verify")
    assert code == 0
    data = json.loads(out)
    assert len(data["forward"]["z1"]) == 2
    # the loss, 2 x (3 + 2) z, a and delta, 2 x 17 gradients and updates, the loss after
    assert one_line(err) and err.startswith(f"{1 + 2 * 3 * 5 + 2 * 17 + 1} {REPORT}")


def _nudged(real: Any) -> Any:
    """worked_example with dC/dW2[0, 0] one unit higher in its fourth significant digit."""
    def wrong(*args: Any, **kwargs: Any) -> Any:
        example = real(*args, **kwargs)
        gradients = dict(example.gradients)
        W2 = gradients["W2"].copy()
        W2[0, 0] += 10.0 ** (math.floor(math.log10(abs(W2[0, 0]))) - 3)
        return dataclasses.replace(example, gradients={**gradients, "W2": W2})

    return wrong


@pytest.mark.parametrize("fmt", ["md", "tex", "json"])
def test_example_verify_of_a_wrong_number_exits_1_and_writes_nothing(capsys: pytest.CaptureFixture[str],
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path, fmt: str) -> None:
    monkeypatch.setattr(example_module, "worked_example", _nudged(example_module.worked_example))
    target = tmp_path / f"example.{fmt}"
    code, out, err = run(capsys, "example", "2-2-1", "--format", fmt, "--out", str(target), "--verify")
    assert code == 1 and out == "" and one_line(err), err
    assert err.startswith("symbackprop: verification failed: ") and "where the true value" in err
    assert not target.exists()


def test_example_verify_of_an_example_too_large_to_check_is_refused(capsys: pytest.CaptureFixture[str],
                                                                     tmp_path: Path) -> None:
    (tmp_path / "X.json").write_text(json.dumps([[0.1, 0.2]] * 300))
    (tmp_path / "Y.json").write_text(json.dumps([[0.5]] * 300))
    code, out, err = run(capsys, "example", "2-2-1", "--input", str(tmp_path / "X.json"), "--target",
                         str(tmp_path / "Y.json"), "--out", str(tmp_path / "e.json"), "--verify")
    assert code == 2 and out == "" and one_line(err) and "limited to 2,500 examples times parameters" in err
    assert not (tmp_path / "e.json").exists()
