"""Who is asking and from where, and the adapters a domain call needs (passed in, so unit tests can
hand in fakes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from securityinfo.kernel.alerts import AdminAlerts
from securityinfo.kernel.clock import Clock
from securityinfo.kernel.crypto import KeyedHasher, SecretBox
from securityinfo.kernel.delivery import Delivery
from securityinfo.kernel.push import PushSender

if TYPE_CHECKING:  # the kernel names pynamodb's type only; storage owns the binding
    from pynamodb.connection import Connection


class Caller(NamedTuple):
    """The verified caller. Built only from the authorizer's claims and the request's envelope."""

    user_id: str
    username: str = ""
    groups: tuple[str, ...] = ()
    auth_time: int | None = None
    source_ip: str | None = None
    user_agent: str | None = None
    correlation_id: str = ""
    step_up_token: str | None = None
    temporary_access_pass: str | None = None
    actor: str = "self"
    # The public base URL the request came in on (scheme://host): where a phone reaches this API.
    base_url: str | None = None
    # Set only by the wizard's workflow tasks: the user stepped up to start it, and it counts as
    # stepped-up until it ends (docs/RULES.md). Never set from a request.
    in_wizard: bool = False
    # Set only by the wizard's workflow tasks too: the profile's clear epoch when the wizard
    # started, so nothing it registers survives an administrator's clear that came after.
    epoch: int | None = None
    # The language the request reads (Accept-Language: "en" or "nl"): messages the domain answers.
    language: str = "en"
    # The identity provider's locale claim ("nl-NL"), if it sent one: the user's own language, kept
    # on the profile for the change notices (notices/notifications.py).
    locale: str | None = None


class Deps:
    """The adapters a domain call uses. A plain class (not a dataclass): it is built once per
    container, and a dataclass's generated methods cost every cold start about a millisecond."""

    def __init__(
        self,
        clock: Clock,
        secrets: SecretBox,
        totp_issuer: str = "Security Info",
        *,
        # Built on first use: only functions that hash codes or passwords fetch the key (and need
        # IAM for it).
        hasher_factory: Callable[[], KeyedHasher] | None = None,
        # Built on first use too: only functions that push to the authenticator app create an SNS
        # client.
        push_factory: Callable[[], PushSender] | None = None,
        # Built on first use: texts, calls and emails (SNS); unit tests hand in a MemoryDelivery.
        delivery_factory: Callable[[], Delivery] | None = None,
        # The table connection for transactions: built by runtime, which binds the models to the
        # table first, so domain code never reaches for the table itself.
        connection_factory: Callable[[], Connection] | None = None,
        # Built on first use: only the function that alerts administrators publishes to their topic.
        alerts_factory: Callable[[], AdminAlerts] | None = None,
        # How many days an event stays in Recent activity (the policy's activityDays; runtime reads
        # the cached policy). Sets the TTL of the outbox items a transaction writes.
        activity_days: Callable[[], int] = lambda: 90,
    ) -> None:
        self.clock = clock
        self.secrets = secrets
        self.totp_issuer = totp_issuer
        self.hasher_factory = hasher_factory
        self.push_factory = push_factory
        self.delivery_factory = delivery_factory
        self.connection_factory = connection_factory
        self.alerts_factory = alerts_factory
        self.activity_days = activity_days
        self._hasher: KeyedHasher | None = None
        self._delivery: Delivery | None = None
        self._push: PushSender | None = None
        self._connection: Connection | None = None
        self._alerts: AdminAlerts | None = None

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            if self.connection_factory is None:
                raise RuntimeError("no table connection configured")
            self._connection = self.connection_factory()
        return self._connection

    @property
    def hasher(self) -> KeyedHasher:
        if self._hasher is None:
            if self.hasher_factory is None:
                raise RuntimeError("no hash key configured")
            self._hasher = self.hasher_factory()
        return self._hasher

    @property
    def push(self) -> PushSender:
        if self._push is None:
            if self.push_factory is None:
                raise RuntimeError("no push sender configured")
            self._push = self.push_factory()
        return self._push

    @property
    def alerts(self) -> AdminAlerts:
        if self._alerts is None:
            if self.alerts_factory is None:
                raise RuntimeError("no administrators' alerts configured")
            self._alerts = self.alerts_factory()
        return self._alerts

    @property
    def delivery(self) -> Delivery:
        if self._delivery is None:
            if self.delivery_factory is None:
                raise RuntimeError("no delivery configured")
            self._delivery = self.delivery_factory()
        return self._delivery
