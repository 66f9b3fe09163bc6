"""The exercises: the problem text states seed 001's general results (any activations g_ℓ, any cost c) in the
notation's letters and names no rule; every part asked has its solution; the numeric part names every parameter,
at a point whose answers equal the truth and show every index mistake; the PDFs build without overfull boxes."""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.derive.derivation import Derivation, Rule
from symbackprop.derive.truth import VerificationError
from symbackprop.documents import exercises, pdf
from symbackprop.documents.exercises import _point, answers, exercise_documents
from symbackprop.documents.files import document_files
from symbackprop.documents.model import Document
from symbackprop.documents.notes import note
from symbackprop.documents.options import DocumentOptions
from symbackprop.documents.sections import Block, Section
from symbackprop.notation.printer import NotationPrinter
from symbackprop.outputs import write_documents
from tests.helpers import derived_at, diff_at, explicit_loss, require_tex, run_cli

#: The architectures whose answers must show every swapped index: the default, a wider one, and 2-2-2 (square
#: matrices, where a swap can hide in a symmetric gradient) with each bias convention.
ARCHITECTURES = [("2-3-1", "vector"), ("3-4-2", "vector"), ("2-2-2", "vector"), ("2-2-2", "neuron"),
                 ("2-2-2", "none"), ("2-2-2", "shared")]


@cache
def _derived(spec: str, bias: str) -> Derivation:
    return Network.from_spec(spec, bias=bias).derive(forms=("element",))


def _shown(value: sp.Expr) -> str:
    """A number as the solutions show it, to 4 decimals; computed here from the closed form, not by the module."""
    text = f"{float(value):.4f}"
    return "0" if float(text) == 0 else text


def _answer_matrices(derivation: Derivation, point: dict) -> dict[str, sp.Matrix]:
    """Each gradient and each delta vector at ``point``, from the closed form (independent of exercises.answers)."""
    values = derivation.substitutions()
    matrices = {**derivation.closed_form(),
                **{name: delta.xreplace(values) for name, delta in derivation.deltas.items()}}
    return {name: matrix.xreplace(point).applyfunc(lambda v: _shown(sp.N(v, 30))) for name, matrix in matrices.items()}


@pytest.mark.parametrize("seed", range(8))
def test_targets_of_a_distribution_loss_are_one_hot(seed: int) -> None:
    net = Network([3, 2, 3], hidden="sigmoid", output="softmax", loss="cross_entropy")
    point = _point(net.derive(forms=("element",)), seed)
    assert sorted(point[y] for y in net.targets) == [0, 0, 1]


@pytest.mark.parametrize("seed", range(6))
def test_the_numeric_answers_are_the_gradient_at_the_point(seed: int) -> None:
    net = Network([3, 2, 2], hidden="leaky_relu(0.2)", output="softmax", loss="cross_entropy", bias="shared")
    point = _point(net.derive(forms=("element",)), seed)
    derived = derived_at(net.derive(forms=("element",)), point)
    loss = explicit_loss(net)
    for param, value in derived.items():
        assert abs(value - diff_at(loss, param, point)) < sp.Float(1e-25), (seed, param)


@pytest.mark.parametrize("seed", range(3))
def test_the_printed_answers_are_the_truth_to_four_decimals(seed: int) -> None:
    net = Network([2, 2, 2], hidden="tanh", loss="bce", bias="neuron")
    derivation = net.derive(forms=("element",))
    point = _point(derivation, seed)
    printed = answers(derivation, point)
    loss = explicit_loss(net)
    for name, matrix in net.parameters.items():
        for i in range(matrix.rows):
            for j in range(matrix.cols):
                assert printed[name][i][j] == _shown(diff_at(loss, matrix[i, j], point)), (seed, name, i, j)


@pytest.mark.parametrize(("spec", "bias"), ARCHITECTURES)
@pytest.mark.parametrize("seed", range(8))
def test_every_answer_matrix_shows_a_swapped_index(spec: str, bias: str, seed: int) -> None:
    derivation = _derived(spec, bias)
    network = derivation.network
    point = _point(derivation, seed)
    inputs = [point[x] for x in network.inputs_list()]
    assert len(set(inputs)) == len(inputs), inputs
    targets = [point[y] for y in network.targets]
    assert len(set(targets)) == len(targets), targets
    for name, matrix in _answer_matrices(derivation, point).items():
        rows = [tuple(matrix.row(i)) for i in range(matrix.rows)]
        columns = [tuple(matrix.col(j)) for j in range(matrix.cols)]
        assert len(set(rows)) == len(rows), (name, matrix)
        assert len(set(columns)) == len(columns), (name, matrix)
        if matrix.is_square and matrix.rows > 1:
            assert matrix != matrix.T, (name, matrix)


@pytest.mark.parametrize("seed", range(4))
def test_the_default_exercise_point_is_the_same_on_every_run(seed: int) -> None:
    derivation = _derived("2-3-1", "vector")
    assert _point(derivation, seed) == _point(derivation, seed)


def test_without_a_clean_draw_the_point_falls_back_to_distinct_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    derivation = _derived("2-2-2", "vector")
    calls: list[int] = []

    def always_one(network: Network, printed: dict) -> int:
        calls.append(1)
        return 1

    monkeypatch.setattr(exercises, "unseen_mistakes", always_one)
    point = _point(derivation, 5)
    assert len(calls) == exercises.DRAWS  # bounded: every draw tried once, then the fallback
    first = exercises._draw(derivation.network, random.Random(5))
    assert point == first  # all draws tie: the first one
    assert point[sp.Symbol("x_1", real=True)] != point[sp.Symbol("x_2", real=True)]


# ------------------------------------------------------------------------------------ the problems and solutions
@cache
def _documents(spec: str, notation: str = "input-major", **network: str) -> tuple[Document, Document]:
    net = Network.from_spec(spec, **network)
    return exercise_documents(net.derive(forms=("element", "vector")), DocumentOptions(notation=notation, seed=1))


def _math(blocks: tuple[Block, ...]) -> str:
    """Every display of ``blocks`` as ``lhs = rhs  note`` lines, each tagged equation, and the prose, one string."""
    lines = [f"{line.lhs} {line.rel} {line.rhs} {line.note}" for block in blocks if block.display is not None
             for line in block.display.lines]
    tagged = [f"{equation.math} ({equation.tag})" for block in blocks for equation in block.boxed]
    return "\n".join(lines + tagged + [block.text for block in blocks])


def _part(document: Document, part: str) -> Section:
    return next(section for section in document.sections if section.title.startswith(part))


def _whole(document: Document) -> str:
    return "\n".join(_math(section.blocks) for section in document.sections)


#: What the problem of a 3-4-2 network states in seed 001's notation, whatever its activations and loss.
SEED_001 = {
    "Set-up": [r"a_{j}^{(\ell)} = g_{\ell}(z_{j}^{(\ell)})",
               # as the seed: the activation below times the weight, a row times W in this notation
               r"z_{j}^{(\ell)} = \sum_{i=1}^{n_{\ell-1}} a_{i}^{(\ell-1)}\,W_{ij}^{(\ell)} + b_{j}^{(\ell)}",
               r"C = \frac{1}{|\mathcal{D}|} \sum_{\mathbf{x} \in \mathcal{D}} c(\mathbf{x})",
               r"\delta_{j}^{(\ell)} = \frac{\partial c}{\partial z_{j}^{(\ell)}}"],
    "(a)": [r"\delta_{j}^{(L)} = \frac{\partial c}{\partial a_{j}^{(L)}}\,g_{L}'(z_{j}^{(L)})",
            r"\delta_{j}^{(\ell)} = \left(\sum_{k=1}^{n_{\ell+1}} W_{jk}^{(\ell+1)} \delta_{k}^{(\ell+1)}\right)\,"
            r"g_{\ell}'(z_{j}^{(\ell)})"],  # the sum first, as the seed's problem; its terms weight first
    "(b)": [r"\frac{\partial c}{\partial W_{ij}^{(\ell)}} = a_{i}^{(\ell-1)} \delta_{j}^{(\ell)}",
            r"\frac{\partial c}{\partial b_{j}^{(\ell)}} = \delta_{j}^{(\ell)}"],
    "(c)": [r"\boldsymbol{\delta}^{(L)} = \frac{\partial c}{\partial \mathbf{a}^{(L)}} \odot g_{L}'(\mathbf{z}^{(L)})",
            r"\boldsymbol{\delta}^{(\ell)} = (W^{(\ell+1)} \boldsymbol{\delta}^{(\ell+1)}) \odot "
            r"g_{\ell}'(\mathbf{z}^{(\ell)})"],
}


@pytest.mark.parametrize("network", [{"hidden": "tanh", "loss": "bce"},
                                     {"hidden": "relu", "output": "softmax", "loss": "cross_entropy"}])
def test_the_problem_states_the_general_results_with_g_and_c(network: dict[str, str]) -> None:
    problems, _ = _documents("3-4-2", **network)
    for part, expected in SEED_001.items():
        shown = _math(_part(problems, part).blocks)
        for equation in expected:
            assert equation in shown, (part, equation, shown)
    general = "\n".join(_math(_part(problems, part).blocks) for part in ("(a)", "(b)", "(c)"))
    assert "tanh" not in general and "1 - (a" not in general and r"\mathbf{y}" not in general


@pytest.mark.parametrize(("notation", "said"), [
    # input-major's W holds the weights out of a neuron of layer ℓ-1 in its row: BP2 needs no transpose
    ("input-major", r"where $W^{(\ell)}$ is the $n_{\ell-1} \times n_{\ell}$ matrix of the weights "
                    r"$W_{ij}^{(\ell)}$ and $\odot$ is the element-wise"),
    ("nielsen", r"where $W^{l}$ is the $n_{l} \times n_{l-1}$ matrix of the weights $w^{l}_{jk}$ and $\odot$ is the "
                "element-wise"),
])
def test_the_vector_part_says_what_its_matrix_and_its_product_are(notation: str, said: str) -> None:
    """(c) is the first part with a weight matrix and ⊙: the sheet says what they are, and the matrix's shape,
    before the student needs them (the solutions' own sentence comes too late for the problem)."""
    problems, _ = _documents("3-4-2", notation)
    lead = _part(problems, "(c)").blocks[0]
    assert lead.kind == "text" and said in lead.text
    assert r"\odot" not in "\n".join(_math(_part(problems, part).blocks) for part in ("(a)", "(b)"))


def test_the_general_parts_are_the_same_for_every_activation_and_loss() -> None:
    first, _ = _documents("3-4-2", hidden="tanh", loss="bce")
    second, _ = _documents("3-4-2", hidden="relu", output="softmax", loss="cross_entropy")
    for part in ("(a)", "(b)", "(c)"):
        assert _part(first, part) == _part(second, part), part


@pytest.mark.parametrize(("notation", "expected"), [
    ("nielsen", [r"a^{l}_{j} = \sigma(z^{l}_{j})",
                 r"\delta^{L}_{j} = \frac{\partial C}{\partial a^{L}_{j}}\,\sigma'(z^{L}_{j})",
                 r"\delta^{l}_{j} = \sigma'(z^{l}_{j})\,\sum_{k} \delta^{l+1}_{k}\,w^{l+1}_{kj}",
                 r"\frac{\partial C}{\partial w^{l}_{jk}} = a^{l-1}_{k} \delta^{l}_{j}"]),
    ("bishop", [r"z^{(l)}_{j} = h(a^{(l)}_{j})", r"E = \frac{1}{|\mathcal{D}|}",
                r"\delta^{(l)}_{j} = h'(a^{(l)}_{j})\,\sum_{k=1}^{m} \delta^{(l+1)}_{k}\,w^{(l+1)}_{kj}",
                r"\frac{\partial E_n}{\partial w^{(l)}_{ji}} = z^{(l-1)}_{i} \delta^{(l)}_{j}"]),
])
def test_the_problem_is_in_the_notations_letters(notation: str, expected: list[str]) -> None:
    problems, _ = _documents("3-4-2", notation, hidden="tanh", loss="bce")
    shown = _whole(problems)
    for equation in expected:
        assert equation in shown, (equation, shown)
    assert "tanh'" not in shown and r"\tanh" not in shown


@pytest.mark.parametrize("notation", ["input-major", "nielsen", "bishop", "goodfellow", "ng"])
@pytest.mark.parametrize("spec", ["3-4-2", "2-2-1"])
def test_the_problem_names_no_rule_and_the_solutions_do(notation: str, spec: str) -> None:
    problems, solutions = _documents(spec, notation, hidden="tanh", loss="bce")
    asked, answered = _whole(problems), _whole(solutions)
    for rule in Rule:
        words = note(rule)
        assert words not in asked, (rule, words)
    for rule in (Rule.DEFINITION, Rule.CHAIN_RULE, Rule.MULTIVARIABLE_CHAIN_RULE):
        assert note(rule) in answered, rule
    # the step that names an error term says which: "where δ_j = ∂c/∂z_j"; goodfellow has no letter δ (∂L/∂a_ki
    # is its error term), so that step would repeat the line before and is left out
    assert (r"\text{where }" in answered) == (notation != "goodfellow")
    assert "chain rule" not in asked


@pytest.mark.parametrize("notation", ["input-major", "nielsen", "bishop"])
@pytest.mark.parametrize(("spec", "bias"), [("3-4-2", "vector"), ("2-2-1", "neuron"), ("2-2-2", "shared"),
                                            ("2-3-1", "none"), ("3-2", "vector")])
def test_every_part_asked_has_its_solution(notation: str, spec: str, bias: str) -> None:
    problems, solutions = _documents(spec, notation, bias=bias)
    asked = [section.title for section in problems.sections if section.title.startswith("(")]
    assert asked == [section.title for section in solutions.sections]
    assert asked[:3] == ["(a) The error terms", "(b) The gradients", "(c) Vector form"]
    for title in asked:
        question, answer = _part(problems, title[:3]), _part(solutions, title[:3])
        shown = [line.lhs for block in question.blocks if block.display is not None for line in block.display.lines]
        answered = _math(answer.blocks)
        for lhs in shown if title[:3] != "(d)" else []:  # each quantity asked is derived
            assert f"{lhs} =" in answered, (title, lhs)
        assert any(block.display is not None for block in answer.blocks), title


def test_the_gradients_asked_follow_the_bias_convention() -> None:
    def part_b(spec: str, bias: str) -> str:
        return _math(_part(_documents(spec, bias=bias)[0], "(b)").blocks)

    assert r"\partial b" not in part_b("2-3-1", "none") and "biases" not in part_b("2-3-1", "none")
    assert r"\frac{\partial c}{\partial W_{0j}^{(\ell)}} = \delta_{j}^{(\ell)}" in part_b("2-2-1", "neuron")
    shared = r"\frac{\partial c}{\partial b^{(\ell)}} = \sum_{j=1}^{n_{\ell}} \delta_{j}^{(\ell)}"
    assert shared in part_b("2-2-2", "shared")


def test_the_solutions_add_this_networks_error_terms() -> None:
    _, solutions = _documents("3-4-2", hidden="tanh", loss="bce")
    answered = _whole(solutions)
    assert "For this network:" in answered
    assert r"= a_{j}^{(L)} - y_{j} \text{simplify}" in answered  # sigmoid and cross-entropy
    assert r"\tanh'(z) = 1 - (\tanh(z))^{2}" in answered  # tanh, in its own terms, then in the output's
    assert r"\left(1 - (a_{j}^{(\ell)})^{2}\right)" in answered
    assert r"\boldsymbol{\delta}^{(L)} = \mathbf{a}^{(L)} - \mathbf{y}" in answered  # the vector form's BP1
    # (c)'s weight entry, its chain too long to share a line with what it gives: that line says why, as (b)'s does
    c = _math(_part(solutions, "(c)").blocks)
    # BP1 to BP4 in the order the problem asks for them: the biases' (BP3) before the weights' (BP4)
    assert c.index(r"\frac{\partial c}{\partial \mathbf{b}^{(\ell)}} = ") < c.index(
        r"\frac{\partial c}{\partial W_{ij}^{(\ell)}} = ")
    # and this network's BP2 as (a) has it, tanh' in terms of the output: (W δ) ⊙ (1 - a ⊙ a)
    assert "For this network, BP1 and BP2 become:" in c
    assert (r"\boldsymbol{\delta}^{(\ell)} = (W^{(\ell+1)} \boldsymbol{\delta}^{(\ell+1)}) \odot (\mathbf{1} - "
            r"(\mathbf{a}^{(\ell)} \odot \mathbf{a}^{(\ell)}))") in c
    # each equation numbered at the margin by its name, as the summary numbers them, unboxed, one under another
    tagged = [(equation.tag, equation.framed) for block in _part(solutions, "(c)").blocks for equation in block.boxed]
    assert tagged == [("BP1", False), ("BP2", False)] and r"	ext{(BP" not in c
    assert (r"= \delta_{j}^{(\ell)} \frac{\partial z_{j}^{(\ell)}}{\partial W_{ij}^{(\ell)}} \text{definition of } "
            r"\delta") in c
    # seed 003's homework: the output error by the weighted input, σ(a_y) - r, then y - r
    _, solutions = _documents("3-3-1", notation="bishop-single", loss="bce", bias="none")
    answered = _whole(solutions)
    assert answered.index(r"= \sigma(a_{y}) - r^{\ell} \text{simplify}") < answered.index(
        r"= y - r^{\ell} \text{since}\ y = \sigma(a_{y})")


def test_a_softmax_output_is_not_given_an_element_wise_error_term() -> None:
    _, solutions = _documents("3-3-3", hidden="relu", output="softmax", loss="cross_entropy")
    answered = _math(_part(solutions, "(a)").blocks)
    assert "softmax, is not element-wise" in answered
    assert r"\delta_{j}^{(L)} = a_{j}^{(L)} - y_{j}" not in answered


def test_a_softmax_outputs_error_terms_are_derived_through_its_whole_jacobian_not_by_bp1() -> None:
    """Seed 002's network: BP1 as the parts state it takes a diagonal Jacobian, which a softmax does not have. The
    set-up asks for the output's error terms through the whole Jacobian, (a) derives them so, and (c) gives no
    "for this network" BP1 from the element-wise one."""
    problems, solutions = _documents("3-3-3-2", "goodfellow", hidden="relu", output="softmax",
                                     loss="sparse_cross_entropy")
    assert "does not act neuron by neuron: derive its output layer's error terms through the layer's whole " \
           "Jacobian" in _math(_part(problems, "Set-up").blocks)
    a, c = (_math(_part(solutions, part).blocks) for part in ("(a)", "(c)"))
    jacobian = r"(\operatorname{diag}(\underline{\hat{y}}) - \underline{\hat{y}} \underline{\hat{y}}^{\top})"
    assert jacobian in a and r"= \underline{\hat{y}} - \underline{e}_{\ell}" in a
    assert "BP1 does not hold for this network's output activation, softmax" in c
    assert "For this network, BP1" not in c and jacobian not in c


def test_goodfellows_solutions_define_no_delta_and_repeat_no_derivative_as_a_definition() -> None:
    """Goodfellow writes an error term as the derivative itself: no "definition of δ", and no chain that opens
    ∂L/∂a = ∂L/∂a."""
    _, solutions = _documents("3-3-3-2", "goodfellow", hidden="relu", output="softmax", loss="sparse_cross_entropy")
    whole = _whole(solutions)
    assert r"\delta" not in whole
    for line in (line for section in solutions.sections for block in section.blocks if block.display
                 for line in block.display.lines):
        assert not line.rhs.startswith(f"{line.lhs} ="), line


@pytest.mark.parametrize("notation", ["bishop", "bishop-single"])
def test_a_neurons_error_term_is_defined_for_a_general_neuron_j(notation: str) -> None:
    """The set-up defines δ_j = ∂E/∂a_j for any neuron j, not the one output neuron's δ_1; (a) asks for the output
    neuron's as such."""
    problems, _ = _documents("3-3-1", notation, loss="bce", bias="none")
    setup, a = _math(_part(problems, "Set-up").blocks), _math(_part(problems, "(a)").blocks)
    defined = {"bishop": r"\delta^{(l)}_{j} = \frac{\partial E_n}{\partial a^{(l)}_{j}}",
               "bishop-single": r"\delta_{j} = \frac{\partial E_{\ell}}{\partial a_{j}}"}[notation]
    assert defined in setup and r"\delta_{1}" not in setup and r"\delta^{(l)}_{1}" not in setup
    assert "the error term of the output neuron is" in a and "a neuron $j$ of the output layer" not in a


def test_seed_003s_letters_get_no_vector_part_and_no_bias_is_asked() -> None:
    """bishop-single writes no layer marks: a general layer's vector form (δ = (Wᵀδ) ⊙ h'(a)) cannot be written in
    its letters, so the sheet asks (a), (b) and the numbers, (c); a network without biases is asked no bias."""
    problems, solutions = _documents("3-3-1", "bishop-single", loss="bce", bias="none")
    for document in (problems, solutions):
        assert [section.title for section in document.sections if section.title.startswith("(")] == \
            ["(a) The error terms", "(b) The gradients", "(c) Numbers"]
    assert "Parts (a) and (b) hold" in _math(_part(problems, "Set-up").blocks)
    asked = _math(_part(problems, "(c)").blocks)
    assert "with respect to every weight at this point" in asked and "every bias" not in asked


def test_ngs_vector_part_says_what_its_bias_unit_letters_are() -> None:
    problems, _ = _documents("2-2-2", "ng", loss="bce", bias="neuron")
    lead = _part(problems, "(c)").blocks[0].text
    assert r"the $n_{l+1} \times (n_{l} + 1)$ matrix" in lead
    assert r"$\tilde{\mathbf{W}}^{(l)}$ is $\mathbf{W}^{(l)}$ without the bias unit's column" in lead
    assert r"$\bar{\mathbf{a}}^{(l)}$ is $\mathbf{a}^{(l)}$ with the bias unit's 1 on top" in lead


@pytest.mark.parametrize(("notation", "said"), [
    ("nielsen", "and so those of the cost of the data set are their means over the data set."),
    ("input-major", "and so those of $C$ are their means over the data set."),
])
def test_one_letter_for_both_costs_is_not_made_its_own_mean(notation: str, said: str) -> None:
    """Where C writes the cost of one example and of the data set alike, (b) does not say C's derivatives are
    their own means."""
    problems, solutions = _documents("3-4-2", notation, hidden="tanh", loss="bce")
    assert said in _math(_part(problems, "(b)").blocks)
    answered = _math(_part(solutions, "(b)").blocks)
    assert ("The cost of the data set is the mean of the examples' costs, so" in answered) == (notation == "nielsen")


@pytest.mark.parametrize("notation", ["input-major", "nielsen", "goodfellow"])
@pytest.mark.parametrize("bias", ["vector", "neuron", "none", "shared"])
def test_the_numeric_part_gives_and_asks_every_parameter(notation: str, bias: str) -> None:
    net = Network.from_spec("2-2-2", hidden="tanh", bias=bias)
    problems, solutions = _documents("2-2-2", notation, hidden="tanh", bias=bias)
    printer = NotationPrinter(DocumentOptions(notation=notation).notation_preset, net)
    asked, answered = _math(_part(problems, "(d)").blocks), _math(_part(solutions, "(d)").blocks)
    derivation = net.derive(forms=("element",))
    point = _point(derivation, 1)
    printed = answers(derivation, point)

    def shown(rows: list[list[str]], name: str) -> list[str]:  # each row as written, in the notation's orientation
        if name.startswith("W") and notation == "input-major":  # its W^(l) holds the weights out of a neuron below
            rows = [list(column) for column in zip(*rows)]
        return [" & ".join(row) for row in rows]

    for name, matrix in net.parameters.items():
        given = [[sp.latex(point[s]) for s in matrix.row(i)] for i in range(matrix.rows)]
        whole = printer.stored(sp.MatrixSymbol(name, *matrix.shape))
        gradient = printer.doprint(sp.Derivative(sp.Symbol("c"), sp.MatrixSymbol(name, *matrix.shape)))
        if bias == "shared" and name.startswith("b"):  # the layer's one bias, a number
            whole = printer.doprint(matrix[0])
            gradient = printer.doprint(sp.Derivative(sp.Symbol("c"), matrix[0]))
            assert f"{whole} = {given[0][0]}" in asked and f"{gradient} = {printed[name][0][0]}" in answered, name
            continue
        # every layer's matrices written out, in the notation's orientation, with their values, and the answers so
        assert f"{whole} = \\begin{{bmatrix}}" in asked and f"{gradient} = \\begin{{bmatrix}}" in answered, name
        assert all(row in asked for row in shown(given, name)), name
        assert all(row in answered for row in shown(printed[name], name)), name
    for layer in (2, 1):  # the working: each layer's error terms, the output layer's first
        delta = printer.doprint(sp.MatrixSymbol(f"delta{layer}", 2, 1))
        entries = r" \\ ".join(row[0] for row in printed[f"delta{layer}"])
        assert f"{delta} = \\begin{{bmatrix}}{entries}" in answered
    assert answered.index(printer.doprint(sp.MatrixSymbol("delta2", 2, 1))) < \
        answered.index(printer.doprint(sp.MatrixSymbol("delta1", 2, 1)))
    assert "every weight" in asked


@pytest.mark.pdf
@pytest.mark.slow
@pytest.mark.parametrize(("spec", "notation", "network"), [
    ("3-4-2", "input-major", {"hidden": "tanh", "loss": "bce"}),
    ("3-3-3", "input-major", {"hidden": "relu", "output": "softmax", "loss": "cross_entropy"}),  # 24 answers
    ("3-4-2", "nielsen", {"hidden": "tanh", "loss": "bce"}),
    ("2-3-1", "bishop", {"bias": "none"}),
    # seed 002's network: its BP2's transpose line and note were 11pt too wide
    ("3-3-3-2", "goodfellow", {"hidden": "relu", "output": "softmax", "loss": "sparse_cross_entropy"}),
])
def test_the_exercise_pdfs_build_without_overfull_boxes(tmp_path: Path, spec: str, notation: str,
                                                        network: dict[str, str]) -> None:
    require_tex()
    derivation = Network.from_spec(spec, **network).derive()
    files = document_files(derivation, DocumentOptions(notation=notation, exercise=True, formats=("tex",)))
    for name in (f"exercises-{notation}.tex", f"solutions-{notation}.tex"):
        tex = tmp_path / name
        tex.write_text(files[name], encoding="utf-8")
        assert pdf.build_pdf(tex).stat().st_size > 10_000
        log = tex.with_suffix(".log").read_text(errors="replace")
        assert "Overfull" not in log and "Undefined control sequence" not in log, name


def test_exercises_without_a_pdf_say_where_their_figures_are_drawn_and_are_signed(tmp_path: Path) -> None:
    """Markdown alone, without the PDF's images: the solutions' figures say where they are drawn, as the
    derivation's do (never an empty "()"); the sheets carry the derivation's author and date."""
    network = Network([3, 4, 2], hidden="tanh", loss="bce")
    options = DocumentOptions(notation="input-major", formats=("md",), exercise=True, author="A. Lecturer",
                              date="March 2026")
    write_documents(network, options, tmp_path)
    for kind in ("derivation", "exercises", "solutions"):
        text = (tmp_path / f"{kind}-input-major.md").read_text()
        assert "()" not in text and "\n\nA. Lecturer\n\nMarch 2026\n" in text
    solutions = (tmp_path / "solutions-input-major.md").read_text()
    assert solutions.count("(drawn only in the LaTeX and PDF versions).*") == 2


@pytest.mark.parametrize(("args", "why"), [
    (["2-2-1", "--seed", "3"], "add --exercise"),
    (["4-5-2", "--exercise", "--seed", "3"], "at most 32 parameters get (this one has 37)"),
    (["2-2-1", "--hidden", "generic", "--exercise", "--seed", "3"], "generic activation or cost has none"),
])
def test_a_seed_with_no_numbers_to_vary_is_refused(args: list[str], why: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """--seed varies the exercises' numbers: asked where there are none, one line says why, and nothing is
    written (it did nothing, silently); where there are, it is taken."""
    status, _, err = run_cli(capsys, "derive", *args, "--format", "md", "--out", str(tmp_path / "out"))
    assert status == 2 and err.count("\n") == 1 and why in err, err
    assert not (tmp_path / "out").exists()
    status, _, err = run_cli(capsys, "derive", "2-2-1", "--exercise", "--seed", "3", "--format", "md", "--out",
                             str(tmp_path / "taken"))
    assert status == 0, err
    assert "(d) Numbers" in (tmp_path / "taken" / "exercises-nielsen.md").read_text()


@pytest.mark.parametrize(("spec", "notation", "network"), [
    ("3-4-2", "input-major", {"hidden": "tanh", "loss": "bce"}),  # seed 001's homework, 26 parameters
    ("3-3-3-2", "goodfellow", {"hidden": "relu", "output": "softmax", "loss": "sparse_cross_entropy"}),  # 32
])
def test_the_seed_networks_homework_has_numbers(spec: str, notation: str, network: dict[str, str]) -> None:
    problems, solutions = _documents(spec, notation, **network)
    assert "Compute the partial derivative" in _math(_part(problems, "(d)").blocks)
    layers = Network.from_spec(spec, **network).depth
    # z and a, then δ, ∂W, ∂b, each layer: the forward pass's working first, as a student computes it
    answered = _math(_part(solutions, "(d)").blocks)
    assert answered.count(r"\begin{bmatrix}") == 5 * layers
    assert answered.index(r"\mathbf{z}^{" if notation == "input-major" else r"\underline{a}_{1}") < answered.index(
        r"\boldsymbol{\delta}" if notation == "input-major" else r"\nabla")


def test_verify_checks_the_numeric_answers_against_the_truth(monkeypatch: pytest.MonkeyPatch) -> None:
    """--verify with --exercise checks every printed answer of the numeric part at its point, apart from the
    engine, the forward pass's working too: one answer changed in its last decimal is caught."""
    derivation = _derived("2-3-1", "vector")
    network = derivation.network
    # every gradient, δ, and the forward pass's z and a
    assert exercises.checked_answers(derivation, 1) == network.parameter_count + 3 * sum(network.layers[1:])
    right, forward = exercises.answers, exercises.forward_answers

    def wrong_forward(network: Network, point: dict) -> dict[str, list[list[str]]]:
        printed = forward(network, point)
        printed["a1"][1][0] = f"{float(printed['a1'][1][0]) - 0.0001:.4f}"
        return printed

    monkeypatch.setattr(exercises, "forward_answers", wrong_forward)
    with pytest.raises(VerificationError, match="numeric part's answer for a1_2"):
        exercises.checked_answers(derivation, 1)
    monkeypatch.setattr(exercises, "forward_answers", forward)

    def wrong(derivation: Derivation, point: dict) -> dict[str, list[list[str]]]:
        printed = right(derivation, point)
        last = printed["W2"][0][-1]
        printed["W2"][0][-1] = f"{float(last) + 0.0001:.4f}"
        return printed

    monkeypatch.setattr(exercises, "answers", wrong)
    with pytest.raises(VerificationError, match="numeric part's answer for W2_1_3"):
        exercises.checked_answers(derivation, 1)


@pytest.mark.parametrize("notation", ["input-major", "nielsen", "ng"])
def test_delta_is_named_by_one_line_of_a_chain(notation: str) -> None:
    """A weight's chain ∂c/∂z ∂z/∂W, then δ ∂z/∂W on a line of its own: that line names δ, and the chain's says the
    chain rule alone (both said "definition of δ")."""
    _, solutions = _documents("3-4-2", notation, hidden="tanh", loss="bce")
    for section in solutions.sections:
        for block in section.blocks:
            if block.display is None:
                continue
            named = [r"definition of } \delta" in line.note for line in block.display.lines]
            assert not any(a and b for a, b in zip(named, named[1:])), [line.note for line in block.display.lines]


def test_the_problem_states_bp1_to_bp4_one_under_another_numbered_not_boxed() -> None:
    """(c)'s four equations in one display, each numbered at the margin (seed 001 has no box around them), in the
    PDF's source and in Markdown alike."""
    derivation = Network.from_spec("3-4-2", hidden="tanh", loss="bce").derive(forms=("element", "vector"))
    files = document_files(derivation, DocumentOptions(notation="input-major", exercise=True, formats=("tex", "md")))
    tex, md = files["exercises-input-major.tex"], files["exercises-input-major.md"]
    part = tex[tex.index("{(c) Vector form}"):tex.index("{(d) Numbers}")]
    assert part.count(r"\begin{gather}") == 1 and r"\boxed" not in part
    assert [part.index(rf"\tag{{BP{n}}}") for n in range(1, 5)] == sorted(part.index(rf"\tag{{BP{n}}}")
                                                                         for n in range(1, 5))
    assert r"\label{" not in part[part.index(r"\begin{gather}"):]
    assert md.count(r"\tag{BP") == 4 and r"\boxed" not in md[md.index("(c) Vector form"):md.index("(d) Numbers")]
