"""The generated files and their texts, in one place for the generator and the tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contract.openapi import ROOT, build

OPENAPI = ROOT / "docs" / "openapi.json"


def render_json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def outputs() -> dict[Path, str]:
    document = build()
    return {OPENAPI: render_json(document)}
