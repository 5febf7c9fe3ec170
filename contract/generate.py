"""The generated files and their texts, in one place for the generator and the tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contract.events import with_registry
from contract.markdown import render
from contract.openapi import ROOT, TEMPLATE, build

OPENAPI = ROOT / "docs" / "openapi.json"
MARKDOWN = ROOT / "docs" / "API.md"


def render_json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def outputs() -> dict[Path, str]:
    document = build()
    return {
        OPENAPI: render_json(document),
        MARKDOWN: render(document),
        TEMPLATE: with_registry(TEMPLATE.read_text(encoding="utf-8")),
    }
