"""What each argument of the general neuron is about, in words before its display (:mod:`.argued`): one sentence
per argument, with the notation's letters filled in (``{j}``, ``{k}``, ``{l}``, ``{z}``, ``{a}``, ``{outputs}``),
and the rule an introduction ends in, displayed after it (``"<name> rule"``)."""

#: What each argument is about, before its display.
INTRO = {
    "output": "The output layer. For a neuron ${j}$ of layer $L$, by the chain rule through its activation:",
    "hidden": ("A hidden layer ${l} < L$. The cost depends on ${z}$ through every neuron ${k}$ of layer "
               "${l}+1$, so the multivariable chain rule sums over them: for $y = f(u_1, \\ldots, u_m)$, "
               "$\\frac{{\\partial y}}{{\\partial x}} = \\sum_{{i}} \\frac{{\\partial y}}{{\\partial u_i}}\\,"
               "\\frac{{\\partial u_i}}{{\\partial x}}$. Whatever the widths (also for one neuron in layer ${l}+1$):"),
    "prediction": ("The network's output is ${outputs}$, and the loss of one example is $-\\log$ of its entry for "
                   "the example's true class label $\\ell$. With respect to each output ${j}$:"),
    "softmax": ("The output layer: a softmax with sparse cross-entropy. What we are after is the derivative with "
                "respect to each weighted input ${z}$: the loss, $-\\log$ of the output of the class label $\\ell$, "
                "depends on every one of them, since the softmax's denominator sums over them all. Recall the "
                "quotient rule $\\left(\\frac{{u}}{{v}}\\right)' = \\frac{{u' v - u v'}}{{v^2}}$:"),
    "activation": ("A hidden layer ${l} < L$. The loss depends on the output ${a}$ through every neuron ${k}$ of "
                   "layer ${l}+1$, so the chain rule along multiple paths sums over them, a term for each path: if "
                   "$p(z)$ is a function of intermediate results $q_1(z), q_2(z), \\ldots$, then"),
    "through_output": "Then through the activation of the same neuron:",
    # the rule an intro ends in, displayed after it (seed 002's chain rule along multiple paths)
    "activation rule": r"\frac{\partial p}{\partial z} = \sum_{m} \frac{\partial p}{\partial q_m}\,"
                       r"\frac{\partial q_m}{\partial z}",
    "weight": "A weight reaches the cost only through the weighted input of its neuron:",
    "bias": "Likewise a bias:",
}
