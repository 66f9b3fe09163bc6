"""Stage 3, notation: the presets of the lecture notes, ``--symbol`` overrides, the LaTeX printer of expressions
in a preset's letters, the layout of displayed equations and line breaking, and escaping."""
