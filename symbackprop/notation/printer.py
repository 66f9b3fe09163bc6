"""A SymPy ``LatexPrinter`` that writes a derivation's expressions in a notation preset.

It maps the engine's symbols to the preset's letters (see :mod:`symbackprop.notation.presets`):

* scalar symbols ``x_k``, ``y_j``, ``W{l}_{j}_{k}``, ``b{l}_{j}``, ``b{l}``, ``z{l}_{j}``, ``a{l}_{j}``,
  ``delta{l}_{j}`` (indices may also be letters, ``delta2_j``, for general formulas), ``c`` (the per-example
  cost), ``C`` (the batch cost), and the generic ``z``/``a`` of :mod:`symbackprop.model.activations`;
* matrix symbols ``x``, ``y``, ``z2``, ``a2``, ``W2``, ``b2``, ``delta2`` (one example) and ``X``, ``Y``, ``Z2``,
  ``A2``, ``Delta2`` (examples as columns);
* ``Function("sigmoid")``/``Function("sigmoid'")`` applied to a layer's z as the preset's activation symbol
  (g_ℓ, g, h, or the concrete σ), ``1/(1 + e^{-u})`` as σ(u), ``KroneckerDelta(ell, j)`` as an indicator,
  ``HadamardProduct`` as ⊙, ``DiagMatrix`` as diag(·), ``OneMatrix`` as a ones vector, ``W2[:, 1:]`` (the
  weights without the bias column) as W̃, and every partial derivative as ∂f/∂u (or ∇_u C for gradients).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter

from ..derive.rewrite import as_indicators, as_sigmoid, shrink_parens
from ..model.activations import ACTIVATIONS, SoftmaxEntry
from ..model.architecture import Architecture
from ..model.losses import GenericCost
from ..model.symbols import LAST, SymbolInfo, describe, matrix
from .display import LINE_WIDTH, product
from .matrices import MatrixPrinting
from .presets import Notation

_BATCH_KINDS = {"Z": "z", "A": "a", "Delta": "delta", "X": "x", "Y": "y"}
#: Indicator 1_{ℓ=j}: KaTeX and MathJax know \mathbb{1}; pdflatex's amssymb has no blackboard 1.
INDICATOR_LATEX = r"\mathrm{1\!\!1}"
INDICATOR_MARKDOWN = r"\mathbb{1}"
#: Index names that are not printed as they are spelled: the class label ℓ (``a3_ell`` is ŷ_ℓ).
INDEX_LATEX = {"ell": r"\ell"}


class NotationPrinter(MatrixPrinting, LatexPrinter):
    """Print SymPy expressions of a derivation in ``notation``.

    Args:
        notation: the preset (with any overrides applied).
        network: the architecture (for the output layer and the activations of each layer).
        labels: printed layer number -> label, to write a representative layer as ``l``, ``l+1``.
        indicator: LaTeX for the indicator function's 1.
        sigma: print ``1/(1 + e^{-u})`` as σ(u).
        width: the width, in :func:`~symbackprop.notation.display.visual_width` units, that displayed equations
            printed with this printer are broken to (narrower for fragments in an unknown host).
        named: write a layer's activation by its name (σ, tanh) even where the notation has a letter for it (h,
            g_ℓ): a result "for this network".
    """

    printmethod = "_notation_latex"

    def __init__(
        self,
        notation: Notation,
        network: Architecture,
        labels: Mapping[int, str] | None = None,
        indicator: str = INDICATOR_LATEX,
        sigma: bool = True,
        width: float = LINE_WIDTH,
        named: bool = False,
        per_layer: bool | None = None,
    ) -> None:
        super().__init__({"mul_symbol": None, "inv_trig_style": "abbreviated"})
        self.named = named
        self.notation = notation
        self.network = network
        self.labels = dict(labels or {})
        self.indicator = indicator
        self.sigma = sigma
        self.width = width
        # each hidden layer's activation its own (g_1, g_2): the network's differ, or those of the network a generic
        # one stands for (``per_layer``)
        self.per_layer = network.hidden_differ if per_layer is None else per_layer

    def relabel(self, labels: Mapping[int, str]) -> NotationPrinter:
        """A printer like this one writing layers as ``labels`` says."""
        return NotationPrinter(self.notation, self.network, labels, self.indicator, self.sigma, self.width, self.named,
                               self.per_layer)

    def with_notation(self, notation: Notation) -> NotationPrinter:
        """A printer like this one writing in ``notation`` (a preset with some letters of its own)."""
        return NotationPrinter(notation, self.network, self.labels, self.indicator, self.sigma, self.width, self.named,
                               self.per_layer)

    def with_names(self) -> NotationPrinter:
        """A printer like this one writing each activation by its name (σ'(z), not h'(z))."""
        return NotationPrinter(self.notation, self.network, self.labels, self.indicator, self.sigma, self.width, True,
                               self.per_layer)

    def doprint(self, expr: Any) -> str:
        if self.sigma and isinstance(expr, sp.Basic) and expr.has(sp.exp):
            expr = as_sigmoid(expr)
        if isinstance(expr, sp.Basic) and expr.has(sp.Piecewise):
            expr = as_indicators(expr)
        return shrink_parens(super().doprint(expr))

    def _print_Basic(self, expr: Any, *args: Any, **kwargs: Any) -> str:
        # SymPy writes its constants (pi, EulerGamma, ...) through their own _latex method, which this printer's
        # printmethod replaces; without it pi came out as \text{\Pi}
        latex = getattr(expr, "_latex", None)
        return latex(self) if callable(latex) else super()._print_Basic(expr, *args, **kwargs)

    # ------------------------------------------------------------------ symbols
    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        name = expr.name
        letters = self.notation.letters
        special = {"c": letters["cost"], "C": letters["total_cost"], "z": letters["z"], "a": letters["a"]}
        if name in special:
            return special[name]
        if name == "ell":
            return r"\ell"
        info = describe(name)
        if info is None or not info.is_element:
            return super()._print_Symbol(expr, style=style)
        return self._scalar(info.kind, info.layer, tuple(
            self.count(info.layer) if i == LAST and info.layer is not None else INDEX_LATEX.get(str(i), str(i))
            for i in info.indices))

    def count(self, layer: int) -> str:
        """The number of neurons of ``layer`` as the notation writes it: ``n_{k+1}`` (the layer as the printer
        labels it; -1 the output layer), ``p`` for the output layer where the notation has a letter for its count,
        ``m`` for the layer above a general one where it has a letter for that (seed 003)."""
        number = self.network.depth if layer == -1 else layer
        label = self.notation.bare_layer("z", number, self.labels)
        output = number == self.network.depth and label in ("L", self.notation.bare_layer("z", number))
        if output and self.notation.output_count:  # the output layer as such, not standing for a layer k+1
            return self.notation.output_count
        if self.notation.next_count and label == f"{self.notation.layer_letter}+1":  # seed 003's m
            return self.notation.next_count
        return f"n_{{{label}}}"

    def _scalar(self, kind: str, layer: int | None, indices: tuple[str, ...]) -> str:
        notation = self.notation
        if kind in ("x", "y"):
            return notation.render(f"scalar.{kind}", 0 if kind == "x" else None, indices, self.labels)
        assert layer is not None
        if kind == "W" and notation.source_first and len(indices) == 2:
            indices = (indices[1], indices[0])
        if kind == "b" and not indices:
            kind = "bshared"
        key = "scalar.out" if kind == "a" else f"scalar.{kind}.out"  # the output's own letters: y, a_y
        layout = key if notation.has_layout(key) and self._as_output(layer) else f"scalar.{kind}"
        return notation.render(layout, layer, indices, self._labels_of(kind))

    def _labels_of(self, kind: str) -> Mapping[int, str]:
        """The layer labels ``kind`` is written with: the error terms' counted back from the output layer, δ^{(L)},
        δ^{(L-1)}, where the notation names them so (seed 000) and no general formula relabels the layers."""
        if self.labels or not self.notation.errors_from_output or kind != "delta":
            return self.labels
        top = int(self.notation.bare_layer("delta", self.network.depth))
        return {top - back: "L" if back == 0 else f"L-{back}" for back in range(self.network.depth)}

    def _at_output(self, key: str, layer: int) -> str:
        """``key``, or its ``.out`` layout (``vector.z.out``) for a quantity of the output layer written as such."""
        return f"{key}.out" if self.notation.has_layout(f"{key}.out") and self._as_output(layer) else key

    def _as_output(self, layer: int) -> bool:
        """Whether ``layer`` is the output layer written as such (not relabelled l+1 in a general formula)."""
        return layer == self.network.depth and self.labels.get(int(self.notation.bare_layer("z", layer))) in (None, "L")

    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol, style: str = "plain") -> str:
        info = _matrix_info(expr)
        if info is None:
            return super()._print_MatrixSymbol(expr)
        text, transposed = self._matrix(info)
        return _transpose(text) if transposed else text

    def _matrix(self, info: SymbolInfo) -> tuple[str, bool]:
        """The matrix symbol's LaTeX, and whether the notation stores it transposed."""
        notation = self.notation
        if info.layer is None:  # x, y, X, Y
            form = "batch" if info.kind.isupper() else "vector"
            kind = info.kind.lower()
            if kind == "y" and self.network.loss.sparse:
                kind = "onehot"
            return notation.render(f"{form}.{kind}", 0 if kind == "x" else None, (), self.labels), False
        raw, layer = info.kind, info.layer
        if raw in ("grad_a", "Grad_A"):
            key = "vector.grad" if raw == "grad_a" else "batch.grad"
            if notation.has_layout(key):
                return notation.render(key, layer, (), self.labels), False
            stem = "a" if raw == "grad_a" else "A"
            cost = sp.Symbol("c" if raw == "grad_a" else "C")
            return self._print(sp.Derivative(cost, sp.MatrixSymbol(matrix(stem, layer), 1, 1))), False
        if raw in ("abar", "Abar"):
            batch = raw == "Abar"
            # the input, x̄; where the printer writes layer 0 as a general layer's (relabelled, in a network of
            # more than one layer), the layer below's output, ā^{l-1}
            general = self.network.depth > 1 and self.notation.layer_offset.get("a", 0) in self.labels
            if layer == 0 and not general:
                plain = SymbolInfo("X" if batch else "x", None, ())
            else:
                plain = SymbolInfo("A" if batch else "a", layer, ())
            return _bar(self._matrix(plain)[0]), False
        form = "batch" if raw in _BATCH_KINDS else "vector"
        kind = _BATCH_KINDS.get(raw, raw)
        if kind == "a" and layer == self.network.depth and notation.has_layout(f"{form}.out"):
            kind = "out"
        key = f"{form}.{kind}" if notation.has_layout(f"{form}.{kind}") else f"vector.{kind}"
        text = notation.render(self._at_output(key, layer), layer, (), self._labels_of(kind))
        return text, kind == "W" and notation.weights_transposed

    def _print_HadamardPower(self, expr: sp.HadamardPower) -> str:
        """``(a ⊙ a)`` for the square, as a lecture writes 1 - (a ⊙ a), tanh' in the output (in parentheses: a
        product around it binds no tighter); SymPy's ``a^{∘2}`` otherwise."""
        if expr.exp == 2:
            base = self._print(expr.base)
            return rf"\left({base} \odot {base}\right)"
        return super()._print_HadamardPower(expr)

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        arg = expr.arg
        if (info := _matrix_info(arg)) is not None:
            text, transposed = self._matrix(info)
            return text if transposed else _transpose(text)
        if isinstance(arg, sp.MatrixSlice) and (column := self._column(arg)) is not None:
            return rf"\left({column}\right)^{{\top}}"
        if isinstance(arg, sp.MatrixSlice) and self.notation.weights_transposed:
            return self._print_MatrixSlice(arg, transposed=False)
        return _transpose(self._print(arg))

    def _column(self, expr: sp.MatrixSlice) -> str | None:
        """One column of a weight matrix, ``W_{l,·,j}`` (seed 002); None for any other slice (with bias units, a
        slice of the weights is W̃, the matrix without the bias unit's column)."""
        info, (start, stop, _) = _matrix_info(expr.parent), expr.colslice
        if info is None or info.kind != "W" or self.network.bias == "neuron" or stop - start != 1 or \
                expr.rowslice[:2] != (0, expr.parent.shape[0]):
            return None
        return self.column(info.layer, self._print(start + 1))

    def column(self, layer: int | None, index: str) -> str:
        """Column ``index`` (a number or a letter) of layer ``layer``'s weight matrix, ``W_{l,·,j}`` (seed 002)."""
        return self._scalar("W", layer, (r"\cdot", index))

    def entry(self, kind: str, layer: int, *indices: str) -> str:
        """An entry of a layer's ``kind`` whose indices are written in LaTeX, as no symbol's can be: the last of a
        layer of any width, ``a_{k+1,n_{k+1}}``, ``W_{k+1,n_{k+1},i}`` (seed 002)."""
        return self._scalar(kind, layer, indices)

    def _print_MatrixSlice(self, expr: sp.MatrixSlice, transposed: bool | None = None) -> str:
        parent = expr.parent
        info = _matrix_info(parent)
        if (column := self._column(expr)) is not None:
            return column
        if info is None or info.kind != "W" or expr.colslice[0] != 1:
            return super()._print_MatrixSlice(expr)
        letters = dict(self.notation.letters)
        tilde = f"\\tilde{{{letters['W']}}}"
        text = self.notation.render("vector.W", info.layer, (), self.labels)
        text = text.replace(letters["W"], tilde, 1)
        if transposed is None:
            transposed = self.notation.weights_transposed
        return _transpose(text) if transposed else text

    # ------------------------------------------- products kept in written order
    def _print_Mul(self, expr: sp.Mul) -> str:
        if not _unevaluated(expr):
            return super()._print_Mul(expr)
        return product(list(expr.args), self._print, self.notation.times)

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        if not _unevaluated(expr) and not any(isinstance(t, sp.Mul) and _unevaluated(t) for t in expr.args):
            return super()._print_Add(expr, order)
        text = ""
        for position, term in enumerate(expr.args):
            term_text = self._print(term)
            if position and term_text.lstrip().startswith("-"):
                text += " - " + term_text.lstrip()[1:].lstrip()
            else:
                text += (" + " if position else "") + term_text
        return text

    # --------------------------------------------------------- calculus, misc
    def _print_Derivative(self, expr: sp.Derivative) -> str:
        return self.partial(expr.expr, [v for v, count in expr.variable_count for _ in range(count)])

    def partial(self, function: sp.Basic, variables: Sequence[sp.Basic | str]) -> str:
        """∂f/∂v (∂²f/∂u∂v, ∇_v f in a notation of gradients): also by a slice of a matrix, which SymPy refuses
        to differentiate by (∂C/∂W̃), or by a variable already written (:meth:`entry`)."""
        # ∂c/∂a_j of the generic cost: the cost's letter alone, as the notes write it
        numerator = self.cost_letter() if isinstance(function, GenericCost) else self._print(function)
        if numerator.startswith("-"):  # ∂(-log ŷ_ℓ)/∂ŷ_ℓ
            numerator = rf"\left({numerator}\right)"
        if (
            self.notation.gradient == "nabla"
            and len(variables) == 1
            and isinstance(variables[0], sp.MatrixExpr)
            and isinstance(function, sp.Symbol)
        ):
            return rf"\nabla_{{{self.stored(variables[0])}}} {numerator}"
        power = f"^{{{len(variables)}}}" if len(variables) > 1 else ""
        denominator = " ".join(rf"\partial {v if isinstance(v, str) else self.stored(v)}" for v in variables)
        return rf"\frac{{\partial{power} {numerator}}}{{{denominator}}}"

    def cost_letter(self) -> str:
        """The letter of one example's cost (C, c, E_n, 𝓛(θ))."""
        return self._print(sp.Symbol("c"))

    def _print_GenericCost(self, expr: GenericCost) -> str:
        """The generic cost as a function of the outputs and the targets: ``C(a^L, y)``."""
        outputs = sp.MatrixSymbol(matrix("a", self.network.depth), self.network.layers[-1], 1)
        targets = sp.MatrixSymbol(matrix("y"), self.network.layers[-1], 1)
        return rf"{self.cost_letter()}\left({self._print(outputs)}, {self._print(targets)}\right)"

    def stored(self, variable: sp.Basic) -> str:
        """A matrix as the notation names it, never transposed (∂c/∂W^{(2)} even where W prints as a transpose)."""
        if (info := _matrix_info(variable)) is not None:
            return self._matrix(info)[0]
        return self._print(variable)

    def input_layer(self) -> str:
        """``a^0 = x`` as the notation writes it (``\\bar{a}^{(1)} = \\bar{X}^{(1)}`` with ng's bias unit): what the
        first layer's weight gradient reads for the activation below it."""
        below = self.stored(sp.MatrixSymbol(matrix("a", 0), 1, 1))
        given = self.stored(sp.MatrixSymbol(matrix("x"), 1, 1))
        if self.network.bias == "neuron":
            below, given = _bar(below), _bar(given)
        return f"{below} = {given}"

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta, exp: Any = None) -> str:
        i, j = expr.args
        if j.free_symbols and not i.free_symbols or getattr(j, "name", "") == "ell":
            i, j = j, i
        elif not (i.free_symbols and not j.free_symbols or getattr(i, "name", "") == "ell"):
            return super()._print_KroneckerDelta(expr, exp)
        text = f"{self.indicator}_{{{self._print(i)}={self._print(j)}}}"
        return f"\\left({text}\\right)^{{{exp}}}" if exp is not None else text

    def _print_SoftmaxEntry(self, expr: SoftmaxEntry, exp: Any = None) -> str:
        """``softmax(a_L)_i``: the layer's weighted inputs as a vector, from the numerator's."""
        index, top, total = expr.args
        info = describe(next(iter(top.free_symbols)).name)
        assert info is not None and info.layer is not None
        size = int(total.limits[0][2]) if isinstance(total, sp.Sum) else len(sp.Add.make_args(total))
        inputs = self._print(sp.MatrixSymbol(matrix("z", info.layer), size, 1))
        text = rf"\operatorname{{softmax}}({inputs})_{{{self._print(index)}}}"
        return rf"\left({text}\right)^{{{exp}}}" if exp is not None else text

    def _print_Function(self, expr: sp.Function, exp: Any = None) -> str:
        name = type(expr).__name__
        text = self._activation(name, expr.args[0]) if len(expr.args) == 1 else None
        if text is None:
            return super()._print_Function(expr, exp)
        if exp is not None:  # SymPy passes the exponent already printed
            return rf"\left({text}\right)^{{{exp}}}"
        return text

    def _activation(self, name: str, arg: sp.Basic) -> str | None:
        """``g_2'\\left(z^{(2)}_1\\right)`` for ``Function("sigmoid'")(z2_1)``; None for other functions."""
        prime = name.endswith("'")
        base = name[:-1] if prime else name
        act = _find_activation(base)
        if act is None:
            return None
        symbol = self.function_symbol(base, _layer_of(arg))
        return rf"{symbol}{chr(39) if prime else ''}\left({self._print(arg)}\right)"

    def function_symbol(self, activation: str, layer: int | None) -> str:
        """The preset's symbol for ``activation`` at ``layer`` (g_ℓ, g, O, h), or its concrete LaTeX name."""
        act = _find_activation(activation)
        concrete = act.latex if act is not None else rf"\operatorname{{{activation}}}"
        if layer is None:
            return concrete
        output = layer == self.network.depth
        label = self.notation.bare_layer("z", layer, self.labels)  # as its input z^l is labelled
        # a general hidden layer l of a network whose hidden layers differ: no one activation is l's (σ_l, g_l)
        general = not output and self.per_layer and label.startswith(self.notation.layer_letter)
        if general and not self.notation.letter("g"):
            return f"{ACTIVATIONS['generic'].latex}_{{{label}}}"
        if self.named and act is not None and not act.generic and not general:
            return concrete
        slot, key = ("g_out", "fn.output") if output else ("g", "fn.hidden")
        if not self.notation.letter(slot) and act is not None and act.generic and self.notation.letter("g"):
            slot, key = "g", "fn.hidden"  # a generic output in the hidden layers' letter (bishop's h)
        if not self.notation.letter(slot):
            return concrete
        text = self.notation.render(key, layer, (), self.labels)
        if not output and self.per_layer and "${l}" not in self.notation.layouts[key]:
            text = f"{text}_{{{self.notation.bare_layer('fn', layer, self.labels)}}}"
        return text

    def _print_ElementwiseApplyFunction(self, expr: Any) -> str:
        function = expr.function
        inner = function.expr if isinstance(function, sp.Lambda) else function
        name = type(inner).__name__ if isinstance(inner, sp.Function) else str(function)
        text = self._activation(name, expr.expr)
        if text is None:
            return super()._print_ElementwiseApplyFunction(expr)
        return text


def _transpose(text: str) -> str:
    r"""``W^{2}`` -> ``\left(W^{2}\right)^{\top}``; ``W_{2}`` -> ``W_{2}^{\top}`` as the seeds write them;
    ``v^{\top}`` -> ``v``."""
    if text.endswith(r"^{\top}") and text.count("^") == 1:
        return text[: -len(r"^{\top}")]
    if "^" in text or " " in text.strip() or "\\left" in text:
        return rf"\left({text}\right)^{{\top}}"
    return f"{text}^{{\\top}}"


def _bar(text: str) -> str:
    r"""``a^{1}`` -> ``\bar{a}^{1}``: the augmented vector (1, a) of the neuron-bias convention."""
    match = re.match(r"^(\\[A-Za-z]+\{[^{}]*\}|\\?[A-Za-z]+)(.*)$", text)
    return rf"\bar{{{text}}}" if match is None else rf"\bar{{{match.group(1)}}}{match.group(2)}"


def _unevaluated(expr: sp.Basic) -> bool:
    """True for a product or sum built with ``evaluate=False`` whose written order SymPy would change, or a partial
    derivative times a function, ``∂C/∂a σ'(z)``, which SymPy's printing would turn round."""
    if isinstance(expr, sp.Mul) and any(isinstance(factor, sp.Derivative) for factor in expr.args) and any(
            isinstance(factor, AppliedUndef) for factor in expr.args):
        return True
    return type(expr)(*expr.args).args != expr.args


def _matrix_info(expr: sp.Basic) -> SymbolInfo | None:
    """What a matrix symbol of the network (``W2``, ``Delta2``, ``x``) stands for; None for any other expression."""
    if not isinstance(expr, sp.MatrixSymbol):
        return None
    info = describe(expr.name)
    return info if info is not None and info.is_matrix else None


def _layer_of(arg: sp.Basic) -> int | None:
    """The layer of a pre-activation argument (``z2_1``, ``z2``, ``Z2``, or W^l a^{l-1} + b^l written out in a
    nested model: the layer of its outermost weights), or None."""
    name = getattr(arg, "name", None)
    if isinstance(name, str):
        info = describe(name)
        return None if info is None else info.layer
    if not isinstance(arg, sp.MatrixExpr):
        return None
    layers = [info.layer for m in arg.atoms(sp.MatrixSymbol)
              if (info := describe(m.name)) is not None and info.kind == "W" and info.layer is not None]
    return max(layers, default=None)


def _find_activation(name: str) -> Any:
    return ACTIVATIONS.get(name.split("(")[0])
