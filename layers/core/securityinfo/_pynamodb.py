"""pynamodb's class set-up without ``inspect.getmembers``: half of the table models' import.

When a model or map attribute class is created, pynamodb's metaclasses look for its attributes and
indexes with ``inspect.getmembers(cls, predicate)``, which reads every name of ``dir(cls)``, a
Model's hundred-odd methods included, twice per class. For the table's thirty-odd classes that was
half of ``storage/models.py``'s import, at every cold start (about 4% of a bare boto3 import's
instructions).

``members`` answers the same (name, value) pairs, sorted by name, from the classes' own namespaces
along the MRO (the most derived definition of a name wins, as with ``getattr``), leaving out the
bases that cannot hold an attribute or an index (``object``, ``Generic``, pynamodb's
``AttributeContainer`` and ``Model``). It is installed only if those bases hold none, and pynamodb
calls it only while a class is being set up. tests/unit/test_models_setup.py checks that every
model's attributes and indexes are what ``inspect.getmembers`` finds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic

import pynamodb.attributes
import pynamodb.models
from pynamodb.attributes import Attribute, AttributeContainer
from pynamodb.indexes import Index
from pynamodb.models import Model

_BASES: frozenset[type] = frozenset({object, Generic, AttributeContainer, Model})


def members(cls: type, predicate: Callable[[Any], bool]) -> list[tuple[str, Any]]:
    found: dict[str, Any] = {}
    for klass in cls.__mro__:
        if klass not in _BASES:
            for name, value in vars(klass).items():
                found.setdefault(name, value)
    # Attributes and indexes are read through getattr as inspect does (an Attribute answers itself).
    return sorted((name, getattr(cls, name)) for name, value in found.items() if predicate(value))


def _bases_hold_none() -> bool:
    return not any(isinstance(value, (Attribute, Index)) for base in _BASES for value in vars(base).values())


def quick_class_setup() -> None:
    """Have pynamodb's metaclasses use ``members`` (idempotent; nothing if a base holds one)."""
    if _bases_hold_none():
        pynamodb.attributes.getmembers = members  # type: ignore[assignment]
        pynamodb.models.getmembers = members  # type: ignore[assignment]
