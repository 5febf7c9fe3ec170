"""The table's model classes are set up by pynamodb with securityinfo/_pynamodb.py's ``members``
in place of ``inspect.getmembers``: each class must end up with exactly the attributes, key names
and indexes that ``inspect.getmembers`` finds on it."""

from __future__ import annotations

import inspect

import pynamodb.attributes
import pynamodb.models
import pytest
from pynamodb.attributes import Attribute, AttributeContainer, MapAttribute, UnicodeAttribute
from pynamodb.indexes import Index
from pynamodb.models import Model

from securityinfo import _pynamodb
from securityinfo.storage import models

CLASSES = sorted(
    (
        value
        for value in vars(models).values()
        if isinstance(value, type)
        and issubclass(value, AttributeContainer)
        and value.__module__ == models.__name__
    ),
    key=lambda c: c.__name__,
)


def is_attribute(value: object) -> bool:
    return isinstance(value, Attribute)


def is_index(value: object) -> bool:
    return isinstance(value, Index)


def test_pynamodb_sets_classes_up_with_members() -> None:
    assert pynamodb.attributes.getmembers is _pynamodb.members  # type: ignore[attr-defined]
    assert pynamodb.models.getmembers is _pynamodb.members  # type: ignore[attr-defined]
    assert len(CLASSES) > 30 and models.AnswerHash in CLASSES


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_each_class_has_what_inspect_finds(cls: type[AttributeContainer]) -> None:
    for predicate in (is_attribute, is_index):
        assert _pynamodb.members(cls, predicate) == inspect.getmembers(cls, predicate)
    assert cls._attributes == dict(inspect.getmembers(cls, is_attribute))
    if issubclass(cls, Model):
        assert cls._indexes == {i.Meta.index_name: i for _, i in inspect.getmembers(cls, is_index)}
        assert (cls._hash_keyname, cls._range_keyname) == ("pk", "sk")


def test_an_overridden_name_is_the_most_derived_one() -> None:
    class Base(MapAttribute[str, object]):
        shared = UnicodeAttribute(attr_name="s")
        gone = UnicodeAttribute()

    class Derived(Base):
        shared = UnicodeAttribute(attr_name="d")
        gone = None  # type: ignore[assignment]

    assert _pynamodb.members(Derived, is_attribute) == inspect.getmembers(Derived, is_attribute)
    assert Derived._attributes["shared"].attr_name == "d"
    assert "gone" not in Derived._attributes
