"""The note printed beside each step of a display: one table, :data:`NOTES`, keyed by the step's rule.

Notes are LaTeX math (words inside ``\\text``); the Markdown documents show the same displays as math, so this
is the one table both formats print from. The engine's own plain-English words for a rule are
:data:`symbackprop.model.rules.WORDS`; nothing here reads them. A note that states a general rule (``diag(v)u =
u ⊙ v``) prints it from its schema (:data:`CITES`, :data:`symbackprop.derive.schemas.SCHEMAS`), the entry that
``--verify`` proves.
"""

from __future__ import annotations

import sympy as sp

from ..derive import schemas
from ..model.activations import ACTIVATIONS
from ..model.rules import Rule

#: Rule -> its note. ``{z}`` is the notation's letter for the pre-activation (bishop and goodfellow write ``a``:
#: their ``z`` and ``h`` are outputs), ``{g}`` the LaTeX name of the activation the step names, ``{C}`` the letter of a
#: batch's cost (E, 𝓛(θ)), ``<rule>`` the general rule the step cites (:data:`CITES`).
NOTES: dict[Rule, str] = {
    Rule.DEFINITION: r"\text{definition}",
    Rule.DIFFERENTIATE: r"\text{differentiate}",
    Rule.SIMPLIFY: r"\text{simplify}",
    Rule.IN_TERMS_OF_OUTPUT: r"\text{in terms of the output}",
    Rule.RECOGNISE_ACTIVATION: r"\text{recognise } {g}({z})",
    Rule.IN_TERMS_OF_SIGMOID: r"\text{in terms of } \sigma({z})",
    Rule.CHAIN_RULE: r"\text{chain rule}",
    Rule.WORK_OUT_ACTIVATION_DERIVATIVE: r"\text{since}",
    Rule.CHAIN_RULE_SOFTMAX: r"\text{chain rule; softmax Jacobian}",
    Rule.CHAIN_RULE_NEXT_LAYER: r"\text{chain rule}",
    Rule.CHAIN_RULE_PARAMETER: r"\text{chain rule; definition of } \delta",
    Rule.EXPAND_AND_COLLECT: r"\text{expand and collect}",
    Rule.SUM_TO_ONE: r"\text{the targets sum to one}",
    Rule.FACTOR_OUT_DERIVATIVE: r"\text{take out the common factor}",
    Rule.FACTORS_EVERY_PATH_SHARES: r"\text{the factors every path ends in, taken out}",
    Rule.MULTIVARIABLE_CHAIN_RULE: r"\text{multivariable chain rule}",
    Rule.ERROR_TERM: r"\text{definition of } \delta",
    Rule.ERROR_TERM_BELOW: r"\text{chain rule, through every output neuron; definition of } \delta",
    Rule.ERROR_TERM_BIAS_UNIT: r"\text{chain rule, through every output neuron; definition of } \delta\text{; the "
                               r"bias unit is } 1",
    Rule.LOCAL_LINEAR: r"\text{since}",
    Rule.LOCAL_ELEMENTWISE: r"\text{since}",
    Rule.THIS_NETWORK: r"\text{this network}",
    Rule.DERIVATIVE_OF_ACTIVATION: r"\text{since}",
    Rule.SUBSTITUTE_OUTPUT: r"\text{since}",
    Rule.CANCEL_DENOMINATORS: r"\text{multiply out; each denominator cancels}",
    Rule.WORK_OUT_OUTPUT: r"\text{differentiate the loss;}",
    Rule.THROUGH_LABEL_OUTPUT: r"\text{chain rule, since}",
    Rule.DIFFERENTIATE_LOG: r"<rule>",
    Rule.SOFTMAX_WRITTEN_OUT: r"\text{since}",
    Rule.INDICATOR_DERIVATIVES: r"\text{the derivatives of the exponentials}",
    Rule.RECOGNISE_SOFTMAX: r"\text{recognise the softmax's entries}",
    Rule.SOFTMAX_OUTPUTS: r"\text{since}",
    Rule.ONLY_LABEL_OUTPUT: r"\text{only } \hat{y}_{\ell} \text{ appears in the loss}",
    Rule.AS_INDICATOR: r"\text{both cases, with the indicator}",
    Rule.FROM_ABOVE: r"\text{by the step before}",
    Rule.STACK: r"\text{as one vector}",
    Rule.ONE_HOT: r"\text{as one vector: the indicators, one of them 1, make the one-hot label}",
    Rule.ONE_HOT_AND_OUTPUTS: r"\text{as vectors: the one-hot label, and the outputs}",
    Rule.COLUMNS_TIMES_VECTOR: r"\text{entry by entry, a column of the weights times the vector}",
    Rule.ROWS_OF_TRANSPOSE: r"\text{the columns, transposed, are the rows of the transpose}",
    Rule.CHAIN_RULE_DIAGONAL_JACOBIAN: r"\text{chain rule}",
    Rule.DIAGONAL_TIMES_VECTOR: r"<rule>",
    Rule.DIFFERENTIATE_LOSS: r"\text{differentiate the loss}",
    Rule.SIMPLIFY_IN_OUTPUT: r"\text{in terms of the output:}",
    Rule.CHAIN_RULE_SOFTMAX_MATRIX: r"\text{chain rule; softmax Jacobian}",
    Rule.MULTIPLY_OUT: r"\text{multiply out}",
    Rule.CHAIN_RULE_LAYER_JACOBIAN: r"\text{chain rule}",
    Rule.TRANSPOSE_OF_PRODUCT: r"<rule>\text{; a diagonal matrix is symmetric}",
    Rule.CHAIN_RULE_OUTER_PRODUCT: r"\text{the entry above for every pair: an outer product}",
    Rule.CHAIN_RULE_BIAS: r"\text{chain rule}",
    Rule.CHAIN_RULE_SHARED_BIAS: r"\text{chain rule; sum over the neurons}",
    Rule.MEAN_OVER_EXAMPLES: r"\text{column } i \text{ is example } i\text{; } {C} \text{ is the mean}",
    Rule.SUM_OVER_COLUMNS: r"\text{the bias enters every column: the columns' gradients add up}",
    Rule.MEAN_OVER_EXAMPLES_SOFTMAX: r"\text{column } i \text{ is example } i\text{; } {C} \text{ is the mean}",
    Rule.EACH_COLUMN: r"\text{the vector form, column by column}",
    Rule.OUTPUTS_EACH_COLUMN: r"\text{the outputs' gradient, column by column}",
    Rule.CHAIN_RULE_OUTER_PRODUCT_SUMMED: r"\text{chain rule; a sum of outer products, one per example}",
    Rule.CHAIN_RULE_OUTER: r"\text{chain rule}",
    Rule.QUOTIENT_RULE: r"\text{quotient rule}",
    Rule.PRODUCT_RULE: r"\text{product rule}",
    Rule.CASE_BY_CASE: r"\text{case by case}",
    Rule.EVALUATE_DERIVATIVES: r"\text{work out the derivatives}",
    Rule.EXPONENTIAL_FORM: r"\text{exponential form}",
    Rule.ADD_AND_SUBTRACT_ONE: r"\text{add and subtract } 1",
    Rule.SPLIT_FRACTION: r"\text{split the fraction}",
    Rule.DIVIDE_BY_EXPONENTIAL: r"\text{divide above and below by } e^{{z}}",
    Rule.DERIVATIVE_OF_SIGMOID: r"<rule>",
    Rule.DERIVATIVE_OF_ERF: r"<rule>",
    Rule.COMMON_FACTOR: r"\text{common factor}",
    # ``<definition>``: the definition the step differentiates, filled in by the vector form's display (which puts
    # it after the note where the note does not say where)
    Rule.DIAGONAL_JACOBIAN: r"\text{since } <definition>\text{: each output depends only on its own input}",
    Rule.SYMMETRIC_JACOBIAN: r"\text{since } <definition>\text{: a diagonal Jacobian, its own transpose}",
    Rule.SYMMETRIC_FROM_ABOVE: r"\text{by the step before; a diagonal matrix is symmetric}",
    Rule.BIAS_FROM_ABOVE: r"\text{by the step before; definition of } \delta",
    Rule.JACOBIAN_CHAIN: r"\text{chain rule, through the activation}",
    Rule.JACOBIAN_OF_WEIGHTED_SUM: r"\text{since}",
    Rule.JACOBIAN_OF_BIAS: r"\text{since}",
    Rule.IDENTITY_TIMES_VECTOR: r"<rule>",
    Rule.ENTRY_BY_ENTRY: r"\text{each entry as above}",
    Rule.BIAS_UNIT_DERIVATIVES: r"\text{work out the derivatives; the bias unit is } 1",
    Rule.ROWS_OF_LOCAL_DERIVATIVES: r"\text{each entry as above; } <rule>",
    Rule.ROWS_BY_CHAIN_RULE: r"\text{chain rule, definition of } \delta\text{; } <rule>",
    Rule.ROWS_OF_CHAINS_NAMED: r"\text{each entry as above; } <rule>\text{; under the brace, definition of } \delta",
    Rule.OUTER_PRODUCT: r"<rule>\text{: an outer product}",
    Rule.THROUGH_EVERY_OUTPUT: r"\text{chain rule, through every output neuron; definition of } \delta",
    Rule.ROW_TIMES_JACOBIAN: r"\text{each sum, a row times a column of the Jacobian}",
    Rule.TRANSPOSE_OF_ROW: r"<rule>",
    Rule.ROWS_THROUGH_EVERY_OUTPUT: r"\text{chain rule, through every output neuron; definition of } \delta\text{; "
                                    r"} <rule>",
    Rule.TRANSPOSE_OF_ROW_NAMED: r"<rule>\text{; under the brace, the layer's error terms}",
    Rule.UNDER_THE_BRACE: r"\text{chain rule, as under the brace above}",
}

#: Rule -> the general rule its note states (``<rule>``), by its name in :data:`~symbackprop.derive.schemas.SCHEMAS`.
CITES: dict[Rule, str] = {
    Rule.DIFFERENTIATE_LOG: "derivative of minus log",
    Rule.DIAGONAL_TIMES_VECTOR: "diagonal times vector",
    Rule.TRANSPOSE_OF_PRODUCT: "transpose of product",
    Rule.DERIVATIVE_OF_SIGMOID: "derivative of sigmoid",
    Rule.DERIVATIVE_OF_ERF: "derivative of erf",
    Rule.IDENTITY_TIMES_VECTOR: "identity transposed",
    Rule.ROWS_OF_LOCAL_DERIVATIVES: "rows scaled",
    Rule.ROWS_BY_CHAIN_RULE: "rows scaled",
    Rule.ROWS_OF_CHAINS_NAMED: "rows scaled",
    Rule.OUTER_PRODUCT: "outer product",
    Rule.TRANSPOSE_OF_ROW: "transpose of row",
    Rule.ROWS_THROUGH_EVERY_OUTPUT: "rows scaled",
    Rule.TRANSPOSE_OF_ROW_NAMED: "transpose of row",
}


def note(rule: Rule, activation: str = "", z: str = "z", delta: bool = True, total: str = "C") -> str:
    """The note for a step citing ``rule``.

    Args:
        rule: the step's rule.
        activation: the activation the step names (an activation derivative's ``activation``), if any.
        z: the notation's letter for the pre-activation.
        delta: whether the notation has a letter for an error term; where it writes one as the derivative itself
            (goodfellow's ∂L/∂a), no δ is defined, and a parameter's chain is the chain rule alone.
        total: the notation's letter for the cost of a batch (``{C}``: C, E, 𝓛(θ)).
    """
    rule = Rule.CHAIN_RULE if rule is Rule.CHAIN_RULE_PARAMETER and not delta else rule
    text = NOTES[rule].replace("{z}", z).replace("{C}", total)
    text = text.replace("{g}", ACTIVATIONS[activation].latex) if activation else text
    # the rule last, as its schema prints it: its letters are its own, not the notation's
    return text.replace("<rule>", schemas.SCHEMAS[CITES[rule]].latex) if rule in CITES else text


def divided(result: sp.Basic) -> str:
    """What a note adds where the step's result divides entrywise (``y ⊘ a``, the printers' ``y ⊙ a^{∘-1}``):
    what ⊘ means, which a reader may not have met; nothing otherwise."""
    divides = any(isinstance(part, sp.HadamardPower) and part.exp == -1 for part in sp.preorder_traversal(result))
    return r"\text{; } \oslash \text{ divides entrywise}" if divides else ""
