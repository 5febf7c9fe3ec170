"""Registering an authenticator app (softwareOath) as a user would, through the local API."""

import uuid

import boto3

from securityinfo.methods import totp
from tests.support_api import Api
from tests.support_events import validate_event


def test_a_new_user_registers_an_app_by_qr_and_it_becomes_the_default(api: Api) -> None:
    user = api.user()
    assert user.info()["methods"] == []
    begun = user.call("POST", "/me/methods", {"type": "softwareOath", "displayName": "Work phone"})
    assert begun.status == 201
    body = begun.body
    assert body["type"] == "softwareOath"
    assert body["qrSvg"].startswith("<svg")
    assert body["otpauthUri"].startswith("otpauth://totp/")
    assert f"secret={body['secret']}" in body["otpauthUri"]
    assert body["accountName"] == user.username
    done = user.call(
        "POST", f"/me/methods/registrations/{body['registrationId']}", {"code": user.code(body["secret"])}
    )
    assert done.status == 201
    method = done.body["method"]
    assert method["displayName"] == "Work phone"
    assert method["isDefault"] is True
    assert method["usableFor"] == ["mfa", "sspr"]
    assert "secret" not in method
    info = user.info()
    assert info["defaultMethodId"] == method["id"]
    assert [m["id"] for m in info["methods"]] == [method["id"]]
    assert info["registration"]["missing"] == ["phone"]


def test_a_wrong_code_says_how_many_tries_are_left_and_the_fifth_ends_the_registration(api: Api) -> None:
    user = api.user()
    begun = user.call("POST", "/me/methods", {"type": "softwareOath"}).body
    path = f"/me/methods/registrations/{begun['registrationId']}"
    wrong = _wrong_code(api, begun["secret"])
    for left in (4, 3, 2, 1):
        answer = user.call("POST", path, {"code": wrong})
        assert answer.status == 400
        assert answer.error["code"] == "invalid_code"
        assert answer.error["attemptsLeft"] == left
    answer = user.call("POST", path, {"code": wrong})
    assert answer.status == 410 and answer.error["code"] == "code_expired"
    assert user.call("POST", path, {"code": user.code(begun["secret"])}).status == 404
    assert user.info()["methods"] == []
    failed = [
        e["detail"]
        for e in api.events()
        if e["detail-type"] == "VerificationFailed" and e["detail"]["userId"] == user.user_id
    ]
    assert len(failed) == 5 and {f["purpose"] for f in failed} == {"registration"}
    for detail in failed:
        validate_event("VerificationFailed", detail)


def test_a_registration_expires_after_ten_minutes_on_the_service_clock(api: Api) -> None:
    user = api.user()
    begun = user.call("POST", "/me/methods", {"type": "softwareOath"}).body
    api.advance(601)
    answer = user.call(
        "POST", f"/me/methods/registrations/{begun['registrationId']}", {"code": user.code(begun["secret"])}
    )
    assert answer.status == 410
    assert answer.error["code"] == "registration_expired"


def test_the_code_that_confirmed_registration_does_not_pass_the_next_sign_in(api: Api) -> None:
    user = api.user()
    begun = user.call("POST", "/me/methods", {"type": "softwareOath"}).body
    now_step = totp.step_at(api.now())
    code = totp.code_for_step(begun["secret"], now_step)
    assert (
        user.call("POST", f"/me/methods/registrations/{begun['registrationId']}", {"code": code}).status
        == 201
    )
    started = user.call("POST", "/me/verifications", {"purpose": "mfa"}).body
    again = user.call("POST", f"/me/verifications/{started['verificationId']}", {"code": code})
    assert again.status == 400 and again.error["code"] == "invalid_code"


def test_at_most_five_authenticator_apps(api: Api) -> None:
    user = api.user()
    _, secret = user.add_totp("app 1")
    user.step_up(secret)
    for i in range(2, 6):
        user.add_totp(f"app {i}")
    refused = user.call("POST", "/me/methods", {"type": "softwareOath"})
    assert refused.status == 409
    assert refused.error["code"] == "method_limit"
    assert "remove one" in refused.error["message"]
    assert len(user.info()["methods"]) == 5


def test_a_repeated_create_with_the_same_idempotency_key_creates_once(api: Api) -> None:
    user = api.user()
    key = str(uuid.uuid4())
    first = user.call("POST", "/me/methods", {"type": "softwareOath"}, headers={"Idempotency-Key": key})
    second = user.call("POST", "/me/methods", {"type": "softwareOath"}, headers={"Idempotency-Key": key})
    assert first.status == second.status == 201
    assert first.body["registrationId"] == second.body["registrationId"]
    assert first.body["secret"] == second.body["secret"]
    other = user.call(
        "POST", "/me/methods", {"type": "softwareOath", "displayName": "x"}, headers={"Idempotency-Key": key}
    )
    assert other.status == 409 and other.error["code"] == "idempotency_key_reused"
    bad = user.call(
        "POST", "/me/methods", {"type": "softwareOath"}, headers={"Idempotency-Key": "not-a-uuid"}
    )
    assert bad.status == 400 and bad.error["field"] == "Idempotency-Key"


def test_the_stored_secret_is_encrypted_and_bound_to_user_and_method(api: Api, runtime: object) -> None:
    user = api.user()
    method, secret = user.add_totp()
    endpoint = getattr(runtime, "moto_endpoint")  # noqa: B009
    dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
    table = next(t for t in dynamodb.list_tables()["TableNames"])
    # Every page: in a full run the shared table holds more than one Scan page (1 MB).
    items = [i for page in dynamodb.get_paginator("scan").paginate(TableName=table) for i in page["Items"]]
    dump = repr(items)
    assert secret not in dump
    assert secret.lower() not in dump.lower()
    mine = [
        i
        for i in items
        if i["pk"]["S"] == f"USER#{user.user_id}" and i["sk"]["S"] == f"METHOD#{method['id']}"
    ]
    blob = mine[0]["secret_ciphertext"]["B"]
    kms = boto3.client("kms", endpoint_url=endpoint, region_name="us-east-1")
    ok = kms.decrypt(
        CiphertextBlob=blob,
        EncryptionContext={
            "userId": user.user_id,
            "methodId": method["id"],
            "purpose": "authenticator-secret",
        },
    )
    assert ok["Plaintext"].decode() == secret
    try:
        kms.decrypt(
            CiphertextBlob=blob,
            EncryptionContext={
                "userId": "someone-else",
                "methodId": method["id"],
                "purpose": "authenticator-secret",
            },
        )
    except kms.exceptions.InvalidCiphertextException:
        pass
    else:
        raise AssertionError("a ciphertext moved to another user must not decrypt")


def _wrong_code(api: Api, secret: str) -> str:
    step = totp.step_at(api.now())
    valid = {totp.code_for_step(secret, step + d) for d in range(-2, 3)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in valid)
