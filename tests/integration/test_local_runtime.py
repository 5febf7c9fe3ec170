"""The local runtime as a developer, a test or the pages meet it: tokens, the gateway's answers,
the service clock, the outbox, the event tap and the static pages.

Uses the session's runtime (``tests/conftest.py``): one per process, because the functions share
the process environment. Tests here never assume a clock position; one of them moves the shared
service clock forward a day, which every other test tolerates (they take fresh tokens).
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from local.runtime import Runtime
from tests import support_contract
from tests.support_api import Api
from tests.support_events import validate_event


def _token(api: Api, username: str, **flags: bool) -> str:
    answer = api.call("POST", "/local/token", {"username": username, **flags})
    assert answer.status == 200, answer.body
    return str(answer.body["accessToken"])


def _claims(token: str) -> dict[str, Any]:
    # Reading (not verifying) the payload: what a developer pasting the token into jwt.io sees.
    return dict(jwt.decode(token, options={"verify_signature": False}))


def _client(runtime: Runtime, service: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=runtime.moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
    )


# -- health and the front door ---------------------------------------------------------------


def test_health_is_ok_once_started(api: Api) -> None:
    answer = api.call("GET", "/local/health")
    assert answer.status == 200
    assert answer.body == {"status": "ok"}


def test_an_unknown_route_is_a_plain_404_like_api_gateway(api: Api) -> None:
    token = _token(api, "alice")
    answer = api.call("GET", "/no/such/route", token=token)
    assert answer.status == 404
    assert answer.body == {"message": "Not Found"}
    # A known path with a method it has no route for is also "no route" in an HTTP API.
    wrong_method = api.call("DELETE", "/me/security-info", token=token)
    assert wrong_method.status == 404
    assert wrong_method.body == {"message": "Not Found"}


def test_the_pages_are_served_from_web_with_module_friendly_types(api: Api) -> None:
    index = api.call("GET", "/")
    assert index.status == 200
    assert index.headers["Content-Type"].startswith("text/html")
    assert "<html" in str(index.body).lower()
    scripts = sorted(p for p in os.listdir("web/js") if p.endswith(".js"))
    assert scripts, "web/js has no scripts"
    script = api.call("GET", f"/js/{scripts[0]}")
    assert script.status == 200
    assert script.headers["Content-Type"].startswith("text/javascript")


def test_files_outside_web_are_not_served(api: Api) -> None:
    for path in ("/../template.yaml", "/%2e%2e/template.yaml", "/js/../../template.yaml"):
        answer = api.call("GET", path)
        assert answer.status == 404, path
        assert "Resources" not in str(answer.body)


# -- tokens -----------------------------------------------------------------------------------


def test_a_demo_user_gets_a_token_that_the_api_accepts_and_the_same_id_every_time(api: Api) -> None:
    first = api.call("POST", "/local/token", {"username": "alice"})
    again = api.call("POST", "/local/token", {"username": "alice"})
    other = api.call("POST", "/local/token", {"username": "bob"})
    assert first.status == again.status == other.status == 200
    assert first.body["userId"] == again.body["userId"] != other.body["userId"]
    info = api.call("GET", "/me/security-info", token=first.body["accessToken"])
    assert info.status == 200
    assert info.body["userId"] == first.body["userId"]


def test_tokens_carry_the_claims_the_functions_read(api: Api) -> None:
    user = _claims(_token(api, "carol"))
    admin = _claims(_token(api, "dave", admin=True))
    assert user["preferred_username"] == "carol"
    assert "groups" not in user
    assert admin["groups"] == ["SecurityInfoAdmins"]
    for claims in (user, admin):
        assert claims["exp"] - claims["iat"] == 24 * 3600
        assert claims["auth_time"] == claims["iat"]
        assert claims["iss"] and claims["aud"]


def test_a_service_token_is_for_the_sign_in_service(api: Api) -> None:
    answer = api.call("POST", "/local/token", {"service": True})
    assert answer.status == 200
    assert answer.body["userId"] == "signin-service"
    assert _claims(answer.body["accessToken"])["scope"] == "signin-service"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "username"),
        ({"username": ""}, "username"),
        ({"username": "x" * 65}, "username"),
        ({"username": "alice smith"}, "username"),
        ({"username": "alice", "admin": "yes"}, "admin"),
        ({"username": "alice", "role": "admin"}, "role"),
    ],
)
def test_a_bad_token_request_names_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    answer = api.call("POST", "/local/token", body)
    assert answer.status == 400
    assert answer.error["code"] == "invalid_request"
    assert answer.error["field"] == field
    assert answer.error["message"]


def test_without_a_token_the_gateway_answers_401_and_never_calls_the_function(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runtime.functions is not None
    called: list[str] = []
    monkeypatch.setattr(runtime.functions, "invoke", lambda fn, event: called.append(fn))
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Bearer not-a-jwt"}):
        answer = api.call("GET", "/me/security-info", headers=headers)
        assert answer.status == 401
        assert answer.body == {"message": "Unauthorized"}
    assert called == []


def test_a_forged_or_altered_token_is_refused(api: Api) -> None:
    genuine = _token(api, "mallory")
    claims = _claims(genuine)
    header = jwt.get_unverified_header(genuine)
    # Same claims and key id, signed with the attacker's own key.
    attacker_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, attacker_key, algorithm="RS256", headers={"kid": header["kid"]})
    # The genuine signature over a payload that now claims to be someone else.
    head, _, signature = genuine.split(".")
    altered_claims = {**claims, "sub": "u-someone-else"}
    altered_payload = base64.urlsafe_b64encode(json.dumps(altered_claims).encode()).rstrip(b"=").decode()
    altered = f"{head}.{altered_payload}.{signature}"
    # No signature at all.
    unsigned = jwt.encode(claims, key="", algorithm="none")
    for token in (forged, altered, unsigned):
        answer = api.call("GET", "/me/security-info", token=token)
        assert answer.status == 401
        assert answer.body == {"message": "Unauthorized"}
    assert api.call("GET", "/me/security-info", token=genuine).status == 200


def test_a_token_expires_after_24_hours_on_the_service_clock(api: Api) -> None:
    token = _token(api, "erin")
    assert api.call("GET", "/me/security-info", token=token).status == 200
    api.advance(25 * 3600)
    expired = api.call("GET", "/me/security-info", token=token)
    assert expired.status == 401
    assert expired.body == {"message": "Unauthorized"}
    # Signing in again gives a token that works at the new time.
    assert api.call("GET", "/me/security-info", token=_token(api, "erin")).status == 200


def test_sign_in_service_routes_take_the_service_token_in_place_of_sigv4(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runtime.functions is not None and runtime.routes is not None
    iam_routes = [r for r in runtime.routes.routes if r.auth.kind == "iam"]
    if not iam_routes:
        pytest.skip("the template has no AWS_IAM routes yet")
    route = iam_routes[0]
    seen: list[dict[str, Any]] = []

    def spy(function: str, event: dict[str, Any]) -> Any:
        seen.append(event)
        return {"statusCode": 200, "body": "{}"}

    monkeypatch.setattr(runtime.functions, "invoke", spy)
    service = api.call("POST", "/local/token", {"service": True}).body["accessToken"]
    body = {"userId": "u-nobody"}
    # A user's token, or none, is what an unsigned request is to an IAM-authorized route.
    for token in (_token(api, "ivan"), None):
        refused = api.call(route.method, route.path, body, token=token)
        assert refused.status == 403
        assert refused.body == {"message": "Forbidden"}
    assert seen == []
    with support_contract.paused():  # the spy's answer, not the function's
        assert api.call(route.method, route.path, body, token=service).status == 200
    (event,) = seen
    assert event["requestContext"]["authorizer"]["iam"]["callerId"] == "signin-service"
    assert "jwt" not in event["requestContext"]["authorizer"]


# -- the event a function receives --------------------------------------------------------------


def test_the_function_gets_an_http_api_v2_event_with_claims_rendered_as_api_gateway_does(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runtime.functions is not None
    functions = runtime.functions
    real_invoke = functions.invoke
    seen: list[dict[str, Any]] = []

    def spy(function: str, event: dict[str, Any]) -> Any:
        seen.append(event)
        return real_invoke(function, event)

    monkeypatch.setattr(functions, "invoke", spy)
    token = _token(api, "frank", admin=True)
    answer = api.call(
        "GET",
        "/me/verifications/v%20123?x=1&x=2&y=",
        token=token,
        headers={"Cookie": "a=1; b=2", "X-Step-Up-Token": "abc"},
    )
    assert answer.status in (200, 404)  # the function ran; an unknown id is its own 404
    (event,) = seen
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /me/verifications/{verificationId}"
    assert event["rawPath"] == "/me/verifications/v%20123"
    assert event["rawQueryString"] == "x=1&x=2&y="
    assert event["queryStringParameters"] == {"x": "1,2", "y": ""}
    assert event["pathParameters"] == {"verificationId": "v 123"}
    assert event["cookies"] == ["a=1", "b=2"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-step-up-token"] == "abc"
    assert all(name == name.lower() for name in event["headers"])
    assert event["isBase64Encoded"] is False
    assert "body" not in event
    context = event["requestContext"]
    assert context["stage"] == "$default"
    assert context["routeKey"] == event["routeKey"]
    assert context["http"]["method"] == "GET"
    assert context["http"]["path"] == "/me/verifications/v 123"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    uuid.UUID(context["requestId"])
    claims = context["authorizer"]["jwt"]["claims"]
    assert context["authorizer"]["jwt"]["scopes"] is None
    assert all(isinstance(v, str) for v in claims.values())
    assert claims["groups"] == "[SecurityInfoAdmins]"
    assert claims["preferred_username"] == "frank"
    assert claims["exp"].isdigit()


def test_a_function_that_raises_gives_a_bare_500(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runtime.functions is not None

    def broken(function: str, event: dict[str, Any]) -> Any:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(runtime.functions, "invoke", broken)
    answer = api.call("GET", "/me/security-info", token=_token(api, "grace"))
    assert answer.status == 500
    assert answer.body == {"message": "Internal Server Error"}


# -- the service clock --------------------------------------------------------------------------


def test_the_clock_moves_forward_on_request_and_never_back(api: Api) -> None:
    before = api.now()
    answer = api.call("POST", "/local/clock", {"advanceSeconds": 3600})
    assert answer.status == 200
    assert answer.body["now"].endswith("Z")
    assert api.now() - before >= 3600
    assert api.call("GET", "/local/clock").body["now"].endswith("Z")
    for bad in ({"advanceSeconds": -1}, {"advanceSeconds": "60"}, {"advanceSeconds": True}, {}):
        refused = api.call("POST", "/local/clock", bad)
        assert refused.status == 400, bad
        assert refused.error["field"] == "advanceSeconds"
    assert api.now() - before < 3600 + 60


# -- what would have been sent ------------------------------------------------------------------


def test_an_sms_publish_reaches_the_outbox(api: Api, runtime: Runtime) -> None:
    number = f"+1555{uuid.uuid4().int % 10**7:07d}"
    _client(runtime, "sns").publish(PhoneNumber=number, Message="Your code is 123456")
    answer = api.call("GET", f"/local/outbox?to={number.replace('+', '%2B')}")
    assert answer.status == 200
    (message,) = answer.body["messages"]
    assert message["channel"] == "sms"
    assert message["to"] == number
    assert message["body"] == "Your code is 123456"
    assert message["sentAt"].endswith("Z")
    # An unencoded "+" in the query (a space once decoded) finds the same number.
    assert api.call("GET", f"/local/outbox?to={number}").body["messages"] == [message]


def test_a_delivery_topic_message_reaches_the_outbox_by_its_channel_and_to(
    api: Api, runtime: Runtime
) -> None:
    sns = _client(runtime, "sns")
    topic = sns.create_topic(Name=f"delivery-{uuid.uuid4().hex[:8]}")["TopicArn"]
    address = f"{uuid.uuid4().hex[:8]}@example.com"

    def send(channel: str, body: str) -> None:
        sns.publish(
            TopicArn=topic,
            Message=body,
            MessageAttributes={
                "channel": {"DataType": "String", "StringValue": channel},
                "to": {"DataType": "String", "StringValue": address},
            },
        )

    send("email", "first")
    send("email", "second")
    messages = api.call("GET", f"/local/outbox?to={address}").body["messages"]
    assert [(m["channel"], m["to"], m["body"]) for m in messages] == [
        ("email", address, "second"),  # newest first
        ("email", address, "first"),
    ]
    everyone = api.call("GET", "/local/outbox").body["messages"]
    assert everyone[:2] == messages


# -- events on the bus ----------------------------------------------------------------------------


def test_an_event_a_function_puts_on_the_bus_shows_in_the_event_tap_whole(api: Api) -> None:
    # The tap is shared by the whole session and other tests validate every event in it against
    # events/*.schema.json, so this test makes a real action emit one rather than inventing one.
    user = api.user()
    method, _ = user.add_totp("Tap test")
    mine = [e for e in api.events() if e["detail"].get("userId") == user.user_id]
    registered = [e for e in mine if e["detail-type"] == "MethodRegistered"]
    assert len(registered) == 1
    event = registered[0]
    assert event["detail"]["methodId"] == method["id"]
    validate_event("MethodRegistered", event["detail"])
    # The envelope EventBridge delivers to a target, not a trimmed copy.
    assert event["source"] == "security-info"
    assert event["version"] == "0"
    assert event["account"] and event["region"] == "us-east-1"
    assert event["time"].endswith("Z")
    uuid.UUID(event["id"])
    assert event["resources"] == []


def test_events_are_listed_oldest_first(api: Api) -> None:
    user = api.user()
    first, secret = user.add_totp("First")
    user.step_up(secret)
    assert user.call("DELETE", f"/me/methods/{first['id']}").status == 204
    kinds = [e["detail-type"] for e in api.events() if e["detail"].get("userId") == user.user_id]
    assert kinds.index("MethodRegistered") < kinds.index("MethodRemoved")


def test_events_from_other_sources_or_buses_are_not_tapped(api: Api, runtime: Runtime) -> None:
    marker = uuid.uuid4().hex
    detail = json.dumps({"marker": marker})
    _client(runtime, "events").put_events(
        Entries=[
            {"Source": "someone-else", "DetailType": "X", "Detail": detail,
             "EventBusName": os.environ["EVENT_BUS_NAME"]},
            {"Source": "security-info", "DetailType": "X", "Detail": detail},  # the default bus
        ]
    )  # fmt: skip
    assert [e for e in api.events() if e.get("detail", {}).get("marker") == marker] == []


def test_the_openapi_document_and_its_reference_page_are_served(api: Api) -> None:
    """GET /openapi.json is the committed document; api.html renders it with no outside asset."""
    root = Path(__file__).resolve().parents[2]
    served = api.call("GET", "/openapi.json")
    assert served.status == 200
    assert served.body == json.loads((root / "docs" / "openapi.json").read_text(encoding="utf-8"))
    page = api.call("GET", "/api.html")
    assert page.status == 200 and "js/api-reference.js" in page.body
    assert "http" not in page.body.split("<body>", 1)[0].replace("http-equiv", "")


def test_a_method_no_route_has_gets_api_gateways_404(api: Api) -> None:
    for method in ("TRACE", "QUERY"):
        answer = api.call(method, "/me/security-info")
        assert answer.status == 404, method
        assert answer.body == {"message": "Not Found"}
