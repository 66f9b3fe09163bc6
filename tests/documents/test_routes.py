"""The seeds' routes (symbackprop.documents.routes): one table, every entry naming things that exist."""

from __future__ import annotations

import pytest

from symbackprop import Network
from symbackprop.documents.routes import ROUTES, SHARED, Route, route
from symbackprop.documents.schematic import SCHEMATIC_NAMES
from symbackprop.notation.presets import PRESETS

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
    assert set(way.in_parts) | set(way.local_after) | set(way.local_before) <= ARGUMENTS
    for (argument, where), figure in way.schematics.items():
        assert argument in ARGUMENTS and where in ("before", "example", "after") and figure in SCHEMATIC_NAMES


def test_routes_are_immutable() -> None:
    with pytest.raises(TypeError):
        ROUTES["002"].intros["weight"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        ROUTES["005"] = Route()  # type: ignore[index]
