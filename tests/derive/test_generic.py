"""The generic activation g and cost c: derived with their derivatives kept as symbols, printed in each preset's
letters, verified on random instances, and refused where numbers are needed."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import sympy as sp

from symbackprop import Network, SpecError
from symbackprop.documents.options import DocumentOptions
from symbackprop.documents.render import render_markdown
from symbackprop.model.activations import GENERIC_PRIME, derivative, get_activation
from symbackprop.model.losses import GenericCost
from tests.helpers import one_line, run_cli

CASES = tomllib.loads((Path(__file__).parent.parent / "golden" / "cases.toml").read_text())
GENERIC = {"hidden": "generic", "output": "generic", "loss": "generic"}


def _generic_seed(name: str, **changes: str) -> Network:
    """The seed network of a preset with its activations and loss generic (or as ``changes`` say)."""
    case = {k: v for k, v in CASES[name].items() if k != "derive"}
    return Network(**(case | GENERIC | changes))


def test_bp1_keeps_the_cost_and_the_activation_as_symbols() -> None:
    net = Network([2, 3, 2], **GENERIC)
    d = net.derive()
    for j, (z, a) in enumerate(zip(net.z(2), net.a(2), strict=True)):
        cost = GenericCost(*net.a(2), *net.targets)
        assert d.deltas["delta2"][j] == sp.Derivative(cost, a) * GENERIC_PRIME(z)
    # the vector form ends at BP1 as the notes write it: ∇_a C ⊙ σ'(z^L), nothing left to differentiate
    last = d.steps_of("vector", "delta2")[-1]
    assert last.rule.name == "DIAGONAL_TIMES_VECTOR"
    assert isinstance(last.result, sp.HadamardProduct)


def test_the_generic_derivative_is_g_prime() -> None:
    act = get_activation("generic")
    z = sp.Symbol("z", real=True)
    assert derivative(act).textbook == GENERIC_PRIME(z)
    assert [step.rule.name for step in derivative(act).steps] == ["DEFINITION", "DIFFERENTIATE"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_seed_network_verifies_generic(name: str) -> None:
    result = _generic_seed(name).derive().verify(points=1)
    assert result.steps > 0 and result.proven == result.rewrites


@pytest.mark.parametrize("changes", [
    {"output": "sigmoid", "loss": "bce"},             # generic hidden layers, a concrete output
    {"hidden": "tanh", "output": "softmax"},          # softmax with a generic cost: its Jacobian, ∂c/∂a symbols
    {"output": "softmax", "loss": "cross_entropy"},   # generic hidden layers under softmax + cross-entropy
])
def test_half_generic_networks_verify(changes: dict[str, str]) -> None:
    net = Network([2, 3, 2], **(GENERIC | changes))
    assert net.derive().verify(points=1).steps > 0


#: Each preset's letters for g'_hidden and g'_output in a generic 2-3-2 network (seeds 000-004).
LETTERS = {
    "nielsen": (r"\sigma'(z^{1}_{1})", r"\sigma'(z^{2}_{1})", r"\frac{\partial C}{\partial a^{2}_{1}}"),
    "ng": (r"\sigma'(Z^{(2)}_{1})", r"\sigma'(Z^{(3)}_{1})", r"\frac{\partial C}{\partial a^{(3)}_{1}}"),
    "input-major": (r"g_{1}'(z_{1}^{(1)})", r"g_{2}'(z_{1}^{(2)})", r"\frac{\partial c}{\partial a_{1}^{(2)}}"),
    "goodfellow": (r"g'(a_{11})", r"O'(a_{21})", r"\frac{\partial \mathcal{L}(\theta)}{\partial \hat{y}_{1}}"),
    "bishop": (r"h'(a^{(1)}_{1})", r"h'(a^{(2)}_{1})", r"\frac{\partial E_n}{\partial y_{1}}"),
}


@pytest.mark.parametrize("preset", sorted(LETTERS))
def test_generic_symbols_print_in_each_presets_letters(preset: str) -> None:
    derivation = Network([2, 3, 2], **GENERIC).derive()
    text = render_markdown(derivation, DocumentOptions(notation=preset, formats=("md",), sections="all"))
    for expected in LETTERS[preset]:
        assert expected in text
    assert "2-3-2 network, any activation functions, any cost" in text  # as the lecture notes say it
    assert "generic" not in text
    assert "GenericCost" not in text


@pytest.mark.parametrize("args", [
    ["compile", "2-3-1", "--hidden", "generic"],
    ["check", "2-3-1", "--loss", "generic"],
    ["example", "2-3-1", "--output", "generic"],
])
def test_commands_that_need_numbers_refuse_a_generic_network(capsys: pytest.CaptureFixture[str],
                                                             args: list[str]) -> None:
    status, out, err = run_cli(capsys, *args)
    assert (status, out) == (2, "") and one_line(err)
    assert "needs numbers" in err and "generic" in err


@pytest.mark.parametrize(("args", "allowed"), [
    (["check", "1-1", "--output", "tanh", "--loss", "bce"], "use a sigmoid or softmax output"),
    (["check", "2-2", "--output", "relu", "--loss", "cross_entropy"], "use a sigmoid, softmax or softplus output"),
    (["check", "2-2", "--output", "linear", "--loss", "sparse_cross_entropy"], "use a sigmoid, softmax or"),
])
def test_a_check_refuses_a_log_loss_of_outputs_it_is_not_defined_at(
        capsys: pytest.CaptureFixture[str], args: list[str], allowed: str) -> None:
    """bce takes log a and log(1 - a), a cross-entropy log a: after a tanh, a ReLU or a linear output they are
    undefined at some of a check's random points, where it used to report a disagreement of a loss that was not a
    number. Deriving such a network stays allowed, and so does compiling it (finite wherever the loss is)."""
    status, out, err = run_cli(capsys, *args)
    assert (status, out) == (2, "") and one_line(err)
    assert "needs a loss defined at the outputs" in err and allowed in err
    network = Network.from_spec(args[1], output=args[3], loss=args[5])
    assert network.derive(forms=("element",)).steps and network.compile() is not None


def test_compile_refuses_a_generic_network_in_python() -> None:
    with pytest.raises(SpecError, match="compiled code needs numbers, and the loss of 2-2-1 is generic"):
        Network([2, 2, 1], loss="generic").compile()


def test_exercises_of_a_generic_network_have_no_numeric_part(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(capsys, "derive", "2-2-1", "--hidden", "generic", "--loss", "generic",
                               "--exercise", "--format", "md", "--out", str(tmp_path))
    assert status == 0, err
    problems = (tmp_path / "exercises-nielsen.md").read_text()
    assert "Numbers" not in problems
