"""symbackprop: backpropagation derived symbolically, from the chain rule, in closed form.

    >>> from symbackprop import Network
    >>> net = Network([2, 3, 1], hidden="tanh", output="sigmoid", loss="bce")
    >>> derivation = net.derive()
    >>> derivation.deltas["delta2"]
    Matrix([[a2_1 - y_1]])
"""

from .api import Derivation, Network
from .derive.derivation import Equation, Step
from .errors import DataError, SizeLimitError, SpecError, SymbackpropError, UnknownNameError
from .resources import version

__all__ = [
    "Derivation",
    "check_grads",
    "DataError",
    "Equation",
    "Network",
    "SizeLimitError",
    "SpecError",
    "Step",
    "SymbackpropError",
    "UnknownNameError",
]
__version__ = version()


def __getattr__(name: str) -> object:
    """``symbackprop.check_grads``, imported when first asked for: NumPy and the references load only then."""
    if name == "check_grads":
        from .numeric.check import check_grads

        return check_grads
    raise AttributeError(f"module 'symbackprop' has no attribute {name!r}")
