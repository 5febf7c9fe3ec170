"""CloudFormation custom resource ``Custom::SnsPlatformApplication``: the SNS platform application the
authenticator app's pushes go through (CloudFormation has no resource type for it).

Its credential (FCM service account JSON or key, APNs certificate or token) stays in Secrets Manager:
the secret holds ``{"credential": ..., "principal"?: ...}``. Without a credential secret there is no
platform application and ``Arn`` is empty: pushes are off and the app polls for its requests.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

# First, so that botocore does not load pyOpenSSL: see securityinfo/_tls.py.
from securityinfo.kernel.logs import logger

# isort: split
import boto3

DISABLED = "push-disabled"


def _respond(event: dict[str, Any], status: str, physical_id: str, data: dict[str, str], reason: str) -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:200],
            "PhysicalResourceId": physical_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": data,
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the pre-signed S3 URL CloudFormation gave us
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        response.read()


def _create(props: dict[str, Any]) -> tuple[str, dict[str, str]]:
    secret_arn = str(props.get("CredentialSecretArn") or "").strip()
    if not secret_arn:
        return DISABLED, {"Arn": ""}
    secret = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"])
    attributes = {"PlatformCredential": str(secret["credential"])}
    if secret.get("principal"):
        attributes["PlatformPrincipal"] = str(secret["principal"])
    out = boto3.client("sns").create_platform_application(
        Name=str(props["Name"]), Platform=str(props["Platform"]), Attributes=attributes
    )
    arn = str(out["PlatformApplicationArn"])
    return arn, {"Arn": arn}


def lambda_handler(event: dict[str, Any], context: Any) -> None:
    kind = event.get("RequestType")
    physical_id = str(event.get("PhysicalResourceId") or DISABLED)
    try:
        if kind in ("Create", "Update"):
            # A new name or platform gives a new physical id, and CloudFormation then sends a Delete
            # for the old one; creating an existing name again updates its credential.
            physical_id, data = _create(event.get("ResourceProperties") or {})
        else:
            if physical_id.startswith("arn:"):
                boto3.client("sns").delete_platform_application(PlatformApplicationArn=physical_id)
            data = {}
    except Exception as exc:  # CloudFormation must hear back, or the stack waits for an hour
        logger.error("platform_application_failed", extra={"errorType": type(exc).__name__})
        _respond(event, "FAILED", physical_id, {}, f"{type(exc).__name__}; see the function's log")
        return
    _respond(event, "SUCCESS", physical_id, data, "ok")
