"""The benchmark runs end to end on a tiny network; it reports timings and ratios and asserts no speed."""

from __future__ import annotations

import importlib.util
from dataclasses import replace

import numpy as np
import pytest
from typer.testing import CliRunner

from symbackprop.cli import app
from symbackprop.errors import BackendError, DataError, SizeLimitError, SpecError, SymbackpropError, UnknownNameError
from symbackprop.numeric import bench
from symbackprop.numeric.bench import BenchConfig, run_benchmark

TINY = BenchConfig(spec="6-5-3", batch=4, repeat=1, number=1)


def test_a_tiny_benchmark_reports_every_installed_contender() -> None:
    report = run_benchmark(TINY)
    names = [t.name for t in report.timings]
    numba = importlib.util.find_spec("numba") is not None
    assert names[:3 + numba] == ["symbackprop numpy"] + ["numpy without numba"] * numba + ["hand-written numpy",
                                                                                           "matmul floor"]
    assert (report.numba is not None) == numba and report.first_call_seconds is not None
    assert ("element loops on layers of 16,384 values or more" if numba else "NumPy alone") in report.table()
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


def test_the_floor_makes_the_products_of_backprop_and_returns_new_arrays() -> None:
    rng = np.random.default_rng(0)
    params = {"W1": rng.normal(size=(4, 3)), "W2": rng.normal(size=(2, 4))}
    X = rng.normal(size=(5, 3))
    Z1 = X @ params["W1"].T
    Z2 = Z1 @ params["W2"].T  # the floor back-propagates Z2 itself
    work: dict[str, np.ndarray] = {}
    first = bench._floor(params, X, 2, np.matmul, work)
    np.testing.assert_allclose(first[0], Z2.T @ Z1)
    np.testing.assert_allclose(first[1], (Z2 @ params["W2"]).T @ X)
    kept = [g.copy() for g in first]
    second = bench._floor({k: 2 * v for k, v in params.items()}, X, 2, np.matmul, work)
    assert sorted(work) == ["D1", "Z1", "Z2"]
    for before, after in zip(kept, first):
        np.testing.assert_array_equal(before, after)  # the returned gradients are not overwritten
    np.testing.assert_allclose(second[1], 8 * first[1])


def test_timing_together_times_every_call() -> None:
    calls = {"a": lambda: None, "b": lambda: sum(range(100))}
    times = bench._time_together(calls, BenchConfig(repeat=3, number=2), lambda: None)
    assert sorted(times) == ["a", "b"] and all(t > 0 for t in times.values())


@pytest.mark.parametrize("contenders, error, message", [
    (("foo",), UnknownNameError, "unknown benchmark contender 'foo'; allowed: jax, numpy, torch"),
    (("numpy", "foo"), UnknownNameError, "unknown benchmark contender 'foo'"),
    (("",), SymbackpropError, "no benchmark contenders given; name one or more of numpy, torch, jax"),
    ((), SymbackpropError, "no benchmark contenders given"),
])
def test_unknown_or_no_contenders_are_rejected(contenders: tuple[str, ...], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        run_benchmark(TINY, contenders)


def test_contenders_that_cannot_run_on_the_device_are_rejected() -> None:
    with pytest.raises(SymbackpropError, match="numpy cannot run on device cuda; on cuda the benchmark times torch"):
        run_benchmark(replace(TINY, device="cuda"), ("numpy",))
    with pytest.raises(SymbackpropError, match="numpy, jax cannot run on device cuda"):
        run_benchmark(replace(TINY, device="cuda"), ("numpy", "jax"))


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="needs torch")
def test_cuda_without_a_gpu_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(SymbackpropError, match=r"no CUDA device: torch.cuda.is_available\(\) is False; run the gpu"):
        run_benchmark(replace(TINY, device="cuda"))
    result = CliRunner().invoke(app, ["bench", "--suite", "gpu"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "no CUDA device" in result.stderr


def test_cuda_without_torch_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "installed", lambda library: False)
    with pytest.raises(BackendError, match=r"pip install 'symbackprop\[torch\]'"):
        run_benchmark(replace(TINY, device="cuda"))


def test_a_single_output_is_rejected_in_the_benchmarks_terms() -> None:
    with pytest.raises(SpecError, match="the benchmark network ends in softmax .* at least 2 neurons; got 4-3-1"):
        run_benchmark(BenchConfig(spec="4-3-1"))


def test_a_negative_seed_is_rejected() -> None:
    with pytest.raises(DataError, match="seed must be a non-negative integer, got -1"):
        run_benchmark(replace(TINY, seed=-1))


def test_a_batch_too_large_to_hold_is_rejected_before_anything_is_allocated() -> None:
    with pytest.raises(SizeLimitError, match="a batch of 100,000,000 examples through 4-3-2 holds 900,000,000 values"):
        run_benchmark(BenchConfig(spec="4-3-2", batch=100_000_000))
