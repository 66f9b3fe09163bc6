"""Stage 4, code generation: SymPy printers for NumPy, JAX and PyTorch, and the generated gradient modules
(``compile``) built from ``templates/python``."""
