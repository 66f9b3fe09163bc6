"""Benchmark of the derivation engine (issue: the symbolic backprop engine, speed).

Prints, from one run in one process:
1. a 3-4-4-4-2 tanh/sigmoid quadratic net: the engine's element form against the naive way
   (sympy.diff of the fully expanded loss with respect to each of the 66 parameters);
2. time per parameter of the element form from about 100 to about 20,000 parameters;
3. the 64-100-100-10 net;
4. the vector and batch forms at growing widths (their time should not grow).

Run: python scripts/bench_engine.py
"""

from __future__ import annotations

import time

import sympy as sp

from symbackprop import Network
from symbackprop.derive.chain import forward_values
from symbackprop.derive.forms import batch_form, vector_form
from symbackprop.model.activations import ACTIVATIONS, derivative, softmax_jacobian


def seconds(func) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def naive(net: Network) -> None:
    values = forward_values(net)
    loss = net.loss([values[a] for a in net.a(net.depth)], list(net.targets))
    for matrix in net.parameters.values():
        for param in matrix:
            sp.diff(loss, param)


def main() -> None:
    # Derivative rules (each activation's derivative, the softmax Jacobian per output width) are derived once
    # per process and cached: warm them first, so that the figures below time the chain rule itself.
    for act in ACTIVATIONS.values():
        if act.elementwise:
            derivative(act)
    for width in (2, 4, 8, 10):
        softmax_jacobian(width)
    net = Network([3, 4, 4, 4, 2], hidden="tanh", output="sigmoid", loss="quadratic")
    engine = min(seconds(lambda: net.derive(forms=("element",))) for _ in range(3))
    slow = seconds(lambda: naive(net))
    print(f"3-4-4-4-2 ({net.parameter_count} parameters): engine {engine:.4f} s, naive sympy.diff {slow:.2f} s, "
          f"speed-up {slow / engine:.0f}x")
    print("element form, time per parameter:")
    for layers in ([4, 8, 8, 2], [16, 32, 16, 4], [32, 64, 32, 8], [64, 100, 100, 10], [100, 120, 60, 10]):
        net = Network(layers, hidden="tanh", output="softmax", loss="cross_entropy")
        took = seconds(lambda net=net: net.derive(forms=("element",)))
        print(f"  {net.spec:<16} {net.parameter_count:>6} parameters  {took:7.2f} s  "
              f"{1e6 * took / net.parameter_count:7.1f} us/parameter")
    print("vector + batch forms:")
    for width in (4, 64, 1024):
        net = Network([width, width, width], hidden="tanh", output="sigmoid", loss="bce")
        took = seconds(lambda net=net: (vector_form(net), batch_form(net)))
        print(f"  {net.spec:<16} {took:.3f} s")


if __name__ == "__main__":
    main()
