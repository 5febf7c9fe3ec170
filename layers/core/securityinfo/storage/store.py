"""Small reads and transaction helpers over the models, shared by the services."""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactGet, TransactWrite

from securityinfo.kernel.context import Caller
from securityinfo.kernel.logs import logger
from securityinfo.storage.models import (
    METHOD_PREFIX,
    PROFILE_SK,
    Item,
    MethodItem,
    ProfileItem,
    profile_ref,
    profile_touch,
    user_pk,
)

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


def get_profile(user_id: str, *, consistent: bool = False) -> ProfileItem | None:
    try:
        return ProfileItem.get(user_pk(user_id), PROFILE_SK, consistent_read=consistent)
    except ProfileItem.DoesNotExist:
        return None


def known(user_id: str) -> bool:
    """Whether anything of the user is stored: one item is enough (a Query of at most one)."""
    return next(iter(Item.query(user_pk(user_id), limit=1)), None) is not None


def remember_locale(caller: Caller, profile: ProfileItem | None) -> None:
    """Keep the user's language (the identity provider's locale claim) on their profile when a
    request of theirs carries one the profile does not have yet: the notifier runs later, with no
    request, and sends the change notices in it (notices/notifications.py). One small update, only
    on a change; it never fails the request."""
    if caller.actor != "self" or not caller.locale:
        return
    if profile is not None and profile.locale == caller.locale:
        return
    try:
        profile_ref(caller.user_id).update(actions=[*profile_touch(), ProfileItem.locale.set(caller.locale)])
    except Exception as exc:  # the notices fall back to English; the user's change matters more
        logger.warning("locale_not_kept", extra={"errorType": type(exc).__name__})


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


def _sent_order_failures(error: TransactWriteError) -> list[bool]:
    """Per operation, in the order pynamodb sent them (not the order added): see Transaction."""
    return [bool(r is not None and r.code == "ConditionalCheckFailed") for r in error.cancellation_reasons]


class Transaction(TransactWrite):
    """A TransactWrite whose operations each carry the refusal their failed condition means.

    pynamodb sends condition checks, then deletes, then puts, then updates, whatever order the code
    added them in, and DynamoDB's cancellation reasons follow the order sent; this class maps them
    back to the operations, so a caller names the refusal where it adds the operation
    (``refusal=NotFound(...)``) and never reads a position. Where several conditions fail at once,
    the first one added wins: add operations in the order their refusals should be told.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._calls: list[tuple[str, int, Exception | None]] = []

    def condition_check(self, *args: Any, refusal: Exception | None = None, **kwargs: Any) -> None:
        self._calls.append(("check", len(self._condition_check_items), refusal))
        super().condition_check(*args, **kwargs)

    def delete(self, *args: Any, refusal: Exception | None = None, **kwargs: Any) -> None:
        self._calls.append(("delete", len(self._delete_items), refusal))
        super().delete(*args, **kwargs)

    def save(self, *args: Any, refusal: Exception | None = None, **kwargs: Any) -> None:
        self._calls.append(("put", len(self._put_items), refusal))
        super().save(*args, **kwargs)

    def update(self, *args: Any, refusal: Exception | None = None, **kwargs: Any) -> None:
        self._calls.append(("update", len(self._update_items), refusal))
        super().update(*args, **kwargs)

    def refusal(self, error: TransactWriteError) -> Exception | None:
        """The refusal of the first operation (in the order added) whose condition failed, if any."""
        found = self.refusals(error)
        return found[0] if found else None

    def refusals(self, error: TransactWriteError) -> list[Exception]:
        """The refusals of every operation whose condition failed, in the order added (a batch of
        puts learns each one that was there already)."""
        sent = _sent_order_failures(error)
        starts = {"check": 0, "delete": len(self._condition_check_items)}
        starts["put"] = starts["delete"] + len(self._delete_items)
        starts["update"] = starts["put"] + len(self._put_items)
        found: list[Exception] = []
        for kind, i, refusal in self._calls:
            position = starts[kind] + i
            if refusal is not None and position < len(sent) and sent[position]:
                found.append(refusal)
        return found

    def refuse(self, error: TransactWriteError, otherwise: Exception | None = None) -> NoReturn:
        """Raise the refusal the failed condition means; else ``otherwise``; else the error itself."""
        refusal = self.refusal(error) or otherwise
        if refusal is None:
            raise error
        raise refusal from None
