"""Stage 2, the derivation: the forward pass and the chain rule, element by element (``engine``) and for whole
layers (``forms``), recorded as steps in the immutable :class:`~symbackprop.derive.derivation.Derivation`."""
