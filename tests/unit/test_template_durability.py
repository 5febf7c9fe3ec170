"""template.yaml keeps what cannot be rebuilt and loses no asynchronous work.

- Every stateful resource (data, keys, the key of the keyed hashes, queued messages, the audit
  archive, buckets) survives a stack deletion and a replacement: DeletionPolicy and
  UpdateReplacePolicy are both Retain.
- Every asynchronous path ends in a dead-letter queue or an on-failure destination: EventBridge
  targets, SQS event sources, SNS subscriptions and Lambda's own asynchronous retries.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from local.template import Template

ROOT = Path(__file__).resolve().parents[2]

# What holds state that a new stack could not recreate. Log groups are not here: they expire after
# LogRetentionDays anyway, and a retained one with a fixed name would block re-creating the stack.
STATEFUL_TYPES = {
    "AWS::DynamoDB::Table",
    "AWS::KMS::Key",
    "AWS::SecretsManager::Secret",
    "AWS::SQS::Queue",
    "AWS::Events::Archive",
    "AWS::S3::Bucket",
}


@cache
def _resources() -> dict[str, dict[str, Any]]:
    return Template.load(ROOT / "template.yaml").resources


def _ref_or_att(value: Any) -> str | None:
    """The logical id a !Ref or !GetAtt points at."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
    return None


def test_the_check_covers_the_resources_that_matter() -> None:
    """A rename of the type list must not make the retain test vacuous."""
    kinds = {spec["Type"] for spec in _resources().values()}
    for kind in ("AWS::DynamoDB::Table", "AWS::KMS::Key", "AWS::SecretsManager::Secret", "AWS::SQS::Queue"):
        assert kind in kinds


@pytest.mark.parametrize(
    "logical_id",
    sorted(k for k, v in _resources().items() if v.get("Type") in STATEFUL_TYPES),
)
def test_stateful_resource_is_retained(logical_id: str) -> None:
    spec = _resources()[logical_id]
    assert spec.get("DeletionPolicy") == "Retain", f"{logical_id} is deleted with the stack"
    assert spec.get("UpdateReplacePolicy") == "Retain", f"{logical_id} is deleted when replaced"


def test_retained_queues_have_generated_names() -> None:
    """A retained queue with a fixed name would make the next stack of that name fail to create."""
    for logical_id, spec in _resources().items():
        if spec.get("Type") == "AWS::SQS::Queue" and spec.get("DeletionPolicy") == "Retain":
            assert "QueueName" not in (spec.get("Properties") or {}), logical_id


def _functions() -> dict[str, dict[str, Any]]:
    return {k: v for k, v in _resources().items() if v.get("Type") == "AWS::Serverless::Function"}


def test_every_eventbridge_target_has_a_dead_letter_queue() -> None:
    rules = {k: v for k, v in _resources().items() if v.get("Type") == "AWS::Events::Rule"}
    assert rules
    for logical_id, rule in rules.items():
        for target in rule["Properties"]["Targets"]:
            assert _ref_or_att(target.get("DeadLetterConfig", {}).get("Arn")), f"{logical_id}/{target['Id']}"


def test_every_queue_a_function_reads_redrives_to_a_dead_letter_queue() -> None:
    resources = _resources()
    seen = 0
    for logical_id, fn in _functions().items():
        for event in (fn["Properties"].get("Events") or {}).values():
            if event["Type"] != "SQS":
                continue
            seen += 1
            queue = resources[_ref_or_att(event["Properties"]["Queue"]) or ""]
            redrive = queue["Properties"].get("RedrivePolicy") or {}
            dlq = _ref_or_att(redrive.get("deadLetterTargetArn"))
            assert dlq in resources, f"{logical_id}: its queue has no dead-letter queue"
    assert seen


def test_every_sns_subscription_and_async_invoke_has_a_dead_letter_queue() -> None:
    resources = _resources()
    subscribers = 0
    for logical_id, fn in _functions().items():
        props = fn["Properties"]
        sns_events = [e for e in (props.get("Events") or {}).values() if e["Type"] == "SNS"]
        if not sns_events:
            continue
        subscribers += 1
        for event in sns_events:
            target = _ref_or_att((event["Properties"].get("RedrivePolicy") or {}).get("deadLetterTargetArn"))
            assert target in resources, f"{logical_id}: SNS subscription without a redrive policy"
            # SNS must be allowed to write to that queue, and only for this topic.
            assert _queue_allows_sns(resources, target, _ref_or_att(event["Properties"]["Topic"])), (
                f"{logical_id}: no queue policy lets the topic dead-letter into {target}"
            )
        on_failure = (props.get("EventInvokeConfig") or {}).get("DestinationConfig", {}).get("OnFailure", {})
        assert _ref_or_att(on_failure.get("Destination")) in resources, (
            f"{logical_id}: a failed asynchronous invocation is dropped"
        )
    assert subscribers >= 2  # the voice and email senders


def _queue_allows_sns(resources: dict[str, dict[str, Any]], queue: str | None, topic: str | None) -> bool:
    for spec in resources.values():
        if spec.get("Type") != "AWS::SQS::QueuePolicy":
            continue
        props = spec["Properties"]
        if queue not in {_ref_or_att(q) for q in props["Queues"]}:
            continue
        for statement in props["PolicyDocument"]["Statement"]:
            source = statement.get("Condition", {}).get("ArnEquals", {}).get("aws:SourceArn")
            if (
                statement.get("Principal", {}).get("Service") == "sns.amazonaws.com"
                and statement.get("Action") == "sqs:SendMessage"
                and _ref_or_att(source) == topic
            ):
                return True
    return False
