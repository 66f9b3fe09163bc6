"""The public API over the stages: a :class:`Network` that derives, compiles and shows itself.

The stages keep data and functions apart: :class:`~symbackprop.model.architecture.Architecture` is plain data, the
engine (:func:`symbackprop.derive.engine.derive`) turns it into a plain
:class:`~symbackprop.derive.derivation.Derivation`, and documents and code generation read that. This module, at
the edge with the command line, adds what a user at a prompt or in a notebook expects: ``net.derive()``,
``net.compile()`` and a rich display of both, without any stage importing a later one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from .derive import derivation
from .derive.engine import derive
from .model.architecture import Architecture

if TYPE_CHECKING:
    from .codegen.compile import CompiledGradient
    from .derive.verify import Verification

# Code generation and rendering are imported where used: `import symbackprop` and the command line stay quick.


@dataclass(frozen=True)
class Derivation(derivation.Derivation):
    """A :class:`~symbackprop.derive.derivation.Derivation` that a notebook displays: the network and BP1-BP4,
    the same in Markdown, LaTeX and plain text. ``render_markdown(d)`` gives the whole document."""

    @classmethod
    def of(cls, plain: derivation.Derivation) -> Derivation:
        """The displayable form of what the engine derived (the same data)."""
        return cls(**{f.name: getattr(plain, f.name) for f in fields(plain)})

    def verify(self, points: int = 2, seed: int = 0) -> Verification:
        """Check every displayed line of every step against the true derivative; see
        :func:`symbackprop.derive.verify.verify`. ``str()`` of the result is "N steps verified".

        Raises:
            VerificationError: a line that is wrong, or that cannot be checked.
            SizeLimitError: a network too large to verify.
        """
        from .derive.verify import verify

        return verify(self, points=points, seed=seed)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from .documents.render import derivation_overview, mimebundle

        return mimebundle(derivation_overview(self), include, exclude)

    def _repr_markdown_(self) -> str:
        """The Markdown view of :meth:`_repr_mimebundle_`, for frontends that ask for it alone."""
        return self._repr_mimebundle_()["text/markdown"]

    def _repr_latex_(self) -> str:
        """The LaTeX view of :meth:`_repr_mimebundle_` (the same content), for frontends that ask for it alone."""
        return self._repr_mimebundle_()["text/latex"]


class Network(Architecture):
    """A feed-forward network: its architecture (:class:`~symbackprop.model.architecture.Architecture`, whose
    arguments it takes), and what can be done with it.

        >>> net = Network([2, 3, 1], hidden="tanh", output="sigmoid", loss="bce")
        >>> net.derive().deltas["delta2"]
        Matrix([[a2_1 - y_1]])
    """

    def derive(self, forms: Sequence[str] = ("element", "vector", "batch"), progress: bool | None = None) -> Derivation:
        """Derive every delta and gradient; see :func:`symbackprop.derive.engine.derive`.

        ``progress``: True shows progress on stderr (or in a notebook), False never; None (the default) shows it
        for networks of more than 5,000 parameters when stderr is a terminal or in a notebook.
        """
        return Derivation.of(derive(self, forms, progress=progress))

    def compile(self, backend: str = "numpy", form: str = "vectorized", dtype: str = "float64") -> CompiledGradient:
        """Compiled gradient function ``grad(params, X, Y) -> dict``; see :mod:`symbackprop.codegen.compile`."""
        from .codegen.compile import compile_network

        return compile_network(self, backend=backend, form=form, dtype=dtype)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """What a notebook shows: layers, activations, loss, bias, parameter count and the forward pass, the same
        in Markdown, LaTeX and plain text."""
        from .documents.render import mimebundle, network_overview

        return mimebundle(network_overview(self), include, exclude)
