"""Symbol names: one module builds them (model/symbols.py), one function reads them back, and no other module
spells or parses them itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy as sp

from symbackprop.model import symbols
from symbackprop.model.architecture import Architecture
from symbackprop.model.symbols import SymbolInfo, batch, describe, element, matrix

PACKAGE = Path(__file__).resolve().parents[2] / "symbackprop"
LAYERS = (0, 1, 2, 9, 10, 12, 99)
INDICES = (0, 1, 2, 9, 10, 23)


# ----------------------------------------------------------------------------------------------- the contract
@pytest.mark.parametrize(("built", "name"), [
    (element("W", 2, 1, 3), "W2_1_3"),
    (element("W", 1, 2, 0), "W1_2_0"),
    (element("W", 12, 10, 11), "W12_10_11"),
    (element("b", 1, 2), "b1_2"),
    (element("b", 3), "b3"),
    (element("z", 1, 1), "z1_1"),
    (element("a", 2, 1), "a2_1"),
    (element("delta", 1, 2), "delta1_2"),
    (element("delta", 2, "j"), "delta2_j"),
    (element("W", 90, "j", "k"), "W90_j_k"),
    (element("x", None, 1), "x_1"),
    (element("y", None, 12), "y_12"),
    (element("y", None, "j"), "y_j"),
    (matrix("W", 1), "W1"),
    (matrix("b", 1), "b1"),
    (matrix("delta", 2), "delta2"),
    (matrix("Delta", 2), "Delta2"),
    (matrix("Z", 1), "Z1"),
    (matrix("A", 10), "A10"),
    (matrix("abar", 0), "abar0"),
    (matrix("grad_a", 2), "grad_a2"),
    (matrix("x"), "x"),
    (matrix("Y"), "Y"),
    (matrix(batch("delta"), 3), "Delta3"),
    (matrix(batch("abar"), 1), "Abar1"),
    (matrix(batch("grad_a"), 2), "Grad_A2"),
    (matrix(batch("x")), "X"),
])
def test_builders_spell_the_names_of_the_public_contract(built: str, name: str) -> None:
    assert built == name


# ------------------------------------------------------------------------------------------------ round trips
@pytest.mark.parametrize("kind", symbols.LAYER_KINDS)
def test_every_entry_of_a_layer_kind_reads_back_as_its_kind_layer_and_indices(kind: str) -> None:
    for layer in LAYERS:
        assert describe(element(kind, layer)) == SymbolInfo(kind, layer, ())
        assert describe(matrix(kind, layer)) == SymbolInfo(kind, layer, ())
        for j in (*INDICES, "j"):
            assert describe(element(kind, layer, j)) == SymbolInfo(kind, layer, (j,))
            for k in (*INDICES, "k"):
                assert describe(element(kind, layer, j, k)) == SymbolInfo(kind, layer, (j, k))


@pytest.mark.parametrize("kind", ["x", "y"])
def test_inputs_and_targets_read_back_without_a_layer(kind: str) -> None:
    for index in (*INDICES, "j"):
        assert describe(element(kind, None, index)) == SymbolInfo(kind, None, (index,))
    assert describe(matrix(kind)) == SymbolInfo(kind, None, ())
    assert describe(matrix(batch(kind))) == SymbolInfo(kind.upper(), None, ())


@pytest.mark.parametrize("kind", symbols.MATRIX_KINDS)
def test_every_matrix_kind_reads_back_with_its_layer(kind: str) -> None:
    for layer in LAYERS:
        assert describe(matrix(kind, layer)) == SymbolInfo(kind, layer, ())


@pytest.mark.parametrize("kind", list(symbols.BATCH))
def test_a_batch_kind_reads_back_as_itself(kind: str) -> None:
    name = matrix(batch(kind)) if kind in ("x", "y") else matrix(batch(kind), 3)
    info = describe(name)
    assert info is not None and info.kind == batch(kind) and info.is_matrix and not info.is_element


@pytest.mark.parametrize("bias", ["vector", "neuron", "none", "shared"])
def test_every_symbol_of_a_network_reads_back_as_where_it_stands(bias: str) -> None:
    net = Architecture([3, 11, 2], hidden="tanh", output="softmax", loss="cross_entropy", bias=bias)
    first = 0 if bias == "neuron" else 1
    for name, values in net.parameters.items():
        key = describe(name)
        assert key is not None and key.is_matrix
        for row in range(values.rows):
            for col in range(values.cols):
                info = net.describe_symbol(values[row, col])
                assert info is not None and (info.kind, info.layer) == (key.kind, key.layer)
                if key.kind == "W":
                    assert info.indices == (row + 1, col + first)
                else:
                    assert info.indices == (() if bias == "shared" else (row + 1,))
    for layer in range(1, net.depth + 1):
        for kind, entries in (("z", net.z(layer)), ("a", net.a(layer)), ("delta", net.delta(layer))):
            assert [net.describe_symbol(s) for s in entries] == [
                SymbolInfo(kind, layer, (j,)) for j in range(1, net.layers[layer] + 1)]
    assert [net.describe_symbol(s) for s in net.inputs] == [SymbolInfo("x", None, (k,)) for k in (1, 2, 3)]
    assert [net.describe_symbol(s) for s in net.targets] == [SymbolInfo("y", None, (j,)) for j in (1, 2)]


def test_a_general_neurons_letter_may_be_primed() -> None:
    """Seed 002's softmax sums over i' beside the neuron i: a primed letter is a letter of its own."""
    assert describe(element("z", 3, "i'")) == SymbolInfo("z", 3, ("i'",))
    for name in ("z3_i''", "z3_'", "W1_j'k"):  # a prime out of place: no name of a network's
        assert describe(name) is None


# ------------------------------------------------------------------------------------------------ foreign names
@pytest.mark.parametrize("name", [
    "", "c", "C", "m", "ell", "a", "z", "W", "b", "delta", "Delta", "Z", "w1_1", "W_1", "W1_", "W1_2_3_4",
    "W1_jk", "W1_J", "x1", "x_", "X_1", "x_1_2", "Z1_1", "Delta2_1", "abar", "grad_A2", "Grad_a2", "zmax2", "g1",
    "d1", "n1_2", "sigmoid", "delta1 ", "W1\n", "W-1",
])
def test_a_name_of_no_network_symbol_reads_as_none(name: str) -> None:
    assert describe(name) is None
    assert symbols.kind_of(name) is None


@pytest.mark.parametrize(("name", "expected"), [
    ("W2_1_3", SymbolInfo("W", 2, (1, 3))),
    ("W1", SymbolInfo("W", 1, ())),
    ("b2", SymbolInfo("b", 2, ())),
    ("x_1", SymbolInfo("x", None, (1,))),
    ("x", None),
    ("Z1", None),
    ("Delta2", None),
    ("delta2_j", None),
    ("ell", None),
])
def test_describe_symbol_reads_the_entries_of_a_network_only(name: str, expected: SymbolInfo | None) -> None:
    net = Architecture([2, 2])
    assert net.describe_symbol(sp.Symbol(name)) == expected


@pytest.mark.parametrize(("build", "message"), [
    (lambda: element("Z", 1, 1), "no entries of kind 'Z'"),
    (lambda: element("x", 1, 1), "x: an entry has no layer"),
    (lambda: element("x", None), "x: an entry has no layer and one index"),
    (lambda: element("W", None, 1, 2), "W: an entry has a layer"),
    (lambda: element("W", 1, 1, 2, 3), "at most two indices"),
    (lambda: matrix("W"), "W needs a layer"),
    (lambda: matrix("x", 1), "x has no layer"),
    (lambda: matrix("q", 1), "unknown kind 'q'"),
    (lambda: batch("W"), "'W' has no batch kind"),
])
def test_a_builder_refuses_a_name_outside_the_contract(build, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=re.escape(message)):
        build()


# ------------------------------------------------------------------------------------- no second spelling
_KINDS = "|".join(sorted((*symbols.LAYER_KINDS, *symbols.MATRIX_KINDS, "X", "Y"), key=len, reverse=True))
#: What a module that spells or parses names itself writes: a kind with its layer or index in an f-string,
#: a stem in an f-string, a regular expression of kinds, a test of a name's first letters.
_OFFENCES = {
    "an f-string spelling a name": re.compile(
        rf"""\b[rR]?[fF][rR]?(["'])(?:{_KINDS})\{{|\b[rR]?[fF][rR]?(["'])[xy]_\{{"""),
    "an f-string joining a kind to its layer": re.compile(
        r"""\b[rR]?[fF][rR]?(["'])\{(?:stem|kind|name)\b[^{}]*\}_?\{[^:{}]*\}"""),
    "a regular expression of kinds": re.compile(r"(?:delta|Delta)\||\|(?:delta|Delta)\b|\bW\|b\b|\bx\|y\b|\?P<kind>"),
    "a test of a name's first letters": re.compile(
        rf"""\.startswith\(\(?["'](?:{_KINDS}|x|y)["']|\[0\] in ["'][A-Za-z]+["']|\[1:\]\.(?:isdigit|split)"""),
    "a name split at its underscores": re.compile(r"""r?split\(["']_["']"""),
}
#: model/params.py was being changed elsewhere when the names moved to model/symbols.py: its three tests of a
#: parameter's first letter are the last to move (to ``symbols.kind_of``); nothing else may join them.
def _offences(source: str) -> list[tuple[int, str, str]]:
    return [(number, what, line.strip()) for number, line in enumerate(source.splitlines(), start=1)
            for what, pattern in _OFFENCES.items() if pattern.search(line)]


@pytest.mark.parametrize("line", [
    'names = [f"{name}_{j}_{k}" for j in range(1, rows + 1)]',
    'return [_symbol(f"x_{k}") for k in range(1, self.layers[0] + 1)]',
    'shapes[f"W{l}"] = (self.layers[l], self.layers[l - 1])',
    'deltas = {f"delta{L}": sp.ImmutableMatrix(output.deltas)}',
    "z = sp.Symbol(f'z{g}_{j}')",
    "batch = [sp.MatrixSymbol(f'{stem}{g}', n, 1) for stem in ('Z', 'A')]",
    'name = f"{stem[0].upper() + stem[1:] if self.batch else stem}{layer}"',
    'equations[f"Z{l}"] = z',
    'source = f"A{l - 1}"',
    'match = re.match(r"^(delta|Delta)(\\d+)(?:_(\\d+))?$", name)',
    '_SCALAR = re.compile(r"^(?P<kind>W|b|z|a|delta)(?P<layer>[0-9]+)$")',
    'if name.startswith("W"):',
    'k[0] in "ZA" and k[1:].isdigit()',
    'layer = int(name[1:].split("_")[0])',
    'j = int(target.split("_")[1])',
])
def test_the_scan_finds_each_way_names_were_once_spelled_or_parsed(line: str) -> None:
    assert _offences(line)


def test_no_module_but_model_symbols_spells_or_parses_symbol_names() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where == "model/symbols.py":
            continue
        found += [f"{where}:{number}: {what}: {line}" for number, what, line in _offences(path.read_text("utf-8"))]
    assert found == [], "build names with symbackprop.model.symbols, read them with symbols.describe:\n" + "\n".join(
        found)
