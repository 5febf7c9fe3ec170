"""Domain exceptions. Each carries the contract's status and error code; http.py turns them into
responses in one place, so no handler builds an error body itself."""

from __future__ import annotations


class DomainError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        attempts_left: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field
        self.attempts_left = attempts_left
        self.retry_after = retry_after

    def body(self) -> dict[str, object]:
        error: dict[str, object] = {"code": self.code, "message": self.message}
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


class InvalidCode(DomainError):
    status = 400
    code = "invalid_code"


class ReplayedCode(InvalidCode):
    """A correct code that was already accepted once: answered like a wrong code, logged as a replay."""


class MethodNotAllowedForPurpose(DomainError):
    status = 400
    code = "method_not_allowed_for_purpose"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class StepUpRequired(DomainError):
    status = 403
    code = "step_up_required"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Gone(DomainError):
    status = 410
    code = "expired"


class Locked(DomainError):
    status = 423
    code = "locked_out"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"


class DependencyFailed(DomainError):
    """A dependency (DynamoDB, KMS, SNS) failed: the operation fails closed."""

    status = 503
    code = "service_unavailable"


class DeliveryFailed(DomainError):
    """A text, call or email could not be sent. The body names what can be resent (``extra``), so
    the client can offer "resend" or "choose another method"."""

    status = 502
    code = "code_delivery_failed"

    def __init__(self, message: str, *, extra: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.extra = dict(extra or {})

    def body(self) -> dict[str, object]:
        answer = super().body()
        error = answer["error"]
        if isinstance(error, dict):
            error.update(self.extra)
        return answer
