"""The benchmark runs end to end on a tiny network; it reports timings and ratios and asserts no speed."""

from __future__ import annotations

import importlib.util

import pytest
from typer.testing import CliRunner

from symbackprop.bench import BenchConfig, run_benchmark
from symbackprop.cli import app
from symbackprop.errors import SpecError, UnknownNameError

TINY = BenchConfig(spec="6-5-3", batch=4, repeat=1, number=1)


def test_a_tiny_benchmark_reports_every_installed_contender() -> None:
    report = run_benchmark(TINY)
    names = [t.name for t in report.timings]
    assert names[:3] == ["symbackprop numpy", "hand-written numpy", "matmul floor"]
    for library, pair in (("torch", ["torch autograd", "symbackprop torch"]),
                          ("jax", ["jax.grad (jit)", "symbackprop jax"])):
        if importlib.util.find_spec(library) is not None:
            assert all(name in names for name in pair)
    assert all(t.seconds > 0 for t in report.timings) and report.compile_seconds > 0
    assert [label for label, _, _ in report.ratios()][:2] == ["symbackprop numpy / torch autograd",
                                                              "symbackprop numpy / matmul floor"] or \
        importlib.util.find_spec("torch") is None
    assert "ms per gradient" in report.table() and "6-5-3" in report.table()


def test_bad_benchmark_settings_are_rejected_by_name() -> None:
    with pytest.raises(UnknownNameError, match="tanh"):
        run_benchmark(BenchConfig(spec="4-3-2", hidden="gelu"))
    with pytest.raises(SpecError):
        run_benchmark(BenchConfig(spec="4--2"))
    with pytest.raises(UnknownNameError, match="cuda"):
        run_benchmark(BenchConfig(spec="4-3-2", device="tpu"))


def test_cli_bench_prints_the_table() -> None:
    result = CliRunner().invoke(app, ["bench", "--layers", "5-4-2", "--batch", "3", "--repeat", "1", "--number", "1",
                                      "--contenders", "numpy"])
    assert result.exit_code == 0, result.stderr
    assert "symbackprop numpy / matmul floor" in result.stdout
    result = CliRunner().invoke(app, ["bench", "--suite", "tpu"])
    assert result.exit_code == 2 and "unknown benchmark suite 'tpu'" in result.stderr
