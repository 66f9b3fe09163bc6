"""The architecture: layer sizes, activations, loss, bias convention, and symbols.

Conventions (the stable contract of every later feature):

* Layers are numbered 0 (input) to L (output); ``n_l`` neurons in layer l.
* ``W{l}`` has shape (n_l, n_{l-1}); row j is the destination neuron j, column k
  the source neuron k (Nielsen's w^l_{jk}). Indices in symbol names are 1-based,
  as in the lecture notes: ``W2_1_3`` is w^2_{13}.
* Bias conventions:
  ``vector``  b^l_j per neuron, ``b{l}`` of shape (n_l, 1);
  ``neuron``  an augmented bias unit a_0 = 1 with weights w_{j0}: ``W{l}`` is
              (n_l, n_{l-1} + 1), column 0 the bias weights, no ``b{l}`` (seed 000);
  ``none``    no bias (seed 003);
  ``shared``  one scalar b^l per layer, ``b{l}`` of shape (1, 1).
* Symbol names: ``x_k``, ``y_j``, ``W{l}_{j}_{k}``, ``b{l}_{j}`` (``b{l}`` when
  shared), ``z{l}_{j}``, ``a{l}_{j}``, ``delta{l}_{j}``. Layer 0's activations are
  the inputs ``x_k``. :mod:`.symbols` builds every name; :meth:`Architecture.describe_symbol` maps a symbol
  back to ``(kind, layer, indices)`` for printers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import sympy as sp
from sympy.core.mul import _mulsort

from ..errors import SpecError, UnknownNameError
from ..files import read_toml
from .activations import Activation, get_activation
from .layers import MAX_DEPTH as MAX_DEPTH
from .layers import check_layers, parse_spec, short
from .losses import Loss, get_loss, indicator
from .symbols import SymbolInfo, describe, element, matrix

BIAS_CONVENTIONS: dict[str, str] = {
    "vector": "a bias b^l_j per neuron: z^l = W^l a^(l-1) + b^l",
    "neuron": "an augmented bias unit a_0 = 1 with weights w^l_j0 (column 0 of W^l)",
    "none": "no bias: z^l = W^l a^(l-1)",
    "shared": "one scalar bias per layer: z^l_j = sum_k w^l_jk a^(l-1)_k + b^l",
}

#: An example of each name option, for the message of a value that is not a name.
_EXAMPLES = {"hidden": "tanh", "output": "sigmoid", "loss": "bce", "bias": "vector"}
NETWORK_KEYS = ("layers", "hidden", "output", "activations", "loss", "bias")


def _symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def times(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """``a * b``; for two distinct symbols it skips SymPy's general flatten (ten times faster, same result).

    Large nets multiply tens of thousands of symbol pairs (w * a, delta * a): this keeps derivation linear and fast.
    """
    if a == 1:
        return b
    if b == 1:
        return a
    if isinstance(a, sp.Symbol) and isinstance(b, sp.Symbol) and a != b:
        args = [a, b]
        _mulsort(args)
        return sp.Mul._from_args(args)
    return a * b


#: The longest name a network gets (a file system takes 255 bytes for a folder's name).
NAME_LENGTH = 120
class Architecture:
    """A feed-forward network's architecture and its SymPy symbols: plain data, the first stage.

    The public :class:`symbackprop.Network` adds ``derive()``, ``compile()`` and a notebook display to it. Once made
    it cannot be changed (setting an attribute raises AttributeError), and its parameters and their shapes are
    read-only.

    Args:
        layers: neurons per layer, input first, e.g. ``[2, 3, 1]``.
        hidden: activation of every hidden layer (default sigmoid); not together with ``activations``.
        output: activation of the output layer (default sigmoid); not together with ``activations``.
        loss: per-example loss name (default quadratic).
        bias: bias convention, one of :data:`BIAS_CONVENTIONS` (default vector).
        activations: one activation name per non-input layer.

    Raises:
        SpecError, UnknownNameError: a malformed or inconsistent architecture, or ``activations`` given together
            with ``hidden`` or ``output``.
    """

    def __init__(
        self,
        layers: Sequence[int],
        hidden: str | None = None,
        output: str | None = None,
        loss: str | None = None,
        bias: str | None = None,
        activations: Sequence[str] | None = None,
    ) -> None:
        loss, bias = ("quadratic" if loss is None else loss), ("vector" if bias is None else bias)
        self.layers: tuple[int, ...] = check_layers(layers)
        depth = len(self.layers) - 1
        for option, value in (("hidden", hidden), ("output", output), ("loss", loss), ("bias", bias)):
            if value is not None and not isinstance(value, str):
                raise SpecError(f"{option} must be a name such as {_EXAMPLES[option]!r}, got {value!r}")
        if activations is not None and (isinstance(activations, str) or not isinstance(activations, Sequence)
                                        or not all(isinstance(name, str) for name in activations)):
            raise SpecError(f"activations must be a list of names, one per non-input layer, such as "
                            f"['tanh', 'sigmoid'], got {activations!r}")
        if activations is None:
            hidden, output = ("sigmoid" if name is None else name for name in (hidden, output))
            names: Sequence[str] = [hidden] * (depth - 1) + [output]
        elif hidden is not None or output is not None:
            raise SpecError("give either activations (one per layer) or hidden/output, not both")
        else:
            if not all(name.strip() for name in activations):
                raise SpecError(f"activations: an empty name in {short(','.join(activations))}; give one name per "
                                "non-input layer, separated by single commas")
            if len(activations) != depth:
                raise SpecError(
                    f"activations: expected {depth} names (one per non-input layer of {self.spec}), got "
                    f"{len(activations)}"
                )
            names = list(activations)
        self.activations: tuple[Activation, ...] = tuple(get_activation(n) for n in names)
        self.loss: Loss = get_loss(loss)
        if bias not in BIAS_CONVENTIONS:
            raise UnknownNameError("bias convention", str(bias), BIAS_CONVENTIONS)
        self.bias: str = bias
        self._check_compatible()
        object.__setattr__(self, "_made", True)

    def __setattr__(self, name: str, value: Any) -> None:
        """Refuse a change once made: a network's symbols, derivations and compiled code are made from it."""
        if getattr(self, "_made", False):
            raise AttributeError(f"a network cannot be changed once made (its {name}); make a new one, such as "
                                 f"Network({list(self.layers)}, loss=...)")
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a network cannot be changed once made (its {name}); make a new one")

    def __copy__(self) -> Architecture:  # (unchangeable: a copy is the network itself, as a tuple's is)
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Architecture:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as what makes it (an activation holds functions that pickle cannot)."""
        return (_made, (type(self), self.layers, tuple(act.label for act in self.activations), self.loss.name,
                        self.bias))

    @property
    def hidden_differ(self) -> bool:
        """Whether the hidden layers' activations differ: then no one of them is a general hidden layer's."""
        return len({act.label for act in self.activations[:-1]}) > 1

    @property
    def generic(self) -> bool:
        """Whether an activation or the loss is generic (g, c): such a network is derived, never computed."""
        return self.loss.generic or any(act.generic for act in self.activations)

    def check_concrete(self, what: str) -> None:
        """Refuse a generic network for ``what`` (compile, check, a worked example), which needs numbers.

        Raises:
            SpecError: an activation or the loss is generic.
        """
        if self.generic:
            names = [n for n, generic in (("the activation", any(a.generic for a in self.activations)),
                                          ("the loss", self.loss.generic)) if generic]
            raise SpecError(f"{what} needs numbers, and {' and '.join(names)} of {self.spec} "
                            f"{'is' if len(names) == 1 else 'are'} generic (a symbol, not a formula); "
                            "derive a generic network, and compile, check or compute a concrete one")

    def check_defined(self, what: str) -> None:
        """Refuse a network whose loss takes the log of outputs its output activation can make 0 or negative (bce
        after tanh) for ``what``, a gradient check at random points, where such a loss is often not a number.
        Compiled code computes it all the same, finite wherever the loss is.

        Raises:
            SpecError: the loss is not defined on the outputs' range.
        """
        output, loss = self.activations[-1], self.loss
        if loss.outputs and output.name not in loss.outputs:
            raise SpecError(f"{what} needs a loss defined at the outputs, and {loss.name} takes the log of outputs "
                            f"that a {output.name} output can make 0 or negative; use a {_either(loss.outputs)} "
                            "output, or the quadratic or mse loss")

    def _check_compatible(self) -> None:
        for layer, act in enumerate(self.activations[:-1], start=1):
            if not act.elementwise:
                raise SpecError(
                    f"{act.name} can only be the output activation (layer {layer} is hidden); "
                    "use an element-wise activation there"
                )
        if not self.activations[-1].elementwise and self.layers[-1] < 2:
            raise SpecError("softmax needs at least 2 output neurons; use sigmoid for one output")
        if self.loss.sparse and self.layers[-1] < 2:
            raise SpecError("sparse_cross_entropy needs at least 2 output neurons (one per class); use bce")

    # ----------------------------------------------------------------- builders
    @classmethod
    def from_spec(cls, spec: str, **options: Any) -> Architecture:
        """``Network.from_spec("2-3-1", hidden="tanh", ...)``."""
        return cls(parse_spec(spec), **options)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "network") -> Architecture:
        """Build from a dict with keys :data:`NETWORK_KEYS` (``layers`` a list or a spec string).

        Raises:
            SpecError: unknown keys, a missing ``layers``, values of the wrong type, or ``activations`` given
                together with ``hidden`` or ``output``.
        """
        if not isinstance(data, Mapping):
            raise SpecError(f"{source}: a network is a mapping of keys ({', '.join(NETWORK_KEYS)}), got "
                            f"{type(data).__name__}")
        unknown = sorted(str(key) for key in set(data) - set(NETWORK_KEYS))
        if unknown:
            table = "" if source == "network" else ", and a [derive] table of document options"  # (a spec file's)
            raise SpecError(f"{source}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(NETWORK_KEYS)}{table}")
        if "layers" not in data:
            raise SpecError(f"{source}: missing key 'layers' (a list like [2, 3, 1] or a string '2-3-1')")
        options: dict[str, Any] = {}
        for key in ("hidden", "output", "loss", "bias"):
            if key in data:
                if not isinstance(data[key], str):
                    raise SpecError(f"{source}: {key!r} must be a string, got {type(data[key]).__name__}")
                options[key] = data[key]
        if "activations" in data:
            acts = data["activations"]
            if not isinstance(acts, list) or not all(isinstance(a, str) for a in acts):
                raise SpecError(f"{source}: 'activations' must be a list of strings")
            options["activations"] = acts
            if "hidden" in options or "output" in options:
                raise SpecError(f"{source}: give either activations (one per layer) or hidden/output, not both")
        layers = data["layers"]
        if isinstance(layers, str):
            return cls(parse_spec(layers), **options)
        return cls(layers, **options)

    @classmethod
    def from_file(cls, path: str | Path) -> Architecture:
        """Read a TOML file with keys :data:`NETWORK_KEYS` (a ``[derive]`` table is left to the CLI).

        Raises:
            SpecError: the file cannot be read or parsed, or holds unknown keys.
        """
        if not isinstance(path, (str, Path)):
            raise SpecError(f"from_file takes the path of a TOML spec file, such as 'net.toml', got {short(path)}")
        data = read_toml(path)
        return cls.from_mapping({k: v for k, v in data.items() if k != "derive"}, source=str(path))

    # --------------------------------------------------------------- properties
    @property
    def depth(self) -> int:
        """L, the index of the output layer."""
        return len(self.layers) - 1

    @property
    def spec(self) -> str:
        return "-".join(str(n) for n in self.layers)

    @property
    def name(self) -> str:
        """A file-system friendly name: ``2-3-1_tanh_sigmoid_bce_vector``; an activation's parameter after an
        underscore, a fraction's bar as a dash (``leaky_relu_3-10`` for leaky_relu(3/10), ``leaky_relu_310`` for
        leaky_relu(310)): one name for one network. Past :data:`NAME_LENGTH` characters (a deep network's spec), its
        first ones and a digest of the whole, short enough to name a folder."""
        acts = "_".join(dict.fromkeys(a.label.replace("(", "_").replace("/", "-") for a in self.activations))
        name = re.sub(r"[^A-Za-z0-9_.-]", "", f"{self.spec}_{acts}_{self.loss.name}_{self.bias}")
        if len(name) <= NAME_LENGTH:
            return name
        return f"{name[:NAME_LENGTH - 17]}-{hashlib.sha256(name.encode()).hexdigest()[:16]}"

    def __repr__(self) -> str:
        acts = [a.label for a in self.activations]
        return f"Network(layers={list(self.layers)}, activations={acts}, loss={self.loss.name!r}, bias={self.bias!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Architecture) and repr(self) == repr(other)

    def __hash__(self) -> int:
        return hash(repr(self))

    def activation(self, layer: int) -> Activation:
        """The activation of layer ``layer`` (1..L)."""
        return self.activations[layer - 1]

    # ------------------------------------------------------------------ symbols
    def inputs_list(self) -> list[sp.Symbol]:
        return [_symbol(element("x", None, k)) for k in range(1, self.layers[0] + 1)]

    @cached_property
    def inputs(self) -> sp.ImmutableMatrix:
        """The input column x, (n_0, 1)."""
        return sp.ImmutableMatrix(self.inputs_list())

    @cached_property
    def targets(self) -> sp.ImmutableMatrix:
        """The target column y, (n_L, 1); indicators [ell = j] for sparse_cross_entropy."""
        n = self.layers[-1]
        if self.loss.sparse:
            return sp.ImmutableMatrix([indicator(j) for j in range(1, n + 1)])
        return sp.ImmutableMatrix([_symbol(element("y", None, j)) for j in range(1, n + 1)])

    @cached_property
    def parameters(self) -> Mapping[str, sp.ImmutableMatrix]:
        """``{"W1": ..., "b1": ..., ...}`` in layer order, each a matrix of symbols (read-only)."""
        params: dict[str, sp.ImmutableMatrix] = {}
        first = 0 if self.bias == "neuron" else 1  # column k = 0 holds the bias unit's weights
        shapes = self.parameter_shapes
        for l in range(1, self.depth + 1):
            weights, bias = matrix("W", l), matrix("b", l)
            rows, cols = shapes[weights]
            names = [element("W", l, j, k) for j in range(1, rows + 1) for k in range(first, cols + first)]
            params[weights] = sp.ImmutableMatrix(rows, cols, [_symbol(n) for n in names])
            if bias in shapes:
                rows, cols = shapes[bias]
                names = [element("b", l, j) for j in range(1, rows + 1)] if self.bias == "vector" else [element("b", l)]
                params[bias] = sp.ImmutableMatrix(rows, cols, [_symbol(n) for n in names])
        return MappingProxyType(params)

    @cached_property
    def parameter_shapes(self) -> Mapping[str, tuple[int, int]]:
        """``{"W1": (n_1, n_0), "b1": (n_1, 1), ...}``: the shapes of :attr:`parameters`, without their symbols
        (which take seconds to make for a wide network)."""
        shapes: dict[str, tuple[int, int]] = {}
        for l in range(1, self.depth + 1):
            shapes[matrix("W", l)] = (self.layers[l], self.layers[l - 1] + (self.bias == "neuron"))
            if self.bias in ("vector", "shared"):
                shapes[matrix("b", l)] = (self.layers[l], 1) if self.bias == "vector" else (1, 1)
        return MappingProxyType(shapes)

    @property
    def parameter_count(self) -> int:
        return sum(rows * cols for rows, cols in self.parameter_shapes.values())

    def z(self, layer: int) -> list[sp.Symbol]:
        """Pre-activation symbols z^l_1..z^l_n."""
        return [_symbol(element("z", layer, j)) for j in range(1, self.layers[layer] + 1)]

    def a(self, layer: int) -> list[sp.Symbol]:
        """Activation symbols a^l_1..a^l_n; layer 0 gives the inputs."""
        if layer == 0:
            return self.inputs_list()
        return [_symbol(element("a", layer, j)) for j in range(1, self.layers[layer] + 1)]

    def delta(self, layer: int) -> list[sp.Symbol]:
        """Error-term symbols delta^l_1..delta^l_n (delta^l_j = dc/dz^l_j)."""
        return [_symbol(element("delta", layer, j)) for j in range(1, self.layers[layer] + 1)]

    def pre_activation_terms(self, layer: int, j: int) -> list[tuple[sp.Symbol, sp.Expr]]:
        """z^l_j as (parameter, source) pairs, z = sum parameter * source; 0-based j, the bias first (source 1)."""
        weights = self.parameters[matrix("W", layer)]
        sources: list[sp.Expr] = list(self.a(layer - 1))
        if self.bias == "neuron":
            sources = [sp.S.One, *sources]
        elif self.bias in ("vector", "shared"):
            b = self.parameters[matrix("b", layer)]
            return [(b[j, 0] if self.bias == "vector" else b[0, 0], sp.S.One)] + [
                (weights[j, k], s) for k, s in enumerate(sources)
            ]
        return [(weights[j, k], s) for k, s in enumerate(sources)]

    def pre_activation(self, layer: int, j: int) -> sp.Expr:
        """z^l_j in terms of the previous layer's activations, 0-based j."""
        return sp.Add(*[times(param, source) for param, source in self.pre_activation_terms(layer, j)])

    def describe_symbol(self, symbol: sp.Symbol) -> SymbolInfo | None:
        """What a symbol of this network stands for (:func:`.symbols.describe`), or None for foreign symbols and
        for names of vectors (``x``, ``Z2``) or with letter indices (``delta2_j``)."""
        info = describe(symbol.name)
        if info is None or not info.is_element or not all(isinstance(i, int) for i in info.indices):
            return None
        return info


def _made(cls: type[Architecture], layers: Sequence[int], activations: Sequence[str], loss: str,
          bias: str) -> Architecture:
    """A network made again from what made it (an unpickled one)."""
    return cls(layers, activations=activations, loss=loss, bias=bias)


def _either(names: tuple[str, ...]) -> str:
    """``sigmoid, softmax or softplus``."""
    return " or ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]
