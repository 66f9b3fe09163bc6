"""The notation presets and the printer: each preset writes the engine's symbols as its seed does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from symbackprop import Network
from symbackprop.documents import pdf
from symbackprop.documents.options import DocumentOptions
from symbackprop.documents.render import environment, render_tex
from symbackprop.documents.tables import notation_table, table
from symbackprop.errors import SymbackpropError, UnknownNameError
from symbackprop.notation.display import Display, Line, chain, visual_width
from symbackprop.notation.escape import bars_as_commands, latex_escape, markdown_escape, prose
from symbackprop.notation.matrices import bracketed
from symbackprop.notation.overrides import (
    SAFE_COMMANDS,
    as_letter,
    check_override,
    normal_form,
    parse_overrides,
    with_overrides,
)
from symbackprop.notation.presets import OVERRIDABLE, PRESETS, get_notation, join_indices
from symbackprop.notation.printer import INDICATOR_MARKDOWN, NotationPrinter, shrink_parens
from symbackprop.notation.written import terms
from tests.helpers import require_tex

NET = Network([2, 3, 2], hidden="tanh", output="sigmoid", loss="bce")
SPARSE = Network([3, 3, 3, 2], hidden="relu", output="softmax", loss="sparse_cross_entropy")
NEURON = Network([2, 2, 2], bias="neuron")
C = sp.Symbol("c")


def printer(preset: str, network: Network = NET, **kwargs: object) -> NotationPrinter:
    return NotationPrinter(get_notation(preset), network, **kwargs)  # type: ignore[arg-type]


def s(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def m(name: str, rows: int = 2, cols: int = 1) -> sp.MatrixSymbol:
    return sp.MatrixSymbol(name, rows, cols)


SCALARS = [
    # (preset, engine symbol, LaTeX as the seed writes it)
    ("nielsen", "W2_1_3", "w^{2}_{13}"),
    ("nielsen", "z1_2", "z^{1}_{2}"),
    ("nielsen", "delta2_1", r"\delta^{2}_{1}"),
    ("ng", "z1_2", "Z^{(2)}_{2}"),  # the input is layer 1: engine layer 1 is ng's layer 2
    ("ng", "W1_2_1", "w^{(1)}_{21}"),  # W^{(l)} maps layer l to l+1
    ("ng", "x_1", "X^{(1)}_{1}"),
    ("input-major", "W2_1_3", "W_{31}^{(2)}"),  # source first: W_{ij} from i to j
    ("input-major", "a1_2", "a_{2}^{(1)}"),
    ("goodfellow", "W1_1_1", "W_{111}"),
    ("goodfellow", "z2_1", "a_{21}"),  # pre-activation a_{kj}
    ("goodfellow", "a1_3", "h_{13}"),
    ("goodfellow", "a2_1", r"\hat{y}_{1}"),  # the output layer is ŷ
    ("goodfellow", "delta1_2", r"\frac{\partial \mathcal{L}(\theta)}{\partial a_{12}}"),
    ("bishop", "z1_2", "a^{(1)}_{2}"),
    ("bishop", "a1_2", "z^{(1)}_{2}"),
    ("bishop", "a2_1", "y_{1}"),
    ("bishop", "y_1", "r_{1}"),
    ("bishop", "c", "E_n"),
    ("input-major", "c", "c"),
    ("input-major", "C", "C"),
]


@pytest.mark.parametrize(("preset", "name", "expected"), SCALARS)
def test_scalar_symbols_are_written_as_the_seed_writes_them(preset: str, name: str, expected: str) -> None:
    assert printer(preset).doprint(s(name)) == expected


def test_two_digit_indices_are_separated_by_commas() -> None:
    net = Network([12, 2, 1])
    assert printer("goodfellow", net).doprint(s("W1_2_12")) == "W_{1,2,12}"
    assert join_indices(("1", "2")) == "12"
    assert join_indices(("l+1", "j")) == "l+1,j"
    assert join_indices(("L", "i'")) == "Li'"  # a primed letter is one index letter (seed 002's i')


def test_partial_derivatives_print_as_fractions_in_the_notation() -> None:
    expr = sp.Derivative(C, s("z2_1"), evaluate=False)
    assert printer("nielsen").doprint(expr) == r"\frac{\partial C}{\partial z^{2}_{1}}"
    assert printer("bishop").doprint(expr) == r"\frac{\partial E_n}{\partial a^{(2)}_{1}}"


def test_gradients_of_matrices_use_nabla_in_goodfellow_notation() -> None:
    assert printer("goodfellow").doprint(sp.Derivative(C, m("W2", 2, 3))) == r"\nabla_{W_{2}} \mathcal{L}(\theta)"
    assert printer("nielsen").doprint(sp.Derivative(C, m("W2", 2, 3))) == r"\frac{\partial C}{\partial W^{2}}"


def test_sparse_targets_print_as_indicator_functions() -> None:
    target = SPARSE.targets[0]
    assert printer("goodfellow", SPARSE).doprint(target) == r"\mathrm{1\!\!1}_{\ell=1}"
    assert printer("goodfellow", SPARSE, indicator=INDICATOR_MARKDOWN).doprint(target) == r"\mathbb{1}_{\ell=1}"
    assert printer("goodfellow", SPARSE).doprint(m("y")) == r"\underline{e}_{\ell}"


def test_logistic_expressions_print_as_sigma() -> None:
    u = s("z1_1")
    assert printer("nielsen").doprint(1 / (1 + sp.exp(-u))) == r"\sigma(z^{1}_{1})"
    assert printer("nielsen", sigma=False).doprint(1 / (1 + sp.exp(-u))) == r"\frac{1}{1 + e^{- z^{1}_{1}}}"


def test_relu_derivative_prints_as_an_indicator() -> None:
    z = s("z1_1")
    step = sp.Piecewise((0, z <= 0), (1, True))
    assert printer("goodfellow").doprint(step) == r"\mathrm{1\!\!1}_{a_{11} > 0}"


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("nielsen", r"((W^{2})^{\top} \delta^{2}) \odot \tanh'(z^{1})"),
        ("goodfellow", r"(W_{2}^{\top} \nabla_{\underline{a}_{2}} \mathcal{L}(\theta)) \odot g'(\underline{a}_{1})"),
        ("input-major", r"(W^{(2)} \boldsymbol{\delta}^{(2)}) \odot g_{1}'(\mathbf{z}^{(1)})"),
        ("bishop", r"((\mathbf{W}^{(2)})^{\top} \boldsymbol{\delta}^{(2)}) \odot h'(\mathbf{a}^{(1)})"),
    ],
)
def test_bp2_prints_in_each_notation(preset: str, expected: str) -> None:
    expr = sp.HadamardProduct(
        m("W2", 2, 3).T * m("delta2"), ElementwiseApplyFunction(sp.Function("tanh'"), m("z1", 3, 1))
    )
    assert printer(preset).doprint(expr) == expected


def test_weights_without_bias_column_print_with_a_tilde() -> None:
    sliced = m("W2", 2, 3)[:, 1:]
    assert printer("ng", NEURON).doprint(sp.Transpose(sliced)) == r"(\tilde{\mathbf{W}}^{(2)})^{\top}"
    assert printer("ng", NEURON).doprint(m("abar1", 3, 1)) == r"\bar{\mathbf{a}}^{(2)}"


def test_layer_labels_write_a_representative_layer_generally() -> None:
    general = printer("nielsen").relabel({1: "l", 2: "l+1"})
    assert general.doprint(m("delta1")) == r"\delta^{l}"
    assert general.doprint(s("W2_1_2")) == "w^{l+1}_{12}"


def test_ones_vectors_show_their_length_only_when_symbolic() -> None:
    p = printer("nielsen")
    assert p.doprint(sp.OneMatrix(3, 1)) == r"\mathbf{1}"
    assert p.doprint(sp.OneMatrix(1, sp.Symbol("m"))) == r"\mathbf{1}_{m}^{\top}"


def test_plain_parentheses_unless_the_content_is_tall() -> None:
    assert shrink_parens(r"\left(a^{2}_{1} - y\right)") == "(a^{2}_{1} - y)"
    assert shrink_parens(r"\left(\frac{1}{2}\right)") == r"\left(\frac{1}{2}\right)"
    assert shrink_parens(r"\left(\left(W\right)^{\top} x\right)") == r"((W)^{\top} x)"


def test_every_preset_prints_every_symbol_kind() -> None:
    symbols = [s("x_1"), s("y_1"), s("z1_1"), s("a1_1"), s("delta1_1"), s("W1_1_1"), s("b1_1"), C]
    matrices = [m("x"), m("y"), m("z1"), m("a2"), m("delta1"), m("W1"), m("b1"), m("Z1"), m("A1"), m("Delta1")]
    for name in PRESETS:
        p = printer(name)
        for expr in symbols + matrices:
            assert p.doprint(expr), (name, expr)


def test_unknown_preset_suggests_the_closest_name() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'nielsen'"):
        get_notation("nielson")


def test_overrides_replace_letters() -> None:
    notation = with_overrides(get_notation("nielsen"), {"cost": "J", "activation": "g"})
    p = NotationPrinter(notation, NET)
    assert p.doprint(C) == "J"
    assert p.doprint(sp.Function("tanh")(s("z1_1"))) == "g(z^{1}_{1})"


@pytest.mark.parametrize(("preset", "overrides", "taken"), [
    ("bishop", {"weight": "b"}, "b already stands for the bias"),
    ("bishop", {"target": "y"}, "y already stands for the output"),
    ("nielsen", {"input": "w"}, "w already stands for the weight"),
    ("nielsen", {"pre_activation": "u", "neuron_output": "u"}, "u already stands for the"),
    ("goodfellow", {"delta": "h"}, "h already stands for the neuron output"),
    # a letter with scripts, a prime or a font is the same letter: W^{2} reads as layer 2's weights
    ("nielsen", {"cost": "W^{2}"}, "W already stands for the weight matrix"),
    ("nielsen", {"cost": r"\mathbf{W}"}, "W already stands for the weight matrix"),
    ("nielsen", {"cost": r"\delta^{L}"}, r"\\delta already stands for the delta"),
    ("nielsen", {"cost": "a'"}, "a already stands for the neuron output"),
    ("nielsen", {"cost": "b_{j}"}, "b already stands for the bias"),
    # nor a letter the notation draws that is no quantity's: σ where it names the activations, goodfellow's θ
    ("nielsen", {"cost": r"\sigma"}, r"\\sigma already stands for the sigmoid \(and a generic activation\)"),
    ("bishop", {"target": r"\sigma_1"}, r"\\sigma already stands for the sigmoid"),
    ("goodfellow", {"weight": r"\theta"}, r"\\theta already stands for the parameters \(inside the loss's letter\)"),
    # nor a letter of the documents' own: the output layer's L, the learning rate, the batch's m, an index, a layer
    ("nielsen", {"cost": "L"}, "L already stands for the output layer's number"),
    ("nielsen", {"cost": r"\eta"}, r"\\eta already stands for the learning rate"),
    ("nielsen", {"cost": "m"}, "m already stands for the number of examples of a batch"),
    ("nielsen", {"weight": "k"}, "k already stands for a neuron's index"),
    ("input-major", {"cost": r"\ell"}, r"\\ell already stands for a general layer"),
])
def test_an_override_taking_another_quantitys_letter_is_refused(preset: str, overrides: dict[str, str],
                                                               taken: str) -> None:
    with pytest.raises(SymbackpropError, match=taken):
        with_overrides(get_notation(preset), overrides)


@pytest.mark.parametrize("preset", ["nielsen", "ng", "input-major"])
def test_an_override_of_a_letter_the_notation_does_not_have_is_refused(preset: str) -> None:
    """Nielsen's output is a^L: --symbol output=Q would change nothing."""
    with pytest.raises(SymbackpropError, match=f"^--symbol output: the {preset} notation writes the output as the "
                                               "last layer's activations, with no letter of its own"):
        with_overrides(get_notation(preset), {"output": "Q"})
    assert with_overrides(get_notation("goodfellow"), {"output": "Q"}).letters["out"] == "Q"


@pytest.mark.parametrize(("preset", "overrides"), [
    ("nielsen", {"weight": "W"}),  # w_jk written as the entries of W
    ("bishop", {"cost": "E"}),  # the cost of one example written as that of all
    ("bishop", {"pre_activation": "a"}),  # the preset's own letter
    ("goodfellow", {"activation": "O"}),  # hidden and output activations alike
    ("nielsen", {"bias": "u", "weight": "v"}),
])
def test_overrides_may_share_a_letter_within_one_quantity(preset: str, overrides: dict[str, str]) -> None:
    notation = with_overrides(get_notation(preset), overrides)
    assert all(notation.letters[OVERRIDABLE[name][0]] == latex for name, latex in overrides.items())


@pytest.mark.parametrize(
    "item",
    ["cost=\\input{/etc/passwd}", "cost={J", "cost=J}", "cost=", "cost=\\def\\x{1}", "cost=50%", "nonsense=J", "cost"],
)
def test_unsafe_or_malformed_overrides_are_refused(item: str) -> None:
    with pytest.raises(SymbackpropError):
        parse_overrides([item])


def test_safe_overrides_are_accepted() -> None:
    assert parse_overrides(["cost=\\mathcal{J}", "activation=\\phi"]) == {"cost": "\\mathcal{J}", "activation": "\\phi"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a~b", r"a\textasciitilde{}b"), ("50% & \\", r"50\% \& \textbackslash{}"), ("{x}_1", r"\{x\}\_\allowbreak{}1")],
)
def test_latex_escape_is_one_pass(text: str, expected: str) -> None:
    assert latex_escape(text) == expected


def test_prose_escapes_text_and_keeps_math() -> None:
    # a name may break after its underscore (leaky_relu(1/5) in a narrow column); the math is kept as it is
    assert prose("leaky_relu at $z_j$", latex_escape) == r"leaky\_\allowbreak{}relu at $z_j$"
    assert prose("a *b* at $z_j$", markdown_escape) == r"a \*b\* at $z_j$"
    with pytest.raises(ValueError):
        prose("unbalanced $x", latex_escape)


#: Overrides LaTeX typesets, alone and with the scripts the templates add (test_accepted_overrides_compile proves it).
TYPESET = [r"\hat\theta", "J_0", r"\mathcal{L}^{*}", "{J_0}_1", r"\mathbf{W}", "J_{0}^{2}", r"\tilde{\mathbf{w}}",
           r"\mathbf{w_0}", "w_0^{*}", "J'", "J''", "J'^2", "J'_1", r"\mathcal{L}(\theta)", "MSE", r"\mathrm{MSE}",
           "J^{(i)}", "w_{j,k}", "J^*", r"J_{\hat\theta}", r"J^{\prime}", r"\operatorname{loss}", r"\ell_2",
           r"\boldsymbol{\delta}", r"\bm{w}", r"\mathbb{E}_{x}", r"\hat{\mathbf{W}}", r"\bar w", r"\,J", "E_n",
           r"\vec{x}^{\,2}", "J_{}"]


@pytest.mark.parametrize("latex", TYPESET)
def test_overrides_that_latex_can_typeset_pass(latex: str) -> None:
    assert check_override("cost", latex) == latex


@pytest.mark.parametrize(("latex", "problem"), [
    ("a_", "_ needs something after it"),
    ("^", "^ has nothing before it"),
    ("{_0}", "_ has nothing before it"),
    ("J_^2", "_ needs something after it"),
    (r"\mathbf", r"\mathbf needs an argument"),
    (r"\hat}", r"\hat needs an argument"),
    ("J_1_2", "a double subscript"),
    ("J^1^2", "a double superscript"),
    ("J}{", "unbalanced braces"),
    ("{}", "draws nothing"),
    (r"\mathbf{}", "draws nothing"),
    (r"\,", "draws nothing"),
    ("a\\", "a backslash must start a command"),
    ("θ", "write LaTeX in ASCII"),
    (r"J_\hat\theta", r"_\hat needs braces around the script, as J_{\hat{x}}"),
    (r"J^\mathbf{W}", r"^\mathbf needs braces around the script"),
    ("J^2'", "a prime ' goes right after the letter, before its scripts"),
    ("J_1'", "a prime ' goes right after the letter, before its scripts"),
    ("J^'", "^ needs something after it"),
    ("'J", "' has nothing before it"),
    (r"\hat\mathbf{W}", r"\hat takes one letter or a braced group; write \hat{\mathbf{...}}"),
    ("J\fK", r"the control character '\x0c' is not allowed; write printable ASCII"),
    ("J\f", r"the control character '\x0c' is not allowed"),
    ("J\x7f", r"the control character '\x7f' is not allowed"),
    ("J\tK", r"the control character '\t' is not allowed"),
    ("J\nK", r"the control character '\n' is not allowed"),
    ("θ\n", r"the control character '\n' is not allowed"),  # not a line break in the message
    ("|J|", "'|' is not allowed; use letters, digits, Greek letters"),
    ("J@", "'@' is not allowed"),
    (r"\{J\}", r"\{ is not allowed"),
    (r"\\", r"\\ is not allowed"),
    ("J~", "the characters % # $ & ~ are not allowed"),
    ("{" * 60 + "J" + "}" * 60, "longer than 100 characters"),
    (r"\partial", r"a symbol begins with a letter, such as J or \theta, not \partial"),
    (r"\nabla J", r"not \nabla"),
    ("12", "a symbol begins with a letter, such as J or \\theta, not 1"),
    ("J=K", "'=' is not allowed"),
])
def test_overrides_that_would_stop_latex_are_refused(latex: str, problem: str) -> None:
    with pytest.raises(SymbackpropError, match=re.escape(problem)) as info:
        check_override("cost", latex)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("latex", "letter"), [("J", "J"), ("J_0", "{J_0}"), (r"\mathbf{w}^{*}", r"{\mathbf{w}^{*}}"),
                                               (r"\mathbf{w_0}", r"\mathbf{w_0}"), ("J'", "{J'}"), ("MSE", "{MSE}"),
                                               (r"\mathcal{L}(\theta)", r"{\mathcal{L}(\theta)}"),
                                               (r"\hat\theta", r"\hat\theta")])
def test_an_override_with_scripts_is_grouped_so_the_templates_can_add_theirs(latex: str, letter: str) -> None:
    assert as_letter(latex) == letter


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_the_notation_table_indexes_neurons_and_layers_with_different_letters(preset: str) -> None:
    notation = get_notation(preset)
    table = notation_table(SPARSE, printer(preset, SPARSE))
    layer = notation.layer_letter
    (weight,) = [row for row in table.rows if row[1].startswith("weight from neuron")]
    match = re.fullmatch(r"weight from neuron \$(\w)\$ in layer \$(.+)\$ to neuron \$(\w)\$ in layer \$(.+)\$",
                         weight[1])
    assert match is not None, weight
    source, destination = match.group(1), match.group(3)
    assert len({source, destination, layer}) == 3, weight
    if preset == "goodfellow":  # seed 002: a_{ki} = b_{ki} + sum_j W_{kij} h_{k-1,j}
        assert weight[0] == "$W_{kij}$"
    for symbol, meaning in table.rows:
        if "neuron $" in meaning and "layer $" in meaning:
            assert f"neuron ${layer}$" not in meaning, (symbol, meaning)


# ------------------------------------------------------------------------------------- overrides: LaTeX's proof
@pytest.mark.pdf
def test_accepted_overrides_compile(tmp_path: Path) -> None:
    """Every override of TYPESET, alone and as the templates use it (with their scripts), and the oracle's
    COMPILES, in one LaTeX run."""
    require_tex()
    lines = [f"${latex}$ ${as_letter(latex)}^{{2}}_{{j}}$ $\\frac{{\\partial {latex}}}{{\\partial w}}$\\par"
             for latex in TYPESET]
    lines += [f"${latex}$\\par" for latex in COMPILES]  # the structure oracle's examples of what compiles
    tex = tmp_path / "overrides.tex"
    tex.write_text("\\documentclass{article}\n\\usepackage{amsmath,amssymb,bm}\n\\begin{document}\n"
                   + "\n".join(lines) + "\n\\end{document}\n")
    assert pdf.build_pdf(tex).stat().st_size > 1000


# ------------------------------------------------------------------------------------- overrides: structure
#: LaTeX-ish tokens, good and bad, from which random overrides are drawn.
PIECES = ["J", "w", "0", "2", "\\theta", "\\ell", "\\ast", "\\hat", "\\mathbf", "\\mathcal", "{", "}", "_", "^", "'",
          "\\,", "(", ")", "*", ",", "|", "\\input", " ", "\\", "%", "\f", "\x7f", "\\{", "@"]
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\S")
_SIMPLE = re.compile(r"[A-Za-z0-9()\[\],.+\-*/=]$|\\(alpha|beta|theta|ell|ast|star|prime|delta|phi|nabla)$")
_ACCENTS = {"\\hat", "\\tilde", "\\bar", "\\vec", "\\check", "\\breve", "\\dot", "\\ddot"}
_SWITCHES = {"\\mathbf", "\\mathcal", "\\mathrm", "\\mathit", "\\mathsf", "\\mathbb", "\\boldsymbol", "\\bm"}
_FONTS = _ACCENTS | _SWITCHES | {"\\underline", "\\overline", "\\operatorname"}
_SPACES = {"\\,", "\\!", "\\ "}


def _argument(token: str | None) -> bool:
    """Whether TeX takes ``token`` (``<G>`` a group, ``<A...>`` a group TeX read as an accent) as a math field."""
    return token is not None and (token.startswith("<") or bool(_SIMPLE.match(token)))


def _flat(tokens: list[str]) -> tuple[str | None, str]:
    """Read one group whose inner groups are ``<G>`` (or ``<A^>``, an accent and its scripts: a group holding one
    accent noad, which TeX puts in the group's place), as TeX reads math: a script or a font command without its
    argument, a second subscript or superscript of one nucleus (a prime ' is a superscript, joined by a ^ right
    after it). Returns the problem, and what the group is to its parent: ``<G>``, or ``<A...>``."""
    items: list[tuple[bool, set[str]]] = []  # (an accent noad, its scripts) per nucleus
    i = 0
    while i < len(tokens):
        token, after = tokens[i], tokens[i + 1] if i + 1 < len(tokens) else None
        scripts = items[-1][1] if items else None
        if token in ("_", "^"):
            if scripts is None or token in scripts:
                return f"{token} without a nucleus, or a second one", "<G>"
            if not _argument(after):
                return f"{token} without its argument", "<G>"
            scripts.add(token)
            i += 2
            continue
        if token == "'":
            if scripts is None or "^" in scripts:
                return "a prime without a nucleus or after a superscript", "<G>"
            scripts.add("^")
            while after == "'":
                i += 1
                after = tokens[i + 1] if i + 1 < len(tokens) else None
            if after == "^":  # joins the primes' superscript
                if not _argument(tokens[i + 2] if i + 2 < len(tokens) else None):
                    return "^ without its argument", "<G>"
                i += 2
            i += 1
            continue
        if token in _FONTS:
            if not _argument(after) or (after or "") in "()[],.+-*/=":
                return f"{token} without its argument", "<G>"
            inner = after if token in _SWITCHES and after and after.startswith("<A") else None
            items.append((token in _ACCENTS or inner is not None, set(inner[2:-1]) if inner else set()))
            i += 2
            continue
        if token.startswith("<A"):
            items.append((True, set(token[2:-1])))
        elif token in _SPACES:
            items.append((False, {"_", "^"}))  # nothing to script: a script after a space has no nucleus
        else:
            items.append((False, set()))
        i += 1
    if len(items) == 1 and items[0][0]:
        return None, "<A" + "".join(sorted(items[0][1])) + ">"
    return None, "<G>"


def structure_problem(latex: str) -> str | None:
    """What would stop LaTeX in ``latex``, found without the package's grammar: characters, commands, braces,
    then each group from the innermost out."""
    if not (latex.isascii() and latex.isprintable()) or set(latex) & set("%#$&~"):
        return "a character outside printable ASCII or special to TeX"
    tokens = _TOKEN.findall(latex)
    commands = {t for t in tokens if t.startswith("\\") and len(t) > 1}
    if commands - _FONTS - _SPACES - {f"\\{c}" for c in SAFE_COMMANDS} or "\\" in tokens:
        return "a command that is not allowed"
    stack: list[list[str]] = [[]]
    for token in tokens:
        if token == "{":
            stack.append([])
        elif token == "}":
            if len(stack) == 1:
                return "unbalanced braces"
            problem, marker = _flat(stack.pop())
            if problem:
                return problem
            stack[-1].append(marker)
        else:
            stack[-1].append(token)
    return "unbalanced braces" if len(stack) > 1 else _flat(stack[0])[0]


@settings(max_examples=400, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=9).map("".join))
def test_an_accepted_override_is_well_formed_alone_and_with_the_templates_scripts(latex: str) -> None:
    try:
        accepted = check_override("cost", latex)
    except SymbackpropError as refusal:
        assert "\n" not in str(refusal)
        return
    assert structure_problem(accepted) is None, accepted
    assert structure_problem(f"{as_letter(accepted)}^{{2}}_{{j}}") is None, accepted


#: Checked with pdflatex: each compiles (the first list; test_accepted_overrides_compile proves it) or stops LaTeX
#: or is refused (the second).
COMPILES = ["J", "J_0", "J_{0}^{2}", r"\mathcal{L}^{*}", "J'^2", "J'^2_1", "J_1'", r"\hat{\mathbf{W}}",
            r"{\hat{x}^{2}}_{3}", r"{\hat{x}^{2}{}}^{3}", r"\hat{x}'^{3}", r"{\underline{x}^2}^3",
            r"\hat{\hat{x}^{2}}^{3}", r"{\mathbf{x}^{2}}^{3}", r"{\hat x}'^2", r"{\hat{x}^{2}\,}^{3}"]
STOPS = ["J_1_2", "J^2'", "J'_1^2", r"J_\hat\theta", "{J", r"\hat", "J^", r"\input", r"{\hat{x}^{2}}^{3}",
         r"{\hat{x}'}^{3}", r"{{\hat{x}}_1}_{2}", r"{\mathbf{\hat{x}}^{2}}^{3}", r"{\bar{x}^2}^3", r"{\hat{x}^{2}}'"]


@pytest.mark.parametrize("latex", COMPILES)
def test_the_structure_oracle_passes_what_latex_typesets(latex: str) -> None:
    assert structure_problem(latex) is None


@pytest.mark.parametrize("latex", STOPS)
def test_the_structure_oracle_finds_what_stops_latex(latex: str) -> None:
    assert structure_problem(latex) is not None


# ------------------------------------------------------------------------------------- overrides: letter clashes
@pytest.mark.parametrize("weight", ["{b}", "{{b}}", " b ", "{ b }", "{{{b}}}"])
def test_a_braced_or_spaced_letter_clashes_like_the_bare_letter(weight: str) -> None:
    with pytest.raises(SymbackpropError, match="b already stands for the bias"):
        with_overrides(get_notation("bishop"), {"weight": weight})


@pytest.mark.parametrize(("latex", "normal"), [
    ("{b}", "b"), ("{{b}}", "b"), (" b ", "b"), (r"\hat{\theta}", r"\hat \theta"), (r"\hat \theta", r"\hat \theta"),
    ("{J_0}", "J _ 0"), ("J_{0}", "J _ 0"), ("{J_0}_1", "{ J _ 0 } _ 1"), (r"\mathbf{W}", r"\mathbf W"),
])
def test_normal_forms_drop_spaces_and_redundant_braces_only(latex: str, normal: str) -> None:
    assert normal_form(latex) == normal


def test_a_different_letter_in_braces_is_no_clash() -> None:
    notation = with_overrides(get_notation("bishop"), {"weight": "{v}"})
    assert notation.letters["w"] == "{v}"


# ------------------------------------------------------------------------------------- Markdown tables
def _cells(line: str) -> list[str]:
    """A Markdown table row's cells, split at the pipes that are not escaped (as GitHub splits them)."""
    return re.split(r"(?<!\\)\|", line.strip())[1:-1]


def test_a_bar_in_a_table_cell_keeps_the_markdown_columns() -> None:
    cells = table(("Symbol", "Meaning"), [(r"$|x| + \|w\|$", "a | b"), ("$a$", "plain")], "ll")
    env = environment("markdown")
    text = env.from_string('((* from "macros.md.j2" import table *))((( table(t) )))').render(t=cells)
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert len(rows) == 4 and all(len(_cells(line)) == 2 for line in rows), text
    assert r"$\vert x\vert + \Vert w\Vert$" in text and r"a \| b" in text


def test_bars_in_math_become_commands_and_text_is_left_alone() -> None:
    assert bars_as_commands(r"$|x|$ and | $\left|z\right|_2$") == r"$\vert x\vert$ and | $\left\vert z\right\vert_2$"
    assert bars_as_commands("no math") == "no math"


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_notation_table_cells_have_no_bare_bars_in_math(preset: str) -> None:
    for net in (NET, SPARSE, NEURON):
        for row in notation_table(net, printer(preset, net)).rows:
            for cell in row:
                assert "|" not in "".join(cell.split("$")[1::2]), cell


def test_a_note_too_long_for_its_line_is_set_with_it_at_the_right_edge() -> None:
    """A note alone on a row (it did not fit beside its step) goes with the line it justifies, as LaTeX's \\tag*
    sets it; never with a line that has a note, nor onto a numbered display's last line."""
    steps = Display((Line("y", "=", "a", ""), Line("", "", "", r"\text{since}\ a = b"), Line("", "=", "b", "x"),
                     Line("", "", "", r"\text{long}")))
    assert steps.rows == ((steps.lines[0], r"\text{since}\ a = b"), (steps.lines[2], ""), (steps.lines[3], ""))
    numbered = Display((Line("y", "=", "a", ""), Line("", "", "", r"\text{since}")), tag="1")
    assert numbered.rows == ((numbered.lines[0], ""), (numbered.lines[1], ""))
    tex = render_tex(Network([2, 2, 1]).derive(), DocumentOptions(notation="bishop-single", formats=("tex",)))
    assert r"\tag*{$\text{differentiate the loss;}" in tex and r"&  \qquad \text{differentiate" not in tex


def test_a_note_too_wide_to_stand_beside_even_the_first_term_goes_under_the_broken_sum() -> None:
    """A step whose sum breaks across lines keeps its note beside the first line where they fit together; a note too
    wide for that (a hidden neuron's, naming its local derivatives) goes under the step's last line, the sum broken
    for the whole width, never set past the page beside a line of one term."""
    terms = [rf"a_{{{i}}} b_{{{i}}} c_{{{i}}} d_{{{i}}}" for i in range(1, 9)]
    short, wide = r"\text{chain rule}", r"\text{definition of } \delta;\ " + r"\text{a local derivative, since } z " * 3
    beside = chain("y", [(terms, short)]).lines
    assert beside[0].note == short and all(not line.note for line in beside[1:])
    under = chain("y", [(terms, wide)]).lines
    assert [line.note for line in under] == [""] * (len(under) - 1) + [wide]
    assert all(visual_width(line.rhs) <= 68 for line in under) and len(under) - 1 <= len(beside)
    packed = chain("y", [(["a"], r"\text{chain rule}"), (["b"], r"\text{its factors as above}")], pack=True)
    assert packed.lines == (Line("y", "=", "a = b", r"\text{chain rule};\ \text{its factors as above}"),)  # spaced


def test_a_matrix_past_six_rows_or_columns_is_written_with_its_first_two_dots_and_its_last() -> None:
    entries = [[f"e_{{{r}{c}}}" for c in range(1, 8)] for r in range(1, 10)]  # 9 x 7
    written = bracketed(entries)
    rows = written.removeprefix(r"\begin{bmatrix}").removesuffix(r"\end{bmatrix}").split(r" \\ ")
    assert [row.split(" & ") for row in rows] == [
        ["e_{11}", "e_{12}", r"\cdots", "e_{17}"], ["e_{21}", "e_{22}", r"\cdots", "e_{27}"],
        [r"\vdots", r"\vdots", r"\ddots", r"\vdots"], ["e_{91}", "e_{92}", r"\cdots", "e_{97}"]]
    column = bracketed([[f"v_{{{r}}}"] for r in range(1, 8)])
    assert column == r"\begin{bmatrix}v_{1} \\ v_{2} \\ \vdots \\ v_{7}\end{bmatrix}"
    small = [[f"e_{{{r}{c}}}" for c in range(1, 7)] for r in range(1, 7)]  # 6 x 6: every entry
    assert bracketed(small).count("&") == 30 and r"\cdots" not in bracketed(small)


def test_a_product_of_a_long_sum_is_broken_into_its_terms_in_the_order_of_their_neurons() -> None:
    network = Network([2, 12, 1], bias="none")
    printer = NotationPrinter(PRESETS["bishop"], network)
    w = [sp.Symbol(f"W2_1_{k}", real=True) for k in range(1, 13)]
    d = [sp.Symbol(f"delta2_{k}", real=True) for k in range(1, 13)]
    z = sp.Symbol("a1_1", real=True)
    pieces = terms(z * (1 - z) * sum(wk * dk for wk, dk in zip(w, d, strict=True)), printer)
    assert len(pieces) == 12 and pieces[0].endswith(r"\bigl(w^{(2)}_{11} \delta^{(2)}_{1}") and pieces[-1].endswith(
        r"\bigr)")
    assert "w^{(2)}_{1,10}" in pieces[9] and "w^{(2)}_{12}" in pieces[1]  # 10 after 9, not after 1
    assert len(terms(z * (1 - z) * (w[0] * d[0] + w[1] * d[1]), printer)) == 1  # a short sum stays whole
