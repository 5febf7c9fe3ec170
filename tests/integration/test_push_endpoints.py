"""An authenticator app's SNS platform endpoint lives only as long as the app: removing the method
(the user, or an administrator's clear) deletes it, as moto's SNS backend shows."""

from __future__ import annotations

from typing import Any

import boto3

from local.runtime import Runtime
from tests.integration.test_authenticator_app import add_app
from tests.support_admin import admin
from tests.support_api import Api, User


def _endpoints_of(runtime: Runtime, push_token: str) -> list[str]:
    """The platform endpoints registered for the device's push token."""
    sns: Any = boto3.client(
        "sns",
        endpoint_url=runtime.moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
    )
    found = []
    for app in sns.list_platform_applications()["PlatformApplications"]:
        arn = app["PlatformApplicationArn"]
        for endpoint in sns.list_endpoints_by_platform_application(PlatformApplicationArn=arn)["Endpoints"]:
            if endpoint["Attributes"].get("Token") == push_token:
                found.append(endpoint["EndpointArn"])
    return found


def _user_with_app(api: Api, runtime: Runtime) -> tuple[User, dict[str, Any], str]:
    user = api.user()
    user.step_up(user.add_totp()[1])
    method, device = add_app(api, user)
    assert device.push_token and len(_endpoints_of(runtime, device.push_token)) == 1
    return user, method, device.push_token


def test_removing_the_app_deletes_its_push_endpoint(api: Api, runtime: Runtime) -> None:
    user, method, token = _user_with_app(api, runtime)
    assert user.call("DELETE", f"/me/methods/{method['id']}").status == 204
    assert _endpoints_of(runtime, token) == []


def test_an_administrators_clear_deletes_the_apps_push_endpoint(api: Api, runtime: Runtime) -> None:
    user, _, token = _user_with_app(api, runtime)
    assert admin(api).call("DELETE", f"/admin/users/{user.user_id}/security-info").status == 204
    assert _endpoints_of(runtime, token) == []
