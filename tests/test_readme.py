"""The README's Python session says what each call returns: its comments are checked against the calls."""

from __future__ import annotations

import re
from pathlib import Path

import symbackprop
from symbackprop import Network

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
#: A line of the README's session whose comment starts with the value the call returns: ``d.vector["delta1"]  # ...``.
SHOWN = re.compile(r'^(d\.(?:deltas|vector|batch)\["\w+"\](?:\[0\])?)\s+# (\S+(?: \S+)*?)(?:  |$)', re.MULTILINE)


def test_the_readme_session_shows_what_the_calls_return() -> None:
    session = README[README.index("net = Network([2, 3, 1]"):]
    session = session[:session.index("```")]
    net = Network([2, 3, 1], hidden="tanh", output="sigmoid", loss="bce", bias="vector")
    assert 'net = Network([2, 3, 1], hidden="tanh", output="sigmoid", loss="bce", bias="vector")' in session
    d = net.derive()
    shown = SHOWN.findall(session)
    assert len(shown) == 4, shown  # δ2, δ1's entry, the vector BP2, the batch's W1
    for call, comment in shown:
        assert str(eval(call, {"d": d})) == comment, (call, comment)


def test_the_errors_the_readme_names_are_the_packages() -> None:
    """"a mistake is a DataError (a SymbackpropError, itself a ValueError)": importable as it says."""
    named = set(re.findall(r"`(\w+Error)`", README)) - {"ValueError"}
    assert named >= {"DataError", "SymbackpropError"}
    for name in named:
        assert hasattr(symbackprop, name), name
    assert issubclass(symbackprop.DataError, symbackprop.SymbackpropError)
    assert issubclass(symbackprop.SymbackpropError, ValueError)
