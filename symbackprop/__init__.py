"""symbackprop: backpropagation derived symbolically, from the chain rule, in closed form.

    >>> from symbackprop import Network
    >>> net = Network([2, 3, 1], hidden="tanh", output="sigmoid", loss="bce")
    >>> derivation = net.derive()
    >>> derivation.deltas["delta2"]
    Matrix([[a2_1 - y_1]])
"""

from .api import Derivation, Network
from .derive.derivation import Equation, Step
from .errors import SizeLimitError, SpecError, SymbackpropError, UnknownNameError
from .resources import version

__all__ = [
    "Derivation",
    "Equation",
    "Network",
    "SizeLimitError",
    "SpecError",
    "Step",
    "SymbackpropError",
    "UnknownNameError",
]
__version__ = version()
