"""Derivation.verify(): every displayed line of every step equals the true derivative, and a wrong one is caught."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symbackprop import Network, SizeLimitError, SpecError
from symbackprop.derive.derivation import Derivation, Step
from symbackprop.derive.general import equations
from symbackprop.derive.verify import LETTERS, MAX_PARAMETERS, VerificationError, verify
from symbackprop.documents.files import engine_forms
from symbackprop.documents.options import DocumentOptions
from tests.helpers import run_cli

CASES = tomllib.loads((Path(__file__).parent.parent / "golden" / "cases.toml").read_text())


def _seed_network(name: str) -> Network:
    return Network(**{k: v for k, v in CASES[name].items() if k != "derive"})


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_step_of_each_seed_network_is_verified(name: str) -> None:
    derivation = _seed_network(name).derive()
    result = derivation.verify()
    general = len(list(equations(derivation.network, LETTERS))) + sum(len(a.lines) for a in derivation.arguments)
    assert result.steps == len(derivation.steps) + general
    assert str(result) == f"{result.steps} steps verified"
    # every step has at least its result line checked, a chain-rule step its chain too, at each point
    chains = sum(1 for s in derivation.steps if s.chain)
    assert result.lines >= result.points * (len(derivation.steps) + chains + general)
    assert result.proven <= result.rewrites


def _with_step(derivation: Derivation, index: int, step: Step) -> Derivation:
    steps = list(derivation.steps)
    steps[index] = step
    return dataclasses.replace(derivation, steps=tuple(steps))


@pytest.mark.parametrize("form", ["element", "vector", "batch"])
def test_a_wrong_result_is_caught_in_every_form(form: str) -> None:
    derivation = _seed_network("nielsen").derive()
    index, step = next((i, s) for i, s in enumerate(derivation.steps) if s.form == form)
    wrong = 2 * step.result if form == "element" else sp.MatMul(2, step.result)
    with pytest.raises(VerificationError, match=step.quantity):
        verify(_with_step(derivation, index, dataclasses.replace(step, result=wrong)))


@pytest.mark.parametrize("form", ["element", "vector", "batch"])
def test_a_wrong_chain_is_caught_in_every_form(form: str) -> None:
    derivation = _seed_network("nielsen").derive()
    chained = [(i, s) for i, s in enumerate(derivation.steps) if s.form == form and s.chain]
    (index, step), (_, other) = chained[0], next(c for c in chained if c[1].quantity != chained[0][1].quantity)
    with pytest.raises(VerificationError, match="chain"):
        verify(_with_step(derivation, index, dataclasses.replace(step, chain=other.chain)))


def test_an_element_chain_missing_a_path_is_caught() -> None:
    derivation = _seed_network("nielsen").derive()
    index, step = next((i, s) for i, s in enumerate(derivation.steps) if s.form == "element" and len(s.chain) > 1)
    with pytest.raises(VerificationError, match="chain rule"):
        verify(_with_step(derivation, index, dataclasses.replace(step, chain=step.chain[:-1])))


def test_a_line_that_cannot_be_evaluated_fails_rather_than_passes() -> None:
    derivation = _seed_network("bishop").derive()
    index, step = next((i, s) for i, s in enumerate(derivation.steps) if s.form == "element")
    unknown = step.result + sp.Symbol("mystery")
    with pytest.raises(VerificationError):
        verify(_with_step(derivation, index, dataclasses.replace(step, result=unknown)))


def test_a_network_too_large_to_verify_is_refused() -> None:
    width = MAX_PARAMETERS // 2
    derivation = Network([1, width, 1]).derive(forms=("vector",))
    with pytest.raises(SizeLimitError, match="verify"):
        verify(derivation)


ELEMENTWISE = ["sigmoid", "tanh", "relu", "leaky_relu(0.2)", "linear", "softplus", "elu", "silu", "gelu", "generic"]
OUTPUTS = [("sigmoid", "bce"), ("linear", "mse"), ("tanh", "quadratic"), ("softmax", "cross_entropy"),
           ("softmax", "sparse_cross_entropy"), ("softmax", "quadratic"), ("generic", "generic"),
           ("softmax", "generic")]


@settings(max_examples=12, deadline=None, derandomize=False,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(widths=st.lists(st.integers(1, 3), min_size=2, max_size=4),
       hidden=st.sampled_from(ELEMENTWISE), output=st.sampled_from(OUTPUTS),
       bias=st.sampled_from(["vector", "neuron", "none", "shared"]), seed=st.integers(0, 1000))
def test_random_networks_verify(widths: list[int], hidden: str, output: tuple[str, str], bias: str,
                                seed: int) -> None:
    activation, loss = output
    layers = [*widths, 2 if activation == "softmax" else widths[-1]]
    try:
        net = Network(layers, hidden=hidden, output=activation, loss=loss, bias=bias)
    except SpecError:
        assume(False)
    result = verify(net.derive(), points=1, seed=seed)
    assert result.steps > 0


def test_derive_verify_prints_the_count_and_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    forms = engine_forms(DocumentOptions(notation="bishop", formats=("md",)))  # what the document shows
    expected = _seed_network("bishop").derive(forms=forms).verify()
    status, out, err = run_cli(capsys, "derive", "3-3-1", "--bias", "none", "--loss", "bce", "--notation",
                               "bishop", "--format", "md", "--out", str(tmp_path / "doc"), "--verify")
    assert (status, err) == (0, "")
    first, *files = out.splitlines()
    assert first.startswith(f"{expected.steps} steps verified (")
    assert files == [str(tmp_path / "doc" / "derivation-bishop.md")]


def test_derive_verify_that_fails_exits_1_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    def broken(derivation: Derivation, points: int = 2, seed: int = 0) -> None:
        raise VerificationError("element form, delta2_1, CHAIN_RULE: the line is 1, the true derivative 2")

    monkeypatch.setattr("symbackprop.derive.verify.verify", broken)
    status, out, err = run_cli(capsys, "derive", "2-2-1", "--format", "md", "--out", str(tmp_path / "doc"),
                               "--verify")
    assert status == 1 and out == ""
    assert err == ("symbackprop: verification failed: element form, delta2_1, CHAIN_RULE: the line is 1, the true "
                   "derivative 2\n")
    assert not (tmp_path / "doc").exists()
