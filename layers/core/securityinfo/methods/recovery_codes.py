"""``recoveryCodes``: a set of single-use codes for when the phone is lost (docs/RULES.md).

Ten codes of ten characters from Crockford's base32 alphabet (no I, L, O or U: nothing to misread),
5 bits each, 50 bits a code, shown as ``XXXXX-XXXXX``. Only keyed hashes are stored, bound to the
user and to the set, all in the one method item. A set is made by ``manage.recovery_codes`` (after a
step-up), never through POST /me/methods. It verifies ``mfa`` and ``stepUp`` once chosen, but it
does not stand alone: never the default, never a registration requirement, never the bootstrap.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from typing import Any, ClassVar

from pynamodb.attributes import NumberAttribute
from pynamodb.expressions.condition import size

from securityinfo.kernel import events
from securityinfo.kernel.context import Deps
from securityinfo.kernel.errors import InvalidCode, MethodTypeUnavailable
from securityinfo.kernel.validation import Field, Schema
from securityinfo.methods.base import MFA, MethodContext, MethodKind, Proof, Registered, StaleMethod
from securityinfo.storage.models import (
    MethodItem,
    RecoveryCodesMethodItem,
    RegistrationItem,
    VerificationItem,
)
from securityinfo.storage.outbox import Change

COUNT = 10
LENGTH = 10
GROUP = 5
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: 32 symbols, 5 bits each
LOW_AT = 3  # this many left or fewer: the set is low
HASH_PURPOSE = "recovery-code"
# What a person may type for a symbol that is not in the alphabet but looks like one that is.
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
WRONG = "That recovery code is not right, or it was already used. Each code works once."


def new_code() -> str:
    """One code, ``XXXXX-XXXXX``, from the CSPRNG."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:GROUP]}-{raw[GROUP:]}"


def new_set() -> list[str]:
    """COUNT distinct codes."""
    codes: list[str] = []
    while len(codes) < COUNT:
        code = new_code()
        if code not in codes:
            codes.append(code)
    return codes


def normalize(typed: str) -> str | None:
    """A typed code as generated (separator optional, case and look-alikes ignored), or None."""
    cleaned = typed.strip().upper().replace("-", "").replace(" ", "").translate(_LOOK_ALIKES)
    if len(cleaned) != LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


def digest(deps: Deps, user_id: str, set_id: str, code: str) -> str:
    """The keyed hash stored for a code (``code`` normalized): bound to the user and the set."""
    return deps.hasher.digest(f"{user_id}\x00{set_id}\x00{code}", HASH_PURPOSE)


def hashes_of(method: RecoveryCodesMethodItem) -> set[str]:
    return set(method.code_hashes or ())


def remaining(method: MethodItem) -> int:
    return len(hashes_of(method)) if isinstance(method, RecoveryCodesMethodItem) else 0


def is_low(left: int) -> bool:
    return left <= LOW_AT


def set_of(methods: list[MethodItem]) -> RecoveryCodesMethodItem | None:
    """The user's set among their methods (there is at most one)."""
    return next((m for m in methods if isinstance(m, RecoveryCodesMethodItem)), None)


def summary(method: MethodItem | None) -> dict[str, Any]:
    """``{remaining, total, low}`` of a set; without one, nothing is left and nothing runs low."""
    if not isinstance(method, RecoveryCodesMethodItem):
        return {"remaining": 0, "total": 0, "low": False}
    left = remaining(method)
    return {"remaining": left, "total": int(method.total), "low": is_low(left)}


class RecoveryCodes(MethodKind):
    type_name = "recoveryCodes"
    # mfa covers stepUp (verification._check_purpose); never sspr.
    usable_for = (MFA,)
    stands_alone = False
    registrable = False
    limit_group = "recoveryCodes"
    limit = 1
    # One set per user by construction (its item's key is fixed), not by a profile counter.
    limit_counters: ClassVar[Mapping[str, NumberAttribute]] = {}
    words = "set of recovery codes"
    label = "Recovery codes"
    registration_schema: ClassVar[Schema] = {}
    completion_schema: ClassVar[Schema] = {}
    # Any string: a code of the wrong shape is a wrong answer (it counts toward lockout), not a
    # 400 that would let guesses go uncounted.
    verification_schema: ClassVar[Schema] = {
        "code": Field(str, required=True, min_len=1, max_len=64, hint="Enter one of your recovery codes.")
    }
    default_display_name = "Recovery codes"

    def strength(self, method: MethodItem) -> int:
        return 90

    def begin_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> dict[str, Any]:
        raise MethodTypeUnavailable(
            "Create recovery codes under Security info > Recovery codes.", field="type"
        )

    def complete_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> Registered:
        raise MethodTypeUnavailable(
            "Create recovery codes under Security info > Recovery codes.", field="type"
        )

    def check_verification(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem, data: dict[str, Any]
    ) -> Proof:
        if not isinstance(method, RecoveryCodesMethodItem):
            raise TypeError("not a recoveryCodes method")
        typed = normalize(str(data["code"]))
        # Hash even a malformed code, so its answer costs the same time as a well-formed one.
        candidate = digest(ctx.deps, ctx.caller.user_id, method.set_id, typed or str(data["code"])[:64])
        stored = sorted(hashes_of(method))
        found = False
        for value in stored:  # every hash compared, in constant time: timing tells nothing
            found = hmac.compare_digest(value, candidate) | found
        if typed is None or not found:
            raise InvalidCode(WRONG)
        model = RecoveryCodesMethodItem
        return Proof(
            actions=[model.code_hashes.delete({candidate})],
            # The code is still unused and nothing else was used since the read: each success
            # removes exactly one code, so the count after it is exact (events, the low notice).
            condition=model.code_hashes.contains(candidate) & (size(model.code_hashes) == len(stored)),
            refusal=StaleMethod(),
            facts={"remaining": len(stored) - 1, "total": int(method.total)},
        )

    def approved(
        self, tw: Change, ctx: MethodContext, method: MethodItem, purpose: str, proof: Proof
    ) -> None:
        left = int(proof.facts["remaining"])
        tw.emit(
            "RecoveryCodeUsed",
            events.detail(
                ctx.caller,
                ctx.now,
                method_type=self.type_name,
                method_id=method.method_id,
                purpose=purpose,
                remaining=left,
                total=int(proof.facts["total"]),
                # Exactly one use crosses the threshold: the one told "running low" (once).
                becameLow=left == LOW_AT,
            ),
        )

    def describe(self, method: MethodItem) -> dict[str, Any]:
        return summary(method)
