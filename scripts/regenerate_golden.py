"""Rewrite the golden documents under tests/golden/ from tests/golden/cases.toml.

Run it (``make golden``) after an intended change to the documents, then review the diff of tests/golden/ before
committing it: the diff is the change a reader of the documents will see.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
sys.path.insert(0, str(ROOT))

from symbackprop import Network  # noqa: E402
from symbackprop.documents.files import engine_forms  # noqa: E402
from symbackprop.documents.options import DocumentOptions  # noqa: E402
from symbackprop.documents.render import render_markdown, render_tex  # noqa: E402


def cases() -> dict[str, dict]:
    with open(GOLDEN / "cases.toml", "rb") as handle:
        return tomllib.load(handle)


def render_case(name: str, data: dict) -> dict[str, str]:
    """The golden files of one case: ``{"ng.tex": ..., "ng.md": ...}``."""
    network = Network.from_mapping({k: v for k, v in data.items() if k != "derive"}, source=name)
    options = DocumentOptions.from_mapping(data["derive"], source=name)
    derivation = network.derive(forms=engine_forms(options))  # as the command line derives it
    return {f"{name}.tex": render_tex(derivation, options), f"{name}.md": render_markdown(derivation, options)}


def main() -> None:
    for name, data in cases().items():
        for filename, text in render_case(name, data).items():
            path = GOLDEN / filename
            old = path.read_text(encoding="utf-8") if path.exists() else None
            path.write_text(text, encoding="utf-8")
            print(f"{'unchanged' if old == text else 'rewrote  '} {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
