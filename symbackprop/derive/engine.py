"""``derive(network)``: the derivation of a network, every form asked for.

The element form comes from the chain rule of :mod:`symbackprop.derive.chain`; the vector and batch forms are
built at layer level in :mod:`symbackprop.derive.forms` and proven equal to it by the tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import sympy as sp

from ..errors import SizeLimitError, SpecError, UnknownNameError
from ..model import symbols
from ..model.architecture import Architecture
from ..progress import Progress, progress_bar
from .argument import Argument
from .chain import (
    Output,
    forward_equations,
    hidden_layer,
    output_elementwise,
    output_softmax,
    parameter_gradients,
    parameter_paths,
    paths_layers,
    thin_chain,
)
from .derivation import FORMS, Derivation, Step
from .forms import batch_form, forward_vector, vector_form
from .reasoning import LETTERS, arguments, bias_gradient, weight_gradient
from .stacking import hidden_errors, jacobians, layer_weights, nested_model, stacked, through_outputs, written_out

#: The largest network derived: about 5 s and 200 MB of SymPy expressions.
MAX_PARAMETERS = 50_000
#: From this many parameters a derivation takes seconds: with ``progress=None`` it shows its progress to a watcher.
PROGRESS_PARAMETERS = 5_000


def derive(network: Architecture, forms: Sequence[str] = FORMS, progress: bool | None = None) -> Derivation:
    """Derive every delta and gradient of ``network``.

    Args:
        network: the architecture.
        forms: any of ``"element"``, ``"vector"``, ``"batch"``. The element-form deltas and gradients are always
            computed (they are the reference the others are proven against); ``forms`` selects which steps are
            recorded. The arguments for a general neuron (:mod:`.reasoning`) are always made.
        progress: show progress on stderr (or in a notebook), one step per layer and form: True always, False
            never, None for networks of more than :data:`PROGRESS_PARAMETERS` parameters when stderr is a
            terminal or in a notebook (see :mod:`symbackprop.progress`).

    Returns: the immutable :class:`~symbackprop.derivation.Derivation`.

    Raises:
        UnknownNameError, SizeLimitError: an unknown form; more than :data:`MAX_PARAMETERS` parameters.
        SpecError: ``forms`` not a list of names (a string is not read letter by letter), ``progress`` not a bool.
    """
    if not isinstance(forms, str) and isinstance(forms, Iterable):
        forms = tuple(forms)  # (a set or a generator, read once)
    _check_request(network, forms, progress)
    total = 2 * network.depth + 1 + sum(form in forms for form in ("vector", "batch"))
    with progress_bar(total, f"deriving {network.spec}", progress,
                      long=network.parameter_count > PROGRESS_PARAMETERS) as bar:
        loss, output, steps, deltas, gradients = _element_form(network, bar)
        bar.describe("forward pass")
        forward = forward_equations(network)
        bar.update()
        vector, batch, layer_steps = _layer_forms(network, forms, bar)
    return Derivation(
        network=network,
        loss=loss,
        forward=forward,
        steps=(tuple(steps) if "element" in forms else ()) + tuple(layer_steps),
        deltas=deltas, gradients=gradients, vector=vector, batch=batch, assumptions=output.assumptions,
        forward_vector=forward_vector(network),
        model=nested_model(network),
        arguments=_arguments(network, loss, deltas),
        thin=_thin(network) if "thin" in forms else None,
        jacobians=jacobians(network) if "vector" in forms else {},
    )


def _thin(network: Architecture) -> Derivation:
    """Seed 002's thin network: as deep as ``network``, one neuron in every layer, its activations and cost left
    generic (g, O, L); its one step the chain from the cost down to its first weight."""
    thin = Architecture([1] * (network.depth + 1), activations=["generic"] * network.depth, loss="generic",
                        bias=network.bias)
    return replace(derive(thin, forms=()), steps=(thin_chain(thin),))


def _arguments(network: Architecture, loss: sp.Expr, deltas: dict) -> tuple[Argument, ...]:
    """The arguments for a general neuron (BP1 "for this network" from the element form's δ^L_1), each with its
    result for every neuron at once where it has one (:func:`.stacking.stacked`)."""
    found = arguments(network, LETTERS, loss, deltas[symbols.matrix("delta", network.depth)][0, 0])
    vectors = stacked(network)

    def at_layer(argument: Argument, layer: int) -> Argument:  # a parameter's argument, for the stacked layer
        made = AT_LAYER[argument.name](network, layer, *LETTERS[:2]) if layer != argument.layer else argument
        assert made is not None  # a parameter the stacked vectors have exists at every layer
        return made

    return tuple(replace(argument, stacked=written_out(network, at_layer(argument, vectors[argument.name][0].layer),
                                                       vectors[argument.name][0]))
                 if argument.name in vectors else argument for argument in found)


#: The arguments whose vector may be stacked at another layer than theirs (:func:`.stacking.parameter_layer`).
AT_LAYER = {"weight": weight_gradient, "bias": bias_gradient}


def _check_request(network: Architecture, forms: Sequence[str], progress: bool | None) -> None:
    """Known forms, and a network small enough to derive; see :func:`derive` for what it raises."""
    if isinstance(forms, str) or not isinstance(forms, Iterable):
        raise SpecError(f"forms must be a list of form names, such as ['element', 'vector'] (of "
                        f"{', '.join(FORMS)}), got {forms!r}"[:200])
    if progress is not None and not isinstance(progress, bool):
        raise SpecError(f"progress must be True, False or None, got {progress!r}"[:200])
    for form in forms:
        if form not in FORMS:
            raise UnknownNameError("form", str(form), FORMS)
    if network.parameter_count > MAX_PARAMETERS:
        raise SizeLimitError(
            f"the {network.spec} network has {network.parameter_count:,} parameters; derivations are limited to "
            f"{MAX_PARAMETERS:,} (each gradient is derived element by element, about 0.1 ms each); the vector and "
            "batch forms read the same at any width, so derive a narrower network")


def _element_form(network: Architecture, bar: Progress) -> tuple[sp.Expr, Output, list[Step], dict, dict]:
    """The loss, the output layer, and every delta and gradient element by element, a step of ``bar`` per layer."""
    L = network.depth
    loss = network.loss(network.a(L), list(network.targets))
    bar.describe(f"element form, output layer {L} of {L}")
    output = (output_elementwise if network.activation(L).elementwise else output_softmax)(network, loss)
    bar.update()
    steps = list(output.steps)
    deltas = {symbols.matrix("delta", L): sp.ImmutableMatrix(output.deltas)}
    for layer in range(L - 1, 0, -1):
        bar.describe(f"element form, hidden layer {layer} of {L}")
        layer_steps, layer_deltas = hidden_layer(network, layer)
        steps += layer_steps
        deltas[symbols.matrix("delta", layer)] = sp.ImmutableMatrix(layer_deltas)
        bar.update()
    gradients: dict[str, sp.ImmutableMatrix] = {}
    for layer in range(L, 0, -1):
        bar.describe(f"element form, gradients of layer {layer} of {L}")
        layer_steps, layer_gradients = parameter_gradients(network, layer)
        steps += layer_steps
        gradients.update(layer_gradients)
        bar.update()
    ordered = {name: gradients[name] for name in network.parameters}
    deltas = {symbols.matrix("delta", l): deltas[symbols.matrix("delta", l)] for l in range(1, L + 1)}
    return loss, output, steps, deltas, ordered


def _layer_forms(network: Architecture, forms: Sequence[str], bar: Progress) -> tuple[dict, dict, list[Step]]:
    vector: dict = {}
    batch: dict = {}
    steps: list[Step] = []
    if "vector" in forms:

        bar.describe("vector form")
        vector, vector_steps = vector_form(network)
        steps += vector_steps
        bar.update()
    if "batch" in forms:

        bar.describe("batch form")
        batch, batch_steps = batch_form(network)
        steps += batch_steps
        bar.update()
    if "paths" in forms:  # seed 000's chains from the cost down to each parameter of the last two layers
        steps += [*parameter_paths(network), *(step for layer in paths_layers(network)
                                               for step in layer_weights(network, layer)), *hidden_errors(network),
                  *through_outputs(network)]  # (its ∂C/∂W^{(1)} in one chain: form through)
    return vector, batch, steps


