"""Stage 5, numeric checks: independent references (a hand-written NumPy backprop, finite differences, torch,
jax), ``check_grads`` against them, and the benchmarks."""
