"""The one interface every method type implements, and the values passed through it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from ..context import Caller, Deps
from ..models import MethodItem, RegistrationItem, VerificationItem
from ..policy import Policy
from ..validation import Schema

MFA = "mfa"
SSPR = "sspr"
STEP_UP = "stepUp"
PURPOSES = (MFA, SSPR, STEP_UP)


@dataclass
class MethodContext:
    deps: Deps
    caller: Caller
    policy: Policy
    now: float


@dataclass
class Proof:
    """What a correct answer commits to the method item, atomically with the approval: e.g. TOTP's
    last accepted step, guarded by a condition so two requests with one code cannot both win."""

    actions: list[Action] = field(default_factory=list)
    condition: Condition | None = None


@dataclass
class Registered:
    """A finished registration: the method item to save, and extra answer fields."""

    method: MethodItem
    answer: dict[str, Any] = field(default_factory=dict)


class MethodKind(ABC):
    type_name: ClassVar[str]
    usable_for: ClassVar[tuple[str, ...]]
    # Shared registration limit, e.g. authenticator apps count together with other TOTP apps.
    limit_group: ClassVar[str]
    limit: ClassVar[int]
    registration_schema: ClassVar[Schema]
    verification_schema: ClassVar[Schema]
    completion_schema: ClassVar[Schema]
    default_display_name: ClassVar[str]
    registration_seconds: ClassVar[int] = 600
    verification_seconds: ClassVar[int] = 300

    @property
    def mfa_capable(self) -> bool:
        return MFA in self.usable_for

    @abstractmethod
    def strength(self, method: MethodItem) -> int:
        """Rank for the system-preferred default: lower is stronger."""

    @abstractmethod
    def begin_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> dict[str, Any]:
        """Fill the pending registration and return what the client shows (QR, sent-to, options)."""

    def replay_registration(self, ctx: MethodContext, reg: RegistrationItem) -> dict[str, Any]:
        """The first answer again for a repeated create (idempotency), without sending anything."""
        return {}

    @abstractmethod
    def complete_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> Registered:
        """Check the proof; raise InvalidCode when it is wrong."""

    @abstractmethod
    def start_verification(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem
    ) -> dict[str, Any]:
        """Send or prepare what the user answers; return the challenge the client shows."""

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

    @abstractmethod
    def describe(self, method: MethodItem) -> dict[str, Any]:
        """Type-specific, secret-free fields of the API's ``Method``."""
