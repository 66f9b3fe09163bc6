"""Stage 5, numeric checks: independent references (a hand-written NumPy backprop, finite differences, torch,
jax), ``check_grads`` against them, and the benchmarks."""

#: The most examples a random batch of ``check_grads`` (and ``symbackprop check --examples``) holds: finite
#: differences evaluate the loss twice per parameter on all of them. Here, not in check.py, so that the command
#: line reads it without importing NumPy.
MAX_EXAMPLES = 100_000
