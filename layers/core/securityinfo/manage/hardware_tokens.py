"""The hardware OATH token catalogue (SPEC §16): what administrators upload, list, assign and
delete; users claim a token through ``POST /me/methods`` (methods/hardware_oath.py).

Each token is its own item (``HWTOKEN#<serial>``) so a claim, an assignment or a delete writes one
item under a condition; the list is one Query of gsi1 (every token under ``HWTOKENS``, ordered by
serial number), never a Scan. Secrets are sealed with the service's KMS key under the token's
serial number and never leave the service. The routes check the administrator (admin.py) first.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError

from securityinfo.kernel import events
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.crypto import random_id, token_secret_context
from securityinfo.kernel.errors import (
    Conflict,
    HardwareTokenActivated,
    InvalidCursor,
    InvalidField,
    NotFound,
    UnknownField,
)
from securityinfo.kernel.i18n import t
from securityinfo.kernel.logs import logger
from securityinfo.kernel.validation import Field, validate
from securityinfo.manage import security_info
from securityinfo.methods import totp
from securityinfo.methods.hardware_oath import SERIAL, SERIAL_PATTERN, read_token, token_ref
from securityinfo.storage import outbox, store
from securityinfo.storage.models import (
    HARDWARE_TOKEN_SK,
    HARDWARE_TOKENS_GSI1PK,
    TOKEN_ACTIVATED,
    TOKEN_ASSIGNED,
    TOKEN_AVAILABLE,
    HardwareTokenItem,
    Item,
    hardware_token_pk,
)

MAX_UPLOAD = 500
PAGE_SIZE = 100
# A transaction holds at most 100 items: 99 tokens and the upload's event.
_CHUNK = 99
_TRIES = 3
# RFC 4226 §4 (R6): a shared secret of at least 128 bits; 64 bytes is SHA-256's block.
_MIN_SECRET_BYTES = 16
_MAX_SECRET_BYTES = 64
_BASE32 = re.compile(r"[A-Z2-7]+")
_USER_ID = r"[A-Za-z0-9._@:|+=-]{1,128}"
_NO_SUCH_TOKEN = "No hardware token with that serial number."  # noqa: S105 - a message, not a secret


def normalized_secret(text: str) -> str:
    """A base32 secret as stored: spaces dropped, upper case, no padding."""
    return text.replace(" ", "").upper().rstrip("=")


def _secret_problem(value: Any) -> str | None:
    secret = normalized_secret(str(value))
    if not _BASE32.fullmatch(secret):
        return "The secret must be base32: letters A to Z and digits 2 to 7 (spaces and '=' padding allowed)."
    try:
        key = totp.decode_secret(secret)
    except (binascii.Error, ValueError):
        return "The secret is not valid base32 (its length does not decode); check that it was copied whole."
    if not _MIN_SECRET_BYTES <= len(key) <= _MAX_SECRET_BYTES:
        return (
            f"The secret must be {_MIN_SECRET_BYTES} to {_MAX_SECRET_BYTES} bytes "
            f"({_MIN_SECRET_BYTES * 8} to {_MAX_SECRET_BYTES * 8} bits) once decoded."
        )
    return None


TOKEN_SCHEMA = {
    "serialNumber": SERIAL,
    "secret": Field(
        str,
        required=True,
        min_len=16,
        max_len=160,
        hint="The token's seed in base32.",
        check=_secret_problem,
    ),
    "manufacturer": Field(str, required=True, min_len=1, max_len=64, hint="1 to 64 characters."),
    "model": Field(str, required=True, min_len=1, max_len=64, hint="1 to 64 characters."),
    "digits": Field(int, required=True, choices=(6, 8)),
    "periodSeconds": Field(int, required=True, choices=(30, 60)),
    "hashFunction": Field(str, required=True, choices=("sha1", "sha256")),
}
UPLOAD_SCHEMA = {
    "tokens": Field(
        list,
        required=True,
        min_len=1,
        max_len=MAX_UPLOAD,
        items=Field(dict, schema=TOKEN_SCHEMA),
        hint=f"1 to {MAX_UPLOAD} tokens per upload.",
    )
}
ASSIGN_SCHEMA = {
    "userId": Field(str, required=True, pattern=_USER_ID, hint="The user's id (the `sub` of their token).")
}
QUERY_NAMES = ("cursor",)


class _Known(Exception):  # noqa: N818 - a put's refusal: the serial number is known already
    def __init__(self, serial_number: str) -> None:
        super().__init__(serial_number)
        self.serial_number = serial_number


def serial_of(serial_number: str) -> str:
    """A path's serial number, or 404 (nothing else can name a token)."""
    if not re.fullmatch(SERIAL_PATTERN, serial_number or "", re.ASCII):
        raise NotFound(_NO_SUCH_TOKEN)
    return serial_number


# --- upload ------------------------------------------------------------------------------------


def upload(deps: Deps, admin: Caller, body: Any) -> dict[str, Any]:
    """POST /admin/hardware-tokens: 201 ``{created, skipped}``; serials known already are skipped
    (an upload can be repeated safely). Each batch of 99 is one transaction with its event."""
    tokens = validate(body, UPLOAD_SCHEMA)["tokens"]
    first: dict[str, int] = {}
    for i, token in enumerate(tokens):
        serial = token["serialNumber"]
        if serial in first:
            raise InvalidField(
                t(
                    "Serial number {serial} is listed twice (tokens[{index}] too); list each token once.",
                    serial=serial,
                    index=first[serial],
                ),
                field=f"tokens[{i}].serialNumber",
            )
        first[serial] = i
    now = deps.clock.now()
    upload_id = random_id("u")
    items = [_item(deps, admin, token, now) for token in tokens]
    created: list[str] = []
    skipped: list[str] = []
    for start in range(0, len(items), _CHUNK):
        made, known = _save_batch(deps, admin, items[start : start + _CHUNK], now, upload_id)
        created += made
        skipped += known
    logger.info(
        "hardware_tokens_uploaded", extra={"tokensCreated": len(created), "tokensSkipped": len(skipped)}
    )
    return {"created": len(created), "skipped": skipped}


def _item(deps: Deps, admin: Caller, token: Mapping[str, Any], now: float) -> HardwareTokenItem:
    serial = str(token["serialNumber"])
    secret = normalized_secret(str(token["secret"]))
    return HardwareTokenItem(
        hardware_token_pk(serial),
        HARDWARE_TOKEN_SK,
        gsi1pk=HARDWARE_TOKENS_GSI1PK,
        gsi1sk=serial,
        serial_number=serial,
        manufacturer=str(token["manufacturer"]),
        model=str(token["model"]),
        digits=int(token["digits"]),
        period_seconds=int(token["periodSeconds"]),
        hash_function=str(token["hashFunction"]),
        secret_ciphertext=deps.secrets.seal(secret.encode(), token_secret_context(serial)),
        uploaded_at=now,
        uploaded_by=admin.user_id,
        status=TOKEN_AVAILABLE,
    )


def _save_batch(
    deps: Deps, admin: Caller, batch: list[HardwareTokenItem], now: float, upload_id: str
) -> tuple[list[str], list[str]]:
    """Put the batch's tokens that are new, with one ``HardwareTokensUploaded``: a put refused
    because the serial exists is dropped and the rest written again."""
    pending = list(batch)
    known: list[str] = []
    for _ in range(_TRIES):
        if not pending:
            return [], known
        tw = outbox.Change(deps)
        try:
            with tw:
                for item in pending:
                    tw.save(item, condition=Item.pk.does_not_exist(), refusal=_Known(item.serial_number))
                tw.emit(
                    "HardwareTokensUploaded",
                    events.detail(
                        admin,
                        now,
                        uploadId=upload_id,
                        created=len(pending),
                        serialNumbers=[item.serial_number for item in pending],
                        skipped=list(known),
                    ),
                    organization=True,
                )
        except TransactWriteError as error:
            refused = {r.serial_number for r in tw.refusals(error) if isinstance(r, _Known)}
            if not refused:
                raise
            known += [item.serial_number for item in pending if item.serial_number in refused]
            pending = [item for item in pending if item.serial_number not in refused]
            continue
        return [item.serial_number for item in pending], known
    raise Conflict("Tokens with these serial numbers were being uploaded at the same time; upload again.")


# --- list --------------------------------------------------------------------------------------


def listing(params: Mapping[str, str]) -> dict[str, Any]:
    """GET /admin/hardware-tokens: one page by serial number, never a secret; ``nextCursor`` when
    there is more. One Query of gsi1 (eventually consistent: a token just uploaded may show a
    moment later)."""
    unknown = sorted(set(params) - set(QUERY_NAMES))
    if unknown:
        raise UnknownField(
            t("Unknown query parameter {name}; use cursor.", name=unknown[0]), field=unknown[0]
        )
    cursor = params.get("cursor")
    after = _decode_cursor(cursor) if cursor is not None else None
    condition = Item.gsi1sk > after if after is not None else None
    found: list[HardwareTokenItem] = []
    for item in Item.gsi1.query(
        HARDWARE_TOKENS_GSI1PK, condition, limit=PAGE_SIZE + 1, page_size=PAGE_SIZE + 1
    ):
        if isinstance(item, HardwareTokenItem):
            found.append(item)
    page = found[:PAGE_SIZE]
    body: dict[str, Any] = {"tokens": [view(t) for t in page]}
    if len(found) > PAGE_SIZE:
        body["nextCursor"] = base64.urlsafe_b64encode(page[-1].serial_number.encode()).decode().rstrip("=")
    return body


def _decode_cursor(cursor: str) -> str:
    bad = InvalidCursor("That cursor is not one this list gave; list again without it.", field="cursor")
    if not cursor or len(cursor) > 100 or not cursor.isascii():
        raise bad
    try:
        serial = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except ValueError:
        raise bad from None
    if not re.fullmatch(SERIAL_PATTERN, serial, re.ASCII):
        raise bad
    return serial


def view(token: HardwareTokenItem) -> dict[str, Any]:
    body: dict[str, Any] = {
        "serialNumber": token.serial_number,
        "manufacturer": token.manufacturer,
        "model": token.model,
        "status": token.status,
    }
    if token.assigned_to:
        body["assignedTo"] = token.assigned_to
    return body


# --- assign and delete -------------------------------------------------------------------------


def assign(deps: Deps, admin: Caller, serial_number: str, body: Any) -> None:
    """POST /admin/hardware-tokens/{serialNumber}/assign: only ``userId`` may claim it now (again
    to another user: reassigned). An activated token is refused: it is someone's method."""
    serial = serial_of(serial_number)
    user_id = validate(body, ASSIGN_SCHEMA)["userId"]
    ref = token_ref(serial)
    try:
        ref.update(
            actions=[
                HardwareTokenItem.status.set(TOKEN_ASSIGNED),
                HardwareTokenItem.assigned_to.set(user_id),
            ],
            # Exists and is not activated (a missing item has no status: refused too).
            condition=(HardwareTokenItem.status == TOKEN_AVAILABLE)
            | (HardwareTokenItem.status == TOKEN_ASSIGNED),
        )
    except UpdateError:
        if read_token(serial) is None:
            raise NotFound(_NO_SUCH_TOKEN) from None
        raise HardwareTokenActivated(
            "This token is activated: it is a user's sign-in method. Delete it, or have the user "
            "remove it, before assigning it to someone else."
        ) from None
    logger.info("hardware_token_assigned", extra={"actor": admin.actor})


def delete(deps: Deps, admin: Caller, serial_number: str) -> None:
    """DELETE /admin/hardware-tokens/{serialNumber}: the token, and the method of the user who
    activated it, in one transaction (their default moves on, they are told, as for any removal)."""
    serial = serial_of(serial_number)
    for _ in range(_TRIES):
        token = read_token(serial)
        if token is None:
            raise NotFound(_NO_SUCH_TOKEN)
        if token.status == TOKEN_ACTIVATED and token.assigned_to and token.method_id:
            if _delete_with_method(deps, admin, token):
                return
            continue
        try:
            token_ref(serial).delete(
                condition=(HardwareTokenItem.status == TOKEN_AVAILABLE)
                | (HardwareTokenItem.status == TOKEN_ASSIGNED)
            )
        except DeleteError:
            continue  # claimed (or deleted) meanwhile: read it again
        return
    raise Conflict("The token kept changing while it was being deleted; try again.")


def _delete_with_method(deps: Deps, admin: Caller, token: HardwareTokenItem) -> bool:
    user_id, method_id = str(token.assigned_to), str(token.method_id)
    profile, methods = store.methods_and_profile(user_id)
    method = next((m for m in methods if m.method_id == method_id), None)
    condition = HardwareTokenItem.method_id == method_id
    if method is None:
        # No such method (removed meanwhile, which frees the token): the token alone, if still so.
        try:
            token_ref(token.serial_number).delete(condition=condition)
        except DeleteError:
            return False
        return True

    def with_token(tw: outbox.Change) -> None:
        tw.delete(token_ref(token.serial_number), condition=condition)

    try:
        security_info.remove_method(deps, admin, user_id, method, profile, methods, also=with_token)
    except (Conflict, NotFound):
        return False  # the user changed something meanwhile
    return True
