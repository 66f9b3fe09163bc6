"""The rules a derivation step cites, and the engine's own words for each.

Every step names the identity it uses as a :class:`Rule` member: an activation's derivative worked out in
:mod:`symbackprop.model.activations` (and, line by line as lecture notes write it, in
:mod:`symbackprop.model.derivatives`), and each step of the chain rule in :mod:`symbackprop.derive` (re-exported
there as ``symbackprop.derive.derivation.Rule``). Nothing reads words back: documents print a rule through their
own table, one per output language (:mod:`symbackprop.documents.notes`), and code that needs to know which step is
which compares rules.

:data:`WORDS` is the engine's plain-English sentence for each rule, what a step's ``justification`` shows in a
REPL. A rule whose sentence names an activation (``{activation}``) takes the name from the step.

The rules live in the first stage because the activations' derivatives (model) cite them as well as the chain
rule (derive), and a stage never imports a later one.
"""

from __future__ import annotations

from enum import Enum, auto


class Rule(Enum):
    """Why a step holds: one member per identity or operation the engine uses."""

    # An activation's derivative (model.activations.derivative).
    DEFINITION = auto()
    DIFFERENTIATE = auto()
    SIMPLIFY = auto()  # also the element form's output delta
    IN_TERMS_OF_OUTPUT = auto()  # g'(z) as a polynomial in a = g(z); names the activation
    RECOGNISE_ACTIVATION = auto()  # g'(z) is another activation of the table; names it
    IN_TERMS_OF_SIGMOID = auto()

    # The element form (derive.chain).
    CHAIN_RULE = auto()  # dc/dz = dc/da da/dz for an element-wise output
    WORK_OUT_ACTIVATION_DERIVATIVE = auto()  # then its g'(z) worked out: sigma'(z) = a(1 - a)
    CHAIN_RULE_SOFTMAX = auto()  # the same through every output of the softmax
    CHAIN_RULE_NEXT_LAYER = auto()  # through the next layer's z, whose dc/dz are its deltas
    CHAIN_RULE_PARAMETER = auto()  # dc/dw = dc/dz dz/dw with dc/dz the delta
    EXPAND_AND_COLLECT = auto()
    SUM_TO_ONE = auto()  # also the vector form
    FACTOR_OUT_DERIVATIVE = auto()
    FACTORS_EVERY_PATH_SHARES = auto()  # seed 000: (sum over paths of their first factors) times the last ones

    # A general neuron j (derive.reasoning), each local derivative with the definition it comes from.
    MULTIVARIABLE_CHAIN_RULE = auto()  # through every neuron k of the next layer
    ERROR_TERM = auto()  # dc/dz^{l+1}_k is delta^{l+1}_k by definition
    ERROR_TERM_BELOW = auto()  # one layer down, (sum_i delta_i dz_i/da_j) da_j/dz_j = dc/dz_j = delta_j (seed 000)
    ERROR_TERM_BIAS_UNIT = auto()  # ... and the bias unit's weight multiplies 1: dz_j/dw_j0 = 1 (seed 000)
    LOCAL_LINEAR = auto()  # the derivative of the weighted sum z = sum w a + b
    LOCAL_ELEMENTWISE = auto()  # the derivative of a = g(z): g'(z)
    # ... then "for this network": the general result with the network's own activation and loss.
    THIS_NETWORK = auto()  # g' named (h = sigma), a sum over a layer of one neuron written out
    DERIVATIVE_OF_ACTIVATION = auto()  # g'(z) in the activation's own terms: sigma(z)(1 - sigma(z))
    SUBSTITUTE_OUTPUT = auto()  # g(z^l_j) is a^l_j
    CANCEL_DENOMINATORS = auto()  # (-r/σ + (1-r)/(1-σ)) σ(1-σ) = -r(1-σ) + (1-r)σ: each term's denominator cancelled
    WORK_OUT_OUTPUT = auto()  # dc/da of the loss and g' worked out at the output
    # Seed 002's softmax with sparse cross-entropy, for a general output neuron i, through the label's output alone.
    THROUGH_LABEL_OUTPUT = auto()  # L = -log y_l depends on a_Li only through y_l
    DIFFERENTIATE_LOG = auto()  # d(-log u)/du = -1/u
    SOFTMAX_WRITTEN_OUT = auto()  # y_l written as the softmax's entry l, e^{a_l} / sum_j e^{a_j}
    INDICATOR_DERIVATIVES = auto()  # d e^{a_l}/d a_i = 1_{l=i} e^{a_l}; d sum_j e^{a_j}/d a_i = e^{a_i}
    RECOGNISE_SOFTMAX = auto()  # e^{a_i} / sum_j e^{a_j} is the softmax's entry i
    SOFTMAX_OUTPUTS = auto()  # the softmax's entry i is the output y_i
    ONLY_LABEL_OUTPUT = auto()  # d(-log y_l)/d y_i = -1/y_l for i = l, else 0: only y_l appears in the loss
    AS_INDICATOR = auto()  # the two cases as one formula, with the indicator 1_{l=i}
    FROM_ABOVE = auto()  # a quantity replaced by what the step before found for it (dc/da_j = sum_k w_kj delta_k)
    STACK = auto()  # a general neuron's result for every neuron at once: the entries stacked into a vector
    ONE_HOT = auto()  # the same, its indicators 1_{l=i} stacked into the label's one-hot vector
    ONE_HOT_AND_OUTPUTS = auto()  # the same, its indicators the one-hot vector and its outputs y_i the output vector
    COLUMNS_TIMES_VECTOR = auto()  # entry j is column j of W, transposed, times a vector: together W^T times it
    ROWS_OF_TRANSPOSE = auto()  # the columns of W, transposed and stacked, are the rows of W^T

    # The vector form (derive.forms), one example.
    CHAIN_RULE_DIAGONAL_JACOBIAN = auto()
    DIAGONAL_TIMES_VECTOR = auto()  # also the hidden layers
    DIFFERENTIATE_LOSS = auto()
    SIMPLIFY_IN_OUTPUT = auto()
    CHAIN_RULE_SOFTMAX_MATRIX = auto()
    MULTIPLY_OUT = auto()
    CHAIN_RULE_LAYER_JACOBIAN = auto()
    TRANSPOSE_OF_PRODUCT = auto()
    CHAIN_RULE_OUTER_PRODUCT = auto()
    CHAIN_RULE_BIAS = auto()  # also the batch form
    CHAIN_RULE_SHARED_BIAS = auto()  # also the batch form

    # The batch form (derive.forms), examples as columns.
    MEAN_OVER_EXAMPLES = auto()
    SUM_OVER_COLUMNS = auto()  # b enters every column of Z = W A + b 1^T: the columns' gradients add up
    MEAN_OVER_EXAMPLES_SOFTMAX = auto()
    EACH_COLUMN = auto()  # BP2 through the layer's outputs, dC/dA ⊙ g'(Z), for each column (example)
    OUTPUTS_EACH_COLUMN = auto()  # dC/dA^l = (W^{l+1})^T Delta^{l+1}, for each column
    CHAIN_RULE_OUTER_PRODUCT_SUMMED = auto()

    # An activation's derivative worked out as lecture notes do it (model.derivatives), for the appendix.
    CHAIN_RULE_OUTER = auto()  # the outer function's derivative times the inner one's
    QUOTIENT_RULE = auto()
    PRODUCT_RULE = auto()
    CASE_BY_CASE = auto()  # a piecewise map differentiated on each piece
    EVALUATE_DERIVATIVES = auto()  # the elementary derivatives left: of e^z, e^-z, z, a constant
    EXPONENTIAL_FORM = auto()  # tanh as a quotient of exponentials
    ADD_AND_SUBTRACT_ONE = auto()
    SPLIT_FRACTION = auto()
    DIVIDE_BY_EXPONENTIAL = auto()
    DERIVATIVE_OF_SIGMOID = auto()  # sigma' = sigma (1 - sigma), worked out in its own entry
    DERIVATIVE_OF_ERF = auto()
    COMMON_FACTOR = auto()

    # The vector form (derive.forms) worked out as seed 004 does: each Jacobian from the definition it comes from,
    # a weight's gradient entry by entry, then as one matrix.
    DIAGONAL_JACOBIAN = auto()  # da/dz of an element-wise map: diag(g'(z))
    SYMMETRIC_JACOBIAN = auto()  # (da/dz)^T = diag(g'(z)): diagonal, so its own transpose
    SYMMETRIC_FROM_ABOVE = auto()  # the same, the Jacobian worked out on its own the step before (seed 004)
    BIAS_FROM_ABOVE = auto()  # dz/db = I worked out the step before, and dc/dz named delta (seed 004's BP3)
    JACOBIAN_CHAIN = auto()  # dz^{l+1}/dz^l = dz^{l+1}/da^l da^l/dz^l
    JACOBIAN_OF_WEIGHTED_SUM = auto()  # dz^{l+1}/da^l = W^{l+1}
    JACOBIAN_OF_BIAS = auto()  # dz^l/db^l = I, a ones vector for a shared bias
    IDENTITY_TIMES_VECTOR = auto()
    ENTRY_BY_ENTRY = auto()  # the matrix of dC/dw_jk, each entry by the general entry
    BIAS_UNIT_DERIVATIVES = auto()  # dz_j/dw_jk worked out with bias units: each row [1 a_1 a_2 ...]
    ROWS_OF_LOCAL_DERIVATIVES = auto()  # each entry delta_j dz_j/dw_jk: diag(delta) times the local derivatives
    ROWS_BY_CHAIN_RULE = auto()  # the same, each entry by the chain rule through its neuron's z (no chain above)
    ROWS_OF_CHAINS_NAMED = auto()  # the same as the chains above, diag(dc/da ⊙ da/dz), that vector braced as delta
    OUTER_PRODUCT = auto()  # [u_j v_k] = u v^T

    # Seed 000's way from entries to the vector of a hidden layer's error terms (form paths).
    THROUGH_EVERY_OUTPUT = auto()  # entry j by the chain rule through every output neuron: sum_i delta_i ...
    ROW_TIMES_JACOBIAN = auto()  # entry j's sum over i of delta_i dz_i/da_j: the row delta^T times column j
    TRANSPOSE_OF_ROW = auto()  # (u^T A)^T = A^T u
    # ... and seed 000's one chain for the weights below the output: those error terms inside it, then named.
    ROWS_THROUGH_EVERY_OUTPUT = auto()  # entry jk through every output neuron: diag of the first factors, times
    TRANSPOSE_OF_ROW_NAMED = auto()  # (u^T A)^T = A^T u, and the vector under the brace the layer's error terms
    UNDER_THE_BRACE = auto()  # the layer's error terms, as the chain above found them under its brace


#: The engine's words for each rule (plain text, for people; never parsed).
WORDS: dict[Rule, str] = {
    Rule.DEFINITION: "definition",
    Rule.DIFFERENTIATE: "differentiate",
    Rule.SIMPLIFY: "simplify",
    Rule.IN_TERMS_OF_OUTPUT: "in terms of the output a = {activation}(z)",
    Rule.RECOGNISE_ACTIVATION: "recognise {activation}(z)",
    Rule.IN_TERMS_OF_SIGMOID: "in terms of sigmoid(z)",
    Rule.CHAIN_RULE: "chain rule",
    Rule.WORK_OUT_ACTIVATION_DERIVATIVE: "the activation's derivative worked out, in terms of the output where it "
                                         "can be",
    Rule.CHAIN_RULE_SOFTMAX: "chain rule; softmax Jacobian",
    Rule.CHAIN_RULE_NEXT_LAYER: "chain rule; dc/dz^{l+1}_k = delta^{l+1}_k",
    Rule.CHAIN_RULE_PARAMETER: "chain rule; dc/dz = delta",
    Rule.EXPAND_AND_COLLECT: "expand and collect",
    Rule.SUM_TO_ONE: "the targets sum to one: sum_i y_i = 1",
    Rule.FACTOR_OUT_DERIVATIVE: "factor out g'(z)",
    Rule.FACTORS_EVERY_PATH_SHARES: "every path ends in the same factors (through the neuron's own activation to "
                                    "the parameter): take them out of the sum",
    Rule.MULTIVARIABLE_CHAIN_RULE: "multivariable chain rule: c depends on z^l_j through every z^{l+1}_k",
    Rule.ERROR_TERM: "dc/dz^l_j = delta^l_j by definition",
    Rule.ERROR_TERM_BELOW: "(sum_i delta_i dz_i/da_j) da_j/dz_j is dc/dz_j by the chain rule through every output "
                           "neuron, delta_j by definition",
    Rule.ERROR_TERM_BIAS_UNIT: "(sum_i delta_i dz_i/da_j) da_j/dz_j is dc/dz_j by the chain rule through every output "
                               "neuron, delta_j by definition, and dz_j/dw_j0 = 1: the bias unit is 1",
    Rule.LOCAL_LINEAR: "differentiate the weighted sum z = sum_k w a + b",
    Rule.LOCAL_ELEMENTWISE: "differentiate a = g(z): g'(z)",
    Rule.THIS_NETWORK: "this network's activation in place of g (a sum over one neuron written out)",
    Rule.DERIVATIVE_OF_ACTIVATION: "the activation's derivative, from its table entry",
    Rule.SUBSTITUTE_OUTPUT: "write g(z^l_j) as the neuron's output a^l_j",
    Rule.CANCEL_DENOMINATORS: "multiply each term of the loss's derivative by the activation's derivative, whose "
                              "factors hold its denominator: that factor cancels",
    Rule.WORK_OUT_OUTPUT: "differentiate the loss and the output activation",
    Rule.THROUGH_LABEL_OUTPUT: "chain rule: the loss -log y_l depends on a_Li only through y_l",
    Rule.DIFFERENTIATE_LOG: "d(-log u)/du = -1/u",
    Rule.SOFTMAX_WRITTEN_OUT: "y_l is the softmax's entry l",
    Rule.INDICATOR_DERIVATIVES: "d e^{a_l}/d a_i = 1_{l=i} e^{a_l} and d sum_j e^{a_j}/d a_i = e^{a_i}",
    Rule.RECOGNISE_SOFTMAX: "e^{a_i} / sum_j e^{a_j} is the softmax's entry i",
    Rule.SOFTMAX_OUTPUTS: "the softmax's entry i is the output y_i",
    Rule.ONLY_LABEL_OUTPUT: "only y_l appears in the loss: -1/y_l for i = l, 0 for every other output",
    Rule.AS_INDICATOR: "the two cases as one formula: the indicator 1_{l=i} is 1 when i = l and 0 otherwise",
    Rule.FROM_ABOVE: "the factor replaced by what the step before found for it",
    Rule.STACK: "the same for every neuron, its entries stacked into a vector (a matrix for the weights)",
    Rule.ONE_HOT: "the same for every neuron, stacked: its indicators 1_{l=i}, one of them 1, make the one-hot "
                  "vector of the label",
    Rule.ONE_HOT_AND_OUTPUTS: "the same for every neuron, stacked: its indicators make the one-hot vector of the "
                              "label, as before, and its outputs y_i the output vector",
    Rule.COLUMNS_TIMES_VECTOR: "entry j is column j of W times the vector (transposed): together W^T times it",
    Rule.ROWS_OF_TRANSPOSE: "the columns of W, transposed and stacked, are the rows of W^T",
    Rule.CHAIN_RULE_DIAGONAL_JACOBIAN: "chain rule; the Jacobian of an element-wise map is diagonal",
    Rule.DIAGONAL_TIMES_VECTOR: "diag(v) u = u ⊙ v",
    Rule.DIFFERENTIATE_LOSS: "differentiate the loss",
    Rule.SIMPLIFY_IN_OUTPUT: "in terms of the output; simplify",
    Rule.CHAIN_RULE_SOFTMAX_MATRIX: "chain rule; softmax Jacobian diag(a) - a a^T (symmetric)",
    Rule.MULTIPLY_OUT: "diag(a)(y ⊘ a) = y and a^T (y ⊘ a) = 1^T y",
    Rule.CHAIN_RULE_LAYER_JACOBIAN: "chain rule; dz^{l+1}/dz^l = W^{l+1} diag(g'(z^l))",
    Rule.TRANSPOSE_OF_PRODUCT: "(AB)^T = B^T A^T",
    Rule.CHAIN_RULE_OUTER_PRODUCT: "chain rule; dz^l_j/dw^l_jk = a^{l-1}_k: an outer product",
    Rule.CHAIN_RULE_BIAS: "chain rule; dz^l/db^l = I",
    Rule.CHAIN_RULE_SHARED_BIAS: "chain rule; dz^l_j/db^l = 1 for every neuron j",
    Rule.MEAN_OVER_EXAMPLES: "C = (1/m) sum_i c_i: column i is delta^L of example i, over m",
    Rule.SUM_OVER_COLUMNS: "b^l enters every column of Z^l = W^l A^{l-1} + b^l 1^T: the columns' gradients add up",
    Rule.MEAN_OVER_EXAMPLES_SOFTMAX: "C = (1/m) sum_i c_i: column i is delta^L of example i, over m; "
                                     "softmax Jacobian-vector product a ⊙ (g - 1 (a^T g))",
    Rule.EACH_COLUMN: "BP2 applied to each column (example)",
    Rule.OUTPUTS_EACH_COLUMN: "the outputs' gradient W^T Delta, for each column (example)",
    Rule.CHAIN_RULE_OUTER_PRODUCT_SUMMED: "chain rule; dz^l_j/dw^l_jk = a^{l-1}_k, summed over the examples: "
                                          "an outer product",
    Rule.CHAIN_RULE_OUTER: "chain rule: the outer function's derivative times the inner function's",
    Rule.QUOTIENT_RULE: "quotient rule: (u/v)' = (v u' - u v')/v^2",
    Rule.PRODUCT_RULE: "product rule: (u v)' = u' v + u v'",
    Rule.CASE_BY_CASE: "differentiate each case on its own (where the cases meet, the value of the first case)",
    Rule.EVALUATE_DERIVATIVES: "work out the derivatives left: (e^z)' = e^z, (e^-z)' = -e^-z, z' = 1, "
                               "a constant's is 0",
    Rule.EXPONENTIAL_FORM: "tanh(z) = (e^z - e^-z)/(e^z + e^-z)",
    Rule.ADD_AND_SUBTRACT_ONE: "add and subtract one: e^-z = (1 + e^-z) - 1",
    Rule.SPLIT_FRACTION: "split the fraction: (u - v)/u = 1 - v/u",
    Rule.DIVIDE_BY_EXPONENTIAL: "divide numerator and denominator by e^z",
    Rule.DERIVATIVE_OF_SIGMOID: "sigmoid'(z) = sigmoid(z)(1 - sigmoid(z)), worked out in its own entry",
    Rule.DERIVATIVE_OF_ERF: "erf'(u) = (2/sqrt(pi)) e^(-u^2), times the derivative of u (chain rule)",
    Rule.COMMON_FACTOR: "factor out the common factor",
    Rule.DIAGONAL_JACOBIAN: "a = g(z) element by element: each output depends only on its own input, so the "
                            "Jacobian da/dz is diagonal, diag(g'(z))",
    Rule.SYMMETRIC_JACOBIAN: "(da/dz)^T = diag(g'(z)): the Jacobian of a = g(z) element by element is diagonal, "
                             "so its own transpose",
    Rule.SYMMETRIC_FROM_ABOVE: "the Jacobian the step before worked out, diagonal, so its own transpose",
    Rule.BIAS_FROM_ABOVE: "the identity the step before worked out, and the error term for dc/dz",
    Rule.JACOBIAN_CHAIN: "chain rule for Jacobians: z^{l+1} depends on z^l through a^l, so dz^{l+1}/dz^l = "
                         "dz^{l+1}/da^l da^l/dz^l",
    Rule.JACOBIAN_OF_WEIGHTED_SUM: "dz^{l+1}/da^l = W^{l+1}: differentiate z^{l+1} = W^{l+1} a^l + b^{l+1}",
    Rule.JACOBIAN_OF_BIAS: "dz^l/db^l = I (a ones vector for a bias shared by the layer): differentiate "
                           "z^l = W^l a^{l-1} + b^l; dC/dz^l = delta^l",
    Rule.IDENTITY_TIMES_VECTOR: "I^T u = u",
    Rule.ENTRY_BY_ENTRY: "dC/dW holds dC/dw_jk in row j, column k: each entry by the general entry",
    Rule.BIAS_UNIT_DERIVATIVES: "the local derivatives worked out: dz_j/dw_jk = a_k, and dz_j/dw_j0 = 1, the "
                                "bias unit's output",
    Rule.ROWS_OF_LOCAL_DERIVATIVES: "each entry, by the chain rule, delta_j dz_j/dw_jk: the matrix of the local "
                                    "derivatives dz_j/dw_jk with row j times delta_j, diag(delta) times it",
    Rule.ROWS_BY_CHAIN_RULE: "each entry, by the chain rule through its neuron's weighted input, dC/dz_j "
                             "dz_j/dw_jk = delta_j dz_j/dw_jk: diag(delta) times the local derivatives",
    Rule.ROWS_OF_CHAINS_NAMED: "each entry, by its chain above, dC/da_j da_j/dz_j dz_j/dw_jk: the matrix of the "
                               "local derivatives dz_j/dw_jk with row j times the first two factors, diag(dC/da ⊙ "
                               "da/dz) times it; the vector under the brace is the error terms, by definition",
    Rule.OUTER_PRODUCT: "the matrix [u_j v_k] is the outer product u v^T",
    Rule.THROUGH_EVERY_OUTPUT: "each entry by the chain rule through every output neuron i, whose first factors "
                               "make delta_i: (sum_i delta_i dz_i/da_j) da_j/dz_j",
    Rule.ROW_TIMES_JACOBIAN: "entry j's sum over i of delta_i dz_i/da_j is the row vector delta^T times column j of "
                             "the Jacobian dz/da: together the transpose of that product",
    Rule.TRANSPOSE_OF_ROW: "(u^T A)^T = A^T u",
    Rule.ROWS_THROUGH_EVERY_OUTPUT: "each entry by the chain rule through every output neuron i, whose first "
                                    "factors make delta_i: (sum_i delta_i dz_i/da_j) da_j/dz_j dz_j/dw_jk, so the "
                                    "vector of the first factors, as diag, times the local derivatives dz_j/dw_jk",
    Rule.TRANSPOSE_OF_ROW_NAMED: "(u^T A)^T = A^T u; the vector under the brace holds dC/dz_j of each neuron j of "
                                 "the layer, by the chain rule through every output neuron: its error terms",
    Rule.UNDER_THE_BRACE: "the vector under the brace in the chain above",
}

#: The rules whose words name an activation: a step citing one carries the activation's name.
NAMES_ACTIVATION = frozenset({Rule.IN_TERMS_OF_OUTPUT, Rule.RECOGNISE_ACTIVATION})


def check_rule(rule: object, activation: str = "") -> None:
    """Refuse a step's rule that is not a :class:`Rule`, or an activation name where the rule takes none.

    Raises:
        TypeError: ``rule`` is not a :class:`Rule` member (a sentence, say).
        ValueError: an activation missing for a rule of :data:`NAMES_ACTIVATION`, or given to another rule.
    """
    if not isinstance(rule, Rule):
        raise TypeError(f"a step's rule must be a member of Rule, got {rule!r}")
    if bool(activation) != (rule in NAMES_ACTIVATION):
        needs = "names an activation" if rule in NAMES_ACTIVATION else "names no activation"
        raise ValueError(f"{rule.name} {needs}; got activation={activation!r}")


def words(rule: Rule, activation: str = "") -> str:
    """The engine's plain-English justification for ``rule`` (see :data:`WORDS`)."""
    return WORDS[rule].replace("{activation}", activation)
