"""What each seed does its own way, in one table: where a preset's seed (``Notation.seed``) takes a route of its
own through the derivation, the document stages read it here, by name, never by the seed's number.

A :class:`Route` is the seed's choices: what its set-up states, which element-form route it takes, the order and
the manner of its argument for a general neuron, the figures beside it, how it states the vector form and the
summary, how its homework argues. A preset without a seed of its own, or a seed that does something no other does
not, takes the defaults: the route every preset shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ..notation.presets import Notation


def _table(entries: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(entries or {}))


@dataclass(frozen=True)
class Route:
    """One seed's route. Each flag is off for the shared route; the seed that sets it is named beside it.

    The set-up:
        purpose: an introduction saying what backpropagation is for, and the network in words in the set-up (002).
        goal: state the goal in one sentence before the conventions (004).
        contents: a table of contents after the title (002).
        one_body: the derivation as one body of text, its parts without headings (003).
        nested_model: the network written as one nested function, ŷ = O(W_3 g(...) + b_3) (002).
        fundamentals: the five parts of the learning problem as a table (002).
        dynamics: the forward pass neuron by neuron, each weighted input then its activation, then each activation
            defined by its formula, σ(u) = 1/(1 + e^{-u}) (003).

    The element form:
        paths: each weight of the last two layers by its whole chain from the cost (000).

    The thin network (:mod:`.thin`):
        backprop_section: the thin network, its intuition and the general neuron as the parts of one section,
            "Backpropagation" (002's §4).

    The argument for a general neuron (:mod:`.argued`):
        order: the arguments made, in order (003 weight first; 002 through ∂L/∂h, the softmax by the quotient rule).
        parts: the headings the arguments fall under, each with its place in the thin network's chain and the
            arguments under it (002: output units, hidden units, weights and biases).
        intros: an argument's introduction in the seed's own words, by argument (``{rule}``: the general rule
            :data:`.intros.STATES` names for the argument).
        resumed: the words that turn back to an argument after the example of its rule, by argument (002's "First,
            ∂L/∂h_ij = ...").
        tags: the results the seed numbers, by argument (003: (1) and (2)).
        strategy: the general neuron, the goal and the strategy before the arguments (003).
        road_map: which quantities the derivation is after, in order (002).
        chain_rule_shown: the generalised chain rule displayed before it is used (003).
        named: where the method's name comes from, after the rule for δ (003).
        stacked: each result stacked into its vector as it comes (002): the words that turn to each vector, by
            argument ("" for any other), and those after its figure and count ("the gradient with respect to the
            whole output vector collects them"); empty for a seed that stacks none.
        last_hidden_first: a hidden neuron argued for layer L-1, then every hidden layer (001).
        example_last: the error terms "for this network" after the algorithm, not beside each argument (003).
        by_weighted_input: the output error by the weighted input too, δ_y = σ(a_y) - r = y - r (003).
        in_parts: the arguments told in parts: the chain rule, the error term named, the local derivative worked
            out on its own, ∂a_j/∂w_ji = ∂/∂w_ji (Σ_m w_jm z_m) = z_i, then the result (003: the weight).
        local_after: the arguments whose local derivative is worked out after them, ∂z_j/∂b_j = 1 since z_j = ...
            + b_j, its line in the chain then given no note of its own (001: the output layer's activation and the
            bias).
        local_before: the arguments whose local derivative is recalled before them, from its definition (002: the
            weight, ∂a_ki/∂W_kij = h_{k-1,j}).
        local_first: the arguments whose products the seed writes from the weight up, the local derivative first,
            ∂z/∂w · ∂C/∂z = a δ (001: the weight and the bias).
        sums_local_first: every sum over the next layer's neurons written the same way, Σ_k ∂z_k/∂a_j ∂a_k/∂z_k
            ∂c/∂a_k and Σ_k w_jk δ_k (001).
        schematics: the figures beside an argument: (argument, where) -> the figure's name (:mod:`.schematic`).
        words: the seed's own words for what the shared text names otherwise (002: "pre-activation" for "weighted
            input", "loss" for "cost"), read by :func:`say`.
        lettered: the arguments the seed writes in letters of their own: argument -> the letter of its layer and
            that of its neuron (002's hidden units, ∂L/∂h_ij of layer i; its weights keep k and i, ∂a_ki/∂W_kij).

    The appendix (:mod:`.appendix`):
        appendix_in_g: an activation the network does not use worked out in the hidden layers' letter too,
            g(z) = σ(z), g'(z) = ..., and every derivative ending in that letter, g(z)(1 - g(z)) and 1 - (g(z))^2
            (002).
        appendix_variable: the appendix's variable where the seed has one of its own (002's z, its pre-activation
            being a); empty: the notation's pre-activation.
        appendix_titled: the derivatives in a section titled "Appendix" (002's §6, "6.1 Derivative of Activation
            Function").

    The vector form, the summary and the homework:
        general_vector: BP1 to BP4 derived once each, for a general layer (004).
        delta_defined: the summary's BP1 says what δ^L is, last: δ^L = ∂C/∂a^L ⊙ σ'(Z^L) = ∂C/∂Z^L (000).
        source_times_delta: the summary's entry for a weight as the source's activation times the error term,
            ∂C/∂w_jk = a_k δ_j (000, 001's ∂C/∂w_ij = a_i δ_j; the others write δ_j a_k, as it is derived).
        batch_in_summary: the summary in two parts, for one example, then the batch section's equations for the
            whole X (002's §5.1 and §5.2).
        general_batch: the batch form once for a general layer k, each equation beside the layers it holds for,
            as a list (002's §5.2), not each layer's chain of equalities.
        without_jacobian: the softmax's Jacobian never written; BP1 stated without it (002).
        bp2_through_outputs: the summary's BP2 through the hidden layer's outputs first, ∇h_k ⊙ g'(a_k) (002).
        entries: the summary's equations also written entry by entry, after the boxed ones (000: BP4's alone, as
            its "∂C/∂w_jk = a_k δ_j ⟹ ∂C/∂W = δ aᵀ"; 004: none, as it derives none).
        one_block: the summary as one aligned block, unboxed, each line with the layers it holds for or what its
            letters are beside it, a weight's entry then "⟹" BP4, the vectorised update (000's "In summary").
        listed: the summary as a list, the parameters' gradients first, then the output layer's and the hidden
            layers', each beside the layers it holds for; no names BP1-BP4, no entries (002's §5.1).
        homework_through_outputs: the homework's hidden layer through the neuron's output, ∂c/∂a_j, then δ_j (001).
    """

    purpose: bool = False
    goal: bool = False
    contents: bool = False
    nested_model: bool = False
    fundamentals: bool = False
    dynamics: bool = False
    paths: bool = False
    backprop_section: bool = False
    order: tuple[str, ...] = ("output", "hidden", "weight", "bias")
    parts: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    intros: Mapping[str, str] = field(default_factory=_table)
    resumed: Mapping[str, str] = field(default_factory=_table)
    tags: Mapping[str, str] = field(default_factory=_table)
    strategy: bool = False
    road_map: bool = False
    chain_rule_shown: bool = False
    named: bool = False
    stacked: Mapping[str, tuple[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    last_hidden_first: bool = False
    example_last: bool = False
    by_weighted_input: bool = False
    in_parts: tuple[str, ...] = ()
    local_after: tuple[str, ...] = ()
    local_before: tuple[str, ...] = ()
    local_first: tuple[str, ...] = ()
    sums_local_first: bool = False
    schematics: Mapping[tuple[str, str], str] = field(default_factory=lambda: MappingProxyType({}))
    words: Mapping[str, str] = field(default_factory=_table)
    general_vector: bool = False
    delta_defined: bool = False
    source_times_delta: bool = False
    one_block: bool = False
    batch_in_summary: bool = False
    one_body: bool = False
    general_batch: bool = False
    without_jacobian: bool = False
    bp2_through_outputs: bool = False
    listed: bool = False
    entries: tuple[str, ...] = ("BP2", "BP3", "BP4")
    homework_through_outputs: bool = False
    appendix_in_g: bool = False
    appendix_variable: str = ""
    appendix_titled: bool = False
    lettered: Mapping[str, tuple[str, str]] = field(default_factory=lambda: MappingProxyType({}))


#: Each seed's route (../shared/seeds/ by number); a seed not here takes the shared route.
ROUTES: Mapping[str, Route] = MappingProxyType({
    "000": Route(paths=True, delta_defined=True, source_times_delta=True, entries=("BP4",), one_block=True),
    "001": Route(last_hidden_first=True, homework_through_outputs=True, source_times_delta=True,
                 local_after=("output", "bias"), local_first=("weight", "bias"),
                 sums_local_first=True,
                 schematics=MappingProxyType({("activation", "before"): "influence", ("weight", "before"): "chain"})),
    "002": Route(
        purpose=True, contents=True, nested_model=True, fundamentals=True, backprop_section=True,
        order=("prediction", "softmax", "output", "activation", "through_output", "weight", "bias"),
        parts=(("output", "Gradients with respect to the output units", ("prediction", "softmax", "output")),
               ("hidden", "Gradients with respect to the hidden units", ("activation", "through_output", "hidden")),
               ("parameters", "Gradients with respect to the weights and biases", ("weight", "bias"))),
        intros=_table({"prediction": "The network's output is ${outputs}$, and the loss of one example is $-\\log$ "
                                     "of its entry for the example's true class label $\\ell$. With respect to "
                                     "output ${j}$, $\\forall {j} = 1(1)p$:",
                       "softmax": ("The output layer is a softmax. What we are actually after is the derivative "
                                   "with respect to each pre-activation ${z}$: $\\hat{{y}}_\\ell$, and with it the "
                                   "loss, depends on every one of them, since the softmax's denominator sums over "
                                   "them all. Recall the quotient rule ${rule}$:"),
                       "through_output": "We are almost done, except that the derivatives with respect to the "
                                         "pre-activations of layer ${l}+1$ are known so far only where that layer "
                                         "is the output layer. Now, $\\forall {l} = {hidden}$, those of layer "
                                         "${l}$ come from its outputs, through the activation of the same neuron:"}),
        words=_table({"weighted input (pre-activation)": "pre-activation (or aggregation)", "cost (loss)": "loss",
                      "weighted input": "pre-activation", "weighted inputs": "pre-activations", "cost": "loss",
                      "costs": "losses", "errors": "gradients", "outputs": "activations"}),
        resumed=_table({"activation": "First, for neuron ${j}$ of layer ${l}$:"}),
        road_map=True, local_before=("weight",),
        stacked=MappingProxyType({
            "prediction": ("The gradient with respect to the whole output vector collects them, one entry per neuron "
                           "${j}$", ""),
            "softmax": ("For the whole layer, one entry per neuron ${j}$", ""),
            "activation": ("As one vector for the layer, one entry per neuron ${j}$", ""),
            "through_output": ("Therefore, for the whole layer, one entry per neuron ${j}$", ""),
            "": ("Stacked for every neuron ${j}$ of the layer at once", ", the entries make one vector")}),
        schematics=MappingProxyType({("activation", "example"): "paths", ("activation", "after"): "outputs",
                                     ("through_output", "before"): "weighted"}),
        without_jacobian=True, bp2_through_outputs=True, listed=True, batch_in_summary=True, general_batch=True,
        appendix_in_g=True, appendix_variable="z", appendix_titled=True,
        lettered=MappingProxyType({"activation": ("i", "j"), "through_output": ("i", "j")})),
    "003": Route(
        dynamics=True, one_body=True, order=("weight", "bias", "hidden"),  # the output's error term: in the example
        intros=_table({"weight": "A weight reaches the loss only through the weighted input of its neuron:"}),
        tags=_table({"weight": "1", "hidden": "2"}), strategy=True, chain_rule_shown=True, named=True,
        example_last=True, by_weighted_input=True, in_parts=("weight",),
        schematics=MappingProxyType({("weight", "before"): "neuron", ("hidden", "after"): "errors"})),
    "004": Route(goal=True, general_vector=True, entries=()),
})
#: The route of a preset without a seed of its own.
SHARED = Route()


def route(notation: Notation) -> Route:
    """The route of ``notation``'s seed."""
    return ROUTES.get(notation.seed, SHARED)


def say(notation: Notation, words: str) -> str:
    """``words`` as ``notation``'s seed says them ("weighted input", "cost": seed 002's "pre-activation", "loss")."""
    return route(notation).words.get(words, words)


__all__ = ["ROUTES", "SHARED", "Route", "route", "say"]
