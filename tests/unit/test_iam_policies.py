"""The functions' IAM policies as deployed (SAM policy templates expanded by the SAM translator):
narrow where the issue says they were wide, and the audit that compares them with recorded calls
fails when it should. The recorded comparison itself runs at the end of every integration session
(tests/conftest.py)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from tests.support_iam import FunctionPolicy, Need, audit, function_grants, needs_of

ROOT = Path(__file__).resolve().parents[2]
PARAMETERS = {"IdentityProviderIssuer": "https://issuer.invalid", "IdentityProviderAudience": "api"}
DEVICE_FUNCTIONS = ("ActivateDeviceFunction", "DevicePendingFunction", "DeviceDecisionFunction")


@cache
def _policies() -> dict[str, FunctionPolicy]:
    return function_grants(ROOT / "template.yaml", PARAMETERS)


def test_every_function_has_a_policy() -> None:
    assert len(_policies()) >= 35


@pytest.mark.parametrize("action", ["Scan", "BatchWriteItem", "BatchGetItem", "DescribeTable", "DeleteTable"])
def test_no_function_may_scan_batch_or_touch_the_table_itself(action: str) -> None:
    allowed = [fn for fn, p in _policies().items() if p.allows(Need(f"dynamodb:{action}", ("USER#u",)))]
    assert not allowed


def test_read_only_functions_only_read() -> None:
    for fn in (
        "GetSecurityInfoFunction",
        "GetVerificationFunction",
        "AdminGetUserFunction",
        "GetPolicyFunction",
    ):
        policy = _policies()[fn]
        assert policy.allows(Need("dynamodb:Query"))
        for write in ("PutItem", "UpdateItem", "DeleteItem"):
            assert not policy.allows(Need(f"dynamodb:{write}", ("USER#u",))), fn


def test_the_sign_in_check_writes_only_the_users_partition_and_never_deletes() -> None:
    """Its success is one transaction: the use counted, the user not locked, the event put in the
    user's activity. Nothing else: no delete, no put outside the user's partition."""
    policy = _policies()["CheckAppPasswordFunction"]
    for write in ("UpdateItem", "PutItem", "ConditionCheckItem"):
        assert policy.allows(Need(f"dynamodb:{write}", ("USER#u",))), write
    assert not policy.allows(Need("dynamodb:DeleteItem", ("USER#u",)))
    for partition in ("ORG", "CREDENTIAL#c", "APPDEVICE#d"):
        assert not policy.allows(Need("dynamodb:PutItem", (partition,))), partition


def test_the_senders_put_only_in_the_users_partition_and_read_only_the_organization() -> None:
    for fn in ("SendVoiceFunction", "SendEmailFunction"):
        policy = _policies()[fn]
        assert policy.allows(Need("dynamodb:PutItem", ("USER#u",))), fn
        assert policy.allows(Need("dynamodb:GetItem", ("ORG",))), fn
        assert not policy.allows(Need("dynamodb:GetItem", ("USER#u",))), fn
        for write in ("UpdateItem", "DeleteItem"):
            assert not policy.allows(Need(f"dynamodb:{write}", ("USER#u",))), fn
        assert not policy.allows(Need("dynamodb:PutItem", ("ORG",))), fn


@pytest.mark.parametrize("function", DEVICE_FUNCTIONS)
def test_device_functions_write_only_user_and_device_partitions(function: str) -> None:
    policy = _policies()[function]
    assert policy.allows(Need("dynamodb:PutItem", ("APPDEVICE#d",)))
    for partition in ("ORG", "CREDENTIAL#c", "DEST#d", "SOMETHING"):
        assert not policy.allows(Need("dynamodb:PutItem", (partition,))), partition
        assert not policy.allows(Need("dynamodb:UpdateItem", (partition,))), partition
    # A transaction touching a user's item and the policy item is refused as a whole.
    assert not policy.allows(Need("dynamodb:PutItem", ("APPDEVICE#d", "ORG")))
    assert not policy.allows(Need("dynamodb:DeleteItem", ("APPDEVICE#d",)))


def test_a_transaction_needs_each_item_action() -> None:
    needs = needs_of(
        "dynamodb",
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"Item": {"pk": {"S": "USER#1"}}}},
                {"ConditionCheck": {"Key": {"pk": {"S": "ORG"}}}},
            ]
        },
    )
    assert needs == [Need("dynamodb:PutItem", ("USER#1",)), Need("dynamodb:ConditionCheckItem", ("ORG",))]


def test_the_audit_fails_on_an_ungranted_call_and_lists_unused_grants() -> None:
    recorded = {
        "GetSecurityInfoFunction": {Need("dynamodb:Query"), Need("dynamodb:Scan")},
        "DevicePendingFunction": {Need("dynamodb:PutItem", ("ORG",))},
    }
    result = audit(recorded, _policies())
    assert result.denied["GetSecurityInfoFunction"] == [Need("dynamodb:Scan")]
    assert result.denied["DevicePendingFunction"] == [Need("dynamodb:PutItem", ("ORG",))]
    assert "dynamodb:GetItem" in result.unused["GetSecurityInfoFunction"]
    assert "CheckAppPasswordFunction" in result.unrecorded
