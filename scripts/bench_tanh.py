"""The NumPy backend's float64 tanh against NumPy's: time on the hidden pre-activations of the benchmark
net (256 examples x (256 + 128) units), and the largest difference in units in the last place.

    python scripts/bench_tanh.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from symbackprop import Network


def _median_ms(call: Callable[[], object], rounds: int = 15, number: int = 50) -> float:
    for _ in range(5):
        call()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(number):
            call()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times) * 1e3


def main() -> None:
    tanh = Network([2, 2, 1], hidden="tanh").compile().namespace["tanh"]
    z = np.random.default_rng(0).normal(0.0, 2.0, size=(256, 384))
    ours, numpy = _median_ms(lambda: tanh(z)), _median_ms(lambda: np.tanh(z))
    x = np.concatenate([np.linspace(-25, 25, 1_000_001), np.geomspace(1e-300, 25, 100_000)])
    want = np.tanh(x)
    ulps = np.abs(tanh(x) - want) / np.spacing(np.maximum(np.abs(want), np.finfo(np.float64).tiny))
    print(f"tanh of {z.size} float64 values: symbackprop {ours:.3f} ms, numpy {numpy:.3f} ms "
          f"({numpy / ours:.2f}x); largest difference {ulps.max():.0f} ulp")


if __name__ == "__main__":
    main()
