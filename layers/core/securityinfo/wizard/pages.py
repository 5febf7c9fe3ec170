"""The wizard's pages and what each accepts, shared by the API (which refuses other actions with a
400) and the workflow's tasks; kept apart so the API functions import no page logic."""

from __future__ import annotations

# What each page accepts. Anything else is a 400 before the workflow is resumed.
PAGE_ACTIONS: dict[str, tuple[str, ...]] = {
    "authenticatorDownload": ("next", "differentApp", "differentMethod", "skip"),
    "authenticatorSetup": ("next", "back", "differentApp", "differentMethod", "skip"),
    "authenticatorQr": ("next", "back", "cantScan", "differentApp", "differentMethod", "skip"),
    "authenticatorManual": ("next", "back", "differentApp", "skip"),
    "authenticatorTest": ("next", "back", "resend", "skip"),
    "softwareOathQr": ("next", "back", "differentMethod", "skip"),
    "phoneEntry": ("next", "back", "differentMethod", "skip"),
    "phoneCode": ("next", "back", "resend", "skip"),
    "methodChoice": ("next", "back", "skip"),
    "appPasswordName": ("next", "skip"),
    "appPasswordShow": ("next",),
    "recoveryCodesShow": ("next",),
    "success": ("done",),
}


def reveal_context(user_id: str, enrollment_id: str) -> dict[str, str]:
    return {"userId": user_id, "enrollmentId": enrollment_id, "purpose": "wizard-reveal"}


def input_context(user_id: str, enrollment_id: str, step_id: str) -> dict[str, str]:
    return {"userId": user_id, "enrollmentId": enrollment_id, "stepId": step_id, "purpose": "wizard-input"}
