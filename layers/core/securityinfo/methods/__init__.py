"""The registry of method types: one module per type behind the MethodKind interface."""

from __future__ import annotations

from .base import MethodKind
from .software_oath import SoftwareOath

REGISTRY: dict[str, MethodKind] = {kind.type_name: kind for kind in (SoftwareOath(),)}


def kind_of(type_name: str) -> MethodKind:
    return REGISTRY[type_name]
