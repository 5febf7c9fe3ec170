"""Every item of the single table, as pynamodb models.

One partition per user (``USER#<id>``); key builders take the caller's verified id, so a request can
never name another user's item. A discriminator attribute maps each item to its class, so one Query
of a user's partition yields typed profile and method items.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from securityinfo import _pynamodb
from securityinfo.kernel.config import Settings

_pynamodb.quick_class_setup()  # before the first class below (see _pynamodb)

PROFILE_SK = "PROFILE"
METHOD_PREFIX = "METHOD#"
POLICY_PK = "ORG"
POLICY_SK = "POLICY"


def map_data(value: Any) -> dict[str, Any]:
    """A raw map attribute as a plain dict: an item read from the table holds a MapAttribute (no
    ``get``/``keys``), one built in code holds a dict."""
    if value is None:
        return {}
    if isinstance(value, MapAttribute):
        return dict(value.as_dict())
    return dict(value)


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def method_sk(method_id: str) -> str:
    return f"{METHOD_PREFIX}{method_id}"


def registration_sk(registration_id: str) -> str:
    return f"REG#{registration_id}"


def verification_sk(verification_id: str) -> str:
    return f"VERIF#{verification_id}"


def step_up_sk(token_hash: str) -> str:
    return f"STEPUP#{token_hash}"


def idempotency_sk(key: str) -> str:
    return f"IDEM#{key}"


APP_PASSWORD_PREFIX = "APPPW#"  # noqa: S105 - a key prefix, not a password
DEVICE_PREFIX = "DEVICE#"
TAP_SK = "TAP"


def app_password_sk(password_digest: str) -> str:
    """Keyed by the password's keyed hash, so a sign-in check is one GetItem whatever the count."""
    return f"{APP_PASSWORD_PREFIX}{password_digest}"


def device_sk(device_id: str) -> str:
    return f"{DEVICE_PREFIX}{device_id}"


class Gsi1(GlobalSecondaryIndex["Item"]):
    """Global lookups that are not scoped to one user (e.g. ``ACTIVATION#<keyed hash of a code>``).
    Eventually consistent: a hit is re-read from the table before it is trusted."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Item(Model):
    """The table. Its name and region are bound at first use from the settings (see bind)."""

    class Meta:
        table_name = "unbound"
        region: str | None = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    # DynamoDB TTL only cleans up (it can lag by days); every expiry is checked in code.
    ttl = NumberAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi1 = Gsi1()


class ProfileItem(Item, discriminator="profile"):
    """Per-user counters and choices; created on first write by an update."""

    default_method_id = UnicodeAttribute(null=True)
    system_preferred = BooleanAttribute(null=True)
    failed_count = NumberAttribute(null=True)
    locked_until = NumberAttribute(null=True)
    method_count = NumberAttribute(null=True)
    mfa_count = NumberAttribute(null=True)
    oath_count = NumberAttribute(null=True)
    # One phone of each kind, one email address, one set of security questions (registration limits).
    phone_mobile_count = NumberAttribute(null=True)
    phone_alternate_mobile_count = NumberAttribute(null=True)
    phone_office_count = NumberAttribute(null=True)
    email_count = NumberAttribute(null=True)
    questions_count = NumberAttribute(null=True)
    key_count = NumberAttribute(null=True)
    # The WebAuthn user handle: random, never the user's name or id (set on the first key).
    webauthn_user_handle = UnicodeAttribute(null=True)
    remember_generation = NumberAttribute(null=True)
    # "Skip for now" in the wizard: the sign-in prompt stays away until then.
    registration_snoozed_until = NumberAttribute(null=True)
    app_password_count = NumberAttribute(null=True)
    # Raised by every administrator's clear; a registration (and a wizard) records the one it began
    # under and saves its method only while it is unchanged, so the clear wins every race.
    clear_epoch = NumberAttribute(null=True)
    # "This wasn't me" (docs/RULES.md): "atRisk" from a report until an administrator dismisses it
    # (absent: none). The sign-in service and administrators read it; since when, for them.
    risk_state = UnicodeAttribute(null=True)
    risk_since = NumberAttribute(null=True)
    # The user's language as the identity provider names it (the locale claim, "nl-NL"), kept from
    # the user's own requests: the change notices are sent in it (notices/notifications.py).
    locale = UnicodeAttribute(null=True)


RISK_AT_RISK = "atRisk"
RISK_NONE = "none"


def risk_state_of(profile: ProfileItem | None) -> str:
    return RISK_AT_RISK if profile is not None and profile.risk_state == RISK_AT_RISK else RISK_NONE


def clear_epoch_of(profile: ProfileItem | None) -> int:
    return int(profile.clear_epoch or 0) if profile is not None else 0


def same_clear_epoch(epoch: int) -> Any:
    """Profile condition: no clear since ``epoch`` was read."""
    if epoch == 0:
        return ProfileItem.clear_epoch.does_not_exist() | (ProfileItem.clear_epoch == 0)
    return ProfileItem.clear_epoch == epoch


def profile_ref(user_id: str) -> ProfileItem:
    """A profile handle for updates; UpdateItem creates the item when it does not exist yet."""
    return ProfileItem(user_pk(user_id), PROFILE_SK)


def profile_touch() -> list[Any]:
    """Update actions every profile write carries: an item created by an update must still carry
    its discriminator, or typed queries would not see it."""
    return [ProfileItem.kind.set(ProfileItem)]


class MethodItem(Item, discriminator="method"):
    """A registered method. Type-specific data lives in the subclasses' attributes."""

    method_id = UnicodeAttribute()
    method_type = UnicodeAttribute()
    display_name = UnicodeAttribute()
    created_at = NumberAttribute()
    last_used_at = NumberAttribute(null=True)
    created_by = UnicodeAttribute()
    created_ip = UnicodeAttribute(null=True)
    created_user_agent = UnicodeAttribute(null=True)


class SoftwareOathMethodItem(MethodItem, discriminator="method:softwareOath"):
    secret_ciphertext = BinaryAttribute(legacy_encoding=False)
    # The last accepted TOTP time step: a code for this step or an earlier one is a replay.
    last_step = NumberAttribute()


class AuthenticatorAppMethodItem(MethodItem, discriminator="method:authenticatorApp"):
    """The authenticator app: push approvals signed by the device key, and TOTP codes."""

    secret_ciphertext = BinaryAttribute(legacy_encoding=False)
    last_step = NumberAttribute()
    device_id = UnicodeAttribute()
    device_name = UnicodeAttribute()
    # The device's EC P-256 public key as JWK JSON (not a secret; it verifies the device's requests).
    public_key_jwk = UnicodeAttribute()
    push_endpoint_arn = UnicodeAttribute(null=True)


class SecurityKeyMethodItem(MethodItem, discriminator="method:securityKey"):
    """A WebAuthn credential (FIDO2 security key or passkey)."""

    credential_id = UnicodeAttribute()  # base64url
    public_key = BinaryAttribute(legacy_encoding=False)  # COSE_Key
    # The authenticator's signature counter; 0 for keys that keep none.
    sign_count = NumberAttribute()
    aaguid = UnicodeAttribute(null=True)
    transports = ListAttribute[str](null=True)
    # A discoverable credential (registered with residentKey required): usable without a username.
    passkey = BooleanAttribute(null=True)
    # Backup eligible (the BE flag): a synced passkey; otherwise bound to one device.
    synced = BooleanAttribute(null=True)
    # The attestation statement verified and chained to a root the administrator trusts.
    attested = BooleanAttribute(null=True)


class HardwareOathMethodItem(MethodItem, discriminator="method:hardwareOath"):
    """A hardware OATH token (TOTP) an administrator uploaded and the user claimed. Its secret is a
    copy of the token's, sealed again under this user and method; the token's own parameters."""

    secret_ciphertext = BinaryAttribute(legacy_encoding=False)
    last_step = NumberAttribute()
    serial_number = UnicodeAttribute()
    manufacturer = UnicodeAttribute()
    model = UnicodeAttribute()
    digits = NumberAttribute()
    period_seconds = NumberAttribute()
    hash_function = UnicodeAttribute()  # sha1 | sha256


APP_DEVICE_SK = "APPDEVICE"
CREDENTIAL_SK = "CREDENTIAL"


def app_device_pk(device_id: str) -> str:
    return f"APPDEVICE#{device_id}"


def device_nonce_sk(nonce: str) -> str:
    return f"NONCE#{nonce}"


def credential_pk(credential_id: str) -> str:
    return f"CREDENTIAL#{credential_id}"


# Hardware OATH tokens: one partition per token (a claim writes one token, never a hot partition),
# listed by one Query of gsi1 (every token under one gsi1 key, sorted by serial number): no Scan.
# (Key names and statuses, not secrets: S105 reads "TOKEN" as a password.)
HARDWARE_TOKEN_SK = "HWTOKEN"  # noqa: S105
HARDWARE_TOKENS_GSI1PK = "HWTOKENS"
TOKEN_AVAILABLE = "available"  # noqa: S105
TOKEN_ASSIGNED = "assigned"  # noqa: S105
TOKEN_ACTIVATED = "activated"  # noqa: S105


def hardware_token_pk(serial_number: str) -> str:
    return f"HWTOKEN#{serial_number}"


class HardwareTokenItem(Item, discriminator="hardwaretoken"):
    """A hardware OATH token an administrator uploaded. Its secret is sealed under the token's own
    encryption context (no user yet) and never returned. ``status``: available, assigned (to
    ``assigned_to``, who alone may claim it) or activated (a method of ``assigned_to``,
    ``method_id``). Removing that method makes it available again."""

    serial_number = UnicodeAttribute()
    manufacturer = UnicodeAttribute()
    model = UnicodeAttribute()
    digits = NumberAttribute()
    period_seconds = NumberAttribute()
    hash_function = UnicodeAttribute()
    secret_ciphertext = BinaryAttribute(legacy_encoding=False)
    uploaded_at = NumberAttribute()
    uploaded_by = UnicodeAttribute()
    status = UnicodeAttribute()
    assigned_to = UnicodeAttribute(null=True)
    method_id = UnicodeAttribute(null=True)
    activated_at = NumberAttribute(null=True)


class AppDeviceItem(Item, discriminator="appdevice"):
    """An activated authenticator app, found by its device id: the device routes carry no user token,
    the device proves itself with the key registered here. Lives and dies with its method."""

    user_id = UnicodeAttribute()
    method_id = UnicodeAttribute()
    device_name = UnicodeAttribute()
    public_key_jwk = UnicodeAttribute()
    push_endpoint_arn = UnicodeAttribute(null=True)
    created_at = NumberAttribute()


class DeviceNonceItem(Item, discriminator="devicenonce"):
    """A nonce a device used (conditional put: a nonce seen before is a replay)."""

    created_at = NumberAttribute()


def passkey_challenge_pk(challenge_id: str) -> str:
    return f"PASSKEY#{challenge_id}"


PASSKEY_CHALLENGE_SK = "CHALLENGE"


class PasskeyChallengeItem(Item, discriminator="passkeychallenge"):
    """A usernameless sign-in's challenge (the sign-in service's passwordless check): nobody's yet,
    so it has its own partition. Used once: the verify marks it used under a condition."""

    challenge = UnicodeAttribute()  # base64url
    created_at = NumberAttribute()
    expires_at = NumberAttribute()
    used_at = NumberAttribute(null=True)


class CredentialItem(Item, discriminator="credential"):
    """Claims a WebAuthn credential id service-wide (conditional put: registered anywhere = refused),
    and finds a credential's user and method by its id (the passwordless check: one GetItem)."""

    user_id = UnicodeAttribute()
    method_id = UnicodeAttribute()


class RegistrationItem(Item, discriminator="registration"):
    """A registration waiting for its proof. The method id is fixed here so that the secret's
    encryption context stays the same once the method exists."""

    registration_id = UnicodeAttribute()
    method_id = UnicodeAttribute()
    method_type = UnicodeAttribute()
    display_name = UnicodeAttribute()
    created_at = NumberAttribute()
    expires_at = NumberAttribute()
    attempts_left = NumberAttribute()
    created_by = UnicodeAttribute()
    created_ip = UnicodeAttribute(null=True)
    created_user_agent = UnicodeAttribute(null=True)
    secret_ciphertext = BinaryAttribute(legacy_encoding=False, null=True)
    data = MapAttribute[str, Any](null=True)
    # A sent one-time code (phone, email): only its keyed hash, and when it was sent (resend cooldown).
    code_hash = UnicodeAttribute(null=True)
    last_sent_at = NumberAttribute(null=True)
    # The profile's clear epoch when it began (see ProfileItem.clear_epoch).
    epoch = NumberAttribute(null=True)


class VerificationItem(Item, discriminator="verification"):
    verification_id = UnicodeAttribute()
    method_id = UnicodeAttribute()
    method_type = UnicodeAttribute()
    purpose = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = NumberAttribute()
    expires_at = NumberAttribute()
    attempts_left = NumberAttribute()
    data = MapAttribute[str, Any](null=True)
    # Set by an out-of-band approval (the authenticator app's push) while status stays "pending":
    # the user's next read of the verification completes it (and mints a step-up token once).
    approved_at = NumberAttribute(null=True)
    # A sent one-time code (phone, email): only its keyed hash, and when it was sent (resend cooldown).
    code_hash = UnicodeAttribute(null=True)
    last_sent_at = NumberAttribute(null=True)


class StepUpItem(Item, discriminator="stepup"):
    """A step-up grant; the token itself is never stored, only its SHA-256."""

    created_at = NumberAttribute()
    verification_id = UnicodeAttribute()


class IdempotencyItem(Item, discriminator="idempotency"):
    """Maps an Idempotency-Key to the resource it created; never holds the answer itself, which may
    carry a secret: the answer is rebuilt from the resource."""

    route = UnicodeAttribute()
    request_hash = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    created_at = NumberAttribute()


class AppPasswordItem(Item, discriminator="apppassword"):
    """An app password: only its keyed hash (the sort key), never the password."""

    app_password_id = UnicodeAttribute()
    name = UnicodeAttribute()
    created_at = NumberAttribute()
    last_used_at = NumberAttribute(null=True)
    created_by = UnicodeAttribute()


class RememberedDeviceItem(Item, discriminator="device"):
    """A device that skips the second factor. The token is ``<device_id>.<secret>``; only the
    secret's SHA-256 is kept, and the profile's generation it was issued under (forget-all = +1)."""

    device_id = UnicodeAttribute()
    token_hash = UnicodeAttribute()
    name = UnicodeAttribute()
    created_at = NumberAttribute()
    last_used_at = NumberAttribute(null=True)
    expires_at = NumberAttribute()
    generation = NumberAttribute()


class TemporaryAccessPassItem(Item, discriminator="tap"):
    """The user's one temporary access pass (a new one replaces it): its keyed hash only."""

    pass_hash = UnicodeAttribute()
    created_at = NumberAttribute()
    expires_at = NumberAttribute()
    single_use = BooleanAttribute()
    issued_by = UnicodeAttribute()


class PhoneMethodItem(MethodItem, discriminator="method:phone"):
    """A phone that receives codes by text or call. The full number is needed to send codes; every
    answer, event and log line shows it masked (masking.py)."""

    phone_number = UnicodeAttribute()  # E.164
    phone_type = UnicodeAttribute()  # mobile | alternateMobile | office
    channel = UnicodeAttribute()  # sms | voice


class EmailMethodItem(MethodItem, discriminator="method:email"):
    """An email address for password reset codes (shown masked)."""

    email_address = UnicodeAttribute()


class AnswerHash(MapAttribute[str, Any]):
    """One security question and the scrypt hash of its normalized answer."""

    question_id = UnicodeAttribute()
    text = UnicodeAttribute()
    salt = BinaryAttribute(legacy_encoding=False)
    digest = BinaryAttribute(legacy_encoding=False)


class SecurityQuestionsMethodItem(MethodItem, discriminator="method:securityQuestions"):
    answers = ListAttribute[AnswerHash](of=AnswerHash)


class RecoveryCodesMethodItem(MethodItem, discriminator="method:recoveryCodes"):
    """The user's one set of recovery codes: the keyed hashes of the codes not used yet, in one item,
    so a verification reads the set with the verification and profile (one call) and a use removes
    its hash under a condition in the approval's transaction (the second). A new set overwrites the
    item: every old code dies in the same write."""

    # Random per set and bound into every hash, so an old set's hash never matches a new set's.
    set_id = UnicodeAttribute()
    # DynamoDB drops an empty set attribute: a fully used set reads as None.
    code_hashes = UnicodeSetAttribute(null=True)
    total = NumberAttribute()


# Sort keys of the items below sort after PROFILE, so the one Query of methods and profile
# (sk between METHOD# and PROFILE) never reads them.
# The code sends of a user's hour or a destination's day (CodeSendsItem, under either partition).
SEND_WINDOW_SK = "SENDS"
# The push requests of the last 10 minutes (push fatigue): a SendWindowItem.
PUSH_WINDOW_SK = "PUSHES"
SSPR_SK = "SSPR"


def destination_pk(destination_digest: str) -> str:
    """A phone number or address, by its keyed hash: the per-destination send limit spans users."""
    return f"DEST#{destination_digest}"


def notify_target_sk(ref: str) -> str:
    return f"TARGET#{ref}"


def notice_sk(event_id: str, target: str) -> str:
    return f"SENT#{event_id}#{target}"


class SendWindowItem(Item, discriminator="sendwindow"):
    """The push requests of the user's last 10 minutes (``PUSHES``): a sliding-window limit,
    updated under a version check."""

    sent_at = ListAttribute[Any](of=NumberAttribute)
    version = NumberAttribute()
    # Push windows only: until when the user has been told about a refusal (told once per run).
    throttled_until = NumberAttribute(null=True)


class CodeSendsItem(Item, discriminator="codesends"):
    """When the last codes went out, for one user (``USER#<id>``, ``SENDS``) or one destination
    (``DEST#<keyed hash>``, ``SENDS``), newest first: ``sent_0`` is the newest send, ``sent_1`` the
    one before, and so on, as many as the limit. A send shifts them down and is refused while the
    oldest kept one is still inside the window; both happen in the UpdateItem of the send's
    transaction, so the limit needs no read before the write (docs/RULES.md)."""

    sent_0 = NumberAttribute(null=True)
    sent_1 = NumberAttribute(null=True)
    sent_2 = NumberAttribute(null=True)
    sent_3 = NumberAttribute(null=True)
    sent_4 = NumberAttribute(null=True)
    sent_5 = NumberAttribute(null=True)
    sent_6 = NumberAttribute(null=True)
    sent_7 = NumberAttribute(null=True)
    sent_8 = NumberAttribute(null=True)
    sent_9 = NumberAttribute(null=True)


def code_send_slots() -> list[NumberAttribute]:
    """CodeSendsItem's send times, newest first."""
    return [
        CodeSendsItem.sent_0,
        CodeSendsItem.sent_1,
        CodeSendsItem.sent_2,
        CodeSendsItem.sent_3,
        CodeSendsItem.sent_4,
        CodeSendsItem.sent_5,
        CodeSendsItem.sent_6,
        CodeSendsItem.sent_7,
        CodeSendsItem.sent_8,
        CodeSendsItem.sent_9,
    ]


class NotifyTargetItem(Item, discriminator="notifytarget"):
    """A channel just removed or replaced, kept briefly so the change notice still reaches it (an
    attacker who swaps the number must not silence the owner). Events carry only its reference."""

    channel = UnicodeAttribute()  # sms | voice | email
    address = UnicodeAttribute()
    method_type = UnicodeAttribute()
    expires_at = NumberAttribute()


class NoticeSentItem(Item, discriminator="noticesent"):
    """One change notice delivered to one target for one event: events are at-least-once."""

    created_at = NumberAttribute()


class SsprSessionItem(Item, discriminator="ssprsession"):
    """A password reset in progress: the distinct methods approved for it so far."""

    method_ids = ListAttribute[Any](of=UnicodeAttribute)
    started_at = NumberAttribute()
    expires_at = NumberAttribute()
    version = NumberAttribute()


WIZARD_SK = "WIZARD"


class WizardItem(Item, discriminator="wizard"):
    """The user's "Keep your account secure" wizard: one per user, the current step the frontend reads,
    and the task token that resumes the workflow (never shown to anyone)."""

    enrollment_id = UnicodeAttribute()
    status = UnicodeAttribute()  # starting | running | succeeded | snoozed | expired | failed
    execution_arn = UnicodeAttribute(null=True)
    created_at = NumberAttribute()
    step_id = UnicodeAttribute(null=True)
    page = UnicodeAttribute(null=True)
    page_data = UnicodeAttribute(null=True)  # JSON, public page data only
    step_error = UnicodeAttribute(null=True)  # JSON {code, message, attemptsLeft?, retryAfter?}
    actions = ListAttribute[Any](of=UnicodeAttribute, null=True)
    registration_id = UnicodeAttribute(null=True)
    task_token = UnicodeAttribute(null=True)
    step_started_at = NumberAttribute(null=True)
    completed = ListAttribute[Any](of=UnicodeAttribute, null=True)
    registered = ListAttribute[Any](of=UnicodeAttribute, null=True)
    # The user's answer to the current step, KMS-encrypted until the workflow's apply task reads it,
    # so a code never sits in the execution history.
    pending_step_id = UnicodeAttribute(null=True)
    pending_input = BinaryAttribute(legacy_encoding=False, null=True)
    # Shown once (an app password), KMS-encrypted, removed by the read that shows it.
    reveal = BinaryAttribute(legacy_encoding=False, null=True)
    finished_at = NumberAttribute(null=True)
    snooze_count = NumberAttribute(null=True)
    snoozed_until = NumberAttribute(null=True)


# --- the outbox: one activity item per event (docs/RULES.md) ----------------------------------------------
# An event is written as an item in the same transaction as its change; the table's stream carries
# the item's INSERT to the publisher, which puts it on the bus. Its sort key starts with the time in
# milliseconds, so one Query (ScanIndexForward=False) reads a partition's activity newest first.
ACTIVITY_PREFIX = "ACT#"
# A policy change is nobody's activity: it is kept in its own partition.
POLICY_ACTIVITY_PK = "ORG#ACTIVITY"
ACTIVITY_KIND = "activity"


def activity_sk(activity_id: str) -> str:
    return f"{ACTIVITY_PREFIX}{activity_id}"


class ActivityItem(Item, discriminator=ACTIVITY_KIND):
    """One event as it goes to the bus: its detail type and masked detail (JSON; never a secret, code
    or full number or address). Its id is the event's ``eventId``, stable across redeliveries."""

    activity_id = UnicodeAttribute()
    detail_type = UnicodeAttribute()
    detail = UnicodeAttribute()
    occurred_at = NumberAttribute()
    # Kept for the policy's activityDays: ``ttl`` cleans up, reads check occurred_at themselves.
    expires_at = NumberAttribute()
    # "This wasn't me": set once by the owner's report (an update: the stream filter sees INSERTs only).
    reported_at = NumberAttribute(null=True)


class PolicyItem(Item, discriminator="policy"):
    document = UnicodeAttribute()
    updated_at = NumberAttribute()


_bound: list[Connection] = []


def bind(settings: Settings) -> Connection:
    """Point the models at the configured table and return a connection for transactions."""
    if not _bound:
        Item.Meta.table_name = settings.table_name
        Item.Meta.region = settings.region
        _bound.append(Connection(region=settings.region))
    return _bound[0]
