"""The appendix: each activation's derivative worked out line by line as lecture notes do it (seed 002 §6.1), every
displayed equality proven by SymPy, and ``--appendix`` choosing which activations it works out."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path

import pytest
import sympy as sp

from symbackprop import Network
from symbackprop.documents import pdf
from symbackprop.documents.appendix import _in_letter, appendix_sections
from symbackprop.documents.options import APPENDIX_ACTIVATIONS, DocumentOptions
from symbackprop.documents.render import render_markdown, render_tex
from symbackprop.errors import SymbackpropError, UnknownNameError
from symbackprop.model.activations import ACTIVATIONS, DerivativeStep, Z, get_activation
from symbackprop.model.derivatives import SIGMA, WORKED, WorkedDerivativeError, check, equal, worked
from symbackprop.model.rules import Rule
from symbackprop.notation.printer import NotationPrinter
from tests.documents.test_render import MARKDOWN_MACROS
from tests.helpers import one_line, require_tex, run_cli

#: Seed 002 §6.1, the logistic function: the chain rule, e^{-z} = (1 + e^{-z}) - 1, then σ(1 - σ).
SIGMOID = [
    (r"\sigma(z)", r"\frac{1}{1 + e^{- z}}", r"\text{definition}"),
    (r"\sigma'(z)", r"-\frac{1}{(1 + e^{- z})^{2}}\,\frac{d}{dz} (1 + e^{- z})", r"\text{chain rule}"),
    ("", r"-\frac{1}{(1 + e^{- z})^{2}}\,(- e^{- z})", r"\text{work out the derivatives}"),
    ("", r"\frac{1}{1 + e^{- z}}\,\frac{1 + e^{- z} - 1}{1 + e^{- z}}", r"\text{add and subtract } 1"),
    ("", r"\sigma(z)\,(1 - \sigma(z))", r"\text{in terms of } \sigma(z)"),
]
#: Seed 002 §6.1, tanh: its exponential form, the quotient rule, down to 1 - tanh²(z).
TANH = [
    (r"\tanh(z)", r"\frac{e^{z} - e^{- z}}{e^{z} + e^{- z}}", r"\text{exponential form}"),
    (r"\tanh'(z)", r"\frac{(e^{z} + e^{- z})\,\frac{d}{dz} (e^{z} - e^{- z}) - (e^{z} - e^{- z})\,\frac{d}{dz} "
                   r"(e^{z} + e^{- z})}{(e^{z} + e^{- z})^{2}}", r"\text{quotient rule}"),
    ("", r"\frac{(e^{z} + e^{- z})^{2} - (e^{z} - e^{- z})^{2}}{(e^{z} + e^{- z})^{2}}",
     r"\text{work out the derivatives}"),
    ("", r"1 - \frac{(e^{z} - e^{- z})^{2}}{(e^{z} + e^{- z})^{2}}", r"\text{split the fraction}"),
    ("", r"1 - (\tanh(z))^{2}", r"\text{recognise } \tanh(z)"),
]


def _appendix(network: Network, names: tuple[str, ...] | None = None, notation: str = "nielsen") -> dict:
    """The appendix's subsections by activation name: their blocks."""
    printer = NotationPrinter(DocumentOptions(notation=notation).notation_preset, network)
    sections = appendix_sections(network, printer, "bp:", names)
    if not sections:
        return {}
    [section] = sections
    derivatives = section.subsections[0] if section.title == "Appendix" else section  # goodfellow's, seed 002's §6
    return {part.label.split("derivative-")[1]: part.blocks for part in derivatives.subsections}


def _lines(blocks: tuple) -> list[tuple[str, str, str]]:
    """The lines of an activation's display (after the words on where it has no derivative, if any)."""
    shown = next(block.display for block in blocks if block.display is not None)
    return [(line.lhs, line.rhs, line.note) for line in shown.lines]


# ------------------------------------------------------------------------------------------------ the model
@pytest.mark.parametrize("name", [*WORKED, "leaky_relu(0.2)", "elu(0.5)"])
def test_every_displayed_equality_of_every_worked_derivative_is_proven(name: str) -> None:
    lines = worked(get_activation(name))
    # g(z) = each line of the function, and g'(z) = each line of the derivative = the engine's textbook form
    assert check(lines) == len(lines.function) + len(lines.derivative) + 1
    assert all(type(line.rule) is Rule for line in lines.function + lines.derivative)
    assert lines.function[0].rule is Rule.DEFINITION
    assert len(lines.derivative) >= 2  # worked out, not stated


def test_every_elementwise_activation_but_the_generic_one_is_worked_out() -> None:
    assert set(WORKED) == {name for name, act in ACTIVATIONS.items() if act.elementwise and not act.generic}
    for name in ("softmax", "generic"):
        with pytest.raises(TypeError, match="no worked derivative"):
            worked(ACTIVATIONS[name])


def test_a_wrong_line_or_one_that_cannot_be_checked_fails() -> None:
    sigmoid = worked(ACTIVATIONS["sigmoid"])
    wrong = DerivativeStep(sp.exp(-Z), Rule.SIMPLIFY)
    with pytest.raises(WorkedDerivativeError, match="line 2"):
        check(replace(sigmoid, derivative=(*sigmoid.derivative[:2], wrong, *sigmoid.derivative[2:])))
    opaque = DerivativeStep(sp.Function("g")(Z), Rule.SIMPLIFY)  # no number at any point: unproven
    with pytest.raises(WorkedDerivativeError):
        check(replace(sigmoid, function=(*sigmoid.function, opaque)))
    wrong_end = DerivativeStep(SIGMA(Z), Rule.SIMPLIFY)  # the last line must be the engine's g'(z)
    with pytest.raises(WorkedDerivativeError):
        check(replace(sigmoid, derivative=(*sigmoid.derivative, wrong_end)))


def test_the_sigmoid_is_worked_out_by_the_chain_rule_as_the_seed_does() -> None:
    lines = worked(ACTIVATIONS["sigmoid"]).derivative
    assert [line.rule for line in lines] == [Rule.CHAIN_RULE_OUTER, Rule.EVALUATE_DERIVATIVES,
                                             Rule.ADD_AND_SUBTRACT_ONE, Rule.IN_TERMS_OF_SIGMOID]
    assert lines[0].expr.has(sp.Derivative(1 + sp.exp(-Z), Z))
    assert sp.expand(lines[-1].expr) == sp.expand(SIGMA(Z) * (1 - SIGMA(Z)))


def test_tanh_is_worked_out_from_its_exponential_form_by_the_quotient_rule() -> None:
    lines = worked(ACTIVATIONS["tanh"])
    assert lines.function[1].rule is Rule.EXPONENTIAL_FORM
    assert lines.derivative[0].rule is Rule.QUOTIENT_RULE
    assert lines.derivative[-1].expr == 1 - sp.tanh(Z) ** 2


@pytest.mark.parametrize(("name", "rule"), [("relu", Rule.CASE_BY_CASE), ("leaky_relu", Rule.CASE_BY_CASE),
                                            ("elu", Rule.CASE_BY_CASE), ("softplus", Rule.CHAIN_RULE_OUTER),
                                            ("silu", Rule.PRODUCT_RULE), ("gelu", Rule.PRODUCT_RULE)])
def test_each_activation_starts_from_the_rule_its_form_needs(name: str, rule: Rule) -> None:
    lines = worked(ACTIVATIONS[name])
    assert lines.derivative[0].rule is rule
    assert (lines.kink == 0) if rule is Rule.CASE_BY_CASE else lines.kink is None
    if name == "gelu":
        assert Rule.DERIVATIVE_OF_ERF in [line.rule for line in lines.derivative]


# ------------------------------------------------------------------------------------------------ the layout
def test_the_appendix_prints_the_sigmoid_and_tanh_lines_of_the_seed() -> None:
    shown = _appendix(Network([2, 2, 1], hidden="tanh", output="sigmoid", loss="bce"))
    assert _lines(shown["sigmoid"]) == SIGMOID
    assert _lines(shown["tanh"]) == TANH
    assert shown["sigmoid"][1].text == ("In terms of the neuron's output $a = \\sigma(z)$ this is $a (1 - a)$, the "
                                        "form backpropagation uses.")


def test_where_a_derivative_does_not_exist_the_convention_is_said_before_the_lines() -> None:
    """ReLU has no derivative at 0, where the line "for z ≤ 0" takes one: the convention comes first, then the
    lines; nothing of it for a smooth activation."""
    shown = _appendix(Network([2, 2, 1], hidden="relu", output="sigmoid", loss="bce"), ("relu", "sigmoid"))
    kink, lines = shown["relu"][:2]
    assert kink.text == ("The function has no derivative at $z = 0$, where its cases meet; by the usual convention "
                         "the derivative there is that of the first case:")
    assert lines.display is not None and r"\text{for}\: z \leq 0" in lines.display.lines[1].rhs
    assert shown["sigmoid"][0].display is not None and not any("no derivative" in block.text
                                                                for block in shown["sigmoid"] if block.text)


def test_in_the_seeds_notation_the_activation_letter_comes_first() -> None:
    shown = _appendix(Network([2, 2, 1], hidden="sigmoid", output="sigmoid", loss="bce"), notation="goodfellow")
    lines = _lines(shown["sigmoid"])
    # seed 002's appendix in its own variable z (its pre-activation being a), ending in the letter, g(z)(1 - g(z))
    assert lines[:2] == [("g(z)", r"\sigma(z)", ""), ("", r"\frac{1}{1 + e^{- z}}", r"\text{definition}")]
    assert lines[-1] == ("", r"g(z)\,(1 - g(z))", r"\text{in terms of } g(z)")
    nielsen = _lines(_appendix(Network([2, 2, 1], hidden="sigmoid", output="sigmoid", loss="bce"))["sigmoid"])
    assert nielsen[-1] == ("", r"\sigma(z)\,(1 - \sigma(z))", r"\text{in terms of } \sigma(z)")


def test_seed_002_works_an_activation_its_network_does_not_use_in_g_too() -> None:
    """Seed 002's appendix: g(z) = σ(z) = ..., g(z) = tanh(z) = ..., in the hidden layers' letter, for a ReLU
    network; other notations keep the activation's own name."""
    relu = Network([2, 2, 2], hidden="relu", output="softmax", loss="sparse_cross_entropy")
    shown = _appendix(relu, ("sigmoid", "tanh"), notation="goodfellow")
    assert _lines(shown["sigmoid"])[:2] == [("g(z)", r"\sigma(z)", ""),
                                           ("", r"\frac{1}{1 + e^{- z}}", r"\text{definition}")]
    assert _lines(shown["tanh"])[0] == ("g(z)", r"\tanh(z)", r"\text{definition}")
    assert _lines(shown["tanh"])[-1] == ("", r"1 - (g(z))^{2}", r"\text{in terms of } g(z)")  # the seed's last line
    assert shown["tanh"][1].text.startswith("In terms of the neuron's output $h = g(z)$")
    plain = _appendix(relu, ("sigmoid",), notation="nielsen")
    assert _lines(plain["sigmoid"])[0][0] == r"\sigma(z)"


def test_named_activations_replace_the_networks_and_keep_its_parameters() -> None:
    network = Network([2, 2, 1], hidden="leaky_relu(0.2)", output="sigmoid", loss="bce")
    assert list(_appendix(network)) == ["leaky_relu", "sigmoid"]  # in layer order
    assert list(_appendix(network, ("tanh", "sigmoid"))) == ["sigmoid", "tanh"]  # in the table's order
    leaky = _lines(_appendix(network, ("leaky_relu",))["leaky_relu"])
    assert r"\frac{z}{5}" in leaky[0][1]
    assert _appendix(network, ()) == {}
    generic = Network([2, 2, 1], hidden="generic", output="generic", loss="generic")
    assert _appendix(generic) == {} and list(_appendix(generic, ("softmax", "gelu"))) == ["gelu", "softmax"]
    # the appendix says which derivatives it works out: not every activation, nor only the network's
    printer = NotationPrinter(DocumentOptions(notation="goodfellow").notation_preset, network)
    [appendix] = appendix_sections(network, printer, "bp:", ("sigmoid", "tanh", "relu"))
    assert appendix.title == "Appendix" and not appendix.blocks  # seed 002's §6, its derivatives §6.1
    assert appendix.subsections[0].title == "Derivatives of the activation functions"
    assert appendix.subsections[0].blocks[0].text == ("The derivatives of sigmoid, tanh and ReLU, worked out step by "
                                                      "step.")
    [alone] = appendix_sections(network, printer, "bp:", ("tanh",))
    assert alone.subsections[0].blocks[0].text.startswith("The derivative of tanh,")


def test_an_activation_named_with_its_parameter_is_worked_out_for_that_parameter() -> None:
    network = Network([2, 2, 1], hidden="leaky_relu(0.2)", output="sigmoid", loss="bce")
    own = _lines(_appendix(network, ("leaky_relu(0.2)",))["leaky_relu"])
    other = _lines(_appendix(network, ("leaky_relu(0.5)", "tanh"))["leaky_relu"])
    assert r"\frac{z}{5}" in own[0][1] and r"\frac{z}{2}" in other[0][1] and r"\frac{z}{5}" not in other[0][1]
    elu = _lines(_appendix(network, ("elu(2)",))["elu"])  # one the network does not use
    assert r"\begin{cases} 2 e^{z} - 2 &" in elu[0][1]


def test_the_markdown_appendix_uses_only_macros_katex_and_mathjax_know() -> None:
    network = Network([2, 2, 2], hidden="elu", output="softmax", loss="cross_entropy")
    markdown = render_markdown(network.derive(forms=("vector",)), DocumentOptions(appendix=APPENDIX_ACTIVATIONS))
    appendix = markdown.split("## Derivatives of the activation functions")[1]
    assert appendix.count("### ") == len(APPENDIX_ACTIVATIONS)
    used = {token for token in re.findall(r"\\([A-Za-z]+|.)", appendix) if token.isalpha()}
    assert used <= MARKDOWN_MACROS, used - MARKDOWN_MACROS


# ------------------------------------------------------------------------------------------------ the option
def test_the_option_takes_names_of_the_table_or_none() -> None:
    options = DocumentOptions(appendix="tanh, sigmoid")
    assert options.appendix == ("sigmoid", "tanh") and "appendix" in options.sections
    none = DocumentOptions(notation="goodfellow", appendix="none")
    assert none.appendix == () and "appendix" not in none.sections
    assert DocumentOptions().appendix is None
    assert DocumentOptions.from_mapping({"appendix": ["relu", "gelu"]}).appendix == ("relu", "gelu")
    assert "generic" not in APPENDIX_ACTIVATIONS and "softmax" in APPENDIX_ACTIVATIONS
    with pytest.raises(UnknownNameError, match="allowed: elu, gelu, leaky_relu, linear, none, relu, sigmoid"):
        DocumentOptions(appendix="generic")
    with pytest.raises(SymbackpropError, match="^appendix none, relu: 'none' means no appendix"):  # as given
        DocumentOptions(appendix=["none", "relu"])
    with pytest.raises(SymbackpropError, match="^an empty appendix activation name in 'sigmoid,'; separate"):
        DocumentOptions(appendix="sigmoid,")
    with pytest.raises(SymbackpropError, match="appendix activations must be names"):
        DocumentOptions(appendix=3)  # type: ignore[arg-type]
    assert DocumentOptions(appendix="leaky_relu(0.3), tanh").appendix == ("tanh", "leaky_relu(0.3)")
    assert DocumentOptions(appendix="sigmoid,sigmoid").appendix == ("sigmoid",)
    with pytest.raises(SymbackpropError, match="name each activation once"):
        DocumentOptions(appendix="leaky_relu(0.3),leaky_relu(0.5)")
    with pytest.raises(SymbackpropError, match="'tanh' takes no parameter"):
        DocumentOptions(appendix="tanh(2)")
    with pytest.raises(SymbackpropError, match=r"^an empty appendix activation name in 'leaky_relu\(0.3\),'"):
        DocumentOptions(appendix="leaky_relu(0.3),")  # quoted as given, its parameter too
    with pytest.raises(UnknownNameError, match=r"^unknown appendix activation 'leaky_relu\('; allowed: elu, gelu, "
                                               r"leaky_relu, linear, none, relu"):
        DocumentOptions(appendix="leaky_relu(")  # the appendix's names, without generic, which it refuses
    with pytest.raises(SymbackpropError, match="the sections named include the appendix, and appendix none"):
        DocumentOptions(sections="vector,appendix", appendix="none")
    assert "appendix" not in DocumentOptions(sections="all", appendix="none").sections


def _markdown(folder: Path) -> str:
    [document] = folder.glob("derivation-*.md")
    return document.read_text(encoding="utf-8")


def test_appendix_sigmoid_tanh_on_a_relu_network(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "derive", "2-2-1", "--hidden", "relu", "--appendix", "sigmoid,tanh",
                           "--format", "md", "--out", str(tmp_path))
    assert code == 0, err
    appendix = _markdown(tmp_path).split("## Derivatives of the activation functions")[1]
    assert "### The logistic sigmoid" in appendix and "### The hyperbolic tangent" in appendix
    assert "### ReLU" not in appendix


def test_appendix_none_shows_no_appendix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for option, shown in ((), True), (("--appendix", "none"), False):  # goodfellow's seed has an appendix
        code, _, err = run_cli(capsys, "derive", "2-2-1", "--hidden", "relu", "--notation", "goodfellow", *option,
                               "--format", "md", "--out", str(tmp_path))
        assert code == 0, err
        markdown = _markdown(tmp_path)
        assert ("Derivatives of the activation functions" in markdown) is shown
        assert ("### ReLU" in markdown) is shown


def test_appendix_in_a_spec_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "net.toml"
    spec.write_text('layers = [2, 2, 1]\n[derive]\nappendix = ["gelu"]\nformat = "md"\n', encoding="utf-8")
    code, _, err = run_cli(capsys, "derive", str(spec), "--out", str(tmp_path / "out"))
    assert code == 0, err
    assert "### GELU" in _markdown(tmp_path / "out") and "### The logistic sigmoid" not in _markdown(tmp_path / "out")


def test_an_unknown_appendix_activation_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "derive", "2-2-1", "--appendix", "sigmoid,swish", "--out", str(tmp_path / "o"))
    assert code == 2 and one_line(err) and out == ""
    assert err.startswith("symbackprop: error: unknown appendix activation 'swish'; allowed: elu, gelu, ")
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------------------------------------------ the PDF
HOST = r"""\documentclass{article}
\usepackage{amsmath,amssymb,bm,booktabs,longtable,tikz}
\begin{document}
\section{Lecture}
\appendix
\section{Backpropagation}
\input{appendix.tex}
\end{document}
"""


@pytest.mark.pdf
@pytest.mark.slow
def test_every_activation_of_the_appendix_fits_the_page(tmp_path: Path) -> None:
    """Standalone (nielsen) and as a fragment in a default article (goodfellow, narrower): no overfull box."""
    require_tex()
    network = Network([2, 2, 2], hidden="leaky_relu(0.2)", output="softmax", loss="cross_entropy")
    derivation = network.derive()
    standalone = tmp_path / "standalone.tex"
    standalone.write_text(render_tex(derivation, DocumentOptions(appendix=APPENDIX_ACTIVATIONS)), encoding="utf-8")
    fragment = DocumentOptions(notation="goodfellow", appendix=APPENDIX_ACTIVATIONS, fragment=True,
                               heading="subsection", label_prefix="app:")
    (tmp_path / "appendix.tex").write_text(render_tex(derivation, fragment), encoding="utf-8")
    host = tmp_path / "host.tex"
    host.write_text(HOST, encoding="utf-8")
    for tex in (standalone, host):
        pdf.build_pdf(tex)
        log = tex.with_suffix(".log").read_text(errors="replace")
        assert "Overfull" not in log, tex.name
        assert "Undefined control sequence" not in log


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "silu"])
def test_the_last_line_in_the_letter_is_the_engines_line_with_the_activation_named(name: str) -> None:
    """Seed 002's g(z)(1 - g(z)): the model's last line with the activation itself, and nothing else, written g;
    put back, it is that line again (which the model proves); SiLU's σ(z) is not the activation and stays."""
    act = get_activation(name)
    last = worked(act).derivative[-1].expr
    renamed = _in_letter(last, act, "g")
    if name == "silu":
        assert renamed is None
        return
    assert renamed is not None and not renamed.has(*last.atoms(sp.Function))
    (letter,) = renamed.atoms(sp.Function)
    assert equal(renamed.xreplace({letter: act(Z)}), last, random.Random(0))


def test_the_softmax_rule_the_appendix_prints_is_the_one_proven(monkeypatch: pytest.MonkeyPatch) -> None:
    """The appendix's "both cases" line and its matrix form are printed from the objects check_softmax proves: a
    wrong rule there fails the proof and shows in the document alike."""
    from symbackprop.model import derivatives

    net = Network([3, 3, 2], output="softmax", loss="cross_entropy")
    text = render_markdown(net.derive(), DocumentOptions(notation="goodfellow", formats=("md",)))
    assert r"&= \hat{y}_{i}\,(\mathbb{1}_{i=j} - \hat{y}_{j}) \qquad \text{both cases}" in text
    assert r"In matrix form the Jacobian is $\operatorname{diag}(\underline{\hat{y}}) - \underline{\hat{y}} " \
           r"\underline{\hat{y}}^{\top}$" in text
    assert derivatives.check_softmax(3) > 0

    def plus(output: sp.Basic, other: sp.Basic, same: sp.Basic) -> sp.Expr:  # a sign wrong
        return sp.Mul(output, sp.Add(same, other, evaluate=False), evaluate=False)

    monkeypatch.setattr(derivatives, "softmax_entry", plus)
    with pytest.raises(WorkedDerivativeError, match="softmax"):
        derivatives.check_softmax(3)
    monkeypatch.setattr("symbackprop.documents.appendix.softmax_entry", plus)
    text = render_markdown(net.derive(), DocumentOptions(notation="goodfellow", formats=("md",)))
    assert r"&= \hat{y}_{i}\,(\mathbb{1}_{i=j} + \hat{y}_{j}) \qquad \text{both cases}" in text


@pytest.mark.parametrize(("activations", "said", "appendix"), [
    (["leaky_relu(0.2)", "elu(2)", "silu", "gelu", "softplus", "linear"],
     "leaky ReLU (slope 1/5) / ELU (alpha = 2) / SiLU / GELU / softplus hidden layers, linear output",
     "leaky ReLU (slope 1/5), ELU (alpha = 2), SiLU and GELU"),  # the network's own parameters
    (["elu", "relu", "leaky_relu"], "ELU / ReLU hidden layers, leaky ReLU (slope 1/100) output",
     "leaky ReLU (slope 1/100), ELU, SiLU and GELU"),
])
def test_prose_names_activations_as_a_lecturer_does_not_as_a_spec(activations: list[str], said: str,
                                                                  appendix: str) -> None:
    """The subtitle and the appendix's opening name each activation in words, with the parameter its derivative
    depends on (ELU's usual alpha of 1 left unsaid): never ``leaky_relu(1/5)`` or ``elu(1)``."""
    from symbackprop.documents.words import describe

    network = Network([2] * len(activations) + [1], activations=activations, loss="mse")
    assert said in describe(network)
    tex = render_tex(network.derive(forms=("vector",)), DocumentOptions(appendix="leaky_relu,elu,silu,gelu"))
    assert f"The derivatives of {appendix}, worked out step by step." in tex
    assert "relu(" not in tex and "elu(" not in tex and r"\_" not in tex.split(r"\begin{document}")[1]
