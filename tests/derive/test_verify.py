"""Derivation.verify(): every displayed line of every step equals the true derivative, and a wrong one is caught."""

from __future__ import annotations

import dataclasses
import random
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symbackprop import Network, SizeLimitError, SpecError
from symbackprop.derive import stated
from symbackprop.derive.derivation import Derivation, Rule, Step
from symbackprop.derive.forms import M, Named, Partial
from symbackprop.derive.general import equations
from symbackprop.derive.reasoning import local_derivatives
from symbackprop.derive.schemas import SCHEMAS
from symbackprop.derive.truth import draw_parameters
from symbackprop.derive.verify import (
    LETTERS,
    MAX_DEPTH,
    MAX_PARAMETERS,
    MAX_PATHS,
    Verification,
    VerificationError,
    check_verifiable,
    verify,
)
from symbackprop.documents.files import engine_forms, stated_equations
from symbackprop.documents.options import DocumentOptions
from symbackprop.model.activations import SoftmaxEntry
from symbackprop.model.losses import LABEL
from tests.helpers import run_cli

CASES = tomllib.loads((Path(__file__).parent.parent / "golden" / "cases.toml").read_text())


def _seed_network(name: str) -> Network:
    return Network(**{k: v for k, v in CASES[name].items() if k != "derive"})


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_step_of_each_seed_network_is_verified(name: str) -> None:
    derivation = _seed_network(name).derive()
    result = derivation.verify()
    argued = sum(len(a.lines) + len(a.concrete) + len(a.by_input) + len(a.stacked) for a in derivation.arguments)
    argued += sum(len(line.worked()) for a in derivation.arguments for line in a.lines)  # each local derivative
    argued += sum(len(line.worked()) for layer in range(1, derivation.network.depth + 1)  # and every layer's
                  for line in local_derivatives(derivation.network, layer, *LETTERS).values())
    argued += derivation.model is not None  # the nested model, checked against the forward pass
    general = len(list(equations(derivation.network, LETTERS))) + argued
    jacobians = sum(len(steps) for steps in derivation.jacobians.values())
    assert result.steps == len(derivation.steps) + jacobians + general
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


def test_parameters_are_drawn_distinct_and_non_zero_up_to_the_size_limit() -> None:
    """No tie and no zero among the drawn parameters, for the largest network verify() takes, so that two weights
    swapped in a line never agree with the truth by chance; every value within 4/3."""
    network = Network.from_spec("20-20-3")  # 483 parameters
    assert network.parameter_count <= MAX_PARAMETERS < network.parameter_count + 20
    values = list(draw_parameters(network, random.Random(7)).values())
    assert len(values) == network.parameter_count == len(set(values))
    assert all(v != 0 and abs(v) <= sp.Rational(4, 3) for v in values)


def test_a_network_too_large_to_verify_is_refused() -> None:
    width = MAX_PARAMETERS // 2
    derivation = Network([1, width, 1]).derive(forms=("vector",))
    with pytest.raises(SizeLimitError, match="verify"):
        verify(derivation)


@pytest.mark.parametrize(("layers", "refused"), [
    ([2] * 13, False), ([2] * 14, True),  # 2^11 paths from the input to the output, then 2^12
    ([1] * (MAX_DEPTH + 1), False), ([1] * (MAX_DEPTH + 2), True),  # one path, but each layer a forward pass more
])
def test_a_network_too_deep_to_verify_in_reasonable_time_is_refused_before_it_is_derived(
        layers: list[int], refused: bool) -> None:
    """Each line written out across layers grows with the paths through them: a 2-wide network of 15 layers of
    weights took over 2 minutes to verify, 20 over 5, with nothing to show. Such a network is refused at once, in one
    line saying the limits."""
    network = Network(layers)
    if not refused:
        check_verifiable(network)
        return
    with pytest.raises(SizeLimitError, match=f"limited to {MAX_DEPTH} layers of weights and {MAX_PATHS:,} paths"):
        check_verifiable(network)


def test_verify_takes_a_whole_number_of_points() -> None:
    derivation = Network([2, 2, 1]).derive(forms=("vector",))
    for points in (-1, 0, "2", True, 1.5, 21, 10**9):  # (a billion points would run for years)
        with pytest.raises(SpecError, match="points must be a whole number from 1 to 20"):
            verify(derivation, points=points)  # type: ignore[arg-type]


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


@pytest.mark.parametrize("loss", ["bce", "cross_entropy", "sparse_cross_entropy"])
def test_verification_refuses_a_log_loss_of_outputs_that_can_be_0(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                   loss: str) -> None:
    """A relu output's log loss has lines undefined wherever an output is 0 (-r/a times relu'(z), 0/0): verifying
    at random points is refused in one line, as a gradient check is, and nothing is written; the derivation
    itself stands."""
    network = Network([2, 3, 2], output="relu", loss=loss)
    with pytest.raises(SpecError, match="^verification at random points needs a loss defined at the outputs"):
        network.derive().verify()
    out = tmp_path / "doc"
    with pytest.MonkeyPatch.context() as patch:  # refused before anything is derived
        patch.setattr(Network, "derive", lambda *args, **kwargs: pytest.fail("derived before refusing"))
        status, _, err = run_cli(capsys, "derive", "2-3-2", "--output", "relu", "--loss", loss, "--verify",
                                 "--format", "md", "--out", str(out))
    assert status == 2 and err.count("\n") == 1 and "relu output can make 0" in err and not out.exists()


def _every_layer(derivation: Derivation, notation: str, **printing: bool) -> Verification:
    """The claims "for every layer" of the documents in ``notation`` (:mod:`symbackprop.documents.every_layer`)."""
    from symbackprop.documents import every_layer
    from symbackprop.notation.printer import NotationPrinter

    preset = DocumentOptions(notation=notation).notation_preset
    return every_layer.verified(derivation, NotationPrinter(preset, derivation.network, **printing))


def _substituted(derivation: Derivation, notation: str) -> Verification:
    """The notes "by (2), with l = 1, h = σ" of the documents in ``notation``, where they show the general
    argument (:mod:`symbackprop.documents.substituted`)."""
    from symbackprop.documents import substituted
    from symbackprop.notation.printer import NotationPrinter

    options = DocumentOptions(notation=notation)
    if "general" not in options.sections:
        return Verification(0, 0, 0, 0, 0)
    return substituted.verified(derivation, NotationPrinter(options.notation_preset, derivation.network))


def test_derive_verify_prints_the_count_and_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    forms = engine_forms(DocumentOptions(notation="bishop", formats=("md",)))  # what the document shows
    derivation = _seed_network("bishop").derive(forms=forms)
    expected = derivation.verify() + _every_layer(derivation, "bishop") + _substituted(derivation, "bishop")
    status, out, err = run_cli(capsys, "derive", "3-3-1", "--bias", "none", "--loss", "bce", "--notation",
                               "bishop", "--format", "md", "--out", str(tmp_path / "doc"), "--verify")
    assert (status, err) == (0, "")
    first, *files = out.splitlines()
    assert first.startswith(f"{expected.steps} steps verified (")
    assert f"; the {len(SCHEMAS)} general rules the documents state, proven by SymPy; the 9 sizes they can " in first
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


def _entry(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def _swap(matrix: sp.ImmutableMatrix) -> sp.ImmutableMatrix:
    """The matrix with its first two entries swapped."""
    entries = list(matrix)
    entries[0], entries[1] = entries[1], entries[0]
    return sp.ImmutableMatrix(matrix.rows, matrix.cols, entries)


def _replaced(old: sp.Basic, new: sp.Basic) -> Callable[[sp.Basic], sp.Basic]:
    return lambda result: result.xreplace({old: new})


z1, z2, a1, a2 = (sp.MatrixSymbol(name, n, 1) for name, n in (("z1", 3), ("z2", 2), ("a1", 3), ("a2", 2)))
W2_jk = _entry("W2_j_k")

#: A plausible mistake in each new line of the vector form of nielsen's 2-3-2 network (the first step citing the
#: rule): a Jacobian the wrong way round or lost, diag's entries swapped, a matrix's entries swapped, a wrong index.
MISTAKES: dict[Rule, Callable[[sp.Basic], sp.Basic]] = {
    Rule.CHAIN_RULE_DIAGONAL_JACOBIAN: _replaced(Partial(a2, z2), Partial(z2, a2)),
    Rule.SYMMETRIC_JACOBIAN: lambda r: r.xreplace({r.args[0].args[0]: _swap(r.args[0].args[0])}),
    Rule.DIAGONAL_JACOBIAN: lambda r: r.xreplace({r.args[0].args[0]: _swap(r.args[0].args[0])}),
    Rule.CHAIN_RULE_LAYER_JACOBIAN: _replaced(Partial(z2, z1), Partial(z2, a1)),
    Rule.JACOBIAN_CHAIN: _replaced(Partial(a1, z1), sp.Identity(3)),
    Rule.JACOBIAN_OF_WEIGHTED_SUM: _replaced(Partial(a1, z1), Partial(a1, a1)),
    Rule.TRANSPOSE_OF_PRODUCT: lambda r: sp.MatMul(*r.args[:2], sp.MatrixSymbol("delta1", 3, 1)[:2, :]),
    Rule.JACOBIAN_OF_BIAS: _replaced(sp.Identity(2), sp.OneMatrix(2, 2)),
    Rule.IDENTITY_TIMES_VECTOR: lambda r: sp.MatMul(2, r),
    Rule.LOCAL_LINEAR: _replaced(_entry("a1_k"), _entry("a1_j")),
    Rule.DEFINITION: _swap,
    Rule.ENTRY_BY_ENTRY: _swap,
    Rule.OUTER_PRODUCT: lambda r: sp.MatMul(sp.MatrixSymbol("delta2", 2, 1), sp.MatrixSymbol("a2", 2, 1).T[:, :1],
                                             sp.OneMatrix(1, 3)),
}


@pytest.mark.parametrize("rule", MISTAKES, ids=lambda rule: rule.name)
def test_a_mistake_in_each_line_of_the_vector_form_is_caught(rule: Rule) -> None:
    derivation = _seed_network("nielsen").derive()
    index, step = next((i, s) for i, s in enumerate(derivation.steps) if s.form == "vector" and s.rule is rule)
    wrong = MISTAKES[rule](step.result)
    assert wrong != step.result
    with pytest.raises(VerificationError, match=step.quantity):
        verify(_with_step(derivation, index, dataclasses.replace(step, result=wrong)))


def test_a_wrong_factor_in_a_general_entrys_chain_is_caught() -> None:
    derivation = _seed_network("nielsen").derive()
    index, step = next((i, s) for i, s in enumerate(derivation.steps) if s.form == "vector" and s.chain)
    (dc_dz, dz_dw), = step.chain
    wrong = ((dc_dz, sp.Derivative(dz_dw.expr, _entry("W2_k_j"), evaluate=False)),)
    with pytest.raises(VerificationError, match="W2, CHAIN_RULE_PARAMETER for .* chain rule"):
        verify(_with_step(derivation, index, dataclasses.replace(step, chain=wrong)))


@pytest.mark.parametrize("kind", ["an entry", "a Jacobian"])
def test_a_new_line_that_cannot_be_evaluated_fails(kind: str) -> None:
    """An entry of a matrix written out that names nothing, a Jacobian in the batch form (which has none to
    evaluate): each fails, neither is skipped."""
    derivation = _seed_network("nielsen").derive()
    form, rule = {"an entry": ("vector", Rule.ENTRY_BY_ENTRY), "a Jacobian": ("batch", Rule.EACH_COLUMN)}[kind]
    index, step = next((i, s) for i, s in enumerate(derivation.steps) if s.form == form and s.rule is rule)
    if kind == "an entry":
        wrong = step.result.xreplace({step.result[0, 0]: sp.Symbol("mystery")})
    else:
        wrong = sp.MatMul(sp.Transpose(Partial(sp.MatrixSymbol("Z2", 2, M), sp.MatrixSymbol("Z1", 3, M))),
                          sp.MatrixSymbol("Delta2", 2, M))
    with pytest.raises(VerificationError, match=step.quantity):
        verify(_with_step(derivation, index, dataclasses.replace(step, result=wrong)))


@pytest.mark.parametrize("rule", [Rule.EACH_COLUMN, Rule.OUTPUTS_EACH_COLUMN])
def test_a_mistake_in_each_line_of_the_batchs_hidden_errors_is_caught(rule: Rule) -> None:
    """Seed 002's ∇A_k = ∇H_k ⊙ g'(A_k) = (W_{k+1}^T ∇A_{k+1}) ⊙ g'(A_k): the gradient by the outputs H_k is the mean
    cost's, taken from the definitions; the one by the weighted inputs in its place, or a doubled line, fails."""
    derivation = _seed_network("nielsen").derive()
    index, step = next((i, s) for i, s in enumerate(derivation.steps) if s.form == "batch" and s.rule is rule)
    if rule is Rule.EACH_COLUMN:
        outputs = next(p for p in step.result.atoms(Partial))
        wrong = step.result.xreplace({outputs: Partial(outputs.args[0], sp.MatrixSymbol("Z1", 3, M))})
    else:
        wrong = sp.MatMul(2, step.result)
    with pytest.raises(VerificationError, match=step.quantity):
        verify(_with_step(derivation, index, dataclasses.replace(step, result=wrong)))


def _with_argument(derivation: Derivation, name: str, **changes: object) -> Derivation:
    arguments = tuple(dataclasses.replace(a, **changes) if a.name == name else a for a in derivation.arguments)
    return dataclasses.replace(derivation, arguments=arguments)


@pytest.mark.parametrize(("name", "part"), [*[(name, "value") for name in ("output", "hidden", "weight", "bias")],
                                          *[(name, "worked") for name in ("hidden", "weight", "bias")]])
def test_a_wrong_local_derivative_is_caught(name: str, part: str) -> None:
    """Each local derivative a step works out (∂z_j/∂w_jk = a_k, ∂z_j/∂b_j = 1, ∂z^{l+1}_k/∂a^l_j = w_kj, ∂a_j/∂z_j
    = g'(z_j)) is checked on its own, for every neuron: its value doubled fails, and so does the weighted sum's
    line ∂/∂w (Σ_m w_jm a_m + b_j) with the sum doubled."""
    derivation = _seed_network("input-major").derive(forms=("element",))
    argument = derivation.argument(name)
    assert argument is not None
    index, line = next((i, r) for i, r in enumerate(argument.lines) if r.local is not None)
    assert line.local is not None
    if part == "value":
        changed = dataclasses.replace(line, local=dataclasses.replace(line.local, rhs=2 * line.local.rhs))
    else:
        assert line.rule is Rule.LOCAL_LINEAR
        (definition,) = line.since
        changed = dataclasses.replace(line, since=(dataclasses.replace(definition, rhs=2 * definition.rhs),))
    assert changed.worked() != line.worked()
    verify(derivation, points=1)
    lines = tuple(changed if i == index else r for i, r in enumerate(argument.lines))
    with pytest.raises(VerificationError, match="local derivative"):
        verify(_with_argument(derivation, name, lines=lines), points=1)


@pytest.mark.parametrize("tag", ["BP1", "BP2", "BP3"])
def test_a_wrong_jacobian_is_caught(tag: str) -> None:
    """Seed 004's Jacobians, each worked out on its own, ∂a^L/∂z^L = diag(σ'(z^L)), ∂z^L/∂z^{L-1} = W^L
    diag(σ'(z^{L-1})) and ∂z^L/∂b^L = I, are checked against the Jacobian of the definitions: each with its last
    line doubled fails (and without the change, each passes)."""
    derivation = _seed_network("nielsen").derive(forms=("vector",))
    assert sorted(derivation.jacobians) == ["BP1", "BP2", "BP3"]
    *kept, last = derivation.jacobians[tag]
    wrong = (*kept, dataclasses.replace(last, result=sp.MatMul(2, last.result)))
    verify(derivation, points=1)
    with pytest.raises(VerificationError, match=last.quantity):
        verify(dataclasses.replace(derivation, jacobians={**derivation.jacobians, tag: wrong}), points=1)


SEED_002 = Network.from_spec("3-3-3-2", hidden="relu", output="softmax", loss="sparse_cross_entropy")


@pytest.mark.parametrize("line", range(9))
def test_a_mistake_in_each_line_of_the_softmax_argument_is_caught(line: int) -> None:
    """Seed 002's softmax with sparse cross-entropy: each line checked for every output neuron and the label drawn;
    a line with the indicator 1_{ℓ=i} taken as 1, or (before it appears) ŷ_i for ŷ_ℓ, fails."""
    derivation = SEED_002.derive(forms=())
    argument = next(a for a in derivation.arguments if a.name == "softmax")
    assert [r.rule for r in argument.lines] == [  # -log, then ŷ_ℓ, the softmax's entries, the outputs, as seed 002
        Rule.THROUGH_LABEL_OUTPUT, Rule.DIFFERENTIATE_LOG, Rule.SOFTMAX_OUTPUTS, Rule.SOFTMAX_WRITTEN_OUT,
        Rule.QUOTIENT_RULE,
        Rule.INDICATOR_DERIVATIVES, Rule.RECOGNISE_SOFTMAX, Rule.SOFTMAX_OUTPUTS, Rule.SIMPLIFY]
    result = argument.lines[line].result
    if result.has(sp.KroneckerDelta):
        wrong = result.replace(sp.KroneckerDelta, lambda *args: sp.S.One)
    else:
        wrong = result.xreplace({sp.Symbol("a3_ell", real=True): sp.Symbol("a3_j", real=True),
                                 sp.Symbol("z3_ell", real=True): sp.Symbol("z3_j", real=True)})
    lines = tuple(dataclasses.replace(r, result=wrong) if i == line else r for i, r in enumerate(argument.lines))
    with pytest.raises(VerificationError):
        verify(_with_argument(derivation, "softmax", lines=lines), points=1)


def test_a_softmax_entry_is_checked_by_its_value() -> None:
    """softmax(a_L)_i in seed 002's line is the quotient e^{a_Li} / Σ_j e^{a_Lj}: the entry of another neuron
    (the label's for i) fails where the quotient would."""
    derivation = SEED_002.derive(forms=())
    argument = next(a for a in derivation.arguments if a.name == "softmax")
    shown = argument.lines[6]
    entries = list(shown.result.atoms(SoftmaxEntry))
    assert len(entries) == 2 and {e.args[0] for e in entries} == {sp.Symbol("j"), LABEL}
    other = next(e for e in entries if e.args[0] == sp.Symbol("j"))
    label = next(e for e in entries if e.args[0] == LABEL)
    wrong = dataclasses.replace(shown, result=shown.result.xreplace({other: label}))
    lines = tuple(wrong if i == 6 else r for i, r in enumerate(argument.lines))
    with pytest.raises(VerificationError, match="softmax"):
        verify(_with_argument(derivation, "softmax", lines=lines), points=1)


@pytest.mark.parametrize("line", range(4))
def test_a_mistake_in_each_line_of_seed_003s_output_error_by_the_weighted_input_is_caught(line: int) -> None:
    """δ_y worked out with y = σ(a_y), multiplied out with each denominator cancelled, -r(1 - σ) + (1 - r)σ, then
    σ(a_y) - r, then y - r: each line checked; one with the target's sign flipped fails."""
    derivation = _seed_network("bishop-single").derive(forms=("element",))
    argument = derivation.argument("output")
    assert [r.rule for r in argument.by_input] == [Rule.WORK_OUT_OUTPUT, Rule.CANCEL_DENOMINATORS, Rule.SIMPLIFY,
                                                   Rule.SUBSTITUTE_OUTPUT]
    cancelled = argument.by_input[1].result  # no fraction left: each denominator cancelled against σ(1 - σ)
    assert isinstance(cancelled, sp.Add) and all(sp.fraction(term)[1] == 1 for term in cancelled.args)
    target = next(s for s in argument.by_input[line].result.free_symbols if s.name.startswith("y"))
    lines = tuple(dataclasses.replace(r, result=r.result.xreplace({target: -target})) if i == line else r
                  for i, r in enumerate(argument.by_input))
    verify(derivation, points=1)
    with pytest.raises(VerificationError):
        verify(_with_argument(derivation, "output", by_input=lines), points=1)


@pytest.mark.parametrize(("output", "loss", "simplified"), [("elu(2)", "quadratic", False), ("elu(2)", "mse", True),
                                                          ("sigmoid", "bce", True)])
def test_seed_003s_output_error_simplifies_only_where_the_terms_change(output: str, loss: str,
                                                                     simplified: bool) -> None:
    """(ELU(a) - r) ELU'(a) is not "simplified" to (-r + ELU(a)) ELU'(a), the same terms reordered (a reader saw a
    step that changed nothing); MSE's 2 taken out, or BCE's cancelled denominators, are steps."""
    network = Network([2, 2, 1], activations=["tanh", output], loss=loss, bias="none")
    derivation = network.derive(forms=("element",))
    rules = [r.rule for r in derivation.argument("output").by_input]
    assert (Rule.SIMPLIFY in rules) == simplified and rules[0] is Rule.WORK_OUT_OUTPUT
    assert rules[-1] is Rule.SUBSTITUTE_OUTPUT
    verify(derivation, points=1)


def test_a_wrong_cancellation_in_seed_001s_output_error_for_this_network_is_caught() -> None:
    """For this network, δ^L_j with the loss and σ' worked out, then multiplied out with each denominator cancelled,
    (1 - y)a - y(1 - a), then a - y: the middle line is checked, and one with a factor left uncancelled fails."""
    derivation = _seed_network("input-major").derive(forms=("element",))
    argument = derivation.argument("output")
    assert [r.rule for r in argument.concrete] == [Rule.WORK_OUT_OUTPUT, Rule.CANCEL_DENOMINATORS, Rule.SIMPLIFY]
    cancelled = argument.concrete[1]
    verify(derivation, points=1)
    first, second = cancelled.result.args
    wrong = dataclasses.replace(cancelled, result=sp.Add(first, sp.Mul(second, 2, evaluate=False), evaluate=False))
    lines = (argument.concrete[0], wrong, argument.concrete[2])
    with pytest.raises(VerificationError):
        verify(_with_argument(derivation, "output", concrete=lines), points=1)


@pytest.mark.parametrize("name", ["prediction", "softmax", "activation", "through_output", "weight", "bias"])
def test_a_wrong_stacked_vector_is_caught(name: str) -> None:
    """Seed 002's vectors, each as its entries, the result in each entry (for ∇_h also each entry as a column of
    W_{k+1}, transposed, times ∇_{a_{k+1}}; for ∇_ŷ also -1/ŷ_ℓ taken out of its indicators), then one vector
    (∇_ŷ L = -(1/ŷ_ℓ) e_ℓ, ∇_{a_L} L = -(e_ℓ - ŷ), ∇_{h_k} L = W_{k+1}ᵀ ∇_{a_{k+1}} L, ...): each line checked entry
    by entry, each line doubled fails."""
    derivation = SEED_002.derive(forms=())
    stacked = next(a for a in derivation.arguments if a.name == name).stacked
    assert [step.rule for step in stacked][:2] == [Rule.DEFINITION, Rule.ENTRY_BY_ENTRY]
    assert isinstance(stacked[1].result, sp.MatrixBase) and not isinstance(stacked[-1].result, sp.MatrixBase)
    assert len(stacked) == (4 if name in ("activation", "prediction") else 3)
    verify(derivation, points=1)
    for line, step in enumerate(stacked):
        doubled = step.result * 2 if isinstance(step.result, sp.MatrixBase) else sp.MatMul(2, step.result)
        wrong = (*stacked[:line], dataclasses.replace(step, result=doubled), *stacked[line + 1:])
        with pytest.raises(VerificationError):
            verify(_with_argument(derivation, name, stacked=wrong), points=1)


def test_stacked_entries_keep_their_sums_and_the_label() -> None:
    """∂L/∂h_{k1} = Σ_m ∂L/∂a_{k+1,m} W_{k+1,m,1} stays a sum over the layer above; ∂L/∂ŷ_1 keeps ŷ_ℓ and 1_{ℓ=1}."""
    found = {a.name: a.stacked for a in SEED_002.derive(forms=()).arguments}
    first = found["activation"][1].result[0]
    assert isinstance(first, sp.Sum) and str(first.limits[0]) == "(k, 1, 2)"
    assert str(found["prediction"][1].result[0]) == "-KroneckerDelta(1, ell)/a3_ell"
    assert found["weight"][1].result.shape == (3, 3)  # W_2, square, as the seed assumes of its W_k


@pytest.mark.parametrize(("spec", "layer", "shape"), [("3-3-3-2", 2, (3, 3)), ("3-4-4-4", 3, (4, 4)),
                                                      ("2-3-2", 2, (2, 3)), ("3-3-2", 2, (2, 3))])
def test_a_parameters_vector_is_stacked_for_the_highest_square_layer_above_the_first(
        spec: str, layer: int, shape: tuple[int, int]) -> None:
    """Seed 002 assumes W_k ∈ R^{n x n}: the weights' and biases' vectors are written out for the highest layer above
    the first whose weights are square, else for the output layer; either way every line is verified."""
    derivation = Network.from_spec(spec, hidden="relu", output="softmax", loss="sparse_cross_entropy").derive(forms=())
    found = {a.name: a.stacked for a in derivation.arguments}
    assert {step.layer for step in found["weight"] + found["bias"]} == {layer}
    assert found["weight"][1].result.shape == shape and found["bias"][1].result.shape == (shape[0], 1)
    verify(derivation, points=1)


def test_a_wrong_nested_model_is_caught() -> None:
    derivation = SEED_002.derive(forms=())
    assert derivation.model is not None
    model = derivation.model
    wrong = model.rhs.xreplace({sp.MatrixSymbol("b1", 3, 1): sp.MatrixSymbol("b2", 3, 1)})
    with pytest.raises(VerificationError, match="nested model"):
        verify(dataclasses.replace(derivation, model=dataclasses.replace(model, rhs=wrong)), points=1)


SEED_000 = Network.from_spec("2-2-2", hidden="sigmoid", output="sigmoid", loss="quadratic", bias="neuron")
#: Seed 000's network without biases: its hidden error terms are found line by line, not inside the weights' chain
#: (which follows each weight's own chain through every output neuron).
SEED_000_NO_BIASES = Network.from_spec("2-2-2", hidden="sigmoid", output="sigmoid", loss="quadratic", bias="none")


def test_seed_000s_chains_down_to_each_weight_are_verified_and_a_missing_path_is_caught() -> None:
    """Form ``paths``: each weight of the last two layers by its whole chain from the cost (a path through every
    output neuron one layer down), then in error terms; a chain without one of its paths fails."""
    derivation = SEED_000.derive(forms=("element", "paths"))
    paths = derivation.steps_of("paths")
    assert {len(step.chain) for step in paths if step.chain} == {1, 2}  # the output layer's, then through both
    assert {len(path) for step in paths for path in step.chain} == {3, 5}
    verify(derivation, points=1)
    index, step = next((i, s) for i, s in enumerate(derivation.steps) if s.form == "paths" and len(s.chain) == 2)
    with pytest.raises(VerificationError, match="paths form"):
        verify(_with_step(derivation, index, dataclasses.replace(step, chain=step.chain[:1])), points=1)


def test_seed_000s_rows_of_the_bias_units_matrix_are_verified_and_a_wrong_row_is_caught() -> None:
    """With bias units a layer's whole weight matrix goes through the rows of its local derivatives, each
    ``[1 X_1 X_2]`` times its neuron's δ, ``diag(δ^l) [1 a^{l-1}ᵀ; ...]``, as seed 000 writes it before δ āᵀ; the
    line is checked, and one with two sources swapped fails."""
    derivation = SEED_000.derive(forms=("vector",))
    index, step = next((i, s) for i, s in enumerate(derivation.steps) if s.rule is Rule.BIAS_UNIT_DERIVATIVES)
    rules = [s.rule for s in derivation.steps_of("vector", step.quantity)]
    assert rules[rules.index(Rule.BIAS_UNIT_DERIVATIVES) - 2:][:4] == [
        Rule.DEFINITION, Rule.ROWS_OF_LOCAL_DERIVATIVES, Rule.BIAS_UNIT_DERIVATIVES, Rule.OUTER_PRODUCT]
    diagonal, local = step.result.args
    assert isinstance(diagonal, sp.DiagMatrix) and local.shape == (2, 3) and set(local[:, 0]) == {1}
    verify(derivation, points=1)
    wrong = sp.MatMul(diagonal, local.xreplace({local[1, 1]: local[1, 2], local[1, 2]: local[1, 1]}), evaluate=False)
    with pytest.raises(VerificationError, match=step.quantity):
        verify(_with_step(derivation, index, dataclasses.replace(step, result=wrong)), points=1)


@pytest.mark.parametrize(("bias", "shape"), [("neuron", (2, 2)), ("vector", (2, 2)), ("neuron", (5, 4))])
@pytest.mark.parametrize("layer", [2, 1])
def test_seed_000s_layer_matrices_without_the_bias_column_are_verified(bias: str, shape: tuple[int, int],
                                                                      layer: int) -> None:
    """Form ``paths`` has the output layer's weights, and the layer's below, as one matrix each, with bias units
    without their column (W̃): entry by entry; then seed 000's δ ⊙ ∂Z/∂W made well typed, diag(δ) times the local
    derivatives ∂z_j/∂w_jk (the output layer's entries its chains above, the one below's by the chain rule through
    z_j); those worked out, every row the activations below; then δ aᵀ (a wide layer: the outer product alone).
    Each line is checked against the true gradient's columns; a wrong line (a matrix transposed, the outer product
    doubled) fails."""
    network = Network.from_spec(f"3-{shape[1]}-{shape[0]}", hidden="tanh", output="sigmoid", loss="quadratic",
                                bias=bias)
    derivation = network.derive(forms=("element", "vector", "paths"))
    steps = derivation.steps_of("paths", f"W{layer}")
    size = shape if layer == 2 else (shape[1], 3)
    small = max(size) <= 3
    rows = Rule.ROWS_OF_CHAINS_NAMED if layer == 2 else Rule.ROWS_BY_CHAIN_RULE  # diag(∂C/∂a ⊙ ∂a/∂z), braced
    assert [s.rule for s in steps] == ([Rule.DEFINITION, rows, Rule.EVALUATE_DERIVATIVES, Rule.OUTER_PRODUCT]
                                       if small else [Rule.CHAIN_RULE_OUTER_PRODUCT])
    assert steps[0].lhs.shape == size  # without the bias units' column
    verify(derivation, points=1)
    for target in steps[1:] if small else steps:
        scale, matrix = target.result.args
        wrong = (sp.MatMul(scale, matrix.T, evaluate=False) if isinstance(matrix, sp.MatrixBase) and matrix.is_square
                 else sp.MatMul(2, *target.result.args))  # ∂z_j/∂w_kj or a_j in row k; twice δ aᵀ
        with pytest.raises(VerificationError, match="paths form"):
            verify(_with_step(derivation, derivation.steps.index(target), dataclasses.replace(target, result=wrong)),
                   points=1)


@pytest.mark.parametrize("line", range(4))
def test_seed_000s_hidden_errors_by_a_row_vector_are_verified(line: int) -> None:
    """Form ``paths``: the error terms of the layer below the output as one vector, from their entries, through the
    row (δ_1 δ_2) times the Jacobian (written out), the derivatives worked out, then W̃ᵀ δ ⊙ σ'; each line checked
    against the true gradient; the output's error terms swapped in a line fails."""
    derivation = SEED_000_NO_BIASES.derive(forms=("element", "vector", "paths"))
    steps = derivation.steps_of("paths", "delta1")
    assert [s.rule for s in steps] == [Rule.THROUGH_EVERY_OUTPUT, Rule.ROW_TIMES_JACOBIAN, Rule.EVALUATE_DERIVATIVES,
                                       Rule.TRANSPOSE_OF_ROW]
    verify(derivation, points=1)
    first, second = sp.Symbol("delta2_1", real=True), sp.Symbol("delta2_2", real=True)
    wrong = steps[line].result.xreplace({first: second, second: first})
    if line == 3:  # the vector δ^(3) reversed
        delta = sp.MatrixSymbol("delta2", 2, 1)
        wrong = steps[line].result.xreplace({delta: sp.ImmutableMatrix([[second], [first]])})
    assert wrong != steps[line].result
    index = derivation.steps.index(steps[line])
    with pytest.raises(VerificationError, match="paths form"):
        verify(_with_step(derivation, index, dataclasses.replace(steps[line], result=wrong)), points=1)


def test_seed_000s_error_terms_under_the_brace_are_verified_and_a_wrong_name_is_caught() -> None:
    """With bias units, the weights below the output go through every output neuron in their matrix's one chain,
    whose vector ((W̃^{(2)})ᵀ δ^{(3)}) ⊙ σ'(Z^{(2)}) is braced and named δ^{(2)}, as seed 000's is; then "where
    δ^{(2)} =" that vector. The brace's name is checked as an equality of its own: another vector there fails."""
    derivation = SEED_000.derive(forms=("element", "vector", "paths"))
    assert [s.rule for s in derivation.steps_of("through", "W1")] == [
        Rule.DEFINITION, Rule.ROWS_THROUGH_EVERY_OUTPUT, Rule.ROW_TIMES_JACOBIAN, Rule.EVALUATE_DERIVATIVES,
        Rule.TRANSPOSE_OF_ROW_NAMED, Rule.OUTER_PRODUCT]
    assert [s.rule for s in derivation.steps_of("through", "delta1")] == [Rule.UNDER_THE_BRACE]
    tally = verify(derivation, points=1)
    step = next(s for s in derivation.steps_of("through", "W1") if s.rule is Rule.TRANSPOSE_OF_ROW_NAMED)
    diagonal, sources = step.result.args
    (named,) = diagonal.atoms(Named)
    assert named.args[1] == sp.MatrixSymbol("delta1", 2, 1)
    without = dataclasses.replace(derivation, steps=tuple(s for s in derivation.steps if s is not step))
    assert tally.lines == verify(without, points=1).lines + 2  # the line, and its brace
    wrong = sp.MatMul(sp.DiagMatrix(Named(named.args[0], sp.MatrixSymbol("a1", 2, 1))), sources, evaluate=False)
    with pytest.raises(VerificationError, match="under the brace"):
        verify(_with_step(derivation, derivation.steps.index(step), dataclasses.replace(step, result=wrong)),
               points=1)


@pytest.mark.parametrize(("spec", "bias", "through"), [
    ("2-2-2", "neuron", True), ("3-3-3", "vector", True), ("1-2-1", "shared", True),  # with biases, written out
    ("2-2-2", "none", False),  # each weight's own chain is shown, then diag(δ^(L-1))
    ("2-4-2", "neuron", False), ("4-2-2", "neuron", False),  # a matrix too wide to write out
])
def test_seed_000s_one_chain_is_derived_beside_the_paths_where_it_can_be_written_out(spec: str, bias: str,
                                                                                     through: bool) -> None:
    """The form through (∂C/∂W^(1) in one chain through every output neuron, δ^(L-1) under a brace) is derived
    beside the form paths' diag(δ^(L-1)) and its error terms line by line, a document choosing by the width of its
    page (tests/documents/test_pdf.py); with biases and layers narrow enough to write out, and verified."""
    derivation = Network.from_spec(spec, bias=bias).derive(forms=("element", "paths"))
    assert bool(derivation.steps_of("through")) is through
    assert {step.quantity for step in derivation.steps_of("through")} == ({"W1", "delta1"} if through else set())
    if through:
        verify(derivation, points=1)  # (raises on a wrong line; a wrong one is caught: the test above)


def test_the_equation_an_output_neurons_note_says_is_verified(monkeypatch: pytest.MonkeyPatch) -> None:
    """ "since σ'(z_1) = a_1 (1 - a_1)", the note of the line that works out an output neuron's g' (and a hidden
    neuron's alike), is checked at the point as a line of its own: a note naming the other neuron's output fails."""
    from symbackprop.derive import forms
    from symbackprop.derive import verify as verify_module

    derivation = SEED_000.derive(forms=("element",))
    (step,) = [s for s in derivation.steps_of("element", "delta2_1") if s.rule is Rule.WORK_OUT_ACTIVATION_DERIVATIVE]
    (said,) = forms.definitions(step, SEED_000)
    assert said.rhs == SEED_000.a(2)[0] * (1 - SEED_000.a(2)[0])
    lines = verify(derivation, points=1).lines
    monkeypatch.setattr(verify_module, "definitions", lambda step, network: ())
    assert verify(derivation, points=1).lines == lines - 4  # one note per output neuron and per hidden neuron
    other = SEED_000.a(2)[1]
    monkeypatch.setattr(verify_module, "definitions", lambda step, network: tuple(
        dataclasses.replace(eq, rhs=other * (1 - other)) for eq in forms.definitions(step, network)))
    with pytest.raises(VerificationError, match="its note's"):
        verify(derivation, points=1)


@pytest.mark.parametrize("hidden, rules", [
    ("tanh", [Rule.CHAIN_RULE_NEXT_LAYER, Rule.FACTOR_OUT_DERIVATIVE, Rule.WORK_OUT_ACTIVATION_DERIVATIVE]),
    ("relu", [Rule.CHAIN_RULE_NEXT_LAYER, Rule.FACTOR_OUT_DERIVATIVE, Rule.WORK_OUT_ACTIVATION_DERIVATIVE]),
    ("linear", [Rule.CHAIN_RULE_NEXT_LAYER, Rule.FACTOR_OUT_DERIVATIVE]),  # g' = 1: nothing to work out
])
def test_a_hidden_error_term_names_g_prime_until_its_last_step_and_a_wrong_name_fails(hidden: str,
                                                                                     rules: list[Rule]) -> None:
    """As the output layer's: the chain rule gives δ_k w_kj g'(z_j) with g' by name, the common factor g'(z_j)
    taken out, then g' worked out (tanh' = 1 - a^2, its note checked as a line of its own). A line naming another
    activation's derivative there fails."""
    net = Network.from_spec("2-2-2", hidden=hidden, output="sigmoid", loss="bce")
    derivation = net.derive(forms=("element",))
    steps = derivation.steps_of("element", "delta1_1")
    assert [step.rule for step in steps] == rules
    named = sp.Function(f"{hidden}'", real=True)(net.z(1)[0])
    assert [step.result.has(named) for step in steps] == [hidden != "linear", hidden != "linear", False][:len(rules)]
    verify(derivation, points=1)
    if hidden == "linear":
        return
    wrong = sp.Function("sigmoid'", real=True)(net.z(1)[0])
    sabotaged = tuple(dataclasses.replace(step, result=step.result.xreplace({named: wrong})) if step is steps[0]
                      else step for step in derivation.steps)
    with pytest.raises(VerificationError, match="delta1_1"):
        verify(dataclasses.replace(derivation, steps=sabotaged), points=1)


def test_seed_000s_common_factors_taken_out_of_the_paths_are_verified() -> None:
    """One layer down, the paths' sum, then the factors every path ends in taken out, the output error terms named
    (δ_1 ∂Z_1/∂a + δ_2 ∂Z_2/∂a), the derivatives worked out (a weight's; a bias unit's goes straight to δ·1), then
    δ a: each line checked with its partials worked out; a path's term dropped from the factored sum fails."""
    derivation = SEED_000.derive(forms=("element", "paths"))
    by_name: dict[str, list[Step]] = {}
    for step in derivation.steps_of("paths"):
        by_name.setdefault(step.quantity, []).append(step)
    assert [s.rule for s in by_name["W1_1_1"]] == [Rule.CHAIN_RULE, Rule.FACTORS_EVERY_PATH_SHARES, Rule.ERROR_TERM,
                                                   Rule.EVALUATE_DERIVATIVES, Rule.ERROR_TERM_BELOW]
    # the bias unit's weight: its last line names δ^(L-1) and puts in ∂Z/∂w_10 = 1, and says both
    assert [s.rule for s in by_name["W1_1_0"]] == [Rule.CHAIN_RULE, Rule.FACTORS_EVERY_PATH_SHARES, Rule.ERROR_TERM,
                                                   Rule.ERROR_TERM_BIAS_UNIT]
    factored = by_name["W1_1_1"][1]
    total, *common = factored.result.args
    assert isinstance(total, sp.Add) and len(total.args) == 2 and all(isinstance(c, sp.Derivative) for c in common)
    verify(derivation, points=1)
    index = derivation.steps.index(factored)
    wrong = sp.Mul(total.args[0], *common, evaluate=False)
    with pytest.raises(VerificationError, match="paths form"):
        verify(_with_step(derivation, index, dataclasses.replace(factored, result=wrong)), points=1)


def test_a_wrong_derivative_by_the_prediction_is_caught() -> None:
    """∂L/∂ŷ_i = -1_{ℓ=i}/ŷ_ℓ, checked for every output and the drawn label: -1/ŷ_i (the indicator dropped) fails."""
    derivation = SEED_002.derive(forms=())
    argument = next(a for a in derivation.arguments if a.name == "prediction")
    verify(derivation, points=1)
    wrong = -1 / sp.Symbol("a3_j", real=True)
    lines = (argument.lines[0], dataclasses.replace(argument.lines[1], result=wrong))
    with pytest.raises(VerificationError, match="general prediction"):
        verify(_with_argument(derivation, "prediction", lines=lines), points=1)


def test_seed_002s_chain_through_a_thin_network_is_verified_and_a_wrong_factor_is_caught() -> None:
    """Form ``thin``: a network as deep as seed 002's, one neuron wide and generic, whose first weight's derivative
    is one product of two factors per layer and the weight's own; the chain without the first layer's activation
    (∂a^1/∂z^1) fails."""
    derivation = SEED_002.derive(forms=("thin",))
    thin = derivation.thin
    assert thin is not None and thin.network.layers == (1, 1, 1, 1) and thin.network.generic
    (step,) = thin.steps
    (path,) = step.chain
    assert [str(factor) for factor in path] == [
        "Derivative(c, a3_1)", "Derivative(a3_1, z3_1)", "Derivative(z3_1, a2_1)", "Derivative(a2_1, z2_1)",
        "Derivative(z2_1, a1_1)", "Derivative(a1_1, z1_1)", "Derivative(z1_1, W1_1_1)"]
    assert verify(derivation, points=1).steps > verify(dataclasses.replace(derivation, thin=None), points=1).steps
    assert SEED_002.derive(forms=()).thin is None
    wrong = dataclasses.replace(step, chain=((*path[:-2], path[-1]),))
    with pytest.raises(VerificationError, match="thin form, W1_1_1"):
        verify(dataclasses.replace(derivation, thin=dataclasses.replace(thin, steps=(wrong,))), points=1)


@pytest.mark.parametrize("bias", ["neuron", "shared", "none"])
def test_the_thin_networks_chain_ends_at_a_weight_from_an_input_whatever_the_bias(bias: str) -> None:
    """With bias units, w^1_{10} is the bias unit's weight: the thin chain still ends at w^1_{11}, from the input x_1
    (it used to take w^1_{10} and give its gradient, δ_1, as δ_1 x_1: --verify caught it), and verifies."""
    network = Network.from_spec("3-3-3-2", hidden="relu", output="softmax", loss="sparse_cross_entropy", bias=bias)
    derivation = network.derive(forms=("thin",))
    assert derivation.thin is not None and derivation.thin.steps[0].quantity == "W1_1_1"
    verify(derivation, points=1)


def test_seed_003s_step_through_the_next_layers_weighted_inputs_is_checked() -> None:
    """δ_j = Σ_k δ_k ∂a_k/∂a_j (seed 003's letters; the engine's ∂z^{l+1}_k/∂z^l_j) before the chain rule through
    z_j: with ∂a_k/∂z_j in its place (the activation's derivative dropped) the line fails."""
    derivation = SEED_002.derive(forms=())
    argument = next(a for a in derivation.arguments if a.name == "hidden")
    rules = [line.rule for line in argument.lines]
    assert rules[:4] == [Rule.DEFINITION, Rule.MULTIVARIABLE_CHAIN_RULE, Rule.ERROR_TERM, Rule.CHAIN_RULE]
    z, a, z_next = (sp.Symbol(name, real=True) for name in ("z2_j", "a2_j", "z3_k"))
    through = argument.lines[2].result
    assert through.has(sp.Derivative(z_next, z, evaluate=False))
    wrong = through.xreplace({sp.Derivative(z_next, z, evaluate=False): sp.Derivative(z_next, a, evaluate=False)})
    lines = (*argument.lines[:2], dataclasses.replace(argument.lines[2], result=wrong), *argument.lines[3:])
    with pytest.raises(VerificationError, match="general hidden"):
        verify(_with_argument(derivation, "hidden", lines=lines), points=1)


@pytest.mark.parametrize(("name", "argument", "part", "index", "said"), [
    ("input-major", "through_output", "lines", 2, 0),  # by ∂c/∂a_j = Σ_k W_jk δ_k above
    ("input-major", "output", "concrete", 0, 1),  # since σ'(z_j) = a_j (1 - a_j)
    ("bishop", "hidden", "concrete", 1, 0),  # since σ'(z) = σ(z)(1 - σ(z)), for any z
    ("bishop", "through_output", "lines", 1, 0),  # since a_j = σ(z_j)
])
def test_what_a_general_arguments_note_says_is_verified(name: str, argument: str, part: str, index: int,
                                                        said: int) -> None:
    """An equation a general argument's note states ("since σ'(z) = σ(z)(1 - σ(z))", "by ∂c/∂a_j above") is checked
    for every neuron its letters stand for, an identity in a variable of its own at two points: its right-hand side
    doubled fails."""
    derivation = _seed_network(name).derive(forms=("element",))
    found = derivation.argument(argument)
    assert found is not None
    lines = list(getattr(found, part))
    line = lines[index]
    since = list(line.since)
    since[said] = dataclasses.replace(since[said], rhs=2 * since[said].rhs)
    lines[index] = dataclasses.replace(line, since=tuple(since))
    verify(derivation, points=1)
    with pytest.raises(VerificationError, match="its note"):
        verify(_with_argument(derivation, argument, **{part: tuple(lines)}), points=1)


def test_what_a_vector_steps_note_says_is_verified(monkeypatch: pytest.MonkeyPatch) -> None:
    """The vector form's notes, "since z^l = W^l a^{l-1} + b^l" and BP1's "in terms of the output: σ'(z^L) = a^L ⊙
    (1 - a^L)", are checked as lines of their own: a note whose right-hand side is doubled fails."""
    from symbackprop.derive import forms
    from symbackprop.derive import verify as verify_module

    derivation = _seed_network("bishop").derive(forms=("vector",))
    in_output = [step for step in derivation.steps_of("vector") if step.rule is Rule.SIMPLIFY_IN_OUTPUT]
    assert in_output and forms.definitions(in_output[0], derivation.network)
    lines = verify(derivation, points=1).lines
    monkeypatch.setattr(verify_module, "definitions", lambda step, network: ())
    assert verify(derivation, points=1).lines < lines
    monkeypatch.setattr(verify_module, "definitions", lambda step, network: tuple(
        dataclasses.replace(eq, rhs=2 * eq.rhs) for eq in forms.definitions(step, network)
        if step.rule is Rule.SIMPLIFY_IN_OUTPUT))
    with pytest.raises(VerificationError, match="note's"):
        verify(derivation, points=1)


def test_derive_verify_checks_the_generic_derivation_a_homework_states_and_the_appendix(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 001's homework states and solves the general results of the generic network (any cost, any g_ℓ), and
    seed 002's appendix works out each activation's derivative: --verify checks those lines too, beside the
    network's own derivation."""
    from symbackprop.documents.appendix import proven
    from symbackprop.documents.exercise_general import generic_derivation

    def generic(net: Network) -> int:  # its steps, and the data set's means its solution (b) ends on
        return verify(generic_derivation(net)).steps + len(stated.data_means(generic_derivation(net)))

    for name, extra in (("input-major", generic), ("goodfellow", proven)):
        network = _seed_network(name)
        options = DocumentOptions(notation=name)
        derivation = network.derive(forms=engine_forms(options))
        own = (derivation.verify() + _every_layer(derivation, name) + _substituted(derivation, name)).steps
        own += len(stated_equations(derivation, options))  # and what it states beside the steps
        if name == "input-major":  # the homework states the generic network's equations for every layer too
            own += _every_layer(generic_derivation(network), name, per_layer=network.hidden_differ).steps
        status, out, err = run_cli(capsys, "derive", network.spec, "--activations", ",".join(
            act.label for act in network.activations), "--loss", network.loss.name, "--bias", network.bias,
            "--notation", name, "--format", "md", "--out", str(tmp_path / name), "--verify")
        assert (status, err) == (0, "")
        assert extra(network) > 0
        assert out.startswith(f"{own + extra(network)} steps verified ("), (name, out.splitlines()[0])


def test_derive_verify_fails_on_a_wrong_line_of_the_generic_derivation_or_the_appendix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong line in what the homework quotes (the generic derivation) or in the appendix's worked derivative
    fails --verify: exit 1, one line, nothing written."""
    from symbackprop.documents import appendix, files
    from symbackprop.documents.exercise_general import generic_derivation
    from symbackprop.model.derivatives import worked

    def wrong_generic(network: Network) -> Derivation:
        derivation = generic_derivation(network)
        weight = derivation.argument("weight")
        assert weight is not None
        last = weight.lines[-1]
        lines = (*weight.lines[:-1], dataclasses.replace(last, result=2 * last.result))
        return _with_argument(derivation, "weight", lines=lines)

    def wrong_worked(act: object) -> object:
        found = worked(act)  # type: ignore[arg-type]
        last = found.derivative[-1]
        return dataclasses.replace(found, derivative=(*found.derivative[:-1], dataclasses.replace(
            last, expr=2 * last.expr)))

    for patched, target, args in ((files, "generic_derivation", ("2-2-1", "--notation", "input-major")),
                                  (appendix, "worked", ("2-2-1", "--notation", "goodfellow", "--output", "linear",
                                                        "--loss", "quadratic"))):
        with monkeypatch.context() as context:
            context.setattr(patched, target, wrong_generic if target == "generic_derivation" else wrong_worked)
            out_dir = tmp_path / target
            status, out, err = run_cli(capsys, "derive", *args, "--format", "md", "--out", str(out_dir), "--verify")
            assert status == 1 and out == "", target
            assert err.startswith("symbackprop: verification failed: ") and err.count("\n") == 1, err
            assert not out_dir.exists()


@pytest.mark.parametrize("n", [2, 3, 6])
def test_the_softmax_appendixs_jacobian_is_proven_and_a_wrong_entry_is_caught(
        n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every entry of the softmax's Jacobian is a_i (1_{i=j} - a_j), as the appendix says, and diag(a) - a aᵀ is
    the matrix: two equalities an entry and the matrix; an off-diagonal entry written as a diagonal one,
    a_1 (1 - a_2), fails; so does a wrong last entry, a_n written as a diagonal one."""
    from symbackprop.model import derivatives
    from symbackprop.model.activations import softmax_jacobian

    # outputs 1, 2 and n: every kind of entry (the rest are theirs renamed), so as quick for 6 outputs as for 3
    assert derivatives.check_softmax(n) == 2 * min(n, 3) ** 2 + 1
    raw, in_output, outputs = softmax_jacobian(n)
    wrong = sp.ImmutableMatrix(n, n, lambda i, j: outputs[0] * (1 - outputs[1]) if (i, j) == (0, 1)
                               else in_output[i, j])
    monkeypatch.setattr(derivatives, "softmax_jacobian", lambda size: (raw, wrong, outputs))
    with pytest.raises(derivatives.WorkedDerivativeError, match="∂a_1/∂z_2"):
        derivatives.check_softmax(n)
    last = sp.ImmutableMatrix(n, n, lambda i, j: outputs[n - 1] * (1 - outputs[0]) if (i, j) == (n - 1, 0)
                              else in_output[i, j])
    monkeypatch.setattr(derivatives, "softmax_jacobian", lambda size: (raw, last, outputs))
    with pytest.raises(derivatives.WorkedDerivativeError, match=f"∂a_{n}/∂z_1"):
        derivatives.check_softmax(n)
