"""Small reads and transaction helpers over the models, shared by the services."""

from __future__ import annotations

from typing import TypeVar

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactGet

from .models import METHOD_PREFIX, PROFILE_SK, Item, MethodItem, ProfileItem, user_pk

T = TypeVar("T", bound=Item)


def get_many(connection: Connection, user_id: str, *sort_keys: str) -> list[Item | None]:
    """Several items of one user in one consistent read (TransactGetItems); None where absent."""
    with TransactGet(connection=connection) as tg:
        futures = [tg.get(Item, user_pk(user_id), sk) for sk in sort_keys]
    out: list[Item | None] = []
    for future in futures:
        try:
            out.append(future.get())
        except Item.DoesNotExist:
            out.append(None)
    return out


def typed(item: Item | None, cls: type[T]) -> T | None:
    return item if isinstance(item, cls) else None


def get_profile(user_id: str) -> ProfileItem | None:
    try:
        return ProfileItem.get(user_pk(user_id), PROFILE_SK)
    except ProfileItem.DoesNotExist:
        return None


def methods_and_profile(user_id: str) -> tuple[ProfileItem | None, list[MethodItem]]:
    """One Query: the user's methods and profile sit next to each other in sort-key order."""
    profile: ProfileItem | None = None
    methods: list[MethodItem] = []
    for item in Item.query(user_pk(user_id), Item.sk.between(METHOD_PREFIX, PROFILE_SK)):
        if isinstance(item, ProfileItem):
            profile = item
        elif isinstance(item, MethodItem):
            methods.append(item)
    return profile, methods


def failed_conditions(error: TransactWriteError) -> list[bool]:
    """Per operation of a cancelled transaction: did its condition fail?"""
    return [bool(r is not None and r.code == "ConditionalCheckFailed") for r in error.cancellation_reasons]
