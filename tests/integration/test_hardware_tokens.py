"""Hardware OATH tokens through the local runtime (SPEC §16): administrators upload, list, assign
and delete them; a user claims one by serial number and a current code, verifies with it (codes
single use), and removing it frees the token."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.support_admin import admin
from tests.support_api import Answer, Api, User
from tests.support_events import validate_event
from tests.support_tokens import (
    Token,
    begin_claim,
    claim,
    listed,
    new_token,
    step_up,
    upload,
    verify,
)


def _events(api: Api, detail_type: str, match: Any, timeout: float = 15.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        found = [e["detail"] for e in api.events() if e["detail-type"] == detail_type and match(e["detail"])]
        if found or time.monotonic() > deadline:
            for detail in found:
                validate_event(detail_type, detail)
            return found
        time.sleep(0.1)


def test_upload_list_assign_claim_verify_remove_and_delete(api: Api) -> None:
    boss = admin(api)
    six = new_token()
    eight = new_token(digits=8, period=60, hash_function="sha256", manufacturer="Fabrikam", model="K8")
    uploaded = upload(boss, six, eight)
    assert uploaded.status == 201, uploaded.body
    assert uploaded.body == {"created": 2, "skipped": []}
    # Uploading again changes nothing: the serials are known.
    again = upload(boss, six, new_token(serial=six.serial + "X", secret=six.secret))
    assert again.status == 201 and again.body == {"created": 1, "skipped": [six.serial]}
    for token in (six, eight):
        entry = listed(boss, token.serial)
        assert entry == {
            "serialNumber": token.serial,
            "manufacturer": token.manufacturer,
            "model": token.model,
            "status": "available",
        }
    assert "secret" not in str(boss.call("GET", "/admin/hardware-tokens").body).lower()
    audit = _events(api, "HardwareTokensUploaded", lambda d: six.serial in d["serialNumbers"])
    assert audit and audit[0]["actor"] == f"admin:{boss.user_id}" and audit[0]["created"] == 2
    assert "secret" not in str(audit)

    alice, bob = api.user(), api.user()
    assert (
        boss.call("POST", f"/admin/hardware-tokens/{eight.serial}/assign", {"userId": alice.user_id}).status
        == 204
    )
    assert listed(boss, eight.serial) == {
        "serialNumber": eight.serial,
        "manufacturer": "Fabrikam",
        "model": "K8",
        "status": "assigned",
        "assignedTo": alice.user_id,
    }
    # Assigned to Alice: Bob cannot even begin.
    assert begin_claim(bob, eight).status == 404

    begun = begin_claim(alice, eight)
    assert begun.status == 201, begun.body
    assert set(begun.body) == {"registrationId", "type", "expiresAt", "serialNumber"}
    assert begun.body["type"] == "hardwareOath" and begun.body["serialNumber"] == eight.serial
    path = f"/me/methods/registrations/{begun.body['registrationId']}"
    wrong = alice.call(
        "POST", path, {"code": "00000000" if eight.current_code(api) != "00000000" else "11111111"}
    )
    assert wrong.status == 400 and wrong.error["code"] == "invalid_code" and wrong.error["attemptsLeft"] == 4
    claim_code = eight.code(api)
    done = alice.call("POST", path, {"code": claim_code})
    assert done.status == 201, done.body
    method = done.body["method"]
    assert method["type"] == "hardwareOath"
    assert method["serialNumber"] == eight.serial
    assert (method["manufacturer"], method["model"]) == ("Fabrikam", "K8")
    assert method["displayName"] == "Fabrikam K8"
    assert method["isDefault"] is True and method["usableFor"] == ["mfa", "sspr"]
    assert "secret" not in method
    assert listed(boss, eight.serial) == {
        "serialNumber": eight.serial,
        "manufacturer": "Fabrikam",
        "model": "K8",
        "status": "activated",
        "assignedTo": alice.user_id,
    }

    # The code that proved the claim is used: the next sign-in needs the token's next code.
    replayed = verify(alice, eight, method["id"], code=claim_code)
    assert replayed.status == 400 and replayed.error["code"] == "invalid_code"
    assert "already used" in replayed.error["message"]
    assert verify(alice, eight, method["id"], "mfa").status == 200
    assert verify(alice, eight, method["id"], "sspr").status == 200
    step_up(alice, eight, method["id"])

    # Removing the method frees the token: available (and unassigned) again.
    assert alice.call("DELETE", f"/me/methods/{method['id']}").status == 204
    assert alice.info()["methods"] == []
    assert listed(boss, eight.serial) == {
        "serialNumber": eight.serial,
        "manufacturer": "Fabrikam",
        "model": "K8",
        "status": "available",
    }

    # Bob may claim it now; the administrator's delete then takes Bob's method with the token.
    bobs = claim(bob, eight)
    assert bob.info()["defaultMethodId"] == bobs["id"]
    assert boss.call("DELETE", f"/admin/hardware-tokens/{eight.serial}").status == 204
    assert bob.info()["methods"] == []
    assert listed(boss, eight.serial) is None
    removed = _events(
        api, "MethodRemoved", lambda d: d["userId"] == bob.user_id and d.get("methodId") == bobs["id"]
    )
    assert removed and removed[0]["actor"] == f"admin:{boss.user_id}"
    assert removed[0]["before"]["serialNumber"] == eight.serial
    assert boss.call("DELETE", f"/admin/hardware-tokens/{eight.serial}").status == 404
    assert begin_claim(bob, eight).status == 404

    # A token nobody holds is simply deleted.
    assert boss.call("DELETE", f"/admin/hardware-tokens/{six.serial}").status == 204
    assert listed(boss, six.serial) is None


def test_bad_uploads_are_refused_naming_the_field(api: Api) -> None:
    boss = admin(api)

    def refused(tokens: list[dict[str, Any]]) -> dict[str, Any]:
        answer = boss.call("POST", "/admin/hardware-tokens", {"tokens": tokens})
        assert answer.status == 400, answer.body
        return answer.error

    def four(**change: Any) -> list[dict[str, Any]]:
        tokens = [new_token().upload_body() for _ in range(4)]
        tokens[3].update(change)
        return tokens

    assert refused(four(digits=7))["field"] == "tokens[3].digits"
    assert refused(four(hashFunction="md5"))["field"] == "tokens[3].hashFunction"
    assert refused(four(periodSeconds=45))["field"] == "tokens[3].periodSeconds"
    bad_secret = refused(four(secret="this is not base32!"))
    assert bad_secret["field"] == "tokens[3].secret" and "base32" in bad_secret["message"]
    too_many = refused([new_token().upload_body() for _ in range(501)])
    assert too_many["field"] == "tokens" and "500" in too_many["message"]
    assert refused([])["field"] == "tokens"
    twice = new_token().upload_body()
    assert refused([twice, dict(twice)])["field"] == "tokens[1].serialNumber"
    missing = boss.call("POST", "/admin/hardware-tokens", {})
    assert missing.status == 400 and missing.error["field"] == "tokens"
    # Nothing of a refused upload was kept.
    assert listed(boss, twice["serialNumber"]) is None
    assign = boss.call("POST", "/admin/hardware-tokens/NOPE0/assign", {"userId": "a b"})
    assert assign.status == 400 and assign.error["field"] == "userId"


def test_only_administrators_manage_tokens(api: Api) -> None:
    user = api.user()
    token = new_token()
    calls = [
        ("POST", "/admin/hardware-tokens", {"tokens": [token.upload_body()]}),
        ("GET", "/admin/hardware-tokens", None),
        ("POST", f"/admin/hardware-tokens/{token.serial}/assign", {"userId": user.user_id}),
        ("DELETE", f"/admin/hardware-tokens/{token.serial}", None),
    ]
    for method, path, body in calls:
        answer = user.call(method, path, body)
        assert answer.status == 403 and answer.error["code"] == "admin_required", (method, path, answer.body)
    assert listed(admin(api), token.serial) is None


def test_unknown_and_someone_elses_serials_answer_the_same_404(api: Api) -> None:
    boss = admin(api)
    assigned, activated = new_token(), new_token()
    assert upload(boss, assigned, activated).status == 201
    owner, other = api.user(), api.user()
    assert (
        boss.call(
            "POST", f"/admin/hardware-tokens/{assigned.serial}/assign", {"userId": owner.user_id}
        ).status
        == 204
    )
    claim(api.user(), activated)
    answers: list[Answer] = [
        begin_claim(other, new_token()),  # never uploaded
        begin_claim(other, assigned),
        begin_claim(other, activated),
    ]
    assert {a.status for a in answers} == {404}
    assert len({str(a.body) for a in answers}) == 1, [a.body for a in answers]
    # An activated token cannot be assigned away from its user, and unknown ones are 404.
    taken = boss.call("POST", f"/admin/hardware-tokens/{activated.serial}/assign", {"userId": other.user_id})
    assert taken.status == 409 and taken.error["code"] == "hardware_token_activated"
    unknown = boss.call(
        "POST", f"/admin/hardware-tokens/{new_token().serial}/assign", {"userId": other.user_id}
    )
    assert unknown.status == 404


def test_tokens_count_with_authenticator_apps_toward_five(api: Api) -> None:
    boss = admin(api)
    first, second = new_token(), new_token()
    assert upload(boss, first, second).status == 201
    user = api.user()
    app, secret = user.add_totp("App 0")
    user.step_up(secret)
    for n in range(1, 4):
        user.add_totp(f"App {n}")
    token_method = claim(user, first)  # the fifth TOTP generator
    over = begin_claim(user, second)
    assert over.status == 409 and over.error["code"] == "method_limit", over.body
    app_over = user.call("POST", "/me/methods", {"type": "softwareOath"})
    assert app_over.status == 409 and app_over.error["code"] == "method_limit"
    # Removing the token makes room (and frees it): the other token fits now.
    assert user.call("DELETE", f"/me/methods/{token_method['id']}").status == 204
    assert listed(boss, first.serial)["status"] == "available"  # type: ignore[index]
    claim(user, second)
    assert sum(m["type"] in ("softwareOath", "hardwareOath") for m in user.info()["methods"]) == 5
    assert user.info()["defaultMethodId"] == app["id"]


def test_two_users_racing_for_one_token_one_wins(api: Api) -> None:
    boss = admin(api)
    tokens = [new_token() for _ in range(3)]
    assert upload(boss, *tokens).status == 201
    for token in tokens:
        racers = [api.user(), api.user()]
        paths = []
        for racer in racers:
            begun = begin_claim(racer, token)
            assert begun.status == 201, begun.body
            paths.append(f"/me/methods/registrations/{begun.body['registrationId']}")
        code = token.code(api)
        barrier = threading.Barrier(len(racers))

        def finish(index: int, code: str = code, paths: list[str] = paths, racers: list[User] = racers,
                   barrier: threading.Barrier = barrier) -> Answer:  # fmt: skip
            barrier.wait()
            return racers[index].call("POST", paths[index], {"code": code})

        with ThreadPoolExecutor(len(racers)) as pool:
            answers = list(pool.map(finish, range(len(racers))))
        assert sorted(a.status for a in answers) == [201, 404], [a.body for a in answers]
        winner = racers[[a.status for a in answers].index(201)]
        loser = racers[[a.status for a in answers].index(404)]
        assert listed(boss, token.serial)["assignedTo"] == winner.user_id  # type: ignore[index]
        assert loser.info()["methods"] == []
        assert [m["serialNumber"] for m in winner.info()["methods"]] == [token.serial]


def test_clearing_a_users_security_info_frees_their_token(api: Api) -> None:
    boss = admin(api)
    token = new_token()
    assert upload(boss, token).status == 201
    user = api.user()
    claim(user, token)
    assert boss.call("DELETE", f"/admin/users/{user.user_id}/security-info").status == 204
    assert listed(boss, token.serial) == {
        "serialNumber": token.serial,
        "manufacturer": token.manufacturer,
        "model": token.model,
        "status": "available",
    }
    claim(api.user(), token)


def test_the_list_pages_with_a_cursor(api: Api) -> None:
    boss = admin(api)
    batch: list[Token] = [new_token() for _ in range(120)]
    assert upload(boss, *batch).body["created"] == 120
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        answer = boss.call("GET", "/admin/hardware-tokens" + (f"?cursor={cursor}" if cursor else ""))
        assert answer.status == 200 and len(answer.body["tokens"]) <= 100
        seen += [t["serialNumber"] for t in answer.body["tokens"]]
        pages += 1
        cursor = answer.body.get("nextCursor")
        if not cursor:
            break
    assert pages >= 2 and seen == sorted(seen) and len(seen) == len(set(seen))
    assert {t.serial for t in batch} <= set(seen)
    bad = boss.call("GET", "/admin/hardware-tokens?cursor=%21%21")
    assert bad.status == 400 and bad.error["code"] == "invalid_cursor"
