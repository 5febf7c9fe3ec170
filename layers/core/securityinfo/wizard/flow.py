"""The wizard's pages as the workflow runs them: plan the sections, show a page, apply the user's
answer. The state machine (statemachines/enrollment.asl.json) routes between pages; each page's
rules live here, and every registration goes through the same domain calls as the Security info
page (registration, resend, app_passwords). No secret or code ever enters the workflow's state."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import TransactWriteError

from securityinfo.kernel import events, metrics
from securityinfo.kernel.config import settings
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.crypto import random_id
from securityinfo.kernel.errors import (
    DomainError,
    InvalidAction,
    InvalidField,
    NoMethodRegistered,
    NotActivated,
    NotApproved,
    RecoveryCodesChanged,
    RecoveryCodesDisabled,
)
from securityinfo.kernel.logs import logger
from securityinfo.manage import recovery_codes, registration, resend
from securityinfo.methods import recovery_codes as recovery_kind
from securityinfo.methods.views import default_method_id, describe
from securityinfo.policy.model import Policy, current_policy
from securityinfo.policy.requirements import missing_types
from securityinfo.storage import outbox, store
from securityinfo.storage.models import (
    ProfileItem,
    RegistrationItem,
    WizardItem,
    profile_ref,
    profile_touch,
    registration_sk,
    user_pk,
)
from securityinfo.verify import app_passwords
from securityinfo.wizard.pages import PAGE_ACTIONS, reveal_context

# Pages that set up each section's method, and the methods a "different method" may choose.
FIRST_PAGE = {
    "authenticatorApp": "authenticatorDownload",
    "softwareOath": "softwareOathQr",
    "phone": "phoneEntry",
    "appPassword": "appPasswordName",
    "choice": "methodChoice",
}
CHOOSABLE = ("authenticatorApp", "phone")
# The method a page sets up, so "a different method" offers the others.
PAGE_TYPE = {
    "authenticatorDownload": "authenticatorApp",
    "authenticatorSetup": "authenticatorApp",
    "authenticatorQr": "authenticatorApp",
    "authenticatorManual": "authenticatorApp",
    "softwareOathQr": "authenticatorApp",
    "phoneEntry": "phone",
}
SATISFIES = {"softwareOath": "authenticatorApp"}

DEFAULT_STEP_TIMEOUT_SECONDS = 1800


class Flow:
    """One task invocation: the adapters, the policy, and the workflow state it may change."""

    def __init__(self, deps: Deps, policy: Policy, state: dict[str, Any], now: float) -> None:
        self.deps = deps
        self.policy = policy
        self.state = state
        self.now = now

    @property
    def user_id(self) -> str:
        return str(self.state["userId"])

    @property
    def caller(self) -> Caller:
        s = self.state
        return Caller(
            user_id=self.user_id,
            username=str(s.get("username") or ""),
            source_ip=s.get("sourceIp"),
            user_agent=s.get("userAgent"),
            correlation_id=str(s.get("correlationId") or ""),
            base_url=s.get("baseUrl"),
            in_wizard=True,
            epoch=int(s.get("epoch") or 0),
        )

    def show(self, page: str, **data: Any) -> None:
        self.state["page"] = page
        self.state["pageData"] = data
        self.state["error"] = None

    def fail_with(self, error: DomainError) -> None:
        """Stay on the page and say what went wrong (the user's input was wrong, not the request)."""
        metrics.refused(error)
        body: dict[str, Any] = dict(error.body()["error"])  # type: ignore[call-overload]
        self.state["error"] = {
            k: v for k, v in body.items() if k in ("code", "message", "attemptsLeft", "retryAfter")
        }
        # The message's key and parameters: the page reads it in the language of each request.
        self.state["error"]["text"] = error.text.to_json()


def allowed_actions(page: str, policy: Policy, snooze_count: int) -> list[str]:
    actions = list(PAGE_ACTIONS.get(page, ()))
    if "differentMethod" in actions and not policy.document["registration"]["offerDifferentMethod"]:
        actions.remove("differentMethod")
    if "skip" in actions and not can_snooze(policy, snooze_count):
        actions.remove("skip")
    return actions


def can_snooze(policy: Policy, snooze_count: int) -> bool:
    reg = policy.document["registration"]
    return int(reg["snoozeDays"]) > 0 and snooze_count < int(reg["maxSnoozes"])


# -- tasks ------------------------------------------------------------------------------------


def plan(deps: Deps, state: dict[str, Any]) -> dict[str, Any]:
    """Work out the sections from the policy and what the user already has; enter the first."""
    policy = current_policy()
    profile, methods = store.methods_and_profile(str(state["userId"]))
    sections: list[str] = [t for t in missing_types(policy, methods) if t in FIRST_PAGE]
    short = policy.required_count - len(methods) - len(sections)
    sections += ["choice"] * max(0, short)
    doc = policy.document["appPasswords"]
    if doc.get("required") and doc.get("enabled") and not app_passwords.all_of(str(state["userId"])):
        sections.append("appPassword")
    state.update(
        sections=sections,
        completed=[],
        registered=[],
        history=[],
        registrationId=None,
        stepTimeoutSeconds=settings().wizard_step_timeout_seconds or DEFAULT_STEP_TIMEOUT_SECONDS,
        error=None,
    )
    flow = Flow(deps, policy, state, deps.clock.now())
    _next_section(flow)
    return flow.state


def present(deps: Deps, state: dict[str, Any], token: str) -> None:
    """Record the page the user now sees, and the token that resumes the workflow."""
    policy = current_policy()
    page = str(state["page"])
    wizard = WizardItem.get(user_pk(str(state["userId"])), "WIZARD", consistent_read=True)
    data = dict(state.get("pageData") or {})
    if page == "success":
        data["registered"] = _registered_methods(str(state["userId"]), list(state.get("registered") or []))
    data["completed"] = list(state.get("completed") or [])
    error, registration_id = state.get("error"), state.get("registrationId")
    wizard.update(
        actions=[
            WizardItem.status.set("running"),
            WizardItem.step_id.set(random_id("s")),
            WizardItem.page.set(page),
            WizardItem.page_data.set(json.dumps(data)),
            WizardItem.step_error.set(json.dumps(error)) if error else WizardItem.step_error.remove(),
            WizardItem.actions.set(allowed_actions(page, policy, int(wizard.snooze_count or 0))),
            WizardItem.registration_id.set(str(registration_id))
            if registration_id
            else WizardItem.registration_id.remove(),
            WizardItem.task_token.set(token),
            WizardItem.step_started_at.set(deps.clock.now()),
            WizardItem.completed.set(list(state.get("completed") or [])),
            WizardItem.registered.set(list(state.get("registered") or [])),
        ],
        # Only the wizard this workflow belongs to, and only while it has not ended.
        condition=(WizardItem.enrollment_id == state["enrollmentId"])
        & WizardItem.status.is_in("starting", "running"),
    )


def apply(
    deps: Deps, state: dict[str, Any], read_input: Callable[[WizardItem, str], dict[str, Any]]
) -> dict[str, Any]:
    """Apply the user's answer to the page they were on; the next page (or the same one with an error)."""
    submitted = state.pop("submitted", None) or {}
    step_id = str(submitted.get("stepId") or "")
    wizard = WizardItem.get(user_pk(str(state["userId"])), "WIZARD", consistent_read=True)
    data = read_input(wizard, step_id)
    action = str(data.pop("action", submitted.get("action") or ""))
    flow = Flow(deps, current_policy(), state, deps.clock.now())
    page = str(state["page"])
    flow.state["error"] = None
    if action == "skip" and can_snooze(flow.policy, int(wizard.snooze_count or 0)):
        _abandon_registration(flow)
        flow.show("snoozed")
        return flow.state
    handler = PAGES[page]
    try:
        handler(flow, action, data)
    except DomainError as error:
        flow.fail_with(error)
    return flow.state


def complete(deps: Deps, state: dict[str, Any]) -> None:
    """The user pressed Done: the wizard succeeded."""
    _finish(deps, state, "succeeded", "EnrollmentCompleted")


def snooze(deps: Deps, state: dict[str, Any]) -> None:
    policy = current_policy()
    now = deps.clock.now()
    days = int(policy.document["registration"]["snoozeDays"])
    WizardItem(user_pk(str(state["userId"])), "WIZARD").update(
        actions=[
            WizardItem.status.set("snoozed"),
            WizardItem.snooze_count.add(1),
            WizardItem.snoozed_until.set(now + days * 86400),
            WizardItem.finished_at.set(now),
            WizardItem.task_token.remove(),
        ],
        condition=WizardItem.enrollment_id == state["enrollmentId"],
    )
    profile_ref(str(state["userId"])).update(
        actions=[*profile_touch(), ProfileItem.registration_snoozed_until.set(now + days * 86400)]
    )


def expire(deps: Deps, state: dict[str, Any]) -> None:
    """A step went unanswered: end as expired, with nothing half-registered left."""
    flow = Flow(deps, current_policy(), state, deps.clock.now())
    _abandon_registration(flow)
    _finish(deps, state, "expired", "EnrollmentExpired")


def fail(deps: Deps, state: dict[str, Any]) -> None:
    flow = Flow(deps, current_policy(), state, deps.clock.now())
    _abandon_registration(flow)
    _finish(deps, state, "failed", None)


def _finish(deps: Deps, state: dict[str, Any], status: str, event: str | None) -> None:
    now = deps.clock.now()
    detail: dict[str, Any] | None = None
    if event is not None:
        caller = Flow(deps, current_policy(), state, now).caller
        extra: dict[str, Any] = {"completed": list(state.get("completed") or [])}
        if event == "EnrollmentCompleted":
            ids = set(state.get("registered") or [])
            _, methods = store.methods_and_profile(str(state["userId"]))
            extra["methodsRegistered"] = [
                {"methodType": m.method_type, "methodId": m.method_id} for m in methods if m.method_id in ids
            ]
        else:
            extra["step"] = str(state.get("page") or "")
        detail = events.detail(caller, now, enrollmentId=state["enrollmentId"], **extra)
    try:
        # The wizard's end and its event together; a wizard replaced meanwhile writes neither.
        with outbox.Change(deps) as tw:
            tw.update(
                WizardItem(user_pk(str(state["userId"])), "WIZARD"),
                actions=[
                    WizardItem.status.set(status),
                    WizardItem.finished_at.set(now),
                    WizardItem.task_token.remove(),
                    WizardItem.pending_input.remove(),
                    WizardItem.reveal.remove(),
                ],
                condition=WizardItem.enrollment_id == state["enrollmentId"],
            )
            if event is not None and detail is not None:
                tw.emit(event, detail)
    except TransactWriteError:
        logger.info("wizard_replaced", extra={"enrollmentId": state["enrollmentId"]})


# -- sections ---------------------------------------------------------------------------------


def _next_section(flow: Flow) -> None:
    sections: list[str] = flow.state["sections"]
    flow.state["history"] = []
    flow.state["registrationId"] = None
    done = set(flow.state.get("completed") or [])
    # A type already set up through "a different method" earlier: another method stands in for it.
    sections = ["choice" if s in done and s != "appPassword" else s for s in sections]
    while sections and sections[0] == "choice" and not _choosable(flow):
        sections = sections[1:]
    flow.state["sections"] = sections
    if not sections:
        if not _offer_recovery_codes(flow):
            flow.show("success")
        return
    section = sections[0]
    flow.state["section"] = section
    _enter(flow, section)


def _enter(flow: Flow, section: str) -> None:
    if section == "choice":
        flow.show("methodChoice", types=_choosable(flow))
    elif section == "softwareOath":
        _begin(flow, {"type": "softwareOath"}, "softwareOathQr")
    else:
        flow.show(FIRST_PAGE[section])


def _choosable(flow: Flow) -> list[str]:
    done = set(flow.state.get("completed") or [])
    return [t for t in CHOOSABLE if flow.policy.type_enabled(t) and t not in done]


def _section_done(flow: Flow, method: dict[str, Any]) -> None:
    section = str(flow.state.get("section") or method["type"])
    achieved = SATISFIES.get(method["type"], method["type"])
    flow.state["completed"] = [
        *flow.state.get("completed", []),
        achieved if section != "choice" else method["type"],
    ]
    flow.state["registered"] = [*flow.state.get("registered", []), method["id"]]
    flow.state["sections"] = list(flow.state["sections"])[1:]
    _next_section(flow)


def _go(flow: Flow, page: str, **data: Any) -> None:
    """Move forward within a section, remembering where Back leads."""
    flow.state["history"] = [
        *flow.state.get("history", []),
        {"page": flow.state["page"], "pageData": flow.state.get("pageData")},
    ]
    flow.show(page, **data)


def _back(flow: Flow) -> None:
    history = list(flow.state.get("history") or [])
    if not history:
        raise InvalidAction("There is no earlier page in this section.")
    last = history.pop()
    flow.state["history"] = history
    flow.show(str(last["page"]), **(last.get("pageData") or {}))


def _begin(flow: Flow, body: dict[str, Any], page: str) -> None:
    """Start a registration through the same call the Security info page uses."""
    _abandon_registration(flow)
    answer = registration.begin(flow.deps, flow.caller, body, None)
    flow.state["registrationId"] = answer["registrationId"]
    public = {k: v for k, v in answer.items() if k in ("sentTo", "channel", "expiresAt")}
    if flow.state["page"] in PAGE_ACTIONS and flow.state["page"] != page:
        _go(flow, page, **public)
    else:
        flow.show(page, **public)


def _abandon_registration(flow: Flow) -> None:
    rid = flow.state.get("registrationId")
    if rid:
        try:
            RegistrationItem(user_pk(flow.user_id), registration_sk(str(rid))).delete()
        except Exception:  # already gone: nothing to clean up
            logger.info("wizard_registration_gone")
        flow.state["registrationId"] = None


def _finish_registration(flow: Flow, body: dict[str, Any]) -> dict[str, Any] | None:
    """Complete the pending registration: the new Method, or None while it waits (push approval)."""
    answer = registration.complete(flow.deps, flow.caller, str(flow.state["registrationId"]), body)
    if answer.get("status") == "pending":
        return answer
    flow.state["registrationId"] = None
    _section_done(flow, answer["method"])
    return None


# -- pages ------------------------------------------------------------------------------------

Handler = Callable[[Flow, str, dict[str, Any]], None]


def _common(flow: Flow, action: str) -> bool:
    """Links most pages share. True when handled."""
    if action == "back":
        _back(flow)
        return True
    if action == "differentApp":
        _begin(flow, {"type": "softwareOath"}, "softwareOathQr")
        flow.state["section"] = flow.state.get("section") or "authenticatorApp"
        return True
    if action == "differentMethod":
        _abandon_registration(flow)
        current = PAGE_TYPE.get(str(flow.state["page"]))
        _go(flow, "methodChoice", types=[t for t in _choosable(flow) if t != current])
        return True
    return False


def _authenticator_download(flow: Flow, action: str, data: dict[str, Any]) -> None:
    if not _common(flow, action):
        _go(flow, "authenticatorSetup")


def _authenticator_setup(flow: Flow, action: str, data: dict[str, Any]) -> None:
    if not _common(flow, action):
        _begin(flow, {"type": "authenticatorApp"}, "authenticatorQr")


def _authenticator_qr(flow: Flow, action: str, data: dict[str, Any]) -> None:
    if action == "cantScan":
        _go(flow, "authenticatorManual")
    elif not _common(flow, action):
        _to_test(flow)


def _authenticator_manual(flow: Flow, action: str, data: dict[str, Any]) -> None:
    if not _common(flow, action):
        _to_test(flow)


def _to_test(flow: Flow) -> None:
    pending = _finish_registration(flow, {})
    if pending is None:
        return
    if pending.get("waitingFor") == "activation":
        raise NotActivated("Scan the QR code with the app (or enter the code) before you go on.")
    _go(
        flow,
        "authenticatorTest",
        numberToMatch=pending.get("numberToMatch"),
        expiresAt=pending.get("expiresAt"),
    )


def _authenticator_test(flow: Flow, action: str, data: dict[str, Any]) -> None:
    if _common(flow, action):
        return
    pending = _finish_registration(flow, {})
    if pending is None:
        return
    # Not approved yet (or a new notification went out): stay, with the number to type.
    flow.show(
        "authenticatorTest", numberToMatch=pending.get("numberToMatch"), expiresAt=pending.get("expiresAt")
    )
    if action != "resend":
        raise NotApproved(
            "Approve the notification on your phone by entering the number shown, then select Next.",
        )


def _software_oath_qr(flow: Flow, action: str, data: dict[str, Any]) -> None:
    if _common(flow, action):
        return
    _finish_registration(flow, {"code": data.get("code")})


def _phone_entry(flow: Flow, action: str, data: dict[str, Any]) -> None:
    if _common(flow, action):
        return
    body = {"type": "phone", **{k: data[k] for k in ("phoneType", "phoneNumber", "channel") if k in data}}
    _begin(flow, body, "phoneCode")


def _phone_code(flow: Flow, action: str, data: dict[str, Any]) -> None:
    if action == "back":
        _abandon_registration(flow)
        _back(flow)
    elif action == "resend":
        answer = resend.resend_registration(flow.deps, flow.caller, str(flow.state["registrationId"]), None)
        flow.show("phoneCode", sentTo=answer.get("sentTo"), channel=answer.get("channel"))
    else:
        _finish_registration(flow, {"code": data.get("code")})


def _method_choice(flow: Flow, action: str, data: dict[str, Any]) -> None:
    if action == "back":
        _back(flow)
        return
    chosen = data.get("type")
    if chosen not in _choosable(flow):
        raise InvalidField("Choose one of the methods offered.", field="type")
    _enter(flow, str(chosen))


def _app_password_name(flow: Flow, action: str, data: dict[str, Any]) -> None:
    created = app_passwords.create(flow.deps, flow.caller, {"name": data.get("name")}, None)
    password = str(created.pop("password"))
    # The password never enters the workflow's state: it is sealed for the one read that shows it.
    sealed = flow.deps.secrets.seal(
        password.encode(), reveal_context(flow.user_id, str(flow.state["enrollmentId"]))
    )
    WizardItem(user_pk(flow.user_id), "WIZARD").update(actions=[WizardItem.reveal.set(sealed)])
    flow.state["appPasswordId"] = created.get("id")
    _go(flow, "appPasswordShow", name=created.get("name"), createdAt=created.get("createdAt"))


def _app_password_show(flow: Flow, action: str, data: dict[str, Any]) -> None:
    WizardItem(user_pk(flow.user_id), "WIZARD").update(actions=[WizardItem.reveal.remove()])
    flow.state["completed"] = [*flow.state.get("completed", []), "appPassword"]
    flow.state["sections"] = list(flow.state["sections"])[1:]
    _next_section(flow)


def _offer_recovery_codes(flow: Flow) -> bool:
    """Before the success page: a set of recovery codes when the policy offers them in the wizard
    and the user has none (and an MFA method to fall back from). False: go straight to success."""
    if flow.state.get("recoveryCodesOffered") or not flow.policy.recovery_codes_in_wizard:
        return False
    flow.state["recoveryCodesOffered"] = True
    _, methods = store.methods_and_profile(flow.user_id)
    if recovery_kind.set_of(methods) is not None:
        return False
    try:
        created = recovery_codes.create(flow.deps, flow.caller)
    except (NoMethodRegistered, RecoveryCodesChanged, RecoveryCodesDisabled):
        return False
    # Like an app password: never in the workflow's state, sealed for the one read that shows it.
    sealed = flow.deps.secrets.seal(
        json.dumps(created["codes"]).encode(), reveal_context(flow.user_id, str(flow.state["enrollmentId"]))
    )
    WizardItem(user_pk(flow.user_id), "WIZARD").update(actions=[WizardItem.reveal.set(sealed)])
    flow.show("recoveryCodesShow", methodId=created["methodId"], createdAt=created["createdAt"])
    return True


def _recovery_codes_show(flow: Flow, action: str, data: dict[str, Any]) -> None:
    WizardItem(user_pk(flow.user_id), "WIZARD").update(actions=[WizardItem.reveal.remove()])
    flow.show("success")


def _success(flow: Flow, action: str, data: dict[str, Any]) -> None:
    flow.show("finished")


PAGES: dict[str, Handler] = {
    "authenticatorDownload": _authenticator_download,
    "authenticatorSetup": _authenticator_setup,
    "authenticatorQr": _authenticator_qr,
    "authenticatorManual": _authenticator_manual,
    "authenticatorTest": _authenticator_test,
    "softwareOathQr": _software_oath_qr,
    "phoneEntry": _phone_entry,
    "phoneCode": _phone_code,
    "methodChoice": _method_choice,
    "appPasswordName": _app_password_name,
    "appPasswordShow": _app_password_show,
    "recoveryCodesShow": _recovery_codes_show,
    "success": _success,
}


def _registered_methods(user_id: str, ids: list[str]) -> list[dict[str, Any]]:
    profile, methods = store.methods_and_profile(user_id)
    default_id = default_method_id(profile, methods)
    return [describe(m, default_id) for m in methods if m.method_id in ids]
