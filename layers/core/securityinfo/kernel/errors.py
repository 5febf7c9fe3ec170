"""Domain exceptions: every error code the API answers is one class here, with its status. http.py
turns them into responses in one place, so no handler builds an error body itself, and a code is
never a string typed at the place that refuses. The message is a key of the catalogues
(kernel/i18n.py): English as written, answered in the language of the request."""

from __future__ import annotations

from securityinfo.kernel.i18n import DEFAULT, Text, text_of


class DomainError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        message: str | Text,
        *,
        field: str | None = None,
        attempts_left: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        self.text = text_of(message)
        self.message = str(self.text)  # English: logs, tests and callers that read it
        super().__init__(self.message)
        self.field = field
        self.attempts_left = attempts_left
        self.retry_after = retry_after

    def body(self, language: str = DEFAULT) -> dict[str, object]:
        """The answer's body; its ``message`` in ``language`` (the ``code`` is the same in all)."""
        error: dict[str, object] = {"code": self.code, "message": self.text.render(language)}
        if self.field is not None:
            error["field"] = self.field
        if self.attempts_left is not None:
            error["attemptsLeft"] = self.attempts_left
        if self.retry_after is not None:
            error["retryAfter"] = self.retry_after
        return {"error": error}


class BadRequest(DomainError):
    status = 400
    code = "invalid_request"


class AuthenticatorNotAllowed(BadRequest):
    """A security key or passkey the policy's authenticator rules refuse (the message names the rule)."""

    code = "authenticator_not_allowed"


class ChannelNotAllowed(BadRequest):
    code = "channel_not_allowed"


class InvalidAction(BadRequest):
    code = "invalid_action"


class InvalidCursor(BadRequest):
    """A page cursor that is not one this service gave out (or no longer matches the list)."""

    code = "invalid_cursor"


class InvalidField(BadRequest):
    code = "invalid_field"


class InvalidIdempotencyKey(BadRequest):
    code = "invalid_idempotency_key"


class InvalidJson(BadRequest):
    code = "invalid_json"


class InvalidPolicy(BadRequest):
    code = "invalid_policy"


class MethodTypeDisabled(BadRequest):
    code = "method_type_disabled"


class MethodTypeUnavailable(BadRequest):
    code = "method_type_unavailable"


class MissingField(BadRequest):
    code = "missing_field"


class MobilePhoneRequired(BadRequest):
    code = "mobile_phone_required"


class NoMethodRegistered(BadRequest):
    code = "no_method_registered"


class NotActivated(BadRequest):
    code = "not_activated"


class NotApproved(BadRequest):
    code = "not_approved"


class NumberMismatch(BadRequest):
    code = "number_mismatch"


class UnknownField(BadRequest):
    code = "unknown_field"


class InvalidCode(DomainError):
    status = 400
    code = "invalid_code"


class InvalidCredential(InvalidCode):
    code = "invalid_credential"


class ReplayedCode(InvalidCode):
    """A correct code that was already accepted once: answered like a wrong code, logged as a replay."""


class MethodNotAllowedForPurpose(DomainError):
    status = 400
    code = "method_not_allowed_for_purpose"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class DeviceClockSkew(Unauthorized):
    """The device's timestamp is outside the window. The answer carries the service's time (as Hawk
    does), so an app whose clock is off can correct its offset and sign again."""

    code = "device_clock_skew"

    def __init__(self, message: str | Text, server_time: float) -> None:
        super().__init__(message)
        self.server_time = int(server_time)

    def body(self, language: str = DEFAULT) -> dict[str, object]:
        out = super().body(language)
        error = out["error"]
        if isinstance(error, dict):
            error["serverTime"] = self.server_time
        return out


class DeviceReplay(Unauthorized):
    code = "device_replay"


class DeviceUnauthorized(Unauthorized):
    code = "device_unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class AdminRequired(Forbidden):
    code = "admin_required"


class AppPasswordsDisabled(Forbidden):
    code = "app_passwords_disabled"


class RecoveryCodesDisabled(Forbidden):
    code = "recovery_codes_disabled"


class ServiceOnly(Forbidden):
    code = "service_only"


class StepUpRequired(DomainError):
    status = 403
    code = "step_up_required"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class ActivationCodeInvalid(NotFound):
    code = "activation_code_invalid"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class AlreadyAnswered(Conflict):
    code = "already_answered"


class AppPasswordAlreadyCreated(Conflict):
    code = "app_password_already_created"


class AppPasswordLimit(Conflict):
    code = "app_password_limit"


class CredentialAlreadyRegistered(Conflict):
    code = "credential_already_registered"


class EnrollmentRunning(Conflict):
    code = "enrollment_running"


class HardwareTokenActivated(Conflict):
    code = "hardware_token_activated"


class IdempotencyInProgress(Conflict):
    code = "idempotency_in_progress"


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"


class MethodLimit(Conflict):
    code = "method_limit"


class PhoneNumberInUse(Conflict):
    code = "phone_number_in_use"


class RecoveryCodesChanged(Conflict):
    code = "recovery_codes_changed"


class StaleStep(Conflict):
    code = "stale_step"


class Gone(DomainError):
    status = 410
    code = "expired"


class ActivationCodeExpired(Gone):
    code = "activation_code_expired"


class ChallengeExpired(Gone):
    """A passwordless sign-in's challenge that was used already or is older than 5 minutes."""

    code = "challenge_expired"


class CodeExpired(Gone):
    code = "code_expired"


class EnrollmentExpired(Gone):
    code = "enrollment_expired"


class RegistrationExpired(Gone):
    code = "registration_expired"


class RequestExpired(Gone):
    code = "request_expired"


class VerificationDenied(Gone):
    code = "verification_denied"


class VerificationExpired(Gone):
    code = "verification_expired"


class VerificationFinished(Gone):
    code = "verification_finished"


class Locked(DomainError):
    status = 423
    code = "locked_out"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"


class ResendTooSoon(TooManyRequests):
    code = "resend_too_soon"


class TooManyCodes(TooManyRequests):
    code = "too_many_codes"


class TooManyPushRequests(TooManyRequests):
    code = "too_many_push_requests"


class DependencyFailed(DomainError):
    """A dependency (DynamoDB, KMS, SNS) failed: the operation fails closed."""

    status = 503
    code = "service_unavailable"


class DeliveryFailed(DomainError):
    """A text, call or email could not be sent. The body names what can be resent (``extra``), so
    the client can offer "resend" or "choose another method"."""

    status = 502
    code = "code_delivery_failed"

    def __init__(self, message: str | Text, *, extra: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.extra = dict(extra or {})

    def body(self, language: str = DEFAULT) -> dict[str, object]:
        answer = super().body(language)
        error = answer["error"]
        if isinstance(error, dict):
            error.update(self.extra)
        return answer


class InternalError(DomainError):
    """Not raised: the body of the error table's answer to an unexpected exception."""

    status = 500
    code = "internal_error"
