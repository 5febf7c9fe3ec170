"""Rename, delete and the default method, as the Security info page uses them."""

from tests.support_api import Api


def test_rename_then_delete_the_default_hands_default_to_the_remaining_app(api: Api) -> None:
    user = api.user()
    first, secret = user.add_totp("First")
    user.step_up(secret)
    second, _ = user.add_totp("Second")
    assert user.info()["defaultMethodId"] == first["id"]
    renamed = user.call("PATCH", f"/me/methods/{first['id']}", {"displayName": "Old phone"})
    assert renamed.status == 200 and renamed.body["method"]["displayName"] == "Old phone"
    assert user.call("DELETE", f"/me/methods/{first['id']}").status == 204
    info = user.info()
    assert [m["id"] for m in info["methods"]] == [second["id"]]
    assert info["defaultMethodId"] == second["id"]
    assert info["methods"][0]["isDefault"] is True
    assert user.call("DELETE", f"/me/methods/{first['id']}").status == 404


def test_change_default_and_system_preferred(api: Api) -> None:
    user = api.user()
    first, secret = user.add_totp("First")
    user.step_up(secret)
    second, _ = user.add_totp("Second")
    chosen = user.call("PUT", "/me/default-method", {"methodId": second["id"]})
    assert chosen.status == 200
    assert chosen.body == {"defaultMethodId": second["id"], "systemPreferred": False}
    assert user.info()["defaultMethodId"] == second["id"]
    preferred = user.call("PUT", "/me/default-method", {"systemPreferred": True})
    assert preferred.status == 200 and preferred.body["systemPreferred"] is True
    # Both are TOTP apps: the strongest tie goes to the oldest.
    assert preferred.body["defaultMethodId"] == first["id"]
    info = user.info()
    assert info["systemPreferred"] is True and info["defaultMethodId"] == first["id"]
    both = user.call("PUT", "/me/default-method", {"methodId": second["id"], "systemPreferred": True})
    assert both.status == 400


def test_deleting_the_last_method_leaves_a_clean_slate_that_needs_no_step_up(api: Api) -> None:
    user = api.user()
    method, secret = user.add_totp()
    user.step_up(secret)
    assert user.call("DELETE", f"/me/methods/{method['id']}").status == 204
    info = user.info()
    assert info["methods"] == [] and info["defaultMethodId"] is None
    user.step_up_token = None
    assert user.call("POST", "/me/methods", {"type": "softwareOath"}).status == 201


def test_changes_emit_audit_events_naming_the_method(api: Api) -> None:
    user = api.user()
    first, secret = user.add_totp("First")
    user.step_up(secret)
    second, _ = user.add_totp("Second")
    user.call("PATCH", f"/me/methods/{second['id']}", {"displayName": "Renamed"})
    user.call("PUT", "/me/default-method", {"methodId": second["id"]})
    user.call("DELETE", f"/me/methods/{first['id']}")
    mine = [e for e in api.events() if e["detail"]["userId"] == user.user_id]
    kinds = [e["detail-type"] for e in mine]
    for expected in (
        "MethodRegistered",
        "MethodUpdated",
        "DefaultMethodChanged",
        "MethodRemoved",
        "VerificationSucceeded",
    ):
        assert expected in kinds
    updated = next(e for e in mine if e["detail-type"] == "MethodUpdated")["detail"]
    assert updated["methodId"] == second["id"] and updated["methodType"] == "softwareOath"
    assert updated["before"]["displayName"] == "Second" and updated["after"]["displayName"] == "Renamed"
    assert all(e["source"] == "security-info" and e["detail"]["actor"] == "self" for e in mine)
