"""The one interface every method type implements, and the values passed through it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pynamodb.attributes import NumberAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.crypto import random_id
from securityinfo.kernel.delivery import Message
from securityinfo.kernel.validation import Schema
from securityinfo.storage.models import (
    Item,
    MethodItem,
    RegistrationItem,
    VerificationItem,
    registration_sk,
    user_pk,
)
from securityinfo.storage.outbox import Change

if TYPE_CHECKING:  # the policy sits above the types: it is handed in, never imported at run time
    from securityinfo.policy.model import Policy

MFA = "mfa"
SSPR = "sspr"
STEP_UP = "stepUp"
PURPOSES = (MFA, SSPR, STEP_UP)
CODE_TRIES = 5  # wrong proofs a registration takes


class MethodContext:
    # Plain classes here and below, not dataclasses: every function loads this module, and a
    # dataclass's generated methods cost each cold start up to a millisecond apiece.
    def __init__(self, deps: Deps, caller: Caller, policy: Policy, now: float) -> None:
        self.deps = deps
        self.caller = caller
        self.policy = policy
        self.now = now
        # Texts, calls and emails a step queued; sent only once its state is saved (onetime.deliver).
        self.outgoing: list[Message] = []
        # Run once the step's state is saved (a verification's push: never for one that was refused).
        self.after_save: list[Callable[[], None]] = []


class Proof:
    """What a correct answer commits to the method item, atomically with the approval: e.g. TOTP's
    last accepted step, guarded by a condition so two requests with one code cannot both win."""

    def __init__(
        self,
        actions: list[Action] | None = None,
        condition: Condition | None = None,
        # What a failed ``condition`` means; None: the code was used by a concurrent request (replay).
        refusal: Exception | None = None,
        # Secret-free facts for the kind's ``approved`` hook (a recovery set's codes left).
        facts: dict[str, Any] | None = None,
    ) -> None:
        self.actions = actions if actions is not None else []
        self.condition = condition
        self.refusal = refusal
        self.facts = facts if facts is not None else {}


class StaleMethod(Exception):  # noqa: N818 - an outcome, not an error
    """A proof's condition failed because the method item moved (another code of the same recovery
    set was used meanwhile), not because this answer is wrong: read the method again and re-check."""


class Claim:
    """An update of an item outside the user's partition, made in the same transaction as the
    method's save or removal under ``condition``; a failed condition raises ``refusal`` (a hardware
    token: taken by its claim only while still free for this user, freed by the removal)."""

    def __init__(
        self,
        item: Item,
        actions: list[Action],
        condition: Condition | None = None,
        refusal: Exception | None = None,
    ) -> None:
        self.item = item
        self.actions = actions
        self.condition = condition
        self.refusal = refusal


class Registered:
    """A finished registration: the method item to save, and extra answer fields. ``linked`` items
    claim something service-wide (a WebAuthn credential id); they are saved in the same transaction,
    each only if absent. ``claims`` update existing items in that transaction (a hardware token
    becomes this method's)."""

    def __init__(
        self,
        method: MethodItem,
        answer: dict[str, Any] | None = None,
        linked: list[Item] | None = None,
        claims: list[Claim] | None = None,
        # True when the proof changes an existing method rather than adding one (a phone's new number).
        replaces: bool = False,
    ) -> None:
        self.method = method
        self.answer = answer if answer is not None else {}
        self.linked = linked if linked is not None else []
        self.claims = claims if claims is not None else []
        self.replaces = replaces


class Pending(Exception):  # noqa: N818 - an outcome, not an error
    """No answer yet: the proof arrives out of band (a push the device has not approved). The route
    answers 202 with ``answer``; no try is used and nothing counts toward lockout."""

    def __init__(self, answer: dict[str, Any] | None = None) -> None:
        super().__init__("pending")
        self.answer = answer or {}


class MethodKind(ABC):
    """A method type. Its facts are declared here once, by the type's own class; the registry,
    the policy, registration limits, notices and the admin page's list all read them."""

    type_name: ClassVar[str]
    usable_for: ClassVar[tuple[str, ...]]
    # Shared registration limit, e.g. authenticator apps count together with other TOTP apps.
    limit_group: ClassVar[str]
    limit: ClassVar[int]
    # The profile counter of each limit group the type counts against (phones: one per phone kind).
    limit_counters: ClassVar[Mapping[str, NumberAttribute]]
    # How a change notice names a method of the type ("your authenticator app was removed").
    words: ClassVar[str]
    # How the administrator's policy form names the type.
    label: ClassVar[str]
    # Required types a method of this type stands in for (any TOTP app is an authenticator app).
    satisfies: ClassVar[tuple[str, ...]] = ()
    registration_schema: ClassVar[Schema]
    verification_schema: ClassVar[Schema]
    completion_schema: ClassVar[Schema]
    default_display_name: ClassVar[str]
    registration_seconds: ClassVar[int] = 600
    verification_seconds: ClassVar[int] = 300
    # The registration input is itself the proof (security questions): POST /me/methods answers
    # 201 with the method, through complete_registration, without a pending registration.
    registers_at_once: ClassVar[bool] = False
    # False for a fallback (recovery codes): it verifies mfa and stepUp when chosen, but is never the
    # default (chosen, system-preferred or strongest remaining), never counts toward what
    # registration requires, and never ends the first-method bootstrap of step-up.
    stands_alone: ClassVar[bool] = True
    # Registered through POST /me/methods and listed by the policy (not recovery codes: own routes).
    registrable: ClassVar[bool] = True
    # Starting a verification pushes a request to the user's phone: counted against push fatigue.
    sends_push: ClassVar[bool] = False

    @property
    def mfa_capable(self) -> bool:
        """Can be the user's default method for two-step verification and counts as having one."""
        return self.stands_alone and MFA in self.usable_for

    def facts(self) -> dict[str, Any]:
        """The type as the API describes it to the admin page (GET /admin/method-types)."""
        return {
            "type": self.type_name,
            "label": self.label,
            "usableFor": list(self.usable_for),
            "mfaCapable": self.mfa_capable,
            "limit": self.limit,
        }

    @abstractmethod
    def strength(self, method: MethodItem) -> int:
        """Rank for the system-preferred default: lower is stronger."""

    @abstractmethod
    def begin_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> dict[str, Any]:
        """Fill the pending registration and return what the client shows (QR, sent-to, options)."""

    def step_up_seconds(self, data: dict[str, Any]) -> int | None:
        """How recent the step-up that allows this registration must be, when the type asks for a
        fresher one than the policy's ``stepUpMinutes`` (a passkey: 5 minutes); None: the policy's."""
        return None

    def replay_registration(self, ctx: MethodContext, reg: RegistrationItem) -> dict[str, Any]:
        """The first answer again for a repeated create (idempotency), without sending anything."""
        return {}

    def registration_progress(self, ctx: MethodContext, reg: RegistrationItem) -> dict[str, Any]:
        """What happened to a registration waiting on something outside the page (a test push),
        read without changing anything, so a page can say it the moment it happens."""
        return {}

    @abstractmethod
    def complete_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> Registered:
        """Check the proof; raise InvalidCode when it is wrong."""

    def start_verification(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem
    ) -> dict[str, Any]:
        """Send or prepare what the user answers; return the challenge the client shows. A type
        whose answer needs nothing sent or prepared (a code the user already has) shows none."""
        return {}

    @abstractmethod
    def check_verification(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem, data: dict[str, Any]
    ) -> Proof:
        """Check the answer; raise InvalidCode when it is wrong."""

    def challenge(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem
    ) -> dict[str, Any]:
        """The challenge again (an idempotent repeat of a start), without sending anything."""
        return {}

    def approved(
        self, tw: Change, ctx: MethodContext, method: MethodItem, purpose: str, proof: Proof
    ) -> None:
        """Events the type adds to the approval's transaction (a recovery code used)."""
        return None

    @abstractmethod
    def describe(self, method: MethodItem) -> dict[str, Any]:
        """Type-specific, secret-free fields of the API's ``Method``."""

    def linked_items(self, method: MethodItem) -> list[Item]:
        """Items outside the user's partition that live and die with the method (deleted with it):
        the authenticator app's device record, a security key's credential-id claim."""
        return []

    def released(self, method: MethodItem) -> list[Claim]:
        """Updates of items outside the user's partition that the method's removal makes in its own
        transaction (a hardware token becomes available again). An administrator's clear too."""
        return []

    def after_removal(self, deps: Deps, method: MethodItem) -> None:
        """Clean up what lives outside the table once the method's removal is committed (best
        effort: a failure is logged, the removal stands): the authenticator app's push endpoint."""
        return None

    def limit_group_of(self, fields: Mapping[str, Any]) -> str:
        """The registration limit a method counts against, from its registration input or its
        ``describe`` fields (phones: one per phone kind)."""
        return self.limit_group

    def contact(self, method: MethodItem) -> tuple[str, str] | None:
        """Where change notices reach the user through this method: (sms|voice|email, address)."""
        return None


def new_registration(
    kind: MethodKind,
    caller: Caller,
    now: float,
    *,
    method_id: str,
    display_name: str,
    data: dict[str, Any] | None = None,
) -> RegistrationItem:
    """A pending registration of ``kind`` (not saved yet): a new id, the kind's time to prove it,
    CODE_TRIES tries, and who started it from where."""
    rid = random_id("r")
    extra: dict[str, Any] = {} if data is None else {"data": data}
    return RegistrationItem(
        user_pk(caller.user_id),
        registration_sk(rid),
        registration_id=rid,
        method_id=method_id,
        method_type=kind.type_name,
        display_name=display_name,
        created_at=now,
        expires_at=now + kind.registration_seconds,
        attempts_left=CODE_TRIES,
        created_by=caller.actor,
        created_ip=caller.source_ip,
        created_user_agent=(caller.user_agent or "")[:256] or None,
        ttl=int(now + kind.registration_seconds + 86400),
        **extra,
    )
