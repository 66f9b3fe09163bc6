"""Which sections a document has (--sections, each preset's default: its seed's), and the derivation for a general
neuron (seeds 001, 003, 004): every step justified, in the notation's letters."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import sympy as sp

from symbackprop import Network, SymbackpropError
from symbackprop.derive.derivation import Derivation
from symbackprop.derive.general import with_letters
from symbackprop.documents.argued import lettered, notation_letters
from symbackprop.documents.model import build_document
from symbackprop.documents.options import PRESET_SECTIONS, SECTIONS, DocumentOptions
from symbackprop.documents.render import render_markdown, render_tex
from symbackprop.documents.summary import labels
from symbackprop.model.rules import Rule
from symbackprop.notation.presets import PRESETS
from symbackprop.notation.printer import INDICATOR_MARKDOWN, NotationPrinter
from symbackprop.notation.written import written
from tests.helpers import one_line, run_cli

CASES = tomllib.loads((Path(__file__).parent.parent / "golden" / "cases.toml").read_text())


def _seed(name: str, **changes: str) -> Network:
    """The seed's network (tests/golden/cases.toml), or with ``changes``: a concrete loss where the seed keeps C."""
    return Network(**({k: v for k, v in CASES[name].items() if k != "derive"} | changes))


#: Seed 004's network and seed 000's with a loss (and activations) to differentiate: "for this network".
CONCRETE = {"hidden": "sigmoid", "output": "sigmoid", "loss": "quadratic"}


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_each_preset_defaults_to_its_seeds_sections(preset: str) -> None:
    options = DocumentOptions(notation=preset)
    assert options.sections == PRESET_SECTIONS[preset]
    assert options.forms == tuple(name for name in PRESET_SECTIONS[preset] if name in ("element", "vector", "batch"))


def test_forms_given_replace_the_form_sections_in_order() -> None:
    options = DocumentOptions(notation="bishop", forms=("batch", "element"))
    assert options.sections == ("figure", "forward", "general", "element", "batch", "sgd")
    assert DocumentOptions(sections="all").sections == SECTIONS
    assert DocumentOptions(sections="summary,notation").sections == ("notation", "summary")


def test_a_document_has_exactly_the_sections_asked_for() -> None:
    derivation = Network([2, 2, 1]).derive()
    document = build_document(derivation, DocumentOptions(sections="forward,summary"))
    titles = [part.title for part in document.sections]
    assert titles == ["Set-up", "Summary"]
    assert [s.title for s in document.sections[0].subsections] == ["Forward pass"]
    assert document.appendix == ()


def test_an_unknown_section_is_refused_with_the_allowed_ones() -> None:
    with pytest.raises(SymbackpropError, match="unknown section 'intro'; allowed: all, appendix, batch"):
        DocumentOptions(sections="intro")


def test_sections_in_a_spec_file_and_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "net.toml"
    spec.write_text('layers = [2, 2, 1]\n[derive]\nsections = ["forward", "general"]\nformat = "md"\n')
    status, _, err = run_cli(capsys, "derive", str(spec), "--out", str(tmp_path / "a"))
    assert status == 0, err
    text = (tmp_path / "a" / "derivation-nielsen.md").read_text()
    assert "## Backpropagation for a general neuron" in text and "Summary" not in text
    status, out, err = run_cli(capsys, "derive", "2-2-1", "--sections", "forward,intro", "--out", str(tmp_path / "b"))
    assert (status, out) == (2, "") and one_line(err) and "unknown section 'intro'" in err
    assert not (tmp_path / "b").exists()


def _general(name: str, **network: object) -> str:
    net = _seed(name) if not network else Network(**network)  # type: ignore[arg-type]
    options = DocumentOptions(notation=name, sections="general", formats=("md",))
    return render_markdown(net.derive(), options)


def test_the_general_neuron_justifies_each_local_derivative_in_bishops_letters() -> None:
    text = _general("bishop")  # seed 003: a_j = Σ_i w_ji z_i, z_j = h(a_j), δ_j = ∂E_n/∂a_j
    assert r"\text{multivariable chain rule}" in text
    # ∂a_k/∂z_j = w_kj, since a_k = Σ_j w_kj z_j; then h'(a_j), since z_j = h(a_j)
    assert (r"\sum_{k=1}^{m} \delta^{(l+1)}_{k}\,w^{(l+1)}_{kj}\,\frac{\partial z^{(l)}_{j}}"
            r"{\partial a^{(l)}_{j}} \qquad \text{since}\ a^{(l+1)}_{k} = \sum_{q=1}^{n_{l}} w^{(l+1)}_{kq} "
            r"z^{(l)}_{q}") in text  # q: never j, nor m (layer l+1's count) nor r (the target)
    assert r"\text{since}\ z^{(l)}_{j} = h(a^{(l)}_{j})" in text
    assert r"h'(a^{(l)}_{j})\,\sum_{k=1}^{m} \delta^{(l+1)}_{k}\,w^{(l+1)}_{kj}" in text  # δ_k w_kj
    # for this network, as seed 003's "original example": δ_y from the loss differentiated at y = σ(a), then
    # σ(a) - r, then y - r; δ_j with h = σ and the one output neuron written out, then σ' = σ(1 - σ), then z_j(1 - z_j),
    # in this network's own layers, 2 and 1, the rule's l and its letters said; the one output neuron is 1, its j
    # the hidden neurons' (as the seed's a_y = Σ_j v_j z_j)
    # (the output neuron's chain rule and local derivative there first: seed 003 argues it only in its example)
    assert (r"\delta^{(2)}_{1} &= \frac{\partial E_n}{\partial a^{(2)}_{1}} = \frac{\partial E_n}{\partial y_{1}}\,"
            r"\frac{\partial y_{1}}{\partial a^{(2)}_{1}} \qquad \text{definition};\ \text{chain rule} \\" "\n"
            r"   &= \frac{\partial E_n}{\partial y_{1}}\,\sigma'(a^{(2)}_{1}) \qquad \text{since}\ y_{1} = "
            r"\sigma(a^{(2)}_{1}) \\" "\n"
            r"   &= \left(- \frac{r_{1}}{\sigma(a^{(2)}_{1})} + \frac{1 - r_{1}}{1 - \sigma(a^{(2)}_{1})}"
            r"\right)\,\sigma(a^{(2)}_{1})\,(1 - \sigma(a^{(2)}_{1}))") in text
    assert (r"&= \sigma(a^{(2)}_{1}) - r_{1} \qquad \text{simplify} \\" "\n"
            r"   &= y_{1} - r_{1} \qquad \text{since}\ y_{1} = \sigma(a^{(2)}_{1})") in text
    assert r"\delta^{(2)}_{j}" not in text and r"\delta^{(L)}_{j}" not in text and "y_{j}" not in text
    assert "For the output neuron" not in text  # (its error term once, with one name: δ^(2)_1, not also δ^(L)_1)
    # the rule by its number, (2), with this network's letters: seed 003's δ_j = σ'(a_j) δ_y v_j
    assert (r"\delta^{(1)}_{j} &= \sigma'(a^{(1)}_{j})\,\delta^{(2)}_{1}\,w^{(2)}_{1j} \qquad "
            r"\text{by (2), with }l = 1,\ h = \sigma,\ m = 1 \\") in text  # (so k = 1: w^(l+1)_1j is w^(2)_1j)
    assert r"\text{since}\ \sigma'(a) = \sigma(a)\,(1 - \sigma(a))" in text
    assert (r"&= z^{(1)}_{j} (1 - z^{(1)}_{j})\,\delta^{(2)}_{1}\,w^{(2)}_{1j} "
            r"\qquad \text{since}\ z^{(1)}_{j} = \sigma(a^{(1)}_{j})") in text
    # ∂E/∂w_ji as seed 003 tells it: the chain rule; δ_j named; ∂a_j/∂w_ji worked out on its own; so δ_j z_i, (1)
    assert (r"The first factor is called" "\n\n$$\n\\begin{aligned}\n"
            r"  \delta^{(l)}_{j} &= \frac{\partial E_n}{\partial a^{(l)}_{j}}") in text
    assert (r"and the second is just $z^{(l-1)}_{i}$, since" "\n\n$$\n\\begin{aligned}\n"
            r"  \frac{\partial a^{(l)}_{j}}{\partial w^{(l)}_{ji}} &= \frac{\partial}{\partial w^{(l)}_{ji}} "
            r"\sum_{q=1}^{n_{l-1}} w^{(l)}_{jq} z^{(l-1)}_{q} = z^{(l-1)}_{i}") in text
    assert (r"\frac{\partial E_n}{\partial w^{(l)}_{ji}} &= \delta^{(l)}_{j}\,z^{(l-1)}_{i}" "\n"
            r"\end{aligned} \tag{1}") in text


def test_the_sum_over_the_next_layer_stays_when_it_has_one_neuron() -> None:
    text = _general("bishop")  # 3-3-1: the output layer has one neuron, the seed still writes Σ_k
    assert text.count(r"\sum_{k=1}^{m}") >= 4


def test_input_major_argues_with_g_ell_and_its_layer_letters() -> None:
    text = _general("input-major")  # seed 001: δ_j^(L) = ∂c/∂a_j^(L) g_L'(z_j^(L))
    assert r"\frac{\partial c}{\partial a_{j}^{(L)}}\,g_{L}'(z_{j}^{(L)})" in text
    assert r"a_{j}^{(L)} = g_{L}(z_{j}^{(L)})" in text
    assert r"\delta_{i}^{(\ell)}\,a_{j}^{(\ell-1)}" not in text  # W_ij from i to j: ∂c/∂W_ij = a_i δ_j
    assert r"\frac{\partial c}{\partial W_{ij}^{(\ell)}}" in text


@pytest.mark.parametrize(("preset", "title"), [("nielsen", "Nielsen's notation"), ("ng", "Ng's notation"),
                                               ("goodfellow", "Goodfellow's notation"),
                                               ("bishop", "Bishop's notation"),
                                               ("input-major", "the input-major notation")])
def test_presets_are_named_as_their_authors_write_them(preset: str, title: str) -> None:
    text = render_markdown(Network([2, 2, 1]).derive(), DocumentOptions(notation=preset, formats=("md",)))
    assert f"; {title}.*" in text  # the subtitle
    # titled as the seeds title theirs; the line under it names the network (the title no longer says it twice)
    assert text.startswith("# Backpropagation\n\n*A 2-2-1 network, ")
    # the set-up does not name them again, but what the subtitle does not say; a homework (input-major's default)
    # states its own set-up; seed 003's page opens as the seed does, "consider the following network, with inputs
    # x_1, ...", its subtitle the notation
    said = {"input-major": "", "bishop": "Consider the following 2-2-1 network, with inputs $x_{1}, x_{2}$ and a "
                                         "bias per neuron (not drawn):"}.get(
        preset, "## Set-up\n\nThe goal of backpropagation is")  # nielsen's: the goal, then the network
    said = {"ng": "## Set-up\n\nThe network has a bias per neuron.",  # its L where the derivation begins
            "goodfellow": "Each neuron of a hidden or the output layer has a bias and two parts"}.get(preset, said)
    assert not said or said in text
    assert f"We derive backpropagation in {title}" not in text
    # without the subtitle (a title given, or a fragment) the set-up says what the network is
    for given in (dict(title="Backpropagation"), dict(fragment=True)):
        alone = render_markdown(Network([2, 2, 1]).derive(), DocumentOptions(notation=preset, formats=("md",),
                                                                             **given))  # type: ignore[arg-type]
        assert preset in ("input-major", "bishop") or f"We derive backpropagation in {title} for a 2-2-1" in alone


def test_bishops_gradient_descent_updates_each_weight_as_seed_003() -> None:
    text = render_markdown(_seed("bishop").derive(), DocumentOptions(notation="bishop", formats=("md",)))
    assert "## Gradient descent" not in text  # seed 003's page is one body, without headings
    algorithm = text[text.index("The backpropagation algorithm is formulated as follows"):]
    assert "For $t = 1$ to the number of epochs:" in algorithm  # Bishop's E_n: n is the example, so epochs t
    # as seed 003's algorithm, for any network: the output errors by their definition, δ_o = ∂E/∂a_o
    assert (r"output errors, for every output neuron $j$: $\delta^{(L)}_{j} = "
            r"\frac{\partial E_n}{\partial a^{(L)}_{j}}$;") in algorithm
    assert r"$\Delta w^{(l)}_{ji} \leftarrow \delta^{(l)}_{j} z^{(l-1)}_{i}$" in algorithm
    assert r"$w^{(l)}_{ji} \leftarrow w^{(l)}_{ji} - \eta_t\, \Delta w^{(l)}_{ji}$" in algorithm


def test_continuation_lines_of_the_pseudo_code_are_not_numbered() -> None:
    derivation = Network([2, 3, 2]).derive()
    document = build_document(derivation, DocumentOptions(sections="sgd"))
    (algorithm,) = [b.algorithm for b in document.sections[-1].blocks if b.kind == "algorithm"]
    numbers = [line.number for line in algorithm]
    assert numbers == [1, 2, 3, 4, 5, 6, 7, 0, 0]  # "and b <- ...", "with learning rate ..." continue line 7
    assert algorithm[-1].text == r"with learning rate $\eta > 0$."
    text = render_markdown(derivation, DocumentOptions(sections="sgd", formats=("md",)))
    assert "8." not in text and "7. " in text
    # in Markdown each continuation is a line of its own under line 7, not run on into it: the line before ends
    # in a hard break
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("7. "))
    assert [line.endswith("\\") for line in lines[at:at + 3]] == [True, True, False]
    assert lines[at + 2].endswith(r"with learning rate $\eta > 0$.") and not lines[at + 2][:1].isdigit()


@pytest.mark.parametrize(("count", "written", "stepped"), [(1, "1", "1"), (2, "1, 2", "1(1)2"), (3, "1, 2, 3", "1(1)3"),
                                                           (4, r"1, \ldots, 4", "1(1)4")])
def test_a_layers_neurons_are_never_written_1_dots_2(count: int, written: str, stepped: str) -> None:
    """Written out up to three, never ``1, ..., 2``; seed 002 writes every range first(step)last, ``1(1)p``."""
    from symbackprop.notation.written import neuron_values

    assert neuron_values(count) == written
    assert neuron_values(count, stepped=True) == stepped


def test_a_network_without_biases_has_no_section_called_weights_and_biases() -> None:
    derivation = Network([2, 2, 2], bias="none").derive()
    titles = [s.title for s in build_document(derivation, DocumentOptions(sections="element")).sections[1].subsections]
    assert "Weights" in titles and "Weights and biases" not in titles


def test_the_forward_pass_states_the_parameters_sizes_and_the_batch_the_inputs() -> None:
    derivation = Network([3, 3, 2]).derive()  # seed 002: W_i in R^{n_i x n_(i-1)}, b_i in R^{n_i}, X in R^{n x m}
    text = render_markdown(derivation, DocumentOptions(notation="goodfellow", sections="forward,batch",
                                                       formats=("md",)))
    assert (r"The parameters: $W_{1} \in \mathbb{R}^{3 \times 3}$, $\underline{b}_{1} \in \mathbb{R}^{3}$, "
            r"$W_{2} \in \mathbb{R}^{2 \times 3}$, $\underline{b}_{2} \in \mathbb{R}^{2}$.") in text
    assert r"the input matrix $X \in \mathbb{R}^{n \times m}$, $n = 3$ features each." in text  # seed 002's n
    nielsen = render_markdown(derivation, DocumentOptions(notation="nielsen", sections="batch", formats=("md",)))
    assert r"the input matrix $X \in \mathbb{R}^{3 \times m}$." in nielsen  # a batch layer by layer: its own sizes
    transposed = render_markdown(derivation, DocumentOptions(notation="input-major", sections="forward",
                                                             formats=("md",)))
    assert r"$W^{(2)} \in \mathbb{R}^{3 \times 2}$" in transposed  # W_ij from i to j: n_(l-1) x n_l


def test_bishop_argues_in_seed_003s_order_weight_then_delta_rule_then_the_example() -> None:
    text = _general("bishop")
    weight, hidden = (text.index(s) for s in ("A weight reaches", "Now let neuron $j$ be in a hidden layer"))
    assert weight < hidden
    # the output neuron's error term is the example's alone, as in seed 003: not argued twice
    assert "For the output neuron" not in text
    # L said to be the output layer, with its number, where it is first used
    assert text.index("(so $l < L$, where $L = 2$ is the output layer)") == hidden + len(
        "Now let neuron $j$ be in a hidden layer $l$ ")
    assert "(L)" not in text[:hidden]  # where it is first used
    nielsen = _general("nielsen", layers=[2, 3, 2])
    assert nielsen.index("of the output layer $L$, by the chain rule") < nielsen.index("Now take a hidden layer") < \
        nielsen.index("A weight reaches")


def test_bishop_single_writes_seed_003s_own_page() -> None:
    """Seed 003 in its letters: no layer marks, the output's weights v_j, a_y, y, δ_y, E_ℓ and r^ℓ; its dynamics
    neuron by neuron with σ named; δ_j = σ'(a_j) v_j δ_y = σ(a_j)(1 - σ(a_j)) v_j δ_y = z_j(1 - z_j) v_j δ_y."""
    text = render_markdown(_seed("bishop-single").derive(), DocumentOptions(notation="bishop-single", formats=("md",)))
    for line in (r"a_{j} &= \sum_{i=1}^{3} w_{ji} x_{i}", r"z_{j} &= \sigma(a_{j})",
                 r"a_{y} &= \sum_{j=1}^{3} v_{j} z_{j}", r"y &= \sigma(a_{y})",
                 r"E_{\ell} &= - r^{\ell} \log{(y)} - (1 - r^{\ell}) \log{(1 - y)}",
                 r"\frac{\partial E_{\ell}}{\partial w_{ji}} &= \frac{\partial E_{\ell}}{\partial a_{j}}",
                 r"\frac{\partial a_{j}}{\partial w_{ji}} &= \frac{\partial}{\partial w_{ji}} \sum_{q=1}^{n_{l-1}} "
                 r"w_{jq} z_{q} = z_{i}", r"\frac{\partial E_{\ell}}{\partial w_{ji}} &= \delta_{j}\,z_{i}",
                 r"&= h'(a_{j})\,\sum_{k=1}^{m} \delta_{k}\,w_{kj}",
                 r"\delta_{y} &= \frac{\partial E_{\ell}}{\partial a_{y}}",
                 r"&= \sigma(a_{y}) - r^{\ell} \qquad \text{simplify}",
                 r"\delta_{j} &= \sigma'(a_{j})\,\delta_{y}\,v_{j}", r"&= z_{j} (1 - z_{j})\,\delta_{y}\,v_{j}",
                 # the rule's w_kj and δ_k, for the one output neuron: v_j and δ_y
                 r"\text{by (2), with }h = \sigma,\ m = 1,\ w_{1j} = v_{j},\ \delta_{1} = \delta_{y}",
                 # the output's v_j in the same loop, as the seed's w holds them, each update beside w_ji's
                 r"for every weight $w_{ji}$ and every output weight $v_{j}$:",
                 r"$\Delta w_{ji} \leftarrow \delta_{j} z_{i}$ and $\Delta v_{j} \leftarrow \delta_{y} z_{j}$",
                 r"$w_{ji} \leftarrow w_{ji} - \eta_n\, \Delta w_{ji}$ and $v_{j} \leftarrow v_{j} - \eta_n\, "
                 r"\Delta v_{j}$",
                 r"for each training example $(\mathbf{x}^{\ell}, r^{\ell}) \in \mathcal{D}$",  # x^ℓ as r^ℓ
                 r"compute every weighted input $a_{j}$ and activation $z_{j}$",  # "the a_j and z_j values"
                 # its δ rule, as the seed's first line: defined, then the generalised chain rule through a_k, then
                 # ∂a_k/∂a_j by the chain rule
                 r"\delta_{j} &= \frac{\partial E_{\ell}}{\partial a_{j}} = \sum_{k=1}^{m} \frac{\partial "
                 r"E_{\ell}}{\partial a_{k}}\,\frac{\partial a_{k}}{\partial a_{j}} \qquad \text{definition};\ "
                 r"\text{multivariable chain rule}",
                 r"&= \sum_{k=1}^{m} \delta_{k}\,\frac{\partial a_{k}}{\partial a_{j}} \qquad \text{where }",
                 r"&= \sum_{k=1}^{m} \delta_{k}\,\frac{\partial a_{k}}{\partial z_{j}}\,"
                 r"\frac{\partial z_{j}}{\partial a_{j}} \qquad \text{chain rule}",
                 # its goal, general neuron and strategy before the first argument; after (1), the two quantities
                 r"Gradient descent needs $\frac{\partial E_{\ell}}{\partial w_{ji}}$ for every weight. For this, "
                 r"consider a general neuron $j$", r"a_{j} &= \sum_{i=1}^{n_{l-1}} w_{ji} z_{i}", r"z_{j} &= h(a_{j})",
                 "The plan is to write the gradient as the product of two quantities, each quick to compute.",
                 r"Here $z_{i}$ is known from the forward pass; for $\delta_{j}$ a rule is derived next.",
                 # its loops: for n = 1 to num epochs, for all x^ℓ ∈ D
                 "For $n = 1$ to the number of epochs:", r"$(\mathbf{x}^{\ell}, r^{\ell}) \in \mathcal{D}$",
                 # the algorithm for any network, as the seed's: δ_o = ∂E/∂a_o, then the general rule
                 r"output error: $\delta_{y} = \frac{\partial E_{\ell}}{\partial a_{y}}$;",
                 r"$\delta_{j} = h'(a_{j})\,\sum_{k=1}^{m} \delta_{k}\,w_{kj}$;",
                 # layer l+1 set up before the GCR is used: its neurons' outputs z_k (never the output's y), E = f(a_k),
                 # m of them, as the seed counts them (said with n_l, before the first sum)
                 r"the neurons $z_{1}, \ldots, z_{k}, \ldots, z_{m}$ of layer $l+1$ take its output",
                 r"$E_{\ell} = f(a_{1}, \ldots, a_{k}, \ldots, a_{m})$",
                 r"($n_{l}$ is the number of neurons of layer $l$, $m$ that of layer $l+1$)",
                 r"with $\sigma(x) = \frac{1}{1 + e^{- x}}$."):
        assert line in text, line
    assert "^{(" not in text and r"\mathbf{W}^" not in text  # no layer marks anywhere
    # the general argument keeps the letters of a neuron and the next layer's: δ_k w_kj, never the output's
    assert r"\sum_{k=1}^{m} \delta_{k}\,w_{kj}\,h'(a_{j})" in text


@pytest.mark.parametrize("spec", ["3-3-2", "2-3-3-1", "3-1"])
def test_bishop_single_refuses_other_networks_in_one_line(spec: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(capsys, "derive", spec, "--notation", "bishop-single", "--out", str(tmp_path / "d"))
    assert status != 0 and out == "" and one_line(err)
    assert "one hidden layer and one output neuron" in err and "use --notation bishop" in err
    assert not (tmp_path / "d").exists()
    with pytest.raises(SymbackpropError, match="one hidden layer and one output neuron"):
        build_document(Network.from_spec("3-3-2").derive(forms=()), DocumentOptions(notation="bishop-single"))


def test_goodfellow_argues_as_seed_002() -> None:
    """Seed 002's route: the nested model; softmax with sparse cross-entropy through ŷ_ℓ alone by the quotient rule
    and the indicator to -(1_{ℓ=i} - ŷ_i); ∂L/∂h along every path, then ∂L/∂a = ∂L/∂h g'(a); each stacked."""
    text = render_markdown(_seed("goodfellow").derive(), DocumentOptions(notation="goodfellow", formats=("md",)))
    for line in (
        r"\underline{\hat{y}} &= O(W_{3} g(W_{2} g(W_{1} \underline{x} + \underline{b}_{1}) + \underline{b}_{2}) "
        r"+ \underline{b}_{3})",
        # the seed's two cases, then one formula with the indicator
        r"&= \begin{cases} - \frac{1}{\hat{y}_{\ell}} & \text{for}\: \ell = i \\0 & \text{otherwise} \end{cases} "
        r"\qquad \text{only } \hat{y}_{\ell} \text{ appears in the loss}",
        r"&= - \frac{\mathbb{1}_{\ell=i}}{\hat{y}_{\ell}} \qquad \text{both cases, with the indicator}",
        r"\text{chain rule, since}\ \mathcal{L}(\theta) = - \log{(\hat{y}_{\ell})}",
        # the seed's -1/ŷ_ℓ ∂ŷ_ℓ/∂a_Li first, then ŷ_ℓ written out as the softmax
        r"&= - \frac{1}{\hat{y}_{\ell}}\,\frac{\partial \hat{y}_{\ell}}{\partial a_{Li}} \qquad \frac{d}{du} (-\log u) "
        r"= -\frac{1}{u}",
        # the seed's ∂/∂a_Li softmax(a_L)_ℓ, then the softmax written out, and its limit p
        r"&= - \frac{1}{\hat{y}_{\ell}}\,\frac{\partial}{\partial a_{Li}} \operatorname{softmax}(\underline{a}_{L})"
        r"_{\ell} \qquad \text{since}\ \hat{y}_{\ell} = \operatorname{softmax}(\underline{a}_{L})_{\ell} \\",
        r"\qquad \text{since}\ \operatorname{softmax}(\underline{a}_{L})_{\ell} = "
        r"\frac{e^{a_{L\ell}}}{\sum_{i'=1}^{p} e^{a_{Li'}}}",  # the seed's i'
        r"\text{quotient rule}", r"\mathbb{1}_{\ell=i}\,e^{a_{L\ell}}",
        r"&= - (\mathbb{1}_{\ell=i} - \hat{y}_{i}) \qquad \text{simplify}",
        # the seed's recap before the vector: "So far we have derived ... ∂L/∂a_Li = -(1_{ℓ=i} - ŷ_i)"
        r"So far, for one neuron $i$: $\frac{\partial \mathcal{L}(\theta)}{\partial a_{Li}} = - (\mathbb{1}_{\ell=i} - "
        r"\hat{y}_{i})$. For the whole layer, one entry per neuron $i$:",
        r"\nabla_{\underline{\hat{y}}} \mathcal{L}(\theta) &= \begin{bmatrix}\frac{\partial \mathcal{L}(\theta)}"
        r"{\partial \hat{y}_{1}} \\[8pt] \frac{\partial \mathcal{L}(\theta)}{\partial \hat{y}_{2}} \\[8pt] \vdots "
        r"\\[8pt] \frac{\partial \mathcal{L}(\theta)}{\partial \hat{y}_{p}}\end{bmatrix}",
        # the seed's -1/ŷ_ℓ taken out of the indicators, then e_ℓ
        r"&= - \frac{1}{\hat{y}_{\ell}} \begin{bmatrix}\mathbb{1}_{\ell=1} \\ \mathbb{1}_{\ell=2} \\ \vdots \\ "
        r"\mathbb{1}_{\ell=p}\end{bmatrix} \qquad \text{common factor} \\",
        r"&= - \frac{1}{\hat{y}_{\ell}} \underline{e}_{\ell} \qquad \text{as one vector: the indicators, one of "
        r"them 1, make the one-hot label}",
        r"\nabla_{\underline{a}_{L}} \mathcal{L}(\theta) &= \begin{bmatrix}",
        r"&= - (\underline{e}_{\ell} - \underline{\hat{y}}) \qquad \text{as vectors: the one-hot label, and the "
        r"outputs}",  # (the indicators said once)
        r"\sum_{m=1}^{n_{i+1}} \frac{\partial \mathcal{L}(\theta)}{\partial a_{i+1,m}}\,W_{i+1,m,1} \\[8pt]",
        r"\frac{\partial \mathcal{L}(\theta)}{\partial h_{ij}} &= \sum_{m=1}^{n_{i+1}} \frac{\partial "
        r"\mathcal{L}(\theta)}{\partial a_{i+1,m}}\,\frac{\partial a_{i+1,m}}{\partial h_{ij}}",
        # the definition's own index, not n, the letter of the limits, nor q, the multi-path rule's
        r"\text{since}\ a_{i+1,m} = \sum_{r=1}^{n_{i}} W_{i+1,m,r} h_{ir} + b_{i+1,m}",
        # the seed's identity, the sum as the product of the two vectors
        r"\frac{\partial \mathcal{L}(\theta)}{\partial h_{ij}} &= \sum_{m=1}^{n_{i+1}} \frac{\partial "
        r"\mathcal{L}(\theta)}{\partial a_{i+1,m}}\,W_{i+1,m,j} = (W_{i+1,\cdot,j})^{\top} "
        r"\nabla_{\underline{a}_{i+1}} \mathcal{L}(\theta)",
        r"&= \begin{bmatrix}(W_{i+1,\cdot,1})^{\top} \nabla_{\underline{a}_{i+1}} \mathcal{L}(\theta) \\ ",
        r"\text{entry by entry, a column of the weights times the vector}",
        r"&= W_{i+1}^{\top} \nabla_{\underline{a}_{i+1}} \mathcal{L}(\theta) \qquad "
        r"\text{the columns, transposed, are the rows of the transpose}",
        r"&= \frac{\partial \mathcal{L}(\theta)}{\partial h_{ij}}\,g'(a_{ij}) \qquad \text{since}\ h_{ij} = g(a_{ij})",
        r"&= \nabla_{\underline{h}_{k}} \mathcal{L}(\theta) \odot g'(\underline{a}_{k})",
        # a weight's vectors are written out for a square layer k, of any size n, then as the seed's W_k ∈ R^{3 x 3}
        r"Every weight of a layer $k$ at once, for a square $W_{k} \in "
        r"\mathbb{R}^{n \times n}$ (a matrix of any other shape goes the same way), makes one matrix:",
        r"A small example, $n = 3$, to see what each entry is:",
        r"&= \nabla_{\underline{a}_{k}} \mathcal{L}(\theta) \underline{h}_{k-1}^{\top}",
        # the seed's "recall that a_{i+1} = ..., therefore ∂a_ki/∂W_kij = h_{k-1,j}", before the weight's chain
        r"Recall that $a_{ki} = \sum_{m=1}^{n_{k-1}} W_{kim} h_{k-1,m} + b_{ki}$, so $\frac{\partial a_{ki}}"
        r"{\partial W_{kij}} = h_{k-1,j}$.",
    ):
        assert line in text, line
    assert r"\text{definition of } \delta" not in text  # goodfellow has no δ: the line would repeat the one before


def test_nielsen_derives_each_equation_once_for_a_general_layer_as_seed_004() -> None:
    """BP1 for L, BP2 for l from l+1, BP3, BP4 for l, in that order, each after its goal; no concrete layer."""
    text = render_markdown(_seed("nielsen").derive(), DocumentOptions(notation="nielsen", formats=("md",)))
    vector = text[text.index("## Derivation of the equations"):]
    assert "## Summary" not in text  # the seed has none: each equation is stated as its derivation's goal
    # nor a batch: m is only BP4's index of summation, z_j = Σ_m w_jm a_m + b_j, as the seed's
    assert "| $C$ | cost of an example |" in text and "$m$ examples" not in text
    # the notation table as the seed's conventions: a whole layer's quantities only, in the seed's order
    table = text[text.index("| Symbol | Meaning |"):text.index("## Derivation of the equations")]
    rows = [row.split(" | ")[0].lstrip("| ") for row in table.splitlines()[2:] if row.startswith("|")]
    # (⊙ before σ', as the seed lists them); the cost and its gradient, which the seed leaves to its text, last
    assert rows == ["$a^{l}$", "$z^{l}$", "$W^{l}$", "$b^{l}$", r"$\delta^{l}$", r"$\odot$", r"$\sigma'(z^{l})$",
                    "$C$", r"$\nabla_{a^{l}} C$"], rows
    assert r"where $z^{l} = W^{l} a^{l-1} + b^{l}$" in table and "target" not in table
    # each under its own heading, as the seed's "BP1: Error at the Output Layer", its goal first
    goals = ["### BP1: Error at the output layer\n\n"
             r"Goal: $\delta^{L} = \nabla_{a^{L}} C \odot \sigma'(z^{L})$",
             "### BP2: Propagating the error to hidden layers\n\n"
             r"Goal: $\delta^{l} = ((W^{l+1})^{\top} \delta^{l+1}) \odot \sigma'(z^{l})$",
             "### BP3: Gradient for the biases\n\n"
             r"Goal: $\frac{\partial C}{\partial b^{l}} = \delta^{l}$",
             "### BP4: Gradient for the weights\n\n"
             r"Goal: $\frac{\partial C}{\partial W^{l}} = \delta^{l} (a^{l-1})^{\top}$"]
    assert [vector.index(goal) for goal in goals] == sorted(vector.index(goal) for goal in goals)
    # then, as the seed's, "Derivation Steps:" before the named steps, under every goal
    assert [vector.index(f"{goal}.\n\nDerivation steps:\n\n*") for goal in goals] == [vector.index(g) for g in goals]
    assert vector.count("Derivation steps:") == 4
    assert (r"&= \operatorname{diag}(\sigma'(z^{l})) (W^{l+1})^{\top} \delta^{l+1} "
            r"\qquad (AB)^{\top} = B^{\top} A^{\top}") in vector
    assert "^{1}" not in vector and "^{2}" not in vector  # layers only as L, l, l+1, l-1
    assert ("The goal of backpropagation is to calculate the partial derivatives of the cost $C$ with respect to "
            "every weight and bias. The network has") in text  # as seed 004 opens; the network, then the table
    assert ("For a clean derivation by matrix calculus, with whole layers, we adopt the conventions of the notation "
            "table.\n\n### Notation") in text
    # the conventions define the error vector, δ^l ≡ ∂C/∂z^l, as seed 004's do
    assert r"error vector of layer $l$, defined as $\delta^{l} \equiv \frac{\partial C}{\partial z^{l}}$" in text
    # as the seed's steps: the chain rule (δ^{l+1} put in), then the Jacobian it needs, then the rest with it
    # substituted back, each BP in turn; the diagonal Jacobian entry by entry, as the seed writes it
    # (the definition and the chain rule on one line, as the seed's δ^L = ∂C/∂z^L = (∂a^L/∂z^L)ᵀ ∂C/∂a^L)
    order = [r"\delta^{L} &= \frac{\partial C}{\partial z^{L}} = "
             r"\left(\frac{\partial a^{L}}{\partial z^{L}}\right)^{\top} "
             r"\frac{\partial C}{\partial a^{L}} \qquad \text{definition};\ \text{chain rule}" "\n",
             "*Compute the Jacobian.*", r"\frac{\partial a^{L}}{\partial z^{L}} &= "
             r"\operatorname{diag}(\sigma'(z^{L}_{1}), \ldots, \sigma'(z^{L}_{n_{L}}))" "\n",
             "*Result.* Substitute it back",
             r"\delta^{L} &= \operatorname{diag}(\sigma'(z^{L}_{1}), \ldots, \sigma'(z^{L}_{n_{L}})) \nabla_{a^{L}} C",
             r"&= \left(\frac{\partial z^{l+1}}{\partial z^{l}}\right)^{\top} \delta^{l+1} \qquad "
             r"\text{definition of } \delta", "Differentiate the linear transformation", "Substitute it back",
             r"\delta^{l} &= (W^{l+1} \operatorname{diag}(\sigma'(z^{l})))^{\top} \delta^{l+1} \qquad "
             r"\text{by the step before}", r"(AB)^{\top} = B^{\top} A^{\top}", "Compute the local gradient",
             "*Conclusion.* Substitute it back:", r"\frac{\partial C}{\partial b^{l}} &= I^{\top} \delta^{l}",
             # BP4's single weight: the chain rule through z_j, and ∂C/∂z_j named δ_j, both said
             r"= \delta^{l}_{j} \frac{\partial z^{l}_{j}}{\partial w^{l}_{jk}} \qquad "
             r"\text{chain rule; definition of } \delta"]
    at = 0
    for piece in order:
        at = vector.index(piece, at)
    assert vector.count(r"\delta^{L} &= \frac{\partial C}{\partial z^{L}}") == 1  # defined once, not again after


def test_input_major_is_seed_001s_homework_each_part_with_its_solution() -> None:
    """The set-up (a_j = g_ℓ(z_j), z_j = Σ_i W_ij a_i + b_j, C the mean of c, δ defined), then (a) and (b): each
    what to show, then "Solution." and the argument, this network's activation named as it is (tanh, not σ)."""
    text = render_markdown(_seed("input-major").derive(), DocumentOptions(notation="input-major", formats=("md",)))
    order = ["## Problem", "its layers run from $0$, the input, to $L = 2$.",  # the L of (a), for this network
             r"a_{j}^{(\ell)} &= g_{\ell}(z_{j}^{(\ell)})", "(non-linear) activation function",
             r"$n_{\ell}$ is the number of neurons of layer $\ell$",
             r"C &= \frac{1}{|\mathcal{D}|} \sum_{\mathbf{x} \in \mathcal{D}} c(\mathbf{x})",
             "### (a) The error terms", "Show that the error term",
             "*Solution.* For a neuron $j$ of the output layer $L$, by the chain rule through its activation:",
             # as seed 001: the chain rule; "by definition a = g_L(z) ⇒ ∂a/∂z = g_L'(z)"; "⇒ δ = ∂c/∂a g_L'(z)"
             r"\frac{\partial a_{j}^{(L)}}{\partial z_{j}^{(L)}} \qquad \text{definition};\ \text{chain rule}" "\n"
             r"\end{aligned}",
             r"By definition, $a_{j}^{(L)} = g_{L}(z_{j}^{(L)})$, so $\frac{\partial a_{j}^{(L)}}{\partial "
             r"z_{j}^{(L)}} = g_{L}'(z_{j}^{(L)})$, and therefore" "\n\n$$\n\\begin{aligned}\n"
             r"  \delta_{j}^{(L)} &= \frac{\partial c}{\partial a_{j}^{(L)}}\,g_{L}'(z_{j}^{(L)})" "\n",  # displayed
             # as seed 001: ∂c/∂a_j through every neuron of the next layer first, for layer L-1, then for every
             # hidden layer; then δ_j through the activation
             "Observe now layer $L-1$.",
             # the seed's three factors through layer L's activation, then two, each sum's factors from the weight
             # up, as the seed writes them
             r"\frac{\partial c}{\partial a_{j}^{(L-1)}} &= \sum_{k=1}^{n_{L}} "
             r"\frac{\partial z_{k}^{(L)}}{\partial a_{j}^{(L-1)}}\,"
             r"\frac{\partial a_{k}^{(L)}}{\partial z_{k}^{(L)}}\,\frac{\partial c}{\partial a_{k}^{(L)}}",
             r"&= \sum_{k=1}^{n_{L}} \frac{\partial z_{k}^{(L)}}{\partial a_{j}^{(L-1)}}\,"
             r"\frac{\partial c}{\partial z_{k}^{(L)}}",
             r"&= \sum_{k=1}^{n_{L}} W_{jk}^{(L)} \delta_{k}^{(L)} \qquad \text{where }",
             "layer $L-2$ (in a deeper network) goes the same way with $L-1$ in place of $L$",
             r"\frac{\partial c}{\partial a_{j}^{(\ell)}} &= \sum_{k=1}^{n_{\ell+1}} "
             r"W_{jk}^{(\ell+1)} \delta_{k}^{(\ell+1)}",
             r"&= \left(\sum_{k=1}^{n_{\ell+1}} W_{jk}^{(\ell+1)} \delta_{k}^{(\ell+1)}\right)\,"
             r"g_{\ell}'(z_{j}^{(\ell)}) \qquad \text{by } {\textstyle \frac{\partial c}{\partial a_{j}^{(\ell)}}} "
             r"\text{ above}",  # ∂c/∂a above put in, in place
             r"\text{here }g_{\ell} = \tanh", "### (b) The gradients", "Show that in every layer",
             # both results on one line, as the seed asks for them
             r"\frac{\partial c}{\partial W_{ij}^{(\ell)}} &= a_{i}^{(\ell-1)} \delta_{j}^{(\ell)}, \qquad "
             r"\frac{\partial c}{\partial b_{j}^{(\ell)}} = \delta_{j}^{(\ell)}", "*Solution.*",
             # the seed's ∂z/∂w · ∂C/∂z = a_i δ_j: the local derivative first, the result as (b) states it
             r"\frac{\partial c}{\partial W_{ij}^{(\ell)}} &= \frac{\partial z_{j}^{(\ell)}}{\partial W_{ij}^{(\ell)}}"
             r"\,\frac{\partial c}{\partial z_{j}^{(\ell)}} \qquad \text{chain rule}",
             r"&= a_{i}^{(\ell-1)} \delta_{j}^{(\ell)} \qquad \text{since}",
             # seed 001's "∂z/∂b = 1 since z = wa + b", after the bias's chain, whose last line has no note of its own
             r"&= \delta_{j}^{(\ell)}" + "\n" + r"\end{aligned}",
             r"In the last step, $\frac{\partial z_{j}^{(\ell)}}{\partial b_{j}^{(\ell)}} = 1$, since "
             r"$z_{j}^{(\ell)} = \sum_{m=1}^{n_{\ell-1}} a_{m}^{(\ell-1)}\,W_{mj}^{(\ell)} + b_{j}^{(\ell)}$.",
             # (b) asks for C's gradients too: the means over the data set, the bias's as well
             r"so each of its derivatives is the mean of theirs: $\frac{\partial C}{\partial W_{ij}^{(\ell)}} = "
             r"\frac{1}{|\mathcal{D}|} \sum_{\mathbf{x} \in \mathcal{D}} a_{i}^{(\ell-1)} \delta_{j}^{(\ell)}$ and "
             r"$\frac{\partial C}{\partial b_{j}^{(\ell)}} = \frac{1}{|\mathcal{D}|} \sum_{\mathbf{x} \in "
             r"\mathcal{D}} \delta_{j}^{(\ell)}$."]
    at = 0
    for piece in order:
        at = text.index(piece, at)
    assert r"g_{\ell} = \sigma" not in text and "## Summary" not in text
    # the hidden layer's local derivative is said once, beside its line ("since a = g(z)"), not again after it
    assert text.count(r"since}\ a_{j}^{(\ell)} = g_{\ell}(z_{j}^{(\ell)})") == 1
    assert r"By definition, $a_{j}^{(\ell)}" not in text


def test_ng_reaches_each_weight_by_its_whole_chain_as_seed_000() -> None:
    """The output layer's weights first, ignoring the bias units' (three factors, then δ_j a_k), then the output
    error terms, then, as the seed does there, that layer's matrix without the bias units' column, through the
    seed's δ^L ⊙ ∂Z/∂W made well typed; one layer down the same matrix, each entry through every output neuron in
    one chain, the output's error terms carried back under a brace named δ^(L-1), "where δ^(L-1) = ...";
    the bias units' weights last, one layer down by a path through each output neuron, and ∂C/∂b; then, as the seed
    ends, the layer below's matrix with its bias units' column."""
    text = render_markdown(_seed("ng").derive(forms=("element", "vector", "paths")),
                           DocumentOptions(notation="ng", formats=("md",)))
    # δ^(L)_j defined before the chains that end in it: as the seed's δ^L, the error terms are counted back from
    # the output layer, where Z^(3) is numbered
    assert "delta^{(3)}" not in text and "delta^{(2)}" not in text
    order = [r"the chain's first two factors make the error term $\delta^{(L)}_{j} = "
             r"\frac{\partial C}{\partial Z^{(3)}_{j}}$ of "
             "output neuron $j$",
             # and its last factor worked out, with the definition it comes from, once for every chain below
             r"and its last is the input the weight multiplies, $\frac{\partial Z^{(3)}_{j}}{\partial w^{(2)}_{jk}} = "
             r"a^{(2)}_{k}$, since $Z^{(3)}_{j} = \sum_{m} w^{(2)}_{jm} a^{(2)}_{m} + w^{(2)}_{j0}$.",
             "ignoring the weights on the bias units for now",
             r"\frac{\partial C}{\partial w^{(2)}_{11}} &= \frac{\partial C}{\partial a^{(3)}_{1}} \cdot "
             r"\frac{\partial a^{(3)}_{1}}{\partial Z^{(3)}_{1}} \cdot \frac{\partial Z^{(3)}_{1}}{\partial "
             r"w^{(2)}_{11}} = \delta^{(L)}_{1} \cdot a^{(2)}_{1} \qquad \text{chain rule};\ "
             r"\text{its factors as above}",
             r"\delta^{(L)}_{1} &= \frac{\partial C}{\partial Z^{(3)}_{1}} = "
             r"\frac{\partial C}{\partial a^{(3)}_{1}} \cdot "
             r"\frac{\partial a^{(3)}_{1}}{\partial Z^{(3)}_{1}} = \frac{\partial C}{\partial a^{(3)}_{1}} \cdot "
             r"\sigma'(Z^{(3)}_{1}) \qquad \text{definition};\ \text{chain rule}",
             # σ' worked out, and said
             r"&= \frac{\partial C}{\partial a^{(3)}_{1}} \cdot a^{(3)}_{1} (1 - a^{(3)}_{1}) \qquad \text{since}\ "
             r"\sigma'(Z^{(3)}_{1}) = a^{(3)}_{1} (1 - a^{(3)}_{1})",
             # then all of them as one vector, as the seed's δ^L ⊙ (BP1)
             r"and likewise for the other output neuron; all at once, $\delta^{(L)} = \frac{\partial C}{\partial "
             r"\mathbf{a}^{(L)}} \odot \sigma'(\mathbf{Z}^{(L)})$.",
             # W̃ said before it is used
             r"In matrix form, the bias units' weights aside ($\tilde{\mathbf{W}}^{(l)}$ is $\mathbf{W}^{(l)}$ "
             "without the bias unit's column):",
             r"\frac{\partial C}{\partial \tilde{\mathbf{W}}^{(2)}} &= \begin{bmatrix}\frac{\partial C}{\partial "
             r"w^{(2)}_{11}} & \frac{\partial C}{\partial w^{(2)}_{12}}",
             # the seed's ∂C/∂a ⊙ ∂a/∂Z ⊙ [∂Z_j/∂w_jk], as rows scaled: diag(...) times the local derivatives, the
             # diagonal matrix braced as diag(δ), then worked out
             r"&= \underbrace{\operatorname{diag}\left(\begin{bmatrix}\frac{\partial C}{\partial a^{(3)}_{1}} \\[8pt] "
             r"\frac{\partial C}{\partial a^{(3)}_{2}}\end{bmatrix} \odot \begin{bmatrix}\frac{\partial a^{(3)}_{1}}"
             r"{\partial Z^{(3)}_{1}}", r"}_{\operatorname{diag}(\delta^{(L)})} \begin{bmatrix}\frac{\partial "
             r"Z^{(3)}_{1}}{\partial w^{(2)}_{11}} & \frac{\partial Z^{(3)}_{1}}{\partial w^{(2)}_{12}}",
             r"\qquad \text{each entry as above; } [u_{r} A_{rs}] = \operatorname{diag}(u)\,A\text{; under the "
             r"brace, definition of } \delta",
             r"&= \operatorname{diag}(\delta^{(L)}) \begin{bmatrix}a^{(2)}_{1} & a^{(2)}_{2} \\[3pt] a^{(2)}_{1} & "
             r"a^{(2)}_{2}\end{bmatrix} \qquad \text{work out the derivatives}",
             r"&= \delta^{(L)} (\mathbf{a}^{(2)})^{\top}",
             # one layer down, as the seed's: δ^(L-1)_j said, the layer's matrix without the bias column in one
             # chain, each entry through every output neuron, the vector under a brace named δ^(L-1), then δ Xᵀ
             r"One layer down, let $\delta^{(L-1)}_{j} = \frac{\partial C}{\partial Z^{(2)}_{j}}$ be the error term "
             "of neuron $j$.",
             # the local derivatives of its chains, each with its definition, through output neuron i
             r"Each weight's chain passes through every output neuron $i$, with $\frac{\partial Z^{(3)}_{i}}{\partial "
             r"a^{(2)}_{j}} = w^{(2)}_{ij}$, since $Z^{(3)}_{i} = \sum_{m} w^{(2)}_{im} a^{(2)}_{m} + w^{(2)}_{i0}$; "
             r"$\frac{\partial a^{(2)}_{j}}{\partial Z^{(2)}_{j}} = \sigma'(Z^{(2)}_{j})$, since $a^{(2)}_{j} = "
             r"\sigma(Z^{(2)}_{j})$; and its last factor is $\frac{\partial Z^{(2)}_{j}}{\partial w^{(1)}_{jk}} = "
             r"X^{(1)}_{k}$, since $Z^{(2)}_{j} = \sum_{m} w^{(1)}_{jm} X^{(1)}_{m} + w^{(1)}_{j0}$.",
             "In matrix form, the bias units' weights aside again:",
             r"\frac{\partial C}{\partial \tilde{\mathbf{W}}^{(1)}} &= \begin{bmatrix}",
             r"&= \operatorname{diag}\left(\begin{bmatrix}\delta^{(L)}_{1} \frac{\partial Z^{(3)}_{1}}{\partial "
             r"a^{(2)}_{1}}", r"\text{chain rule, through every output neuron; definition of } \delta\text{; } "
             r"[u_{r} A_{rs}] = \operatorname{diag}(u)\,A",
             r"&= \operatorname{diag}(\underbrace{((\tilde{\mathbf{W}}^{(2)})^{\top} \delta^{(L)}) \odot "
             r"\sigma'(\mathbf{Z}^{(2)})}_{\delta^{(L-1)}})",
             r"&= \delta^{(L-1)} (\mathbf{X}^{(1)})^{\top}",
             # "where δ^(L-1) = ∂C/∂Z = ...", the vector under the brace
             "where\n\n$$", r"\delta^{(L-1)} &= \frac{\partial C}{\partial \mathbf{Z}^{(2)}} \qquad \text{definition}",
             r"&= ((\tilde{\mathbf{W}}^{(2)})^{\top} \delta^{(L)}) \odot \sigma'(\mathbf{Z}^{(2)}) \qquad "
             r"\text{chain rule, as under the brace above}",  # (the brace's vector, by line 2's chain rule)
             "### The bias units' weights",
             r"For the weights on the bias units, each chain's last factor is the bias unit's 1 ($\frac{\partial "
             r"Z^{(3)}_{j}}{\partial w^{(2)}_{j0}} = 1$, since $Z^{(3)}_{j} = \sum_{m} w^{(2)}_{jm} a^{(2)}_{m} + "
             r"w^{(2)}_{j0}$; $\frac{\partial Z^{(2)}_{j}}{\partial w^{(1)}_{j0}} = 1$, since",
             r"= \delta^{(L)}_{1} \cdot 1 \qquad \text{chain rule};\ \text{its factors as above}",
             # a weight one layer down by a path through each output neuron: the bias unit's, as the seed shows it
             r"\frac{\partial C}{\partial w^{(1)}_{10}} &= \frac{\partial C}{\partial a^{(3)}_{1}}",
             r"& \quad + \frac{\partial C}{\partial a^{(3)}_{2}}",
             r"\right) \frac{\partial a^{(2)}_{1}}{\partial Z^{(2)}_{1}}",  # the factors every path ends in, out
             # seed 000's "Equivalently, ∂C/∂w^(1)_20 = δ^(L-1)_2", from the derivation's own chain for it
             r"and likewise $\frac{\partial C}{\partial w^{(1)}_{20}} = \delta^{(L-1)}_{2} \cdot 1$ for the other "
             "neuron.",
             r"\frac{\partial C}{\partial \mathbf{b}^{(l)}} = \delta^{(l+1)}",
             # then, as the seed ends, the layer below's matrix with the bias column, δ^(L-1) (X̄^(1))ᵀ
             "### In matrix form", "and of the bias units' weights, its first column, combine into one matrix:",
             r"\frac{\partial C}{\partial \mathbf{W}^{(1)}} &= \begin{bmatrix}",
             # as the seed's, through the local derivatives, the bias unit's column among them, worked out to 1
             r"\text{each entry as above; } [u_{r} A_{rs}] = \operatorname{diag}(u)\,A",
             r"\text{work out the derivatives; the bias unit is } 1",
             r"&= \delta^{(L-1)} (\bar{\mathbf{X}}^{(1)})^{\top}",
             r"where $\bar{\mathbf{X}}^{(1)} = \begin{bmatrix}1 & X^{(1)}_{1} & X^{(1)}_{2}\end{bmatrix}^{\top}$."]
    # the bias unit's weight, as the seed's, from the error terms straight to δ^(L-1): the last line says why the
    # bracket times ∂a/∂Z is δ^(L-1)_1, and the 1 it puts in
    assert (r"&= \delta^{(L-1)}_{1} \cdot 1 \\" "\n" r"   &  \qquad \text{chain rule, through every output neuron; "
            r"definition of } \delta\text{; the bias unit is } 1") in text  # too long to stand beside: under it
    assert text.count(r"\frac{\partial C}{\partial \mathbf{W}^{(2)}} &=") == 0  # its bias column: BP3, not again
    assert text.count("without the bias unit's column") == 2  # said where first used, and beside the summary's BP2
    # the bias unit's weight's entry is the body's, ∂C/∂w_j0 = δ_j; the summary has the biases' vector
    assert r"\frac{\partial C}{\partial w^{(l)}_{j0}} &= \delta^{(l+1)}_{j} \qquad \text{BP3}" not in text
    hidden = text[text.index("### Hidden layer"):text.index("### The bias units' weights")]
    # the hidden error terms as one vector inside the weights' chain, as the seed goes: its entries, the sums a row
    # (δ_1 δ_2) times the Jacobian, the derivatives worked out (the weights written out), then the transposed
    # weights times δ^(L), braced
    vector = hidden[hidden.index(r"\frac{\partial C}{\partial \tilde{\mathbf{W}}^{(1)}}"):]
    at = 0
    assert r"\frac{\partial C}{\partial w^{(1)}_{11}} &= \frac{\partial C}" not in text  # the bias unit's shows it
    for piece in (r"\text{chain rule, through every output neuron; definition of } \delta",
                  r"\begin{bmatrix}\delta^{(L)}_{1} & \delta^{(L)}_{2}\end{bmatrix}",
                  r"\text{each sum, a row times a column of the Jacobian}",
                  r"\begin{bmatrix}w^{(2)}_{11} & w^{(2)}_{12} \\[3pt] w^{(2)}_{21} & w^{(2)}_{22}\end{bmatrix}",
                  r"\text{work out the derivatives}",
                  r"\sigma'(\mathbf{Z}^{(2)})}_{\delta^{(L-1)}})",
                  r"(u^{\top} A)^{\top} = A^{\top} u\text{; under the brace, the layer's error terms}"):
        at = vector.index(piece, at)
    # then, boxed, the rule for every hidden layer; the summary says what j and k index, and that BP4 vectorises
    assert (r"& \boxed{\delta^{(l)} = ((\tilde{\mathbf{W}}^{(l)})^{\top} \delta^{(l+1)}) \odot "
            r"\sigma'(\mathbf{Z}^{(l)})} \qquad \text{for } 1 < l < L") in hidden  # the seed's range
    # the summary as the seed's, one aligned block, unboxed: BP1 saying what δ^L is, last; BP2 beside its range and
    # W̃ (under it at the page's edge: too long to stand beside it); BP3, the biases' vector; the weight's entry
    # beside what its indices count; then ⟹ BP4, the vectorised update
    summary = text[text.index("## Summary"):text.index("## Initialisation")]
    assert "\\boxed" not in summary and "\\tag{BP" not in summary
    assert ("## Summary\n\nThe key equations of backpropagation, for one example:\n\n$$\n\\begin{aligned}\n"
            r"  \delta^{(L)} &= \frac{\partial C}{\partial \mathbf{a}^{(L)}} \odot \sigma'(\mathbf{Z}^{(L)}) = "
            r"\frac{\partial C}{\partial \mathbf{Z}^{(L)}} \\" "\n"
            r"  \delta^{(l)} &= ((\tilde{\mathbf{W}}^{(l)})^{\top} \delta^{(l+1)}) \odot \sigma'(\mathbf{Z}^{(l)}) \\"
            "\n"
            r"   &  \qquad \text{for } 1 < l < L\text{, where } \tilde{\mathbf{W}}^{(l)} \text{ is } \mathbf{W}^{(l)} "
            r"\text{ without the bias unit's column} \\" "\n"
            r"  \frac{\partial C}{\partial \mathbf{b}^{(l)}} &= \delta^{(l+1)} \\" "\n"
            r"  \frac{\partial C}{\partial w^{(l)}_{jk}} &= a^{(l)}_{k} \delta^{(l+1)}_{j} \qquad j \text{ indexes a "
            r"neuron of layer } l+1,\ k \text{ one of layer } l \\" "\n"
            r"  \implies \frac{\partial C}{\partial \mathbf{W}^{(l)}} &= "
            r"\delta^{(l+1)} (\bar{\mathbf{a}}^{(l)})^{\top} \qquad \text{the vectorised update}"
            "\n\\end{aligned}\n$$") in summary
    # then what ā and k = 0 are, the layers the gradients hold for, and the batch's mean, as the seed's note
    assert ("\n\nHere $\\bar{\\mathbf{a}}^{(l)}$ is $\\mathbf{a}^{(l)}$ with the bias unit's 1 on top, and $k = 0$ is "
            "the bias unit, $a^{(l)}_{0} = 1$; the gradients' equations hold for every layer, $l = 1, \\ldots, L-1$"
            ) in summary
    at = 0
    for piece in order:
        at = text.index(piece, at)


def test_bishop_names_delta_where_it_first_appears_and_works_the_example_last() -> None:
    """Seed 003: ∂E/∂w_ji = δ_j z_i with δ_j = ∂E/∂a_j named in that argument; the algorithm back-propagates by the
    general rule h'(a_j) Σ_k δ_k w_kj; "for our original example" (δ_y, then δ_j) comes after the algorithm."""
    text = render_markdown(_seed("bishop-single").derive(), DocumentOptions(notation="bishop-single", formats=("md",)))
    assert r"The loss to minimise, that of one example $\ell$ with target $r^{\ell}$, is" in text  # E_ℓ: which one
    order = ["The first factor is called", r"\delta_{j} &= \frac{\partial E_{\ell}}{\partial a_{j}}",
             "The backpropagation algorithm is formulated as follows",
             r"back-propagate, for every hidden neuron $j$: $\delta_{j} = h'(a_{j})\,\sum_{k=1}^{m} \delta_{k}\,"
             r"w_{kj}$",
             "For our original example:",
             r"&= \sigma(a_{y}) - r^{\ell} \qquad \text{simplify}",
             r"&= z_{j} (1 - z_{j})\,\delta_{y}\,v_{j}"]
    at = 0
    for piece in order:
        at = text.index(piece, at)
    assert "## " not in text  # seed 003's page is one body, without headings
    # the seed's equation numbers: (1) ∂E/∂w_ji = δ_j z_i, (2) the rule for δ_j
    assert text.index(r"\tag{1}") < text.index(r"\tag{2}") < text.index("back-propagated, which is where the "
                                                                          "method's name comes from")
    # then, as the seed: "This gives us a rule ... illustrated by the following diagram:" [figure] "In this case ..."
    gives = text.index(r"This gives a rule for the $\delta$ of a layer from those of the layer after it. The "
                       "diagram shows it:")
    assert text.index(r"\tag{2}") < gives < text.index("Figure", gives) < text.index("method's name", gives)
    # the generalised chain rule displayed before it is used, in the seed's three lines (seed 003's GCR)
    assert text.index("Before that, recall the generalised (multivariable) chain rule (GCR):") < text.index(r"\tag{2}")
    assert (r"  y &= f(u_{1}, \ldots, u_{m}) \\" "\n"
            r"  u_{s} &= g_{s}(x_{1}, \ldots, x_{n}) \qquad \text{for } s = 1, \ldots, m \\" "\n"
            r"  \frac{\partial y}{\partial x_{i}} &= \sum_{s=1}^{m} \frac{\partial y}{\partial u_{s}}\,"
            r"\frac{\partial u_{s}}{\partial x_{i}}" "\n") in text
    assert "For $n = 1$ to the number of epochs" in text and r"$\eta_n > 0$" in text  # E_ℓ: n counts epochs
    bishop = render_markdown(_seed("bishop").derive(), DocumentOptions(notation="bishop", formats=("md",)))
    assert "For $t = 1$ to the number of epochs" in bishop and r"$\eta_t > 0$" in bishop  # E_n: n is an example


def test_goodfellow_opens_with_what_backpropagation_is_for_and_bishop_defines_sigma() -> None:
    goodfellow = render_markdown(_seed("goodfellow").derive(), DocumentOptions(notation="goodfellow", formats=("md",)))
    assert "by gradient descent or one of its variants" in goodfellow and "then **backward propagation**" in goodfellow
    bishop = render_markdown(_seed("bishop").derive(), DocumentOptions(notation="bishop", formats=("md",)))
    assert r"with $\sigma(x) = \frac{1}{1 + e^{- x}}$." in bishop  # after its dynamics, as seed 003


def test_goodfellow_shows_seed_002s_thin_network_and_its_five_parts() -> None:
    """Seed 002's 4.1 and 4.2: the thin network's chain for one weight, then the same factors braced by the layer
    each pair asks, a label per hidden layer at any depth; its fundamentals in the seed's numbered order: data,
    model, parameters, learning algorithm, loss."""
    text = render_markdown(_seed("goodfellow").derive(forms=("vector", "batch", "thin")),
                           DocumentOptions(notation="goodfellow", formats=("md",)))
    assert "### A thin network first" in text and "(1-1-1-1, Figure 2)" in text
    assert "each with its class label (a multi-class classification)" in text
    assert ("The quantities of interest are the gradients with respect to the output units, the hidden units, and "
            "the") in text
    assert ("We are almost done, except that the derivatives with respect to the pre-activations of layer $i+1$ are "
            "known so far only where that layer is the output layer. Now, $\\forall i = 1(1)\\overline{L-1}$, those "
            "of layer $i$ come from its outputs") in text  # seed 002's word for a_k, its "we are almost done except
    # ...", and its "Now, ∀ i = 1(1)L-1," before ∂L/∂a_ij
    assert (r"So we ask $W_{L}$, $\underline{b}_{L}$ and $\underline{h}_{L-1}$, one by one" in text)  # intuition
    # seed 002's general case opens with its quantities of interest, not a sentence that says nothing
    assert "What holds for one neuron" not in text
    chain = (r"\frac{\partial \mathcal{L}(\theta)}{\partial \hat{y}_{1}} \frac{\partial \hat{y}_{1}}{\partial a_{31}}"
             r" \frac{\partial a_{31}}{\partial h_{21}}")
    assert chain in text.replace(r"\, ", " ")
    # the intuition's five braces, then one in each of the three parts' road map
    assert text.count(r"\underbrace{") == 5 + 3 and r"\text{ask hidden}\\\text{layer 2}" in text
    parts = ("| data | $m$ examples of $n = 3$ features, the columns of $X \\in \\mathbb{R}^{n \\times m}$, each",
             "| model |", "| parameters | $W_{1}, \\underline{b}_{1}, W_{2}", "| learning algorithm | gradient descent",
             "| loss |")
    assert [text.index(part) for part in parts] == sorted(text.index(part) for part in parts)
    deeper = render_markdown(Network([2, 2, 2, 2, 1]).derive(forms=("thin",)),
                             DocumentOptions(notation="goodfellow", sections="thin", formats=("md",)))
    assert "(1-1-1-1-1, Figure 1)" in deeper and all(rf"\text{{layer {k}}}" in deeper for k in (1, 2, 3))
    assert "thin network" not in render_markdown(_seed("goodfellow").derive(forms=("element", "vector", "thin")),
                                                 DocumentOptions(notation="ng", formats=("md",)))


def test_goodfellow_has_seed_002s_sections_in_its_order() -> None:
    """Seed 002's contents: an introduction, the set-up, its fundamentals, then one section "Back-Propagation" of
    three parts, the thin network's demo, its intuition and the real deal (itself in three parts), the summary in
    two and the appendix; without the general neuron the thin network keeps a section of its own."""
    derivation = _seed("goodfellow").derive(forms=("vector", "batch", "thin"))
    md = render_markdown(derivation, DocumentOptions(notation="goodfellow", formats=("md",)))
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings[1:] == [
        "## Introduction", "## Set-up", "### Notation", "### Forward pass", "### Fundamentals",
        "## Backpropagation", "### A thin network first", "### Intuition", "### The general case",
        "#### Gradients with respect to the output units", "#### Gradients with respect to the hidden units",
        "#### Gradients with respect to the weights and biases", "## Summary", "### For one example",
        "### For the whole batch", "## Appendix", "### Derivatives of the activation functions", "#### ReLU",
        "#### Softmax"]  # as seed 002's "6 Appendix, 6.1 Derivative of Activation Function"
    introduction = md[md.index("## Introduction"):md.index("## Set-up")]
    assert "Backpropagation computes those derivatives" in introduction  # what it is for, before the set-up
    contents = md[md.index("**Contents**"):md.index("## Introduction")]
    assert "  - The general case\n    - Gradients with respect to the output units" in contents
    intuition = md[md.index("### Intuition"):md.index("### The general case")]
    assert "how much of the loss that weight is responsible for" in intuition and intuition.count(r"\underbrace{") == 5
    thin_alone = render_markdown(derivation, DocumentOptions(notation="goodfellow", sections="thin", formats=("md",)))
    assert "## A thin network first" in thin_alone and "### Intuition" in thin_alone
    assert "## Backpropagation\n" not in thin_alone
    tex = render_tex(derivation, DocumentOptions(notation="goodfellow", formats=("tex",)))
    assert r"\section{Backpropagation}" in tex and r"\subsubsection{Gradients with respect to the hidden units}" in tex


def test_goodfellow_batch_bp2_goes_through_the_outputs() -> None:
    """Seed 002's §5.2: ∇A_k = ∇H_k ⊙ g'(A_k) = (W_{k+1}^T ∇A_{k+1}) ⊙ g'(A_k) ∀ k = 1(1)\\overline{L-1}, each line
    checked for every layer; the gradient by
    the batch's outputs is the mean cost's, C (or E), in every notation."""
    derivation = _seed("goodfellow").derive(forms=("vector", "batch", "thin"))
    md = render_markdown(derivation, DocumentOptions(notation="goodfellow", formats=("md",)))
    assert (r"\nabla_{A_{k}} \mathcal{L}(\theta) &= \nabla_{H_{k}} \mathcal{L}(\theta) \odot g'(A_{k}) \\" + "\n"
            r"   &= (W_{k+1}^{\top} \nabla_{A_{k+1}} \mathcal{L}(\theta)) \odot g'(A_{k}) \qquad \forall k = "
            r"1(1)\overline{L-1}") in md  # once, for a general hidden layer
    rules = [step.rule for step in derivation.steps_of("batch") if step.quantity == "delta2"]
    assert rules == [Rule.EACH_COLUMN, Rule.OUTPUTS_EACH_COLUMN]
    bishop = render_markdown(Network([2, 3, 2, 2]).derive(forms=("batch",)),
                             DocumentOptions(notation="bishop", sections="batch", formats=("md",)))
    assert r"\frac{\partial E}{\partial \mathbf{Z}^{(2)}} \odot h'(\mathbf{A}^{(2)})" in bishop  # E, not E_n


def test_goodfellow_writes_a_square_weight_gradient_of_any_size_n_then_for_this_networks_n() -> None:
    """Seed 002's ∇_{W_k} L for W_k ∈ R^{n×n}, with dots, before its 3×3 example: each entry shown is the checked
    3×3 definition's, with n for 3; a network whose hidden layers are not square has no such matrix."""
    md = render_markdown(_seed("goodfellow").derive(forms=()), DocumentOptions(notation="goodfellow", formats=("md",)))
    lead = (r"for a square $W_{k} \in \mathbb{R}^{n \times n}$ (a matrix of any other shape goes the same way), "
            "makes one matrix:")
    assert lead in md and "A small example, $n = 3$, to see what each entry is:" in md
    after = md[md.index(lead):]
    starts = (after.index(r"\begin{bmatrix}"), after.index(r"\begin{bmatrix}", after.index("A small")))
    dotted, concrete = (after[start:after.index(r"\end{bmatrix}", start)] for start in starts)
    rows = dotted.removeprefix(r"\begin{bmatrix}").split(r"\\[8pt]")
    cells = [cell.strip() for row in rows for cell in row.split("&")]
    assert cells.count(r"\cdots") == 3 and cells.count(r"\vdots") == 3 and cells.count(r"\ddots") == 1
    entries = [cell for cell in cells if "partial" in cell]
    assert len(entries) == 9 and r"\frac{\partial \mathcal{L}(\theta)}{\partial W_{knn}}" in entries
    assert all(cell.replace("n}", "3}").replace("kn", "k3") in concrete for cell in entries)
    rectangular = render_markdown(Network([3, 4, 2, 2], hidden="relu", output="softmax", loss="sparse_cross_entropy")
                                  .derive(forms=()), DocumentOptions(notation="goodfellow", formats=("md",)))
    assert r"n \times n" not in rectangular and r"\ddots" not in rectangular


@pytest.mark.parametrize("layers", [[3, 3, 3, 2], [2, 3, 4], [2, 4, 3, 3]])
def test_goodfellow_writes_its_vectors_to_p_and_n_with_dots(layers: list[int]) -> None:
    """Seed 002's vectors entry by entry, ``[e_1; e_2; ⋮; e_p]`` for the output layer (∇_ŷ L, ∇_{a_L} L) and
    ``[e_1; e_2; ⋮; e_n]`` for a hidden layer k (∇_{h_k} L three ways, ∇_{a_k} L): the first two entries those
    of the checked vector, the last the general neuron's for p or n, which with the layer's width put for it is
    the checked last entry."""
    network = Network(layers, hidden="relu", output="softmax", loss="sparse_cross_entropy")
    derivation = network.derive(forms=())
    md = render_markdown(derivation, DocumentOptions(notation="goodfellow", formats=("md",)))
    dotted = re.findall(r"\\begin\{bmatrix\}((?:(?!\\end).)*?\\vdots(?:(?!\\end).)*?)\\end\{bmatrix\}", md)
    vectors = [[row.strip() for row in re.split(r"\\\\(?:\[8pt\])?", found)] for found in dotted]
    columns = [rows for rows in vectors if len(rows) == 4 and "&" not in rows[0]]
    square = layers[-2] == layers[-3]  # the weights and biases stacked are a square hidden layer's, else the output's
    for letter, width, count in (("p", layers[-1], 5 if square else 7), ("n", layers[-2], 7 if square else 5)):
        # the output layer's two vectors (∇_ŷ L also with -1/ŷ_ℓ taken out; and ∇_{b_L} L); the last hidden
        # layer's two (and ∇_{b_k} L)
        index = re.compile(rf"(?<!\\to){letter}\}}")  # the index p or n: a_{Lp}, ŷ_{p}, 1_{ℓ=p}, W_{k+1,·,n}
        found = [rows for rows in columns if index.search(rows[3])]
        assert len(found) == count, letter
        checked = _checked_entries(derivation, letter)
        for _, second, dots, last in found:
            assert dots == r"\vdots"
            assert index.sub(f"{width}}}", last) in (second if width == 2 else checked)
    assert "$n = n_{i}$ of them:" in md and "(here $k = 2$):" not in md
    assert not square or r"for $\underline{b}_{k} \in \mathbb{R}^{n}$, makes one vector:" in md


def _checked_entries(derivation: Derivation, letter: str) -> str:
    """The output layer's (``letter`` p) or the last hidden layer's (n) stacked vectors in full, printed as
    goodfellow writes them there."""
    network = derivation.network
    layer = network.depth if letter == "p" else network.depth - 1
    printer = NotationPrinter(PRESETS["goodfellow"], network, indicator=INDICATOR_MARKDOWN)
    names = ("prediction", "softmax", "bias") if letter == "p" else ("activation", "through_output", "bias")
    shown = []
    for argument in (argument for argument in derivation.arguments if argument.name in names):
        at = lettered(argument, printer)  # the hidden units in the seed's letters there, layer i and neuron j
        at = at.relabel(labels(at.notation, "z", layer, "L" if letter == "p" else None))
        letters = notation_letters(argument, at)  # the notation's letters, as the document writes them
        for step in argument.stacked:
            matrix = step.result.blocks if isinstance(step.result, sp.BlockMatrix) else step.result
            if step.rule is Rule.COMMON_FACTOR:  # -1/ŷ_ℓ [1_{ℓ=1}; ...]: the column after the factor
                matrix = matrix.args[1]
            if isinstance(matrix, sp.MatrixBase):
                shown += [written(with_letters(entry, letters), at) for entry in matrix]
    return " ".join(shown)


def test_goodfellow_has_seed_002s_set_up_parts_and_figures() -> None:
    """Seed 002's set-up in words (L - 1 hidden layers, pre-activation or aggregation, g and O with other choices,
    f(x) = h_L), its average loss and transposed data matrix, its three parts under their headings, each pointing to
    its factors of the thin network's chain, the thin network drawn, the two-path example, 1_m and E with their
    sizes, and BP2 through the outputs in the summary."""
    derivation = _seed("goodfellow").derive(forms=("vector", "batch", "thin"))
    md = render_markdown(derivation, DocumentOptions(notation="goodfellow", formats=("md",)))
    for part in ("an input layer (layer 0), $L - 1 = 2$ hidden layers and an output layer (layer $L = 3$) of $p = 2$",
                 "pre-activation (or aggregation)",
                 "The hidden layers' activation function is $g$, here ReLU (others: sigmoid, tanh, linear)",
                 "the output layer's is $O$, here softmax (others: linear)",
                 r"$f(\underline{x}) = \underline{h}_{L} = \underline{\hat{y}} = O(\underline{a}_{L})$",  # h_L is ŷ
                 r"With respect to output $i$, $\forall i = 1(1)p$:",  # the seed's own range
                 r"| loss | $\mathcal{L}(\theta) = \frac{1}{m} \sum_{i=1}^{m} - \log{(\hat{y}^{(i)}_{\ell_{i}})}$",
                 "a data matrix usually stacks its examples as rows",
                 r"The vector $\mathbf{1}_{m} \in \mathbb{R}^{m \times 1}$ holds $m$ ones",
                 r"where $E \in \mathbb{R}^{p \times m}$ is the one-hot matrix",  # the seed's p, p = 2 here
                 r"\nabla_{\underline{h}_{k}} \mathcal{L}(\theta) \odot g'(\underline{a}_{k}) = (W_{k+1}^{\top}"):
        assert part in md, part
    headings = ["#### Gradients with respect to the output units", "#### Gradients with respect to the hidden units",
                "#### Gradients with respect to the weights and biases", "## Summary", "### For one example",
                "### For the whole batch"]  # the summary as seed 002's §5.1 and §5.2
    assert sorted(headings, key=md.index) == headings
    alone = render_markdown(derivation, DocumentOptions(notation="goodfellow", sections="batch", formats=("md",)))
    assert "## Backpropagation for a batch" in alone and "For the whole batch" not in alone  # no summary to join
    # each part opens with the thin network's chain again (the seed's road map), its own factors braced
    # what a layer's pair of factors becomes for layers of any width (a softmax's output: not the pair itself)
    signs = [md.index(sign) for sign in ("The output layer's pair of factors in the thin network's chain is braced",
                                         "Likewise each hidden layer's pair of factors, braced below",
                                         "Last comes the weight's own factor")]
    assert [md.index(heading) for heading in headings[:3]] < signs and signs == sorted(signs)
    braced = [r"\underbrace{\frac{\partial \mathcal{L}(\theta)}{\partial \hat{y}_{1}}\, \frac{\partial \hat{y}_{1}}"
              r"{\partial a_{31}}}_{\substack{\text{the output}\\\text{layer}}}",
              r"\underbrace{\frac{\partial a_{31}}{\partial h_{21}}\, \frac{\partial h_{21}}{\partial a_{21}}\, "
              r"\frac{\partial a_{21}}{\partial h_{11}}\, \frac{\partial h_{11}}{\partial a_{11}}}_{\substack{"
              r"\text{the hidden}",
              r"\underbrace{\frac{\partial a_{11}}{\partial W_{111}}}_{\substack{\text{the}\\\text{weight}}}"]
    assert all(sign < md.index(chain) < md.index(heading) for sign, chain, heading
               in zip(signs, braced, [*headings[1:3], "## Summary"]))
    assert all(md.count(chain) == 1 for chain in braced)  # one part braced in each
    tex = render_tex(derivation, DocumentOptions(notation="goodfellow", formats=("tex",)))
    thin = tex[tex.index(r"\begin{tikzpicture}", tex.index("A thin network first")):tex.index(r"\label{bp:fig:thin}")]
    assert all(label in thin for label in ("{$x_{1}$}", "{$h_{11}$}", "{$h_{21}$}", "{$W_{111}$}", "{$W_{311}$}"))
    paths = tex[tex.rindex(r"\begin{tikzpicture}", 0, tex.index(r"\label{bp:fig:paths}")):]
    assert "{$y_{1}$}" in paths and "{$y_{2}$}" in paths and r"\sum_{i=1}^{2}" in paths
    assert tex.index(r"\label{bp:fig:paths}") < tex.index(r"\text{multivariable chain rule}")
    # and, as the seed's "First, ∂L/∂h_ij = ...", back from the example to the argument
    assert tex.index(r"\label{bp:fig:paths}") < tex.index("First, for neuron $j$ of layer $i$:") < tex.index(
        r"\text{multivariable chain rule}")
    # its Table 1: the outputs of layer k, each into every weighted input of layer k+1, after the argument it
    # pictures, before that argument's vector; then each weighted input into its own output only, as the seed's
    # "right figure" before its argument and the remark that leads to it; each vector refers to its figure
    outputs, weighted = (tex.index(rf"\label{{bp:fig:{name}}}") for name in ("outputs", "weighted"))
    assert tex.index(r"\text{multivariable chain rule}") < outputs < tex.index(r"\nabla_{\underline{h}_{k}}")
    assert tex.index(r"\nabla_{\underline{h}_{i}}") < weighted < tex.index(
        "known so far only where that layer is the output layer") < tex.index(r"\text{ above}") < \
        tex.index(r"one entry per neuron $j$ (Figure~\ref{bp:fig:weighted})")
    drawn = tex[tex.rindex(r"\begin{tikzpicture}", 0, outputs):outputs]
    assert "{$h_{i1}$}" in drawn and "{$a_{i+1,m}$}" in drawn and drawn.count(r"\draw[edge]") == 4
    assert "minimum size=11.5mm" in drawn  # every circle as wide as a_{k+1,m}'s, none larger than the others
    # kept in place before the vectors, whose sentence ("Consider the two vectors ..., the gradient ...") goes
    # on after their display: no float lands inside it
    assert tex.rindex(r"\begin{figure}[!h]", 0, outputs) < outputs < tex.index("Consider the two vectors")
    # seed 002's chain rule along multiple paths, stated, then displayed, before its two-path example
    rule = (r"if $p(z)$ is a function of intermediate results $q_1(z), q_2(z), \ldots$, then" "\n\n$$\n"
            r"\begin{aligned}" "\n" r"   & \frac{\partial p}{\partial z} = \sum_{m} \frac{\partial p}{\partial q_m}\,"
            r"\frac{\partial q_m}{\partial z}")
    assert md.index(rule) < md.index("*Figure 3: An example: $x$ reaches $z$ along two paths")
    drawn = tex[tex.rindex(r"\begin{tikzpicture}", 0, weighted):weighted]
    assert "{$a_{ij}$}" in drawn and "{$h_{ij}$}" in drawn and drawn.count(r"\draw[edge]") == 2
    alone = render_markdown(derivation, DocumentOptions(notation="goodfellow", sections="general", formats=("md",)))
    # no sign to a missing part
    assert "### Gradients with respect to the hidden units" in alone and "thin network" not in alone
    nielsen = render_markdown(derivation, DocumentOptions(notation="nielsen", sections="general", formats=("md",)))
    assert "### Gradients" not in nielsen and "aggregation" not in nielsen


def test_seed_003s_output_error_by_the_weighted_input_and_its_gcr() -> None:
    """δ_y = ... = σ(a_y) - r = y - r, in seed 003's order, for its presets only; the generalised chain rule named
    GCR."""
    md = render_markdown(_seed("bishop-single").derive(), DocumentOptions(notation="bishop-single", formats=("md",)))
    # σ' for any a, as the hidden layer's note says it
    assert (r"\text{differentiate the loss;}\ y = \sigma(a_{y}),\ \sigma'(a) = \sigma(a)\,(1 - \sigma(a))"
            r" \\" "\n"
            r"   &= (1 - r^{\ell}) \sigma(a_{y}) - r^{\ell}\,(1 - \sigma(a_{y})) \qquad \text{multiply out; each "
            r"denominator cancels} \\" "\n"
            r"   &= \sigma(a_{y}) - r^{\ell} \qquad \text{simplify} \\" "\n"
            r"   &= y - r^{\ell} \qquad \text{since}\ y = \sigma(a_{y})") in md
    assert "Before that, recall the generalised (multivariable) chain rule (GCR):" in md
    other = render_markdown(_seed("input-major").derive(), DocumentOptions(notation="input-major", formats=("md",)))
    assert r"\sigma(z_{j}^{(L)}) - y_{j}" not in other and r"a_{j}^{(L)} - y_{j} \qquad \text{simplify}" in other


def test_seed_003_and_001_schematics_are_drawn_beside_their_arguments() -> None:
    """Seed 003's internal neuron (z_i -> z_j via w_ji, on to the neurons z_1, ..., z_k of layer l+1 via w_kj, each
    named by its output as the seed names them) before the weight's argument, and its δ_k flowing back to δ_j after
    the rule for δ; seed 001's neuron of layer L-1 reaching the cost through every neuron of layer L, and its chain
    of functions from a weight to the cost."""
    tex = render_tex(_seed("bishop-single").derive(), DocumentOptions(notation="bishop-single", formats=("tex",)))
    neuron, errors = (tex.index(rf"\label{{bp:fig:{name}}}") for name in ("neuron", "errors"))
    assert neuron < tex.index("A weight reaches the loss") < tex.index(r"\tag{2}") < errors
    # as seed 003: "consider ... an internal neuron z_j, which is in layer n: [the figure] Where a_j = ..."
    consider = tex.index("consider a general neuron $j$, in a layer $l$ ($n_{l}$ is the number of neurons of layer "
                         "$l$, $m$ that of layer $l+1$):")
    assert consider < tex.index(r"\begin{figure}[!h]", consider) < neuron < tex.index("Where", neuron)
    assert tex.index("Where", neuron) < tex.index(r"a_{j} &= \sum_{i=1}^{n_{l-1}} w_{ji} z_{i}", neuron)
    drawn = tex[tex.index(r"\begin{tikzpicture}", consider):neuron]
    for label in ("{$z_{i}$}", "{$z_{j}$}", "{$z_{1}$}", "{$z_{k}$}", "{$w_{ji}$}", "{$w_{kj}$}", r"\text{layer } l+1"):
        assert label in drawn, label
    back = tex[tex.rindex(r"\begin{tikzpicture}", 0, errors):errors]
    assert "{$\\delta_{j}$}" in back and "{$\\delta_{k}$}" in back and "minimum size=7mm" in back
    homework = render_tex(_seed("input-major").derive(), DocumentOptions(notation="input-major", formats=("tex",)))
    # "Observe now layer L-1. Schematically, [the drawing]", in the text where the sentence leads into it, without a
    # caption (the seed's has none, and the sentence after it says what it shows)
    lead = homework.index("Observe now layer $L-1$. Schematically:")
    after = homework.index("The cost depends on the output")
    assert lead < homework.index(r"\begin{center}", lead) < homework.index(r"\end{center}", lead) < after
    assert "fig:influence" not in homework and r"\caption{" not in homework
    influence = homework[homework.index(r"\begin{tikzpicture}", lead):after]
    for label in (r"{$a_{j}^{(L-1)}$}", r"{$z_{1}^{(L)}$}", r"{$z_{k}^{(L)}$}", r"{$a_{1}^{(L)}$}", r"{$a_{k}^{(L)}$}",
                  "{$c$}"):  # each factor of the sum it leads into: ∂z_k/∂a_j ∂a_k/∂z_k ∂c/∂a_k
        assert label in influence, label
    # "Functions are computed in chains: [the drawing]": the source's output, the weight and the bias all enter
    # z_j, on to the cost
    # (a drawing in the text, as the seed's, without a caption)
    lead = homework.index(r"\textit{Solution.} Functions are computed in a chain:")
    assert homework.index(r"\begin{center}", lead) < homework.index(r"\begin{tikzpicture}", lead)
    chain = homework[homework.index(r"\begin{tikzpicture}", lead):homework.index(r"\end{center}", lead)]
    assert r"\label{bp:hw:fig:chain}" not in homework and r"\caption" not in chain
    for edge in ("(in0) -- (z0)", "(w0) -- (z0)", "(b0) -- (z0)", "(z0) -- (a0)", "(a0) -- (d0)", "(d0) -- (c0)"):
        assert edge in chain, edge
    for label in (r"{$a_{i}^{(\ell-1)}$}", r"{$W_{ij}^{(\ell)}$}", r"{$b_{j}^{(\ell)}$}", r"{$z_{j}^{(\ell)}$}",
                  r"{$a_{j}^{(\ell)}$}", "{$c$}"):
        assert label in chain, label
    assert "fig:neuron" not in render_tex(_seed("nielsen").derive(), DocumentOptions(notation="nielsen",
                                                                                      sections="all"))


def test_an_author_under_the_title_and_seed_002s_contents() -> None:
    """--author signs the document as the seeds' authors sign theirs (escaped; none by default); goodfellow opens
    with a table of contents, as seed 002 does, and the other presets do not."""
    derivation = _seed("goodfellow").derive(forms=("vector", "batch", "thin"))
    signed = DocumentOptions(notation="goodfellow", formats=("tex", "md"), author="A. Lecturer & co, 2026")
    tex, md = render_tex(derivation, signed), render_markdown(derivation, signed)
    assert r"{\large A. Lecturer \& co, 2026\par}" in tex and r"\tableofcontents" in tex
    assert "\n\nA. Lecturer & co, 2026\n" in md
    assert "**Contents**\n\n- Introduction\n- Set-up\n  - Notation\n  - Forward pass\n  - Fundamentals\n" in md
    plain = render_tex(_seed("nielsen").derive(), DocumentOptions(notation="nielsen", formats=("tex",)))
    assert r"\tableofcontents" not in plain and r"\vspace{0.6em}" not in plain
    with pytest.raises(SymbackpropError, match="author .*one line"):
        DocumentOptions(author="A. Lecturer\n2026")
    blank = DocumentOptions(author="   ", date="", title=" Notes ")  # blank is none, as left out; spaces trimmed
    assert (blank.author, blank.date, blank.title) == ("", "", "Notes")


def test_author_from_the_command_line_and_a_spec_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_cli(capsys, "derive", "2-2-1", "--format", "tex", "--author", "Prof. X",
                             "--out", str(tmp_path / "cli"))
    assert status == 0, err
    assert r"{\large Prof. X\par}" in (tmp_path / "cli" / "derivation-nielsen.tex").read_text()
    spec = tmp_path / "net.toml"
    spec.write_text('layers = [2, 2, 1]\n[derive]\nformat = "md"\nauthor = 7\n')
    status, _, err = run_cli(capsys, "derive", str(spec), "--out", str(tmp_path / "toml"))
    assert status != 0 and err.count("\n") == 1 and "author must be a string" in err


def test_seed_003s_title_block_the_title_replacing_the_networks(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """--title, --author and --date give seed 003's head, "Backpropagation Derivation", its author, its date: the
    title replaces the network's title and the line under it (the body's opening names the network); the
    exercises are signed and dated too; a line of two lines is refused with one line, and nothing written."""
    out = tmp_path / "b"
    status, _, err = run_cli(capsys, "derive", "3-3-1", "--bias", "none", "--loss", "bce", "--notation",
                             "bishop-single", "--format", "tex,md", "--title", "Backpropagation Derivation",
                             "--author", "A. Lecturer", "--date", "March 21, 2018", "--exercise", "--out", str(out))
    assert status == 0, err
    md = (out / "derivation-bishop-single.md").read_text()
    assert md.startswith("# Backpropagation Derivation\n\nA. Lecturer\n\nMarch 21, 2018\n\n"
                         "Consider the following 3-3-1 network, with inputs")
    tex = (out / "derivation-bishop-single.tex").read_text()
    head = tex[tex.index(r"\begin{center}"):tex.index(r"\end{center}")]
    assert [line.strip() for line in head.splitlines() if line.strip().startswith("{")] == [
        r"{\LARGE Backpropagation Derivation\par}", r"{\large A. Lecturer\par}", r"{\large March 21, 2018\par}"]
    for kind in ("exercises", "solutions"):
        assert "\n\nA. Lecturer\n\nMarch 21, 2018\n" in (out / f"{kind}-bishop-single.md").read_text()
    status, _, err = run_cli(capsys, "derive", "3-3-1", "--date", "March\n2018", "--out", str(tmp_path / "no"))
    assert status == 2 and err.count("\n") == 1 and "date 'March\\n2018': give a date of one line" in err
    assert not (tmp_path / "no").exists()
    spec = tmp_path / "net.toml"
    spec.write_text('layers = [2, 2, 1]\n[derive]\nformat = "md"\ntitle = "Notes"\ndate = "2018"\n')
    status, _, err = run_cli(capsys, "derive", str(spec), "--out", str(tmp_path / "toml"))
    assert status == 0, err
    assert (tmp_path / "toml" / "derivation-nielsen.md").read_text().startswith("# Notes\n\n2018\n")


def test_the_initialisation_remark_covers_both_of_seed_000s_cases() -> None:
    """φ(0) ≠ 0 (weights move together) and φ(0) = 0 (no learning but the output biases), each with the network's
    own hidden activations where they fall in it."""
    ng = render_markdown(_seed("ng").derive(), DocumentOptions(notation="ng", formats=("md",)))
    assert r"$\phi(0) \neq 0$ (like this network's $\sigma(0) = \frac{1}{2}$)" in ng and "move together" in ng
    assert r"With $\phi(0) = 0$ (like tanh or ReLU)" in ng  # the bias units' weights are weights: theirs learn
    assert "Only the weights from the bias unit into the output layer learn." in ng
    # the reasons, each right: zero activations zero the gradients of the weights they feed; zero weights above
    # carry no error back
    assert ("all-zero weights make every hidden activation 0, so every weight from a hidden neuron gets a zero "
            "gradient; and as the weights that carry the error terms back are 0, every hidden error term is 0 "
            "too") in ng
    assert "## Initialisation\n\nThe weights start small" in ng  # under its own heading, not named again
    assert ("The weights start small and random, at a scale set by the cost and the activation: small, so that no "
            "activation saturates, and random, so that the neurons of a hidden layer differ.") in ng  # (an output
    # layer's differ by their targets); each reason said once
    assert ng.count("move together") == 1 and "same activation, error and update" not in ng
    tanh = render_markdown(Network([2, 2, 1], hidden="tanh", bias="none").derive(),
                           DocumentOptions(notation="ng", sections="init", formats=("md",)))
    assert r"$\phi(0) = 0$ (like this network's $\tanh(0) = 0$)" in tanh and "Nothing is learnt." in tanh
    biased = render_markdown(Network([2, 2, 1], hidden="tanh", bias="vector").derive(),
                             DocumentOptions(notation="ng", sections="init", formats=("md",)))
    assert "So is every hidden bias's: only the output layer's biases learn." in biased
    assert "all-zero weights and biases make every hidden activation 0" in biased  # biases apart: zero too
    assert "all-zero weights make every hidden activation 0" in tanh


def test_bishop_writes_the_forward_pass_as_seed_003s_dynamics_and_homework_b_covers_C() -> None:
    """Seed 003's forward pass is neuron by neuron, each weighted input then its activation by name, for the layered
    preset too (one output neuron as 1, fed by the hidden neurons j; a softmax output as a vector); seed 001's (b)
    asks for C, the mean of the examples' c."""
    bishop = render_markdown(_seed("bishop").derive(), DocumentOptions(notation="bishop", formats=("md",)))
    dynamics = bishop[bishop.index("The dynamics of the network"):bishop.index("The loss to minimise")]
    for line in (r"a^{(1)}_{j} &= \sum_{i=1}^{3} w^{(1)}_{ji} x_{i}", r"z^{(1)}_{j} &= \sigma(a^{(1)}_{j})",
                 r"a^{(2)}_{1} &= \sum_{j=1}^{3} w^{(2)}_{1j} z^{(1)}_{j}", r"y_{1} &= \sigma(a^{(2)}_{1})"):
        assert line in dynamics, line
    assert r"\mathbf{W}^{(1)} \mathbf{x}" not in bishop
    tanh = render_markdown(Network([2, 3, 1], hidden="tanh", loss="bce").derive(forms=()),
                           DocumentOptions(notation="bishop", formats=("md",)))
    assert r"with $\sigma(x) = \frac{1}{1 + e^{- x}}$." in tanh and r"\tanh(x) = " not in tanh  # not tanh = tanh
    softmax = render_markdown(Network([2, 3, 2], output="softmax", loss="cross_entropy").derive(),
                              DocumentOptions(notation="bishop", sections="forward", formats=("md",)))
    assert r"\mathbf{y} &= \operatorname{softmax}(\mathbf{a}^{(2)})" in softmax
    homework = render_markdown(_seed("input-major").derive(), DocumentOptions(notation="input-major", formats=("md",)))
    assert "and so those of $C$ are their means over the data set.\n" in homework  # (b) asks it; the solution:
    assert (r"so each of its derivatives is the mean of theirs: $\frac{\partial C}{\partial W_{ij}^{(\ell)}} = "
            r"\frac{1}{|\mathcal{D}|} \sum_{\mathbf{x} \in \mathcal{D}} a_{i}^{(\ell-1)} \delta_{j}^{(\ell)}$"
            ) in homework


def test_what_the_audit_of_the_seeds_asked_for() -> None:
    """A document without a forward pass still states the cost it differentiates (ng, nielsen; the homework in its
    problem); seed 004's BP4 has its chain and error term on one line, then the local derivative; seed 002 defines
    its column notation, says why the softmax's weighted inputs are what it is after, and leaves the thin network's
    activations general; a transposed diagonal matrix is said to be itself."""
    ng = render_markdown(_seed("ng", **CONCRETE).derive(forms=("element", "vector", "paths")),
                         DocumentOptions(notation="ng", formats=("md",)))
    assert (r"The cost of one example is $C = \frac{(a^{(3)}_{1} - y_{1})^{2}}{2} + \frac{(a^{(3)}_{2} - y_{2})^{2}}"
            r"{2}$.") in ng
    nielsen = render_markdown(_seed("nielsen", **CONCRETE).derive(),
                              DocumentOptions(notation="nielsen", formats=("md",)))
    assert "The cost of one example is $C = " in nielsen
    seed = render_markdown(_seed("nielsen").derive(), DocumentOptions(notation="nielsen", formats=("md",)))
    assert "The cost of one example" not in seed and "any cost" in seed  # seed 004's C, any cost
    assert r"(AB)^{\top} = B^{\top} A^{\top}\text{; a diagonal matrix is symmetric}" in nielsen
    # seed 004's BP2 names δ^{l+1} where it comes in; its BP1 says why σ' is written in the output
    assert (r"&= \left(\frac{\partial z^{l+1}}{\partial z^{l}}\right)^{\top} \delta^{l+1} \qquad \text{definition of } "
            r"\delta") in nielsen
    assert (r"(a^{L} - y) \qquad \text{in terms of the output:}\ \sigma'(z^{L}) = a^{L} \odot (\mathbf{1} - a^{L})"
            in nielsen)
    # written out with the letter l it is in, at the output layer's size
    assert "activations below. Written out for the output layer, $l = L$, it is a $2 \\times 3$ matrix:" in nielsen
    # seed 004's derivation steps by name, each a label before its display, each BP's in the seed's order
    steps = [f"*{label}.*" for label in ("Apply the chain rule", "Compute the Jacobian", "Result",
                                         "Link consecutive layers", "Differentiate the linear transformation",
                                         "Transpose and simplify", "Final form", "Chain rule via the weighted inputs",
                                         "Compute the local gradient", "Conclusion", "Element-wise approach",
                                         "Solve for the partial derivative", "Vectorise as an outer product")]
    at = [nielsen.index(step) for step in steps]
    assert at == sorted(at) and "Steps:" not in nielsen
    # BP3's conclusion puts back the identity worked out just before it, as BP2 puts back its Jacobian
    assert (r"\frac{\partial C}{\partial b^{l}} &= I^{\top} \delta^{l} \qquad \text{by the step before; definition "
            r"of } \delta") in nielsen  # ∂C/∂z^l named δ^l on the same line
    # BP2's final form on a display of its own, the Hadamard product, without δ^l's definition again; then, for
    # this network, σ' in terms of the output, as BP1 has it
    assert ("*Final form.* Convert the diagonal matrix times a vector to a Hadamard product:\n\n$$\n"
            "\\begin{aligned}\n"
            r"  \delta^{l} &= ((W^{l+1})^{\top} \delta^{l+1}) \odot \sigma'(z^{l}) \qquad \operatorname{diag}(v)\,u = "
            r"u \odot v \\" "\n"
            r"   &= ((W^{l+1})^{\top} \delta^{l+1}) \odot (a^{l} \odot (\mathbf{1} - a^{l})) \qquad "
            r"\text{in terms of the output:}\ \sigma'(z^{l}) = a^{l} \odot (\mathbf{1} - a^{l})" "\n\\end{aligned}"
            ) in nielsen
    # BP4's three steps, each before its own display: the weight's chain, its local derivative, the matrix
    bp4 = nielsen[nielsen.index("*Element-wise approach.*"):]
    chain, local, outer = re.split(r"\*Solve for the partial derivative\.\*|\*Vectorise as an outer product\.\*", bp4)
    # (the outer product's matrix for l = L, then the result for every layer l)
    assert [part.count("\\begin{aligned}") for part in (chain, local, outer)] == [1, 1, 2]
    assert ("Consider a single weight $w^{l}_{jk}$, from neuron $k$ in layer $l-1$ to neuron $j$ in layer $l$"
            in chain)  # as the seed's "a single weight w^l_jk connecting neuron k in layer l-1 to neuron j in layer l"
    assert ("*Link consecutive layers.* The error at layer $l$ is written in terms of the error at layer $l+1$, by "
            "the multivariate chain rule:") in nielsen
    assert (r"\delta^{l}_{j} \frac{\partial z^{l}_{j}}{\partial w^{l}_{jk}} \qquad \text{chain rule; definition of } "
            r"\delta") in chain
    assert (r"\frac{\partial C}{\partial w^{l}_{jk}} &= \delta^{l}_{j}\,a^{l-1}_{k} \qquad \text{since}\ z^{l}_{j} = "
            r"\sum_{m}") in local
    assert outer.startswith(" All these derivatives, for every $j$ and $k$, make the outer product of the error "
                            "vector and the activations below")
    # the matrix written out is the output layer's, so it is written for l = L: W^L, δ^L, a^{L-1}
    assert r"&= \delta^{L} (a^{L-1})^{\top} \qquad [u_{r} v_{s}] = u\,v^{\top}" in outer
    display, after = outer.split(r"\end{aligned}", 1)  # the display written for l = L, then the one for every l
    assert r"\frac{\partial C}{\partial W^{L}} &= \begin{bmatrix}" in display and "W^{l}" not in display
    assert r"Every layer's weights go the same way, so for every layer $l$:" in after
    assert r"\frac{\partial C}{\partial W^{l}} &= \delta^{l} (a^{l-1})^{\top}" in after
    # and each BP's Jacobian worked out on its own, after its chain, from the definitions it differentiates
    jacobians = [r"*Compute the Jacobian.* As $a^{L}_{j} = \sigma(z^{L}_{j})$, each output depends only on its own "
                 "input",
                 r"\frac{\partial a^{L}}{\partial z^{L}} &= "
                 r"\operatorname{diag}(\sigma'(z^{L}_{1}), \ldots, \sigma'(z^{L}_{n_{L}}))",
                 "### BP2: Propagating the error",
                 r"*Differentiate the linear transformation.* With $z^{l+1} = W^{l+1} a^{l} + b^{l+1}$ and $a^{l} = "
                 r"\sigma(z^{l})$, the chain rule gives the product of their Jacobians:",
                 r"\frac{\partial z^{l+1}}{\partial z^{l}} &= \frac{\partial z^{l+1}}{\partial a^{l}} "
                 r"\frac{\partial a^{l}}{\partial z^{l}} = W^{l+1} \operatorname{diag}(\sigma'(z^{l}))",
                 "### BP3: Gradient", r"\frac{\partial z^{l}}{\partial b^{l}} &= I", "### BP4: Gradient"]
    at = [nielsen.index(piece) for piece in jacobians]
    assert at == sorted(at)
    assert "$Z^{l}$, $A^{l}$" not in nielsen  # no batch section, so no batch matrices in its notation table
    assert (r"= \delta^{l}_{j} \frac{\partial z^{l}_{j}}{\partial w^{l}_{jk}} \qquad \text{chain rule; definition of } "
            r"\delta" "\n" r"\end{aligned}") in nielsen  # its local derivative on a display of its own, as the seed's
    homework = render_markdown(_seed("input-major").derive(), DocumentOptions(notation="input-major", formats=("md",)))
    assert r"to $L = 2$. Its cost of one example is $c = -{y_{1} \log{(a_{1}^{(2)})}}" in homework  # a sentence
    goodfellow = render_markdown(_seed("goodfellow").derive(forms=("vector", "batch", "thin")),
                                 DocumentOptions(notation="goodfellow", formats=("md",)))
    assert r"$W_{i+1,\cdot,1}$, $W_{i+1,\cdot,2}$, $\ldots$ are the columns of $W_{i+1}$" in goodfellow
    # seed 002's two vectors, the gradient and column j of the weights, of any width n_{i+1} as the sum over m
    # counts, before the vector of the ∂L/∂h_ij: the sum is their product, ∂L/∂h_ij = (W_{i+1,·,j})ᵀ ∇_{a_{i+1}} L,
    # in the seed's letters there, layer i and neuron j
    vectors = [r"\sum_{m=1}^{n_{i+1}} \frac{\partial \mathcal{L}(\theta)}{\partial a_{i+1,m}}\,W_{i+1,m,j}",
               r"Consider the two vectors" "\n",
               r"{\partial a_{i+1,1}} \\[8pt] \vdots \\[8pt] \frac{\partial \mathcal{L}(\theta)}{\partial "
               r"a_{i+1,n_{i+1}}}\end{bmatrix}",
               r"W_{i+1,\cdot,j} &= \begin{bmatrix}W_{i+1,1,j} \\ \vdots \\ W_{i+1,n_{i+1},j}\end{bmatrix}",
               r"W_{i+1,m,j} = (W_{i+1,\cdot,j})^{\top} \nabla_{\underline{a}_{i+1}} \mathcal{L}(\theta)",
               "are the columns of"]
    assert [goodfellow.index(piece) for piece in vectors] == sorted(goodfellow.index(piece) for piece in vectors)
    assert r"The network's output is $\underline{\hat{y}} = (\hat{y}_{1}, \ldots, \hat{y}_{p})^{\top}$" in goodfellow
    assert r"below the first layer, $\underline{h}_{0} = \underline{x}$, the input" in goodfellow  # before §5.1
    # the range row says what 1(1)L means: first value, step, last value
    assert (r"| $k = 1(1)L$ | $k$ runs from 1 to $L$ in steps of 1 (first value, step in brackets, last value); "
            r"$k = 1(1)\overline{L-1}$: from 1 to $L-1$ |") in goodfellow
    assert "What we are actually after is the derivative with respect to each pre-activation $a_{Li}$" in goodfellow
    # the seed's words in its notation table and batch form: pre-activation, loss
    assert "| pre-activation (or aggregation) of neuron $i$ in layer $k$ |" in goodfellow
    assert "the pre-activations of a layer from the activations below" in goodfellow
    assert "since the loss is the mean of the examples' losses" in goodfellow
    assert "weighted input" not in goodfellow and " cost" not in goodfellow
    assert "(1-1-1-1, Figure 2), its activation functions and loss left general" in goodfellow
    assert "The cost of one example is" not in goodfellow  # its forward pass states it
    assert goodfellow.index("### Forward pass") < goodfellow.index("### Fundamentals") < goodfellow.index(
        "| learning algorithm |") < goodfellow.index("## A thin network first")
    # the intuition as the seed tells it, a dialogue: the output layer, then what feeds it, then the hidden layer's
    # answer, each in its own words, with the definition it stands on
    assert ("We tell the output layer: “Your output is not the one we want; answer for it.” It answers: “For my part, "
            r"yes; but I am only as good as the layer below me and the weights between us”, since "
            r"$\underline{\hat{y}} = O(W_{L} \underline{h}_{L-1} + \underline{b}_{L})$. So we ask $W_{L}$, "
            r"$\underline{b}_{L}$ and $\underline{h}_{L-1}$, one by one: "
            "“Where did you go wrong?”") in goodfellow
    assert (r"The outputs $\underline{h}_{L-1}$ answer: “We are only as good as our pre-activation”, "
            r"$\underline{h}_{L-1} = g(\underline{a}_{L-1})$; and the pre-activation: “I am only as good as the "
            r"weights and the outputs below me”, $\underline{a}_{L-1} = W_{L-1} \underline{h}_{L-2} + "
            r"\underline{b}_{L-1}$") in goodfellow
    # the mean loss as a formula, its summand the cost of example i, with that example's output and label
    assert (r"\mathcal{L}(\theta) = \frac{1}{m} \sum_{i=1}^{m} - \log{(\hat{y}^{(i)}_{\ell_{i}})}$, the average "
            r"sparse categorical cross-entropy, $\hat{y}^{(i)}_{\ell_{i}}$ being the probability the network gives the "
            r"class $\ell_{i}$ of example $i$") in goodfellow
    assert "denoting example" not in goodfellow
    assert "$A_{k}$, $H_{k}$" in goodfellow  # its batch section uses them


def test_seed_003s_page_is_one_body_and_its_figures_stay_with_the_sentences_leading_into_them() -> None:
    """bishop and bishop-single by default: no heading, as seed 003; any other sections keep them. A figure kept in
    place asks for its height first, so the sentence before it starts a new page with it where they do not fit."""
    for name in ("bishop", "bishop-single"):
        tex = render_tex(_seed(name).derive(), DocumentOptions(notation=name, formats=("tex",)))
        assert r"\section{" not in tex and r"\subsection{" not in tex
        chosen = render_tex(_seed(name).derive(), DocumentOptions(notation=name, sections="forward,general",
                                                                  formats=("tex",)))
        assert r"\section{Backpropagation for a general neuron}" in chosen
        for figure in re.finditer(r"\\begin\{figure\}\[!h\]", tex):
            lead = tex.rindex(r"\needspace{", 0, figure.start())
            assert re.match(r"\\needspace\{[0-9]+\.[0-9]{2}cm\}\\fi\n", tex[lead:]), tex[lead:lead + 30]
            assert tex.count("\n\n", lead, figure.start()) <= 2  # the lead sentence alone between them
    nielsen = render_tex(_seed("nielsen").derive(), DocumentOptions(notation="nielsen", formats=("tex",)))
    assert r"\section{Derivation of the equations}" in nielsen  # seed 004's section 2


def test_nielsen_writes_the_weight_matrix_out_at_its_own_size() -> None:
    """Seed 004's BP4 in its three named steps; the matrix's size said is the one written out, the bias units'
    column counted where the network has bias units."""
    for bias, size in (("vector", "1 \\times 1"), ("neuron", "1 \\times 2")):
        text = render_markdown(Network([1, 1], bias=bias).derive(), DocumentOptions(notation="nielsen",
                                                                                    formats=("md",)))
        assert f". Written out for the output layer, $l = L$, it is a ${size}$ matrix:" in text
        steps = [text.index(f"*{step}.*") for step in ("Element-wise approach", "Solve for the partial derivative",
                                                      "Vectorise as an outer product")]
        assert steps == sorted(steps)


def test_nielsen_puts_each_jacobian_back_by_the_step_before_and_ends_bp4_for_every_layer() -> None:
    """BP1's result takes the Jacobian worked out the step before (a diagonal matrix, its own transpose), not its
    definition a second time; BP4, written out for l = L, ends for every layer l, as seed 004's last line; the
    vector form's heading keeps with BP1's start (its one sentence does not stand alone at a page's foot)."""
    derivation = _seed("nielsen").derive()
    text = render_markdown(derivation, DocumentOptions(notation="nielsen", formats=("md",)))
    bp1 = text[text.index("### BP1"):text.index("### BP2")]
    assert r"\text{by the step before; a diagonal matrix is symmetric}" in bp1
    assert "a diagonal Jacobian, its own transpose" not in bp1
    assert text.rstrip().endswith("Every layer's weights go the same way, so for every layer $l$:\n\n$$\n"
                                  "\\begin{aligned}\n"
                                  r"  \frac{\partial C}{\partial W^{l}} &= \delta^{l} (a^{l-1})^{\top}" "\n"
                                  "\\end{aligned}\n$$")  # the seed's last line, displayed
    assert ("the activations below. Written out for the output layer, $l = L$, it is a $2 \\times 3$ matrix:"
            in text)
    section = next(part for part in build_document(derivation, DocumentOptions(notation="nielsen")).sections
                   if part.title == "Derivation of the equations")
    assert len(section.blocks) == 1 and section.room == section.subsections[0].room + 5 > 6


def test_goodfellow_recalls_a_weights_local_derivative_once() -> None:
    """Seed 002's "Recall that a_ki = Σ_j W_kij h_{k-1,j} + b_ki, so ∂a_ki/∂W_kij = h_{k-1,j}" before the chain; the
    chain's line that puts it in says nothing again, as the seed's line has no reason beside it."""
    text = render_markdown(_seed("goodfellow").derive(), DocumentOptions(notation="goodfellow", formats=("md",)))
    recall = text.index(r"Recall that $a_{ki} = \sum_{m=1}^{n_{k-1}} W_{kim} h_{k-1,m} + b_{ki}$, so")
    chain = text[recall:text.index(r"\end{aligned}", recall)]
    assert chain.rstrip().endswith(r"&= \frac{\partial \mathcal{L}(\theta)}{\partial a_{ki}}\,h_{k-1,j}")
    assert chain.count(r"\text{since}") == 0
    # in the PDF, the recalled derivative keeps with its chain: not last on its page
    tex = render_tex(_seed("goodfellow").derive(), DocumentOptions(notation="goodfellow"))
    assert "\\needspace{8\\baselineskip}\\fi\nRecall that $a_{ki}" in tex


def test_ng_says_the_bias_units_index_and_names_each_examples_cost() -> None:
    """The summary's entry ∂C/∂w_jk = a_k δ_j covers the bias unit's weights through k = 0, whose output is 1 (ā's
    first entry); the batch mean names its terms, C^(i) the cost of example i."""
    text = render_markdown(_seed("ng").derive(), DocumentOptions(notation="ng", formats=("md",)))
    assert ("Here $\\bar{\\mathbf{a}}^{(l)}$ is $\\mathbf{a}^{(l)}$ with the bias unit's 1 on top, and $k = 0$ is the "
            "bias unit, $a^{(l)}_{0} = 1$;") in text
    assert "with $C^{(i)}$ the cost of example $i$." in text


@pytest.mark.parametrize(("spec", "bias"), [("2-2-2", "none"), ("2-5-3", "neuron")])
def test_ng_keeps_a_hidden_weights_chain_where_nothing_else_shows_it(spec: str, bias: str) -> None:
    """Without biases no later chain goes through every output neuron, and a layer too wide to write out has its
    matrix as the outer product of that chain's entry: there the weight's chain stays, its matrix after it ("So,
    in matrix form"), and the same matrix is not shown again at the end."""
    network = Network.from_spec(spec, hidden="sigmoid", output="sigmoid", loss="quadratic", bias=bias)
    text = render_markdown(network.derive(forms=("element", "vector", "paths")),
                           DocumentOptions(notation="ng", formats=("md",)))
    hidden = text[text.index("### Hidden layer"):]
    order = ["One layer down, each weight reaches the cost through every output neuron",
             r"\frac{\partial C}{\partial w^{(1)}_{11}} &= \frac{\partial C}{\partial a^{(3)}_{1}}",
             "So, in matrix form", r"&= \delta^{(L-1)} (\mathbf{X}^{(1)})^{\top}",
             "The error terms of the layer, as one vector"]
    at = [hidden.index(piece) for piece in order]
    assert at == sorted(at)
    assert ("### In matrix form" in text) == (bias == "neuron")  # with the bias units' column, the seed's end


def test_nielsen_writes_the_output_jacobian_for_any_width_as_seed_004() -> None:
    """diag(σ'(z^L_1), ..., σ'(z^L_{n_L})) whatever the output layer's width, one neuron too; a concrete
    derivation, its layers not relabelled, writes the same Jacobian's entries out."""
    general = r"\operatorname{diag}(\sigma'(z^{L}_{1}), \ldots, \sigma'(z^{L}_{n_{L}}))"
    for layers in ([2, 3, 1], [2, 3, 2], [1, 3]):
        text = render_markdown(Network(layers).derive(), DocumentOptions(notation="nielsen", formats=("md",)))
        assert text.count(general) == 2, layers  # the Jacobian, then δ^L with it substituted back
        assert "z^{L}_{2}" not in text
    derivation = _seed("nielsen").derive()
    (jacobian,) = [step.result for step in derivation.jacobians["BP1"] if isinstance(step.result, sp.DiagMatrix)]
    printer = NotationPrinter(PRESETS["nielsen"], derivation.network)
    assert printer.doprint(jacobian) == r"\operatorname{diag}(\sigma'(z^{2}_{1}), \sigma'(z^{2}_{2}))"
    assert printer.relabel(labels(PRESETS["nielsen"], "z", 2, "L")).doprint(jacobian) == general


def test_seed_004s_goal_points_to_the_notation_table_only_where_there_is_one() -> None:
    """"... we adopt the conventions of the notation table" where the document has the table, nothing of it where
    it has not."""
    network = _seed("nielsen")
    with_table = render_markdown(network.derive(), DocumentOptions(notation="nielsen", formats=("md",)))
    without = render_markdown(network.derive(), DocumentOptions(notation="nielsen", sections="vector",
                                                                formats=("md",)))
    assert "by matrix calculus, with whole layers, we adopt the conventions of the notation table." in with_table
    assert "### Notation" in with_table
    assert "by matrix calculus." in without and "notation table" not in without and "### Notation" not in without
    # ⊙ said once: in the table's conventions where there is one, else where the vector form begins
    for document in (with_table, without):
        assert document.count("element-wise (Hadamard) product") == 1


def test_nielsens_first_part_starts_under_the_notation_table() -> None:
    """Seed 004's BP1 follows the notation table on its page: its heading asks for room for its goal and first step
    alone, not for its whole part, which left half of page 1 blank; BP3, short, still keeps its whole part."""
    tex = render_tex(_seed("nielsen").derive(), DocumentOptions(notation="nielsen"))
    room = {title: int(lines) for lines, title in re.findall(
        r"\\needspace\{(\d+)\\baselineskip\}\\fi\n\\subsection\*\{(BP\d)", tex)}
    assert set(room) == {"BP1", "BP2", "BP3", "BP4"}
    assert room["BP1"] <= 10 < room["BP3"]


@pytest.mark.parametrize(("bias", "said"), [
    ("shared", r"In particular, $\frac{\partial C}{\partial \mathbf{b}^{(l)}} = \mathbf{1}^{\top} \delta^{(l+1)}$."),
    ("vector", r"In particular, $\frac{\partial C}{\partial \mathbf{b}^{(l)}} = \delta^{(l+1)}$."),
    ("neuron", r"the weights of the bias units are the biases: $\frac{\partial C}{\partial \mathbf{b}^{(l)}} = "
               r"\delta^{(l+1)}$")])
def test_seed_000s_bias_gradient_of_a_layer_is_its_bp3(bias: str, said: str) -> None:
    """Seed 000's "In particular, ∂C/∂b^(l) = δ^(l+1)" after the biases' chains is the layer's BP3 as the vector
    form derives it: a bias shared by the layer sums its neurons' error terms, 1ᵀδ (it read δ^(l+1) before)."""
    network = Network([2, 2, 2], hidden="sigmoid", output="sigmoid", loss="quadratic", bias=bias)
    markdown = render_markdown(network.derive(forms=("element", "vector", "paths")),
                               DocumentOptions(notation="ng", sections="element,summary", formats=("md",)))
    assert said in markdown


def test_a_quantity_put_in_from_above_is_named_where_it_was_found() -> None:
    """Seeds 001 and 002 put ∂c/∂a_j, found by the multivariable chain rule, into δ_j = ∂c/∂a_j g'(z_j); seed 002
    found it displays back, so the note names it ("by ∂L/∂h_ij above"), not "the step before"."""
    goodfellow = render_markdown(_seed("goodfellow").derive(), DocumentOptions(notation="goodfellow",
                                                                                formats=("md",)))
    assert (r"\qquad \text{by } {\textstyle \frac{\partial \mathcal{L}(\theta)}{\partial h_{ij}}} \text{ above}"
            in goodfellow)
    assert r"\text{by the step before}" not in goodfellow


def test_what_the_second_audit_of_the_seeds_asked_for() -> None:
    """Seed 004's ∇_a C is a column, as a^l is (BP1 takes its transpose's product); its lead-in says BP4 goes entry
    by entry, not through Jacobians; seed 003's internal neuron is fed by a neuron i of layer l-1, an input only
    for l = 1; seed 000 says L where its derivation begins, and seed 002 with the layers it counts, once each."""
    nielsen = render_markdown(_seed("nielsen").derive(), DocumentOptions(notation="nielsen", formats=("md",)))
    assert (r"| $\nabla_{a^{l}} C$ | the gradient of the cost with respect to a layer's activations, "
            r"$\frac{\partial C}{\partial a^{l}}$ ($n_{l} \times 1$, like $a^{l}$) |") in nielsen
    assert ("We begin at the output layer with BP1, then take a general layer for BP2 to BP4. The chain rule with a "
            "Jacobian gives the first three; BP4 we work out one weight at a time") in nielsen
    # the labels under each heading, "Goal:" and "Derivation steps:", both flush left in LaTeX
    nielsen_tex = render_tex(_seed("nielsen").derive(), DocumentOptions(notation="nielsen", formats=("tex",)))
    assert nielsen_tex.count("\\noindent\nDerivation steps:") == nielsen_tex.count("Derivation steps:") == 4
    bishop = render_tex(_seed("bishop").derive(), DocumentOptions(notation="bishop", formats=("tex",)))
    assert r"\caption{A general neuron $j$ of layer $l$, fed by neuron $i$ of layer $l-1$ and feeding layer $l+1$.}" \
        in bishop
    ng = render_markdown(_seed("ng").derive(forms=("element", "vector", "paths")),
                         DocumentOptions(notation="ng", formats=("md",)))
    assert ng.count("$L = 3$") == 1 and "Begin at the output layer $L = 3$" in ng
    # an output weight's line goes on from its chain to δ times the source: both equalities said (δ and the last
    # factor in the sentence before the display, the note pointing to it), the bias unit's too
    for weight, source in (("w^{(2)}_{11}", r"\cdot a^{(2)}_{1}"), ("w^{(2)}_{10}", r"\cdot 1")):
        line = ng[ng.index(rf"\frac{{\partial C}}{{\partial {weight}}} &="):]
        said = r"\text{chain rule};\ \text{its factors as above} \\"
        assert line[:line.index("\n")].endswith(rf"{source} \qquad {said}")
    goodfellow = render_markdown(_seed("goodfellow").derive(), DocumentOptions(notation="goodfellow", formats=("md",)))
    assert goodfellow.count("$L = 3$") == 1 and "an output layer (layer $L = 3$)" in goodfellow
    # the class label and its indicator said once: the notation table's, or without it, the forward pass's
    defined = "is 1 when $j = \\ell$ and 0 otherwise"
    assert defined not in goodfellow and "class label of the example; the indicator is 1" in goodfellow
    untabled = render_markdown(_seed("goodfellow").derive(), DocumentOptions(notation="goodfellow", sections="forward",
                                                                             formats=("md",)))
    assert defined in untabled


def test_the_summarys_entries_are_the_derivations_own() -> None:
    """The summary's entry-by-entry BP2 is the line the argument for a hidden neuron ends on (checked by verify),
    not a formula of the document's: a derivation whose argument ended otherwise would show that. BP3 and BP4 are
    the general gradients, a shared bias's BP3 its layer's sum."""
    import dataclasses

    network = Network([2, 3, 1], hidden="tanh", output="sigmoid", loss="bce", bias="shared")
    derivation = network.derive()
    options = DocumentOptions(notation="bishop", sections="summary", formats=("md",))
    shown = render_markdown(derivation, options)
    assert r"\delta^{(l)}_{j} &= h'(a^{(l)}_{j}) \sum_{k=1}^{m} \delta^{(l+1)}_{k}\,w^{(l+1)}_{kj}" in shown
    assert r"\frac{\partial E_n}{\partial b^{(l)}} &= \sum_{j=1}^{n_{l}} \delta^{(l)}_{j}" in shown
    assert r"\frac{\partial E_n}{\partial w^{(l)}_{ji}} &= \delta^{(l)}_{j}\,z^{(l-1)}_{i}" in shown
    hidden = derivation.argument("hidden")
    assert hidden is not None
    last = hidden.lines[-1]
    doubled = dataclasses.replace(hidden, lines=(*hidden.lines[:-1], dataclasses.replace(last, result=2 * last.result)))
    changed = dataclasses.replace(derivation, arguments=tuple(doubled if a.name == "hidden" else a
                                                             for a in derivation.arguments))
    assert r"\delta^{(l)}_{j} &= 2 h'(a^{(l)}_{j})" in render_markdown(changed, options)


# ---------------------------------------------------------------------------- hidden layers of different activations
#: A network whose hidden layers' activations differ: a general hidden layer l's equations name none of them.
_MIXED = Network([2, 3, 3, 2], activations=["tanh", "relu", "sigmoid"])


@pytest.mark.parametrize(("notation", "general", "each"), [
    ("nielsen", r"\sigma_{l}'(z^{l})",
     r"$\sigma_{l}$ ($\tanh$ for $l = 1$ and $\operatorname{ReLU}$ for $l = 2$)"),
    ("ng", r"\sigma_{l}'(\mathbf{Z}^{(l)})",  # ng counts the input as layer 1
     r"$\sigma_{l}$ ($\tanh$ for $l = 2$ and $\operatorname{ReLU}$ for $l = 3$)"),
])
def test_a_general_layers_equations_name_no_one_hidden_activation(notation: str, general: str, each: str) -> None:
    """BP2 is derived for the last hidden layer and stated for every l: where the hidden layers' activations differ
    it is stated with layer l's own, σ_l, which the document says layer by layer (it once claimed ReLU' for the
    tanh layer too)."""
    text = render_markdown(_MIXED.derive(), DocumentOptions(notation=notation, formats=("md",)))
    assert general in text and each in text
    for name in (r"\operatorname{ReLU}'", r"\tanh'"):
        assert re.search(re.escape(name) + r"\((\\mathbf\{Z\}\^\{\(l\)\}|z\^\{l\})\)", text) is None, name


def test_this_networks_hidden_error_terms_name_their_own_layer_where_the_activations_differ() -> None:
    """input-major's "for this network" after the general δ_j^(ℓ): ReLU' is layer 2's, so the line is layer 2's."""
    text = render_markdown(_MIXED.derive(), DocumentOptions(notation="input-major", formats=("md",)))
    assert (r"\delta_{j}^{(2)} &= \left(\sum_{k=1}^{n_{3}} W_{jk}^{(3)} \delta_{k}^{(3)}\right)\,"
            r"\operatorname{ReLU}'(z_{j}^{(2)}) \qquad \text{here }\ell = 2,\ g_{\ell} = \operatorname{ReLU}") in text
    assert r"\operatorname{ReLU}'(z_{j}^{(\ell)})" not in text


def test_ng_says_what_each_neuron_computes_before_its_chains_use_it() -> None:
    """Seed 000 lets its figure say how a neuron computes; the chains' local derivatives (∂Z/∂w = a, ∂Z/∂a = w) need
    it said: one sentence in the set-up, from the engine's general forward equation, in ng's letters."""
    text = render_markdown(_seed("ng").derive(forms=("element", "vector", "paths")),
                           DocumentOptions(notation="ng", formats=("md",)))
    setup = text[text.index("## Set-up"):text.index("## Backpropagation")]
    assert (r"Each neuron $j$ of layer $l+1$ computes $Z^{(l+1)}_{j} = \sum_{k} w^{(l)}_{jk} a^{(l)}_{k} + "
            r"w^{(l)}_{j0}$ and $a^{(l+1)}_{j} = \sigma(Z^{(l+1)}_{j})$.") in setup
    mixed = render_markdown(_MIXED.derive(forms=("element", "vector", "paths")),
                            DocumentOptions(notation="ng", formats=("md",)))
    assert r"$a^{(l+1)}_{j} = \sigma_{l+1}(Z^{(l+1)}_{j})$, with $\sigma_{l+1}$ the activation of that layer." in mixed


def test_bishop_with_biases_derives_the_bias_before_promising_the_rule_for_delta() -> None:
    """Seed 003's (1), "for δ_j a rule is derived next", then "Before that, recall the GCR": a network with biases
    derives ∂E/∂b = δ after (1) and before that promise, so that "before that" still means before the rule."""
    network = Network.from_spec("2-3-1", hidden="tanh", output="sigmoid", loss="bce")
    md = render_markdown(network.derive(), DocumentOptions(notation="bishop"))
    said = [md.index(words) for words in (r"\tag{1}", "Likewise for a bias:", "a rule is derived next.",
                                          "Before that, recall the generalised")]
    assert said == sorted(said)
    assert md[said[2]:said[3]].count("$$") == 0  # nothing between the promise and the recall


@pytest.mark.parametrize("notation", ["nielsen", "bishop"])
def test_a_softmax_output_error_worked_out_on_a_line_of_its_own_says_why(notation: str) -> None:
    """δ^L_1 = ∂C/∂a_1 ∂a_1/∂z_1 + ∂C/∂a_2 ∂a_2/∂z_1 (chain rule; softmax Jacobian), then the loss's and the
    softmax's derivatives put in on the next line: that line says "work out the derivatives", as every other line
    of the element form says why (it was the only one left bare)."""
    network = Network.from_spec("3-4-2", hidden="relu", output="softmax", loss="cross_entropy")
    md = render_markdown(network.derive(forms=("element",)), DocumentOptions(notation=notation, forms=("element",)))
    output = md[md.index("### The output layer"):]
    output = output[:output.index(r"\end{aligned}")]
    rows = [row for row in output.splitlines() if row.lstrip().startswith(("&=", r"\delta", r"\frac"))]
    assert len(rows) >= 8 and all(r"\qquad \text{" in row for row in rows), [r for r in rows if r"\qquad" not in r]
    assert output.count(r"\qquad \text{work out the derivatives}") == 2
