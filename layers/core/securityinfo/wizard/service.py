"""The wizard's API: start (or resume) the workflow, read the current step, submit it.

Submitting stores the answer encrypted on the wizard item, resumes the workflow with
SendTaskSuccess (whose output carries only the step id and action), then waits until the workflow
has shown the next page, so the answer reflects the step's result ("wrong code") right away.
"""

from __future__ import annotations

import json
import time
from typing import Any

from pynamodb.exceptions import UpdateError

from securityinfo.kernel import events
from securityinfo.kernel.config import settings
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.crypto import random_id
from securityinfo.kernel.errors import (
    BadRequest,
    DependencyFailed,
    EnrollmentExpired,
    EnrollmentRunning,
    InvalidAction,
    NotFound,
    StaleStep,
)
from securityinfo.kernel.i18n import Text, t
from securityinfo.kernel.logs import logger
from securityinfo.kernel.validation import Field, validate
from securityinfo.policy.model import Policy, current_policy
from securityinfo.storage import outbox, store
from securityinfo.storage.models import WIZARD_SK, WizardItem, clear_epoch_of, user_pk
from securityinfo.verify import stepup
from securityinfo.wizard.pages import input_context, reveal_context

WAIT_SECONDS = 20.0
POLL_SECONDS = 0.05
ENDED = ("succeeded", "snoozed", "expired", "failed")

# What a page's "next" may carry; every other action carries nothing.
NEXT_INPUT: dict[str, dict[str, Field]] = {
    "phoneEntry": {
        "phoneType": Field(str, required=True, choices=("mobile", "alternateMobile", "office")),
        "phoneNumber": Field(str, required=True, min_len=1, max_len=32),
        "channel": Field(str, required=True, choices=("sms", "voice")),
    },
    "phoneCode": {"code": Field(str, required=True, min_len=1, max_len=16)},
    "softwareOathQr": {"code": Field(str, required=True, min_len=1, max_len=16)},
    "appPasswordName": {"name": Field(str, required=True, min_len=1, max_len=64)},
    "methodChoice": {"type": Field(str, required=True, min_len=1, max_len=40)},
}
ACTIONS = ("next", "back", "differentMethod", "differentApp", "cantScan", "resend", "skip", "done")


class Workflow:
    """The Step Functions calls the wizard makes (a client passed in; tests may hand in a fake)."""

    def __init__(self, client: Any, state_machine_arn: str | None) -> None:
        self.client = client
        self.arn = state_machine_arn

    def start(self, name: str, payload: dict[str, Any]) -> str:
        if not self.arn:
            raise DependencyFailed("The enrollment wizard is not configured.")
        out = self.client.start_execution(stateMachineArn=self.arn, name=name, input=json.dumps(payload))
        return str(out["executionArn"])

    def resume(self, token: str, output: dict[str, Any]) -> None:
        self.client.send_task_success(taskToken=token, output=json.dumps(output))

    def abandon(self, token: str) -> None:
        """End a waiting step as expired: the workflow runs its expiry path (cleanup, event)."""
        try:
            self.client.send_task_failure(taskToken=token, error="Expired", cause="step not answered in time")
        except Exception as exc:  # the workflow may already have ended; the item says expired anyway
            logger.info("wizard_abandon_failed", extra={"errorType": type(exc).__name__})


def default_workflow() -> Workflow:
    import boto3

    return Workflow(boto3.client("stepfunctions"), settings().enrollment_state_machine_arn or None)


def _load(user_id: str) -> WizardItem | None:
    try:
        return WizardItem.get(user_pk(user_id), WIZARD_SK, consistent_read=True)
    except WizardItem.DoesNotExist:
        return None


def _expired(item: WizardItem, policy: Policy, now: float) -> bool:
    limit = int(policy.document["wizardStepMinutes"]) * 60
    return (
        item.status == "running" and item.step_started_at is not None and now - item.step_started_at >= limit
    )


def _expire_now(deps: Deps, item: WizardItem, workflow: Workflow) -> bool:
    """Checked at read time on the service clock; the workflow's own timeout is only a backstop.
    False when the wizard moved on (another step, or ended) since ``item`` was read."""
    token = item.task_token
    same_step = WizardItem.step_id == item.step_id if item.step_id else WizardItem.step_id.does_not_exist()
    try:
        item.update(
            actions=[WizardItem.status.set("expired"), WizardItem.finished_at.set(deps.clock.now())],
            condition=WizardItem.status.is_in("starting", "running")
            & (WizardItem.enrollment_id == item.enrollment_id)
            & same_step,
        )
    except UpdateError:
        return False
    if token:
        workflow.abandon(token)
    return True


def end_running(deps: Deps, user_id: str, workflow: Workflow | None = None) -> bool:
    """End the user's running wizard now, as an expired step ends it (an administrator cleared their
    security info): its step answers 410, the workflow runs its expiry path (nothing half-registered
    stays), and the next start is a fresh wizard. A wizard still starting has no step to fail: the
    workflow finds it ended when it shows the first page. True when a wizard was ended."""
    for _ in range(3):
        item = _load(user_id)
        if item is None or item.status not in ("starting", "running"):
            return False
        if workflow is None and item.task_token:
            workflow = default_workflow()
        if _expire_now(deps, item, workflow or Workflow(None, None)):
            return True
    return False  # it kept moving on; the clear itself still removes what it registered


def _view(deps: Deps, item: WizardItem, caller: Caller, *, reveal: bool = False) -> dict[str, Any]:
    step: dict[str, Any] | None = None
    if item.status == "running" and item.step_id:
        data = json.loads(item.page_data or "{}")
        data.pop("completed", None)
        step = {"id": item.step_id, "page": item.page, **data, "actions": list(item.actions or [])}
        if item.step_error:
            step["error"] = _step_error(json.loads(item.step_error), caller.language)
        step.update(_rebuilt(deps, item, caller))
        if reveal and item.page == "appPasswordShow":
            step["password"] = _reveal_once(deps, item)
        if reveal and item.page == "recoveryCodesShow":
            shown = _reveal_once(deps, item)
            step["codes"] = json.loads(shown) if shown else None
    return {
        "enrollmentId": item.enrollment_id,
        "status": item.status if item.status != "starting" else "running",
        "step": step,
        "completed": list(item.completed or []),
    }


def _step_error(error: dict[str, Any], language: str) -> dict[str, Any]:
    """The page's error as the contract has it, its message in the language of this request."""
    text = error.pop("text", None)
    if isinstance(text, dict):
        error["message"] = Text.from_json(text).render(language)
    return error


def _rebuilt(deps: Deps, item: WizardItem, caller: Caller) -> dict[str, Any]:
    """QR pages show what the pending registration shows, the test page what became of its test
    notification; rebuilt on each read, never stored."""
    if (
        item.page not in ("authenticatorQr", "authenticatorManual", "softwareOathQr", "authenticatorTest")
        or not item.registration_id
    ):
        return {}
    from securityinfo.methods.base import MethodContext
    from securityinfo.methods.registry import kind_of
    from securityinfo.storage.models import RegistrationItem, registration_sk

    try:
        reg = RegistrationItem.get(user_pk(_user_of(item)), registration_sk(item.registration_id))
    except RegistrationItem.DoesNotExist:
        return {}
    ctx = MethodContext(deps, caller, current_policy(), deps.clock.now())
    if item.page == "authenticatorTest":
        # The page asks again while it waits, to say "approved" or "denied" as soon as it happens.
        return kind_of(reg.method_type).registration_progress(ctx, reg)
    answer = kind_of(reg.method_type).replay_registration(ctx, reg)
    keep = ("qrSvg", "activationCode", "activationUrl", "secret", "otpauthUri", "accountName", "issuer")
    return {k: v for k, v in answer.items() if k in keep}


def _user_of(item: WizardItem) -> str:
    return item.pk.removeprefix("USER#")


def _reveal_once(deps: Deps, item: WizardItem) -> str | None:
    """The app password or recovery codes, once: the read that shows them removes them."""
    sealed = item.reveal
    if sealed is None:
        return None
    try:
        item.update(actions=[WizardItem.reveal.remove()], condition=WizardItem.reveal.exists())
    except UpdateError:
        return None
    return deps.secrets.open(sealed, reveal_context(_user_of(item), item.enrollment_id)).decode()


def start(deps: Deps, caller: Caller, workflow: Workflow) -> tuple[int, dict[str, Any]]:
    """201 with a new wizard, or 200 with the running one (starting again resumes it)."""
    policy = current_policy()
    now = deps.clock.now()
    item = _load(caller.user_id)
    if item is not None and item.status in ("starting", "running"):
        if _expired(item, policy, now):
            _expire_now(deps, item, workflow)
        else:
            return 200, _view(deps, _wait_for_step(item.enrollment_id, caller.user_id, None) or item, caller)
    profile = store.get_profile(caller.user_id)
    stepup.require(deps, caller, policy, now, profile, profile_known=True)
    # The wizard's tasks run without the user's request: their notices need the language kept now.
    store.remember_locale(caller, profile)
    enrollment_id = random_id("e")
    fresh = WizardItem(
        user_pk(caller.user_id),
        WIZARD_SK,
        enrollment_id=enrollment_id,
        status="starting",
        created_at=now,
        snooze_count=item.snooze_count if item is not None else None,
    )
    try:
        fresh.save(condition=WizardItem.pk.does_not_exist() | WizardItem.status.is_in(*ENDED))
    except Exception:
        raise EnrollmentRunning("A wizard is already starting; reload and continue it.") from None
    payload = {
        "enrollmentId": enrollment_id,
        "userId": caller.user_id,
        "username": caller.username,
        "sourceIp": caller.source_ip,
        "userAgent": caller.user_agent,
        "correlationId": caller.correlation_id,
        "baseUrl": caller.base_url,
        # What it registers is saved only while no clear came after its start.
        "epoch": clear_epoch_of(profile),
    }
    try:
        arn = workflow.start(enrollment_id, payload)
    except DependencyFailed:
        fresh.update(actions=[WizardItem.status.set("failed")])
        raise
    except Exception as exc:
        fresh.update(actions=[WizardItem.status.set("failed")])
        raise DependencyFailed("Could not start the wizard right now; try again.") from exc
    with outbox.Change(deps) as tw:
        tw.update(fresh, actions=[WizardItem.execution_arn.set(arn)])
        tw.emit(
            "EnrollmentStarted",
            events.detail(
                caller,
                now,
                enrollmentId=enrollment_id,
                requiredTypes=policy.required_types,
                requiredCount=policy.required_count,
            ),
        )
    fresh.execution_arn = arn
    shown = _wait_for_step(enrollment_id, caller.user_id, None)
    return 201, _view(deps, shown or fresh, caller)


def read(deps: Deps, caller: Caller, workflow: Workflow) -> dict[str, Any]:
    item = _load(caller.user_id)
    if item is None:
        raise NotFound("You have no enrollment wizard. Start one with POST /me/enrollment.")
    if _expired(item, current_policy(), deps.clock.now()):
        _expire_now(deps, item, workflow)
        item = _load(caller.user_id) or item
    return _view(deps, item, caller, reveal=True)


def submit(deps: Deps, caller: Caller, workflow: Workflow, step_id: str, body: Any) -> dict[str, Any]:
    """202 once the workflow has moved on; wrong input comes back as the page's ``error``."""
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    head = validate({"action": body.get("action")}, {"action": Field(str, required=True, choices=ACTIONS)})
    action = head["action"]
    item = _load(caller.user_id)
    if item is None:
        raise NotFound("You have no enrollment wizard. Start one with POST /me/enrollment.")
    policy = current_policy()
    if _expired(item, policy, deps.clock.now()):
        _expire_now(deps, item, workflow)
        raise EnrollmentExpired("This wizard expired. Start it again.")
    if item.status in ("expired", "failed"):
        raise EnrollmentExpired("This wizard has ended. Start it again.")
    if item.status != "running" or item.step_id != step_id or not item.task_token:
        raise StaleStep("This step is no longer current; reload the wizard.")
    page = str(item.page)
    if action not in (item.actions or []):
        allowed = ", ".join(item.actions or [])
        raise InvalidAction(
            t(
                "'{action}' is not possible on this page. Possible: {allowed}.",
                action=action,
                allowed=allowed,
            ),
            field="action",
        )
    schema: dict[str, Field] = {"action": Field(str, required=True)}
    if action == "next":
        schema.update(NEXT_INPUT.get(page, {}))
    data = validate(body, schema)
    sealed = deps.secrets.seal(
        json.dumps(data).encode(), input_context(caller.user_id, item.enrollment_id, step_id)
    )
    token = item.task_token
    try:
        # One answer per step: a double submit finds the step already answered.
        item.update(
            actions=[WizardItem.pending_step_id.set(step_id), WizardItem.pending_input.set(sealed)],
            condition=(WizardItem.step_id == step_id) & WizardItem.pending_step_id.does_not_exist()
            | (WizardItem.step_id == step_id) & (WizardItem.pending_step_id != step_id),
        )
    except UpdateError:
        raise StaleStep("This step was already answered; reload the wizard.") from None
    try:
        workflow.resume(token, {"stepId": step_id, "action": action})
    except Exception as exc:
        raise DependencyFailed("Could not continue the wizard right now; try again.") from exc
    moved = _wait_for_step(item.enrollment_id, caller.user_id, step_id)
    return _view(deps, moved or item, caller, reveal=True)


def _wait_for_step(enrollment_id: str, user_id: str, old_step: str | None) -> WizardItem | None:
    """Until the workflow shows a step other than ``old_step`` or ends (bounded)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        item = _load(user_id)
        if item is None or item.enrollment_id != enrollment_id:
            return None
        if item.status in ENDED or (item.status == "running" and item.step_id and item.step_id != old_step):
            return item
        time.sleep(POLL_SECONDS)
    return _load(user_id)


def read_input(deps: Deps, item: WizardItem, step_id: str) -> dict[str, Any]:
    """For the workflow's apply task: the stored answer to ``step_id``, decrypted, then removed."""
    if item.pending_step_id != step_id or item.pending_input is None:
        return {}
    plain = deps.secrets.open(item.pending_input, input_context(_user_of(item), item.enrollment_id, step_id))
    item.update(actions=[WizardItem.pending_input.remove()])
    data = json.loads(plain)
    return data if isinstance(data, dict) else {}
