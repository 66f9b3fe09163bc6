"""The seeds' routes (symbackprop.documents.routes): one table, every entry naming things that exist."""

from __future__ import annotations

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.derive import general
from symbackprop.documents.argued import in_order, notation_letters
from symbackprop.documents.routes import ROUTES, SHARED, Route, route
from symbackprop.documents.schematic import SCHEMATIC_NAMES
from symbackprop.notation.presets import PRESETS
from symbackprop.notation.printer import NotationPrinter

#: Every argument the engine makes for a general neuron, across networks: an element-wise output and a softmax
#: with sparse cross-entropy, with hidden layers.
ARGUMENTS = {argument.name for network in (Network([2, 3, 2]), Network([3, 3, 2], hidden="relu", output="softmax",
                                                                        loss="sparse_cross_entropy"))
             for argument in network.derive(forms=()).arguments}


def test_every_route_is_a_seed_some_preset_reproduces() -> None:
    seeds = {notation.seed for notation in PRESETS.values()}
    assert set(ROUTES) <= seeds and set(ROUTES) == {"000", "001", "002", "003", "004"}
    assert all(route(notation) is ROUTES[notation.seed] for notation in PRESETS.values())


@pytest.mark.parametrize(("seed", "way"), [*ROUTES.items(), ("shared", SHARED)])
def test_a_route_names_only_arguments_and_figures_that_exist(seed: str, way: Route) -> None:
    assert set(way.order) <= ARGUMENTS, seed
    for part, heading, members in way.parts:
        assert part in ("output", "hidden", "parameters") and heading and set(members) <= ARGUMENTS
    assert not way.parts or set(way.order) <= {name for part in way.parts for name in part[2]}  # each under one
    assert set(way.intros) <= ARGUMENTS and set(way.tags) <= ARGUMENTS and set(way.resumed) <= ARGUMENTS
    assert set(way.in_parts) | set(way.local_after) | set(way.local_before) | set(way.local_first) <= ARGUMENTS
    for (argument, where), figure in way.schematics.items():
        assert argument in ARGUMENTS and where in ("before", "example", "after") and figure in SCHEMATIC_NAMES


def test_routes_are_immutable() -> None:
    with pytest.raises(TypeError):
        ROUTES["002"].intros["weight"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        ROUTES["005"] = Route()  # type: ignore[index]


@pytest.mark.parametrize("network", [Network([3, 4, 2], hidden="tanh", loss="bce"), Network([2, 3, 2, 1]),
                                     Network([2, 2, 2], hidden="generic", output="generic", loss="generic")])
def test_a_product_read_in_the_seeds_order_is_the_same_product(network: Network) -> None:
    """Seed 001's chains from the weight up (∂z/∂w ∂c/∂z = a δ, Σ_k W_jk δ_k): each line shown is the verified line,
    its factors read the other way, and some do read the other way."""
    derivation = network.derive(forms=())
    printer = NotationPrinter(PRESETS["input-major"], network)
    reordered = 0
    for argument in derivation.arguments:
        letters = notation_letters(argument, printer)
        for line in [*argument.lines, *argument.concrete]:
            verified, shown = general.with_letters(line.result, letters), in_order(line.result, argument, letters,
                                                                                  printer)
            assert sp.simplify(shown - verified) == 0, (argument.name, shown, verified)
            reordered += _read(shown) != _read(verified)
    assert reordered >= 8


def _read(expr: sp.Basic) -> object:
    """``expr`` as it is written, its arguments in their order (SymPy's printers sort a product's factors)."""
    return (type(expr).__name__, tuple(_read(arg) for arg in expr.args)) if expr.args else str(expr)
