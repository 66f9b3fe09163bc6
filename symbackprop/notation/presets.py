"""Notation presets, as data: how each quantity of a derivation is written in a course's notation.

Every preset reproduces one seed document (../shared/seeds/):

==============  ====  ================================================================================
preset          seed  conventions
==============  ====  ================================================================================
``ng``          000   layers counted from 1 (the input is layer 1), so W^{(l)} maps layer l to l+1;
                      Z^{(l)}, a^{(l)}, bias units with weights w_{j0}; C the cost
``input-major`` 001   z_j^{(ℓ)} = Σ_i a_i^{(ℓ-1)} W_{ij}^{(ℓ)} + b_j^{(ℓ)}: W_{ij} from neuron i to j;
                      g_ℓ per layer; c per example, C the average over the data set
``goodfellow``  002   pre-activation a_k = W_k h_{k-1} + b_k, h_k = g(a_k), ŷ = O(a_L); layer first in
                      the subscript (W_{kij}); ∇ notation; 𝓛(θ) the loss
``bishop``      003   a_j = Σ_i w_{ji} z_i, z_j = h(a_j), y the output, r the target, δ_j = ∂E_n/∂a_j
``bishop-single`` 003 seed 003's own page: one hidden layer and one output, no layer marks; the output's
                      weights v_j, a_y, y, δ_y; E_ℓ and r^ℓ for example ℓ
``nielsen``     004   z^l = W^l a^{l-1} + b^l, a^l = σ(z^l), δ^l = ∂C/∂z^l, w^l_{jk} from k to j
==============  ====  ================================================================================

A preset is two tables. ``letters`` holds the base letters (what ``--symbol`` overrides); ``layouts`` says how a
quantity of one form is assembled from letters, as :class:`string.Template` text with these fields:
``${layer}`` the layer as the notation writes it (``(2)``), ``${l}`` the bare layer, ``${index}`` the neuron
indices, ``${last}`` the last of them (a weight's source), ``${sub}`` the layer and the indices in one subscript
(goodfellow), and ``${<slot>}`` any letter. A layout ``"<form>.<kind>.out"`` writes the quantity of the output
layer where it differs (bishop-single's a_y, v_j).

The engine numbers layers 0 (input) to L and writes weights destination first (``W2_1_3`` is w^2_{13});
presets shift layers (``layer_offset``) and swap indices (``source_first``) when they print.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from string import Template
from types import MappingProxyType

from ..errors import SymbackpropError, UnknownNameError

#: The user-facing names of the letters a ``--symbol NAME=LATEX`` override may set, and the slot each sets.
OVERRIDABLE: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "cost": ("cost",),
    "total_cost": ("total_cost",),
    "activation": ("g",),
    "output_activation": ("g_out",),
    "pre_activation": ("z", "Z"),
    "neuron_output": ("a", "A"),
    "weight": ("w",),
    "weight_matrix": ("W",),
    "bias": ("b",),
    "delta": ("delta", "Delta"),
    "input": ("x", "X"),
    "target": ("y", "Y"),
    "output": ("out", "Out"),
})

#: The author a preset is named after, as they write their name.
AUTHORS: Mapping[str, str] = MappingProxyType(
    {"nielsen": "Nielsen", "ng": "Ng", "goodfellow": "Goodfellow", "bishop": "Bishop", "bishop-single": "Bishop"})


@dataclass(frozen=True)
class Notation:
    """One notation preset: letters, layouts and the conventions that are not letters.

    Attributes:
        name: the preset's name (``--notation``).
        seed: the seed document it reproduces.
        description: one line for ``--help`` and the document's notation section.
        letters: slot -> LaTeX letter (see :data:`OVERRIDABLE`).
        layouts: ``"<form>.<kind>"`` -> template; forms ``scalar``, ``vector``, ``batch``, ``fn``.
        layer_style: how a layer number is written around ``${l}``.
        layer_offset: kind -> number added to the engine's layer (ng counts the input as layer 1).
        layer_letter: the letter of a generic layer in general formulas (l, ℓ, k).
        source_first: weights indexed source first (W_{kj} from k to j).
        weights_transposed: the weight matrix is stored source x destination (input-major), so the engine's
            W^l is printed as a transpose.
        gradient: ``"partial"`` (∂C/∂W) or ``"nabla"`` (∇_W C) for vector and batch gradients.
        times: what joins the factors of a chain-rule product.
        indices: the neuron letters of general formulas: a neuron of the layer, one of the layer below (a weight's
            source) and one of the layer above (summed over in BP2), as the seed writes them: w_{jk} (nielsen,
            ng), w_{ji} (bishop), W_{ij} from i to j (input-major), W_{kij} (goodfellow, whose layers are k).
        output_name: words for the output ŷ in the notation table (empty: a^L is not renamed).
        per_weight_update: gradient descent updates each weight, Δw_ji ← δ_j z_i (bishop, seed 003), rather than
            each weight matrix.
        learning_rate: the learning rate's letter (η, or η_n: one per epoch n).
        epoch: the letter counting epochs where the learning rate has one (n; t where n already counts examples, as
            Bishop's E_n does).
        example: the letter of the example whose loss the cost's letter is, where that letter carries one (n,
            Bishop's E_n; ℓ, seed 003's E_ℓ); empty where it carries none.
        sum_limits: a sum over a layer written with its limits, ``Σ_{i=1}^{n_{ℓ-1}}`` (seed 001), not ``Σ_i``.
        output_count: the letter of the output layer's neuron count where the seed has one of its own (p, seed
            002), for the limit of a sum over the output layer; empty: n_L as every other layer's.
        next_count: the letter of the neuron count of layer l+1, the layer above a general one, where the seed has
            one (m, seed 003: "the neurons z_1, ..., z_k, ..., z_m are in layer n+1"); empty: n_{l+1}.
        single: the notation writes one hidden layer and one output neuron, without layer marks (seed 003): it
            refuses other networks, and its forward pass is written neuron by neuron with the activations named.
        errors_from_output: the error terms' layers counted back from the output layer, δ^{(L)}, δ^{(L-1)}, where
            every other quantity's layer is its number, Z^{(3)} (seed 000: "δ^L ⊙ ∂Z^{(3)}/∂W^{(2)}").
        stepped: a range written as seed 002 writes it, ``∀ k = 1(1)L`` (first, step, last; a compound last under
            a bar, ``1(1)\\overline{L-1}``), not ``for k = 1, ..., L``.
    """

    name: str
    seed: str
    description: str
    letters: Mapping[str, str]
    layouts: Mapping[str, str]
    layer_style: str = "${l}"
    layer_offset: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    layer_letter: str = "l"
    source_first: bool = False
    weights_transposed: bool = False
    gradient: str = "partial"
    times: str = r"\,"
    indices: tuple[str, str, str] = ("j", "k", "k")
    per_weight_update: bool = False
    learning_rate: str = "\\eta"
    epoch: str = "n"
    example: str = ""
    single: bool = False
    sum_limits: bool = False
    output_count: str = ""
    next_count: str = ""
    errors_from_output: bool = False
    stepped: bool = False

    @property
    def title(self) -> str:
        """The notation as prose names it: "Nielsen's notation" (after the author, capitalised as they write their
        name), "the input-major notation"."""
        author = AUTHORS.get(self.name)
        return f"{author}'s notation" if author else f"the {self.name} notation"

    @property
    def heading(self) -> str:
        """The notation as a document's subtitle names it: its title, and ", one output" for a ``single`` notation
        (Bishop's a, z, h, δ with the seed's v_j, y, E_ℓ)."""
        return f"{self.title}, one output" if self.single else self.title

    def check(self, layers: Sequence[int], elementwise_output: bool = True) -> None:
        """Refuse a network the notation cannot write: ``single`` writes one hidden layer and one output neuron.

        Raises:
            SymbackpropError: the network has another shape (or a softmax output), with what is allowed.
        """
        if self.single and (len(layers) != 3 or layers[-1] != 1 or not elementwise_output):
            shape = "-".join(str(n) for n in layers)
            raise SymbackpropError(
                f"the {self.name} notation writes a network of one hidden layer and one output neuron with an "
                f"element-wise activation (n-h-1, as seed 003), not {shape}"
                f"{'' if elementwise_output else ' with a softmax output'}; use --notation bishop")

    def letter(self, slot: str) -> str:
        return self.letters.get(slot, "")

    def bare_layer(self, kind: str, layer: int, labels: Mapping[int, str] | None = None) -> str:
        """The layer number as the notation counts it (shifted by ``layer_offset``), or its label in ``labels``."""
        number = layer + self.layer_offset.get(kind, 0)
        return labels.get(number, str(number)) if labels else str(number)

    def has_layout(self, key: str) -> bool:
        return key in self.layouts

    def render(
        self,
        key: str,
        layer: int | None = None,
        indices: tuple[str, ...] = (),
        labels: Mapping[int, str] | None = None,
    ) -> str:
        """Fill the layout ``key`` (``"scalar.z"``) for the engine's ``layer`` and neuron ``indices``.

        Args:
            key: ``"<form>.<kind>"``.
            layer: the engine's layer number (0 = input), or None for quantities without one.
            indices: the neuron indices, already in the notation's order.
            labels: printed layer number -> label (``{2: "l", 3: "l+1"}``) for general formulas.

        Raises:
            KeyError: the preset has no such layout.
        """
        fields = dict(self.letters)
        index = join_indices(indices)
        if layer is None:
            fields.update(layer="", l="", index=index, sub=index, last=indices[-1] if indices else "")
        else:
            bare = self.bare_layer(key.split(".")[1], layer, labels)
            styled = Template(self.layer_style).substitute(l=bare)
            fields.update(layer=styled, l=bare, index=index, sub=join_indices((bare, *indices)),
                          last=indices[-1] if indices else "")
        return Template(self.layouts[key]).substitute(fields)


def join_indices(parts: tuple[str, ...]) -> str:
    r"""``("1", "2")`` -> ``12`` as the seeds write single-character indices (``\ell`` is one, and a primed letter,
    ``i'``); ``1,12`` once any is longer."""
    if all(len(p.rstrip("'")) == 1 or p == r"\ell" for p in parts):
        return "".join(parts)
    return ",".join(parts)


def _layouts(common: Mapping[str, str], **items: str) -> Mapping[str, str]:
    """``scalar__z="..."`` keywords -> ``{"scalar.z": "..."}``, over the ``common`` defaults."""
    merged = {**common, **items}
    return MappingProxyType({key.replace("__", "."): value for key, value in merged.items()})


_COMMON_SCALAR = {
    "scalar__x": "${x}_{${index}}",
    "scalar__y": "${y}_{${index}}",
    "fn__hidden": "${g}",
    "fn__output": "${g_out}",
}

NIELSEN = Notation(
    name="nielsen",
    seed="004",
    description="Nielsen: z^l = W^l a^{l-1} + b^l, a^l = σ(z^l), δ^l = ∂C/∂z^l, w^l_{jk} from neuron k to neuron j",
    letters=MappingProxyType({
        "z": "z", "a": "a", "delta": r"\delta", "w": "w", "W": "W", "b": "b", "x": "x", "y": "y",
        "cost": "C", "total_cost": "C", "g": "", "g_out": "",
        "Z": "Z", "A": "A", "Delta": r"\Delta", "X": "X", "Y": "Y", "onehot": "e", "Onehot": "E",
    }),
    layouts=_layouts(
        _COMMON_SCALAR,
        scalar__z="${z}^{${layer}}_{${index}}", scalar__a="${a}^{${layer}}_{${index}}",
        scalar__delta="${delta}^{${layer}}_{${index}}", scalar__W="${w}^{${layer}}_{${index}}",
        scalar__b="${b}^{${layer}}_{${index}}", scalar__bshared="${b}^{${layer}}",
        vector__x="${x}", vector__y="${y}", vector__onehot="${onehot}_{\\ell}",
        vector__z="${z}^{${layer}}", vector__a="${a}^{${layer}}", vector__delta="${delta}^{${layer}}",
        vector__W="${W}^{${layer}}", vector__b="${b}^{${layer}}", vector__grad="\\nabla_{${a}^{${layer}}} ${cost}",
        batch__x="${X}", batch__y="${Y}", batch__onehot="${Onehot}",
        batch__z="${Z}^{${layer}}", batch__a="${A}^{${layer}}", batch__delta="${Delta}^{${layer}}",
    ),
)

NG = Notation(
    name="ng",
    seed="000",
    description="Ng: the input is layer 1, W^{(l)} maps layer l to l+1, Z^{(l)}, a^{(l)}, "
    "bias units with weights w_{j0}",
    letters=MappingProxyType({
        "z": "Z", "a": "a", "delta": r"\delta", "w": "w", "W": r"\mathbf{W}", "b": "b", "x": "X", "y": "y",
        "cost": "C", "total_cost": "C", "g": "", "g_out": "",
        "Z": r"\mathcal{Z}", "A": r"\mathcal{A}", "Delta": r"\Delta", "X": r"\mathcal{X}", "Y": r"\mathcal{Y}",
        "onehot": r"\mathbf{e}", "Onehot": r"\mathcal{E}",
    }),
    layouts=_layouts(
        _COMMON_SCALAR,
        scalar__x="${x}^{${layer}}_{${index}}",
        scalar__z="${z}^{${layer}}_{${index}}", scalar__a="${a}^{${layer}}_{${index}}",
        scalar__delta="${delta}^{${layer}}_{${index}}", scalar__W="${w}^{${layer}}_{${index}}",
        scalar__b="${b}^{${layer}}_{${index}}", scalar__bshared="${b}^{${layer}}",
        vector__x="\\mathbf{${x}}^{${layer}}", vector__y="\\mathbf{${y}}", vector__onehot="${onehot}_{\\ell}",
        vector__z="\\mathbf{${z}}^{${layer}}", vector__a="\\mathbf{${a}}^{${layer}}",
        vector__delta="${delta}^{${layer}}", vector__W="${W}^{${layer}}", vector__b="\\mathbf{${b}}^{${layer}}",
        batch__x="${X}^{${layer}}", batch__y="${Y}", batch__onehot="${Onehot}",
        batch__z="${Z}^{${layer}}", batch__a="${A}^{${layer}}", batch__delta="${Delta}^{${layer}}",
    ),
    layer_style="(${l})",
    layer_offset=MappingProxyType({"x": 1, "z": 1, "a": 1, "delta": 1}),
    times=r" \cdot ",
    errors_from_output=True,
)

INPUT_MAJOR = Notation(
    name="input-major",
    seed="001",
    description="input-major: z_j^{(ℓ)} = Σ_i a_i^{(ℓ-1)} W_{ij}^{(ℓ)} + b_j^{(ℓ)}, g_ℓ per layer, "
    "c per example, C the average over the data set",
    letters=MappingProxyType({
        "z": "z", "a": "a", "delta": r"\delta", "w": "W", "W": "W", "b": "b", "x": "x", "y": "y",
        "cost": "c", "total_cost": "C", "g": "g", "g_out": "g",
        "Z": "Z", "A": "A", "Delta": r"\Delta", "X": "X", "Y": "Y", "onehot": r"\mathbf{e}", "Onehot": "E",
    }),
    layouts=_layouts(
        _COMMON_SCALAR,
        fn__hidden="${g}_{${l}}", fn__output="${g_out}_{${l}}",
        scalar__z="${z}_{${index}}^{${layer}}", scalar__a="${a}_{${index}}^{${layer}}",
        scalar__delta="${delta}_{${index}}^{${layer}}", scalar__W="${w}_{${index}}^{${layer}}",
        scalar__b="${b}_{${index}}^{${layer}}", scalar__bshared="${b}^{${layer}}",
        vector__x="\\mathbf{${x}}", vector__y="\\mathbf{${y}}", vector__onehot="${onehot}_{\\ell}",
        vector__z="\\mathbf{${z}}^{${layer}}", vector__a="\\mathbf{${a}}^{${layer}}",
        vector__delta="\\boldsymbol{${delta}}^{${layer}}", vector__W="${W}^{${layer}}",
        vector__b="\\mathbf{${b}}^{${layer}}",
        batch__x="${X}", batch__y="${Y}", batch__onehot="${Onehot}",
        batch__z="${Z}^{${layer}}", batch__a="${A}^{${layer}}", batch__delta="${Delta}^{${layer}}",
    ),
    layer_style="(${l})",
    layer_letter=r"\ell",
    source_first=True,
    weights_transposed=True,
    indices=("j", "i", "k"),
    sum_limits=True,
)

GOODFELLOW = Notation(
    name="goodfellow",
    seed="002",
    description="Goodfellow: pre-activation a_k = W_k h_{k-1} + b_k, h_k = g(a_k), ŷ = O(a_L), "
    "∇ notation, examples as columns",
    letters=MappingProxyType({
        "z": "a", "a": "h", "out": r"\hat{y}", "delta": r"\delta", "w": "W", "W": "W", "b": "b", "x": "x",
        "y": "y", "cost": r"\mathcal{L}(\theta)", "total_cost": r"\mathcal{L}(\theta)", "g": "g", "g_out": "O",
        "Z": "A", "A": "H", "Out": r"\hat{Y}", "Delta": r"\Delta", "X": "X", "Y": "Y", "onehot": "e", "Onehot": "E",
    }),
    layouts=_layouts(
        _COMMON_SCALAR,
        scalar__z="${z}_{${sub}}", scalar__a="${a}_{${sub}}", scalar__out="${out}_{${index}}",
        scalar__delta="\\frac{\\partial ${cost}}{\\partial ${z}_{${sub}}}", scalar__W="${w}_{${sub}}",
        scalar__b="${b}_{${sub}}", scalar__bshared="${b}_{${l}}",
        vector__x="\\underline{${x}}", vector__y="\\underline{${y}}", vector__onehot="\\underline{${onehot}}_{\\ell}",
        vector__z="\\underline{${z}}_{${l}}", vector__a="\\underline{${a}}_{${l}}", vector__out="\\underline{${out}}",
        vector__delta="\\nabla_{\\underline{${z}}_{${l}}} ${cost}", vector__W="${W}_{${l}}",
        vector__b="\\underline{${b}}_{${l}}",
        batch__x="${X}", batch__y="${Y}", batch__onehot="${Onehot}", batch__out="${Out}",
        batch__z="${Z}_{${l}}", batch__a="${A}_{${l}}", batch__delta="\\nabla_{${Z}_{${l}}} ${cost}",
    ),
    layer_letter="k",
    gradient="nabla",
    indices=("i", "j", "m"),
    sum_limits=True,
    output_count="p",
    stepped=True,
)

BISHOP = Notation(
    name="bishop",
    seed="003",
    description="Bishop: a_j = Σ_i w_{ji} z_i, z_j = h(a_j), output y, target r, δ_j = ∂E_n/∂a_j, E the error",
    letters=MappingProxyType({
        "z": "a", "a": "z", "out": "y", "delta": r"\delta", "w": "w", "W": r"\mathbf{W}", "b": "b", "x": "x",
        "y": "r", "cost": "E_n", "total_cost": "E", "g": "h", "g_out": "",
        "Z": r"\mathbf{A}", "A": r"\mathbf{Z}", "Out": r"\mathbf{Y}", "Delta": r"\boldsymbol{\Delta}",
        "X": r"\mathbf{X}", "Y": r"\mathbf{R}", "onehot": r"\mathbf{e}", "Onehot": r"\mathbf{E}",
    }),
    layouts=_layouts(
        _COMMON_SCALAR,
        scalar__z="${z}^{${layer}}_{${index}}", scalar__a="${a}^{${layer}}_{${index}}",
        scalar__out="${out}_{${index}}", scalar__delta="${delta}^{${layer}}_{${index}}",
        scalar__W="${w}^{${layer}}_{${index}}", scalar__b="${b}^{${layer}}_{${index}}",
        scalar__bshared="${b}^{${layer}}",
        vector__x="\\mathbf{${x}}", vector__y="\\mathbf{${y}}", vector__onehot="${onehot}_{\\ell}",
        vector__z="\\mathbf{${z}}^{${layer}}", vector__a="\\mathbf{${a}}^{${layer}}", vector__out="\\mathbf{${out}}",
        vector__delta="\\boldsymbol{${delta}}^{${layer}}", vector__W="${W}^{${layer}}",
        vector__b="\\mathbf{${b}}^{${layer}}",
        batch__x="${X}", batch__y="${Y}", batch__onehot="${Onehot}", batch__out="${Out}",
        batch__z="${Z}^{${layer}}", batch__a="${A}^{${layer}}", batch__delta="${Delta}^{${layer}}",
    ),
    layer_style="(${l})",
    indices=("j", "i", "k"),
    per_weight_update=True,
    learning_rate="\\eta_t",
    epoch="t",  # E_n is the error of example n
    example="n",
    sum_limits=True,
    next_count="m",
)

BISHOP_SINGLE = Notation(
    name="bishop-single",
    seed="003",
    description="Bishop for one hidden layer and one output, no layer marks: a_j = Σ_i w_{ji} x_i, z_j = h(a_j), "
    "a_y = Σ_j v_j z_j, y = σ(a_y), E_ℓ the error of example ℓ, r^ℓ its target",
    letters=MappingProxyType({**BISHOP.letters, "cost": r"E_{\ell}", "v": "v"}),
    layouts=_layouts(
        _COMMON_SCALAR,
        scalar__y="${y}^{\\ell}", scalar__z="${z}_{${index}}", scalar__a="${a}_{${index}}", scalar__out="${out}",
        scalar__delta="${delta}_{${index}}", scalar__W="${w}_{${index}}", scalar__b="${b}_{${index}}",
        scalar__bshared="${b}",
        scalar__z__out="${z}_{${out}}", scalar__delta__out="${delta}_{${out}}", scalar__W__out="${v}_{${last}}",
        scalar__b__out="${b}_{${out}}", scalar__bshared__out="${b}_{${out}}",
        vector__x="\\mathbf{${x}}", vector__y="${y}^{\\ell}", vector__onehot="${onehot}_{\\ell}",
        vector__z="\\mathbf{${z}}", vector__a="\\mathbf{${a}}", vector__out="${out}",
        vector__delta="\\boldsymbol{${delta}}", vector__W="${W}", vector__b="\\mathbf{${b}}",
        vector__z__out="${z}_{${out}}", vector__delta__out="${delta}_{${out}}",
        vector__W__out="\\mathbf{${v}}^{\\top}", vector__b__out="${b}_{${out}}",
        batch__x="${X}", batch__y="${Y}", batch__onehot="${Onehot}", batch__out="${Out}",
        batch__z="${Z}^{(${l})}", batch__a="${A}^{(${l})}", batch__delta="${Delta}^{(${l})}",
    ),
    indices=("j", "i", "k"),
    per_weight_update=True,
    learning_rate="\\eta_n",
    example="\\ell",
    single=True,
    sum_limits=True,
    next_count="m",
)

PRESETS: Mapping[str, Notation] = MappingProxyType(
    {n.name: n for n in (NG, INPUT_MAJOR, GOODFELLOW, BISHOP, BISHOP_SINGLE, NIELSEN)})


def get_notation(name: str) -> Notation:
    """Look up a preset by name.

    Raises:
        UnknownNameError: the name is not a preset.
    """
    if name not in PRESETS:
        raise UnknownNameError("notation", str(name), PRESETS)
    return PRESETS[name]
