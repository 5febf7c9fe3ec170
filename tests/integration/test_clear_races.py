"""An administrator's clear wins every race with a registration that began before it (SPEC §10):
a wizard step answer arriving at the same moment as the clear leaves nothing registered."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.support_admin import admin
from tests.support_api import Answer, Api, User


def _to_qr_page(user: User) -> dict[str, Any]:
    step = user.call("POST", "/me/enrollment").body["step"]
    answer = user.call("POST", f"/me/enrollment/steps/{step['id']}", {"action": "differentApp"})
    assert answer.status == 202 and answer.body["step"]["page"] == "softwareOathQr", answer.body
    return dict(answer.body["step"])


def test_a_wizard_answer_racing_a_clear_registers_nothing(api: Api) -> None:
    boss = admin(api)
    for _ in range(4):
        user = api.user()
        step = _to_qr_page(user)
        code = user.code(step["secret"])

        def answer(user: User = user, step: dict[str, Any] = step, code: str = code) -> Answer:
            return user.call("POST", f"/me/enrollment/steps/{step['id']}", {"action": "next", "code": code})

        def clear(user: User = user) -> Answer:
            return boss.call("DELETE", f"/admin/users/{user.user_id}/security-info")

        with ThreadPoolExecutor(max_workers=2) as pool:
            answered, cleared = [f.result() for f in [pool.submit(answer), pool.submit(clear)]]
        assert cleared.status == 204, cleared.body
        assert answered.status in (202, 404, 409, 410), answered.body
        time.sleep(0.5)  # the workflow's tasks finish what the answer started
        assert user.info()["methods"] == [], user.info()
        # And the registration cannot be finished afterwards either.
        state = user.call("GET", "/me/enrollment")
        if state.status == 200 and state.body.get("step") and state.body["step"].get("page") == "success":
            raise AssertionError(f"the wizard registered after the clear: {state.body}")
        # A registration begun after the clear is the user's own fresh start: it goes through.
        user.add_totp()
        assert len(user.info()["methods"]) == 1
