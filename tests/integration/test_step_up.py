"""Step-up before changes, the bootstrap exemption, and ownership before step-up."""

from tests.support_api import Api


def test_first_method_needs_no_step_up_but_the_second_does(api: Api) -> None:
    user = api.user()
    _, secret = user.add_totp()
    refused = user.call("POST", "/me/methods", {"type": "softwareOath"})
    assert refused.status == 403
    assert refused.error["code"] == "step_up_required"
    assert "X-Step-Up-Token" in refused.error["message"]
    user.step_up(secret)
    assert user.call("POST", "/me/methods", {"type": "softwareOath"}).status == 201


def test_every_change_route_requires_step_up(api: Api) -> None:
    user = api.user()
    method, _ = user.add_totp()
    mid = method["id"]
    assert user.call("PATCH", f"/me/methods/{mid}", {"displayName": "x"}).status == 403
    assert user.call("DELETE", f"/me/methods/{mid}").status == 403
    assert user.call("PUT", "/me/default-method", {"methodId": mid}).status == 403
    assert user.call("PUT", "/me/default-method", {"systemPreferred": True}).status == 403


def test_a_step_up_token_works_for_ten_minutes_on_the_service_clock(api: Api) -> None:
    user = api.user()
    method, secret = user.add_totp()
    token = user.step_up(secret)
    assert user.call("PATCH", f"/me/methods/{method['id']}", {"displayName": "Renamed"}).status == 200
    api.advance(9 * 60)
    assert user.call("PATCH", f"/me/methods/{method['id']}", {"displayName": "Again"}).status == 200
    api.advance(61)
    late = user.call(
        "PATCH", f"/me/methods/{method['id']}", {"displayName": "Late"}, {"X-Step-Up-Token": token}
    )
    assert late.status == 403 and late.error["code"] == "step_up_required"


def test_a_step_up_token_is_bound_to_its_user(api: Api) -> None:
    alice = api.user()
    _, alice_secret = alice.add_totp()
    token = alice.step_up(alice_secret)
    bob = api.user()
    bob_method, _ = bob.add_totp()
    stolen = bob.call(
        "PATCH", f"/me/methods/{bob_method['id']}", {"displayName": "x"}, {"X-Step-Up-Token": token}
    )
    assert stolen.status == 403


def test_mfa_and_sspr_verifications_do_not_grant_step_up(api: Api) -> None:
    user = api.user()
    method, secret = user.add_totp()
    for purpose in ("mfa", "sspr"):
        answer = user.verify(purpose, secret)
        assert answer.status == 200
        assert "stepUpToken" not in answer.body
    assert user.call("PATCH", f"/me/methods/{method['id']}", {"displayName": "x"}).status == 403


def test_an_unknown_or_garbage_step_up_token_is_refused(api: Api) -> None:
    user = api.user()
    method, _ = user.add_totp()
    for token in ("nope", "x" * 500):
        answer = user.call(
            "PATCH", f"/me/methods/{method['id']}", {"displayName": "x"}, {"X-Step-Up-Token": token}
        )
        assert answer.status == 403


def test_another_users_ids_answer_404_on_every_id_route_even_without_step_up(api: Api) -> None:
    owner = api.user()
    method, secret = owner.add_totp()
    reg = owner.call(
        "POST", "/me/methods", {"type": "softwareOath"}, {"X-Step-Up-Token": owner.step_up(secret)}
    ).body
    vid = owner.call("POST", "/me/verifications", {"purpose": "mfa"}).body["verificationId"]
    intruder = api.user()
    _, intruder_secret = intruder.add_totp()
    for step_up in (False, True):
        if step_up:
            intruder.step_up(intruder_secret)
        answers = [
            intruder.call("POST", f"/me/methods/registrations/{reg['registrationId']}", {"code": "123456"}),
            intruder.call("PATCH", f"/me/methods/{method['id']}", {"displayName": "mine"}),
            intruder.call("DELETE", f"/me/methods/{method['id']}"),
            intruder.call("PUT", "/me/default-method", {"methodId": method["id"]}),
            intruder.call("GET", f"/me/verifications/{vid}"),
            intruder.call("POST", f"/me/verifications/{vid}", {"code": "123456"}),
            intruder.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": method["id"]}),
        ]
        assert [a.status for a in answers] == [404] * len(answers)
        unknown = intruder.call("PATCH", "/me/methods/mdoesnotexist", {"displayName": "x"})
        assert unknown.status == 404
        assert {a.body["error"]["message"] for a in answers[1:4]} == {unknown.body["error"]["message"]}
    assert owner.info()["methods"][0]["displayName"] == method["displayName"]
