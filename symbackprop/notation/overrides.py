"""``--symbol`` overrides: a grammar of the LaTeX a letter may be, and the notation with the overrides applied.

An override replaces one letter of a preset (``cost=J``, ``weight=\\theta``). It is checked against a grammar of
what LaTeX typesets in math mode (a letter, a Greek letter or a font command's argument, with at most one sub- and
one superscript, primes, known commands only) rather than a list of what is refused, and compared with the
preset's other letters after normalisation (``{b}`` is ``b``), so that two quantities never share a letter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import NamedTuple

from ..errors import SymbackpropError, UnknownNameError
from .presets import OVERRIDABLE, Notation

#: Control sequences an override may use; anything else (\input, \def, \write, ...) is refused.
SAFE_COMMANDS = frozenset("""
alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi rho sigma tau
upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega ell nabla partial
mathcal mathbf mathrm mathit mathsf mathbb boldsymbol bm hat tilde bar vec check breve dot ddot underline
overline operatorname prime ast star circ
""".split())


#: The commands that take one argument, a letter or a braced group: \mathbf{W}, \hat\theta.
ONE_ARGUMENT = frozenset("""
mathcal mathbf mathrm mathit mathsf mathbb boldsymbol bm hat tilde bar vec check breve dot ddot underline overline
operatorname
""".split())
#: The commands of :data:`ONE_ARGUMENT` that put an accent over their argument (TeX's accent noads).
ACCENTS = frozenset("hat tilde bar vec check breve dot ddot".split())
#: The commands of :data:`ONE_ARGUMENT` that only switch the font of their argument, a group to TeX.
FONT_SWITCHES = frozenset("mathcal mathbf mathrm mathit mathsf mathbb boldsymbol bm".split())
#: The commands that are one symbol (Greek letters, \ell, \ast, ...): a letter, a script or a font's argument.
SYMBOL_COMMANDS = SAFE_COMMANDS - ONE_ARGUMENT
#: Symbol commands that are operators, not letters: a symbol never begins with one (\partial J reads as a
#: derivative).
OPERATORS = frozenset("nabla partial prime ast star circ".split())
#: Control symbols that only space (\, \! and a control space): allowed between letters, never scripted.
_SPACING = frozenset({"\\,", "\\!", "\\ "})
#: Characters an override may hold besides letters, digits, braces, scripts and primes.
_PUNCTUATION = frozenset("()[],.+-*/")
#: The longest override: a symbol is a letter with its scripts, and the check recurses once per brace.
MAX_OVERRIDE_LENGTH = 100
#: Characters that are the grammar's own: groups, scripts and primes.
_STRUCTURE = frozenset("{}_^'")
#: Characters LaTeX gives a meaning of their own outside math (comment, parameter, math shift, alignment, tie).
_TEX_SPECIALS = frozenset("%#$&~")
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\S")
_ALLOWED = ("use letters, digits, Greek letters such as \\theta, \\mathbf-style font commands, scripts _ ^, "
            "primes ' and ( ) [ ] , . + - * /")


def check_override(name: str, latex: str) -> str:
    """Validate the LaTeX of a ``--symbol`` override against a grammar of what LaTeX typesets (see
    :class:`_Grammar`): printable ASCII, letters with at most one sub- and one superscript each, known commands
    only, something drawn. Returns it without surrounding spaces.

    Raises:
        UnknownNameError: ``name`` is not an overridable symbol.
        SymbackpropError: the LaTeX is empty, too long, draws nothing, is not printable ASCII, uses an unknown
            control sequence or is not a letter LaTeX can typeset.
    """
    if name not in OVERRIDABLE:
        raise UnknownNameError("symbol", name, OVERRIDABLE)
    text = str(latex).strip(" ")
    control = next((char for char in text if not char.isprintable()), None)
    if control is not None:  # before the text goes into a message: a line break would make it two lines
        raise SymbackpropError(f"--symbol {name}: the control character {control!r} is not allowed; "
                               "write printable ASCII")
    given = f"--symbol {name}={text}"
    if not text.isascii():
        raise SymbackpropError(f"{given}: write LaTeX in ASCII, a command such as \\theta for a Greek letter")
    if not text:
        raise SymbackpropError(f"--symbol {name}: empty LaTeX")
    if len(text) > MAX_OVERRIDE_LENGTH:
        raise SymbackpropError(f"--symbol {name}: longer than {MAX_OVERRIDE_LENGTH} characters; a symbol is a "
                               "letter with its scripts")
    problem = _structure_problem(text)
    if problem:
        raise SymbackpropError(f"{given}: {problem}")
    if not any(_draws(token) for token in _TOKEN.findall(text)):
        raise SymbackpropError(f"{given}: draws nothing; give a letter, such as J")
    first = next(token for token in _TOKEN.findall(text) if _draws(token))
    if not (first.isalpha() or first[1:] in SYMBOL_COMMANDS - OPERATORS):
        raise SymbackpropError(f"{given}: a symbol begins with a letter, such as J or \\theta, not {first}")
    return text


def _draws(token: str) -> bool:
    """Whether a token of an override puts ink on the page: not a brace, a script, a spacing or a font command."""
    if token in ("{", "}", "_", "^") or token in _SPACING:
        return False
    return not token.startswith("\\") or token[1:] not in ONE_ARGUMENT


class _Refused(Exception):
    """What stops LaTeX, found by :class:`_Grammar`."""


class _Item(NamedTuple):
    """What TeX makes of an item: an accent noad or not, and the scripts it has."""

    accent: bool
    scripts: frozenset[str]


_PLAIN = _Item(False, frozenset())


class _Grammar:
    """A recursive-descent reading of an override as LaTeX math that typesets::

        sequence := (spacing | item)*               items side by side: J, MSE, \\mathcal{L}(\\theta)
        item     := nucleus "'"* script? script?    at most one _ and one ^; primes right after the nucleus
        nucleus  := letter | digit | punctuation | symbol command | "{" sequence "}" | font (letter | "{" sequence "}")
        script   := ("_" | "^") (letter | digit | punctuation | symbol command | "{" sequence "}")

    A font or accent command, as \\hat\\theta, takes one token; in a script it needs braces: J_{\\hat\\theta}.
    LaTeX accepts J'^2 (the prime and the 2 make one superscript) but not J^2' (a double superscript). TeX
    replaces a group that holds one accent, as {\\hat{x}^{2}} (font commands are groups too: \\mathbf{\\hat{x}^2}),
    by the accent itself, whose scripts then count as the group's: {\\hat{x}^{2}}^{3} is a double superscript.
    """

    def __init__(self, text: str) -> None:
        self.tokens = _TOKEN.findall(text)
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str | None:
        token = self.peek()
        self.position += 1
        return token

    def sequence(self, in_group: bool) -> list[_Item]:
        """The items up to the closing brace of a group (left for the caller) or the end."""
        items: list[_Item] = []
        while (token := self.peek()) is not None:
            if token == "}":
                if in_group:
                    return items
                raise _Refused("unbalanced braces")
            if token in _SPACING:  # an item too: J\, is no one letter to give scripts to
                self.take()
                items.append(_PLAIN)
                continue
            if token in ("_", "^", "'"):
                raise _Refused(f"{token} has nothing before it")
            nucleus = self.nucleus()
            items.append(_Item(nucleus.accent, self.scripts(nucleus.scripts)))
        if in_group:
            raise _Refused("unbalanced braces")
        return items

    def group(self) -> _Item:
        """The rest of a group whose ``{`` was taken: the accent it holds alone, as TeX reads it, or plain."""
        items = self.sequence(in_group=True)
        self.take()
        return items[0] if len(items) == 1 and items[0].accent else _PLAIN

    def nucleus(self) -> _Item:
        token = _known(self.take() or "")
        if token == "{":
            return self.group()
        if _font(token):
            argument = self.argument(token)
            if token[1:] in ACCENTS:
                return _Item(True, frozenset())
            return argument if token[1:] in FONT_SWITCHES else _PLAIN
        return _PLAIN

    def argument(self, command: str) -> _Item:
        """The argument of a font or accent command: one letter or a braced group."""
        token = self.take()
        if token == "{":
            return self.group()
        if token is None or not _single(_known(token)) or token in _PUNCTUATION:
            if token is not None and _font(token):
                raise _Refused(f"{command} takes one letter or a braced group; write {command}{{{token}{{...}}}}")
            raise _Refused(f"{command} needs an argument, e.g. {command}{{J}}")
        return _PLAIN

    def scripts(self, given: frozenset[str]) -> frozenset[str]:
        """Primes, then at most one subscript and one superscript besides those ``given`` (an accent's, whose
        group TeX dropped); all of them, a prime counted as a superscript."""
        primed = False
        while self.peek() == "'":
            if "^" in given:
                raise _Refused(_double("^", given))
            self.take()
            primed = True
        seen = set(given)
        if primed:  # J'^2: a superscript right after the primes joins theirs; after J'_1 it would be a second
            if self.peek() == "^":
                self.take()
                self.script("^")
            seen.add("^")
        while (token := self.peek()) in ("_", "^", "'"):
            if token == "'":
                raise _Refused("a prime ' goes right after the letter, before its scripts, as J'_0 or J'^2 "
                               "(J^2' is a double superscript)")
            if token in seen:
                raise _Refused(_double(token, given) if token in given or not primed else
                               "a double superscript: the prime ' is one; write J'^2_1, not J'_1^2")
            self.take()
            self.script(token)
            seen.add(token)
        return frozenset(seen)

    def script(self, script: str) -> None:
        """The argument of ``_`` or ``^``: one token or a braced group."""
        token = self.take()
        if token == "{":
            self.group()
        elif token is None or not _single(_known(token)):
            if token is not None and _font(token):
                raise _Refused(f"{script}{token} needs braces around the script, as J{script}{{{token}{{x}}}}")
            raise _Refused(f"{script} needs something after it, e.g. J{script}{{0}}")


def _double(script: str, given: frozenset[str]) -> str:
    kind = "subscript" if script == "_" else "superscript"
    if script in given:
        return (f"a double {kind}: TeX reads a group holding one accent with its scripts, as {{\\hat{{x}}^{{2}}}}, "
                "as the accent itself; end the group with {}, as {\\hat{x}^{2}{}}^{3}")
    example = "{J_0}_1" if script == "_" else "{J^2}^3"
    return f"a double {kind}; group one, as in {example}"


def _known(token: str) -> str:
    """``token`` if an override may hold it; otherwise the reason, raised."""
    if token == "\\":
        raise _Refused("a backslash must start a command")
    if token.startswith("\\") and token[1:] not in SAFE_COMMANDS and token not in _SPACING:
        raise _Refused(f"{token} is not allowed; use letters, Greek letters and \\mathbf-style font commands")
    if token in _TEX_SPECIALS:
        raise _Refused("the characters % # $ & ~ are not allowed")
    if len(token) == 1 and not token.isalnum() and token not in _PUNCTUATION and token not in _STRUCTURE:
        raise _Refused(f"{token!r} is not allowed; {_ALLOWED}")
    return token


def _font(token: str) -> bool:
    """Whether ``token`` is a font or accent command, which takes an argument."""
    return token.startswith("\\") and token[1:] in ONE_ARGUMENT


def _single(token: str) -> bool:
    """Whether a known token is a whole symbol by itself: a letter, a digit, punctuation or a symbol command."""
    return token.isalnum() or token in _PUNCTUATION or (token.startswith("\\") and token[1:] in SYMBOL_COMMANDS)


def _structure_problem(text: str) -> str | None:
    """What would stop LaTeX (or is not a letter with scripts), in words; None when the grammar of
    :class:`_Grammar` reads all of ``text``."""
    try:
        _Grammar(text).sequence(in_group=False)
    except _Refused as refusal:
        return str(refusal)
    return None


def as_letter(latex: str) -> str:
    """An override as a letter the templates can give sub- and superscripts: ``J_0`` -> ``{J_0}``, ``J'`` ->
    ``{J'}``, ``MSE`` -> ``{MSE}``, an accent with scripts ``\\hat{x}^{2}`` -> ``{\\hat{x}^{2}{}}`` (the ``{}``
    keeps TeX from reading the group as the accent); one letter without scripts (``J``, ``\\mathbf{w_0}``) stays."""
    try:
        items = _Grammar(latex).sequence(in_group=False)
    except _Refused:
        return f"{{{latex}}}"
    if len(items) == 1 and not items[0].scripts:
        return latex
    return f"{{{latex}{{}}}}" if len(items) == 1 and items[0].accent else f"{{{latex}}}"


def normal_form(latex: str) -> str:
    """A letter without what does not change how it is drawn: spaces, braces around one token and braces around
    it all (``{b}``, ``{{b}}``, `` b `` are ``b``; ``\\hat{\\theta}`` is ``\\hat \\theta``)."""
    tokens = _TOKEN.findall(latex)
    while True:
        for i in range(len(tokens) - 2):
            if tokens[i] == "{" and tokens[i + 2] == "}" and _unbraceable(tokens[i + 1]):
                tokens[i:i + 3] = [tokens[i + 1]]
                break
        else:
            if len(tokens) > 1 and tokens[0] == "{" and _closing(tokens) == len(tokens) - 1:
                tokens = tokens[1:-1]
                continue
            return " ".join(tokens)


def _unbraceable(token: str) -> bool:
    return token not in ("{", "}", "_", "^", "'") and token not in _SPACING and token[1:] not in ONE_ARGUMENT


def _closing(tokens: list[str]) -> int:
    """The index of the brace that closes ``tokens[0]``, or -1."""
    depth = 0
    for i, token in enumerate(tokens):
        depth += {"{": 1, "}": -1}.get(token, 0)
        if depth == 0:
            return i
    return -1


def with_overrides(notation: Notation, overrides: Mapping[str, str]) -> Notation:
    """A copy of ``notation`` with letters replaced, ``{"cost": "J"}`` style; each override is validated.

    Raises:
        UnknownNameError, SymbackpropError: see :func:`check_override`.
    """
    if not overrides:
        return notation
    letters = dict(notation.letters)
    for name in sorted(overrides):
        latex = as_letter(check_override(name, overrides[name]))
        if notation.letters.get(OVERRIDABLE[name][0]) is None:  # (an override that would change nothing)
            raise SymbackpropError(f"--symbol {name}: the {notation.name} notation writes the output as the last "
                                   "layer's activations, with no letter of its own; override neuron_output")
        for slot in OVERRIDABLE[name]:
            letters[slot] = latex
    _check_clashes(notation, letters, overrides)
    return replace(notation, letters=MappingProxyType(letters))


#: Names of one quantity in two forms, which may share a letter (w_jk in W, the cost of one example and of all).
SAME_QUANTITY = frozenset(map(frozenset, [("cost", "total_cost"), ("activation", "output_activation"),
                                          ("weight", "weight_matrix"), ("output", "neuron_output")]))


def base_letter(latex: str) -> str:
    """The letter a symbol is drawn with, without its scripts, primes and font (:func:`normal_form` first):
    ``W^{2}``, ``\\mathbf{W}`` and ``W'`` are ``W``; ``\\delta^{L}`` is ``\\delta``; an accent stays
    (``\\hat\\theta`` is not ``\\theta``)."""
    kept: list[str] = []
    depth = 0
    for token in normal_form(latex).split(" "):
        if depth == 0 and token in ("_", "^", "'"):
            break
        depth += {"{": 1, "}": -1}.get(token, 0)
        if token not in ("{", "}") and token[1:] not in FONT_SWITCHES:
            kept.append(token)
    return " ".join(kept)


def _reserved(notation: Notation) -> dict[str, str]:
    """The letters a notation draws that are no quantity's own: σ where it names the activations (nielsen's σ, the
    sigmoid's and a generic one's), θ inside its loss's letter (goodfellow's 𝓛(θ), θ the parameters); the layers'
    and neurons' indices, L, the learning rate and the batch's m."""
    reserved = {base_letter(notation.learning_rate): "the learning rate", "L": "the output layer's number",
                "m": "the number of examples of a batch", notation.layer_letter: "a general layer",
                **dict.fromkeys(notation.indices, "a neuron's index")}
    if notation.next_count:
        reserved[notation.next_count] = "the number of neurons of the layer above"
    letters = notation.letters
    if not letters.get("g") or not letters.get("g_out"):
        reserved["\\sigma"] = "the sigmoid (and a generic activation)"
    if any("\\theta" in (letters.get(slot) or "") for slot in ("cost", "total_cost")):
        reserved["\\theta"] = "the parameters (inside the loss's letter)"
    return reserved


def _check_clashes(notation: Notation, after: Mapping[str, str], overrides: Mapping[str, str]) -> None:
    """Refuse an override that gives a quantity the letter of another one (``--symbol weight=b``, or ``{b}``,
    ``b_0``, ``\\mathbf{b}``: letters are compared in :func:`base_letter`), or a letter ``notation`` draws for
    something else (:func:`_reserved`), unless the notation already wrote the two alike.

    Raises:
        SymbackpropError: names the override and the quantity whose letter it takes.
    """
    before, reserved = notation.letters, _reserved(notation)
    for name in sorted(overrides):
        slot = OVERRIDABLE[name][0]
        if (meaning := reserved.get(base_letter(after.get(slot) or ""))) is not None:
            raise SymbackpropError(f"--symbol {name}={overrides[name].strip()}: {base_letter(after[slot])} already "
                                   f"stands for {meaning} in this notation; give each quantity its own letter")
        for other, slots in OVERRIDABLE.items():
            if other == name or frozenset((name, other)) in SAME_QUANTITY:
                continue
            mine, theirs = (base_letter(after.get(s) or "") for s in (slot, slots[0]))
            if mine and mine == theirs and base_letter(before.get(slot) or "") != base_letter(
                    before.get(slots[0]) or ""):
                raise SymbackpropError(
                    f"--symbol {name}={overrides[name].strip()}: {after.get(slots[0])} already stands for the "
                    f"{other.replace('_', ' ')} in this notation; give each quantity its own letter")


def parse_overrides(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["cost=J", "activation=g"]`` -> ``{"cost": "J", "activation": "g"}`` (validated).

    Raises:
        SymbackpropError: an item without ``=``, or an invalid override.
    """
    result: dict[str, str] = {}
    for item in items:
        name, sep, latex = item.partition("=")
        if not sep:
            raise SymbackpropError(f"--symbol {item!r}: write NAME=LATEX, e.g. cost=J")
        if name.strip() in result:
            raise SymbackpropError(f"--symbol {name.strip()} is given twice ({name.strip()}={result[name.strip()]} and "
                                   f"{item.strip()}); give each letter once")
        result[name.strip()] = check_override(name.strip(), latex)
    return result
