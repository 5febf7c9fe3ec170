"""The embedded emulator's TransactWriteItems: all or nothing, without copying the whole table.

moto's own version deep-copies every table a transaction touches, stream records included, so each
transaction cost more than the one before and a long run slowed down and grew without bound. The
emulator saves only the named items; these tests check what a client sees of that: a cancelled
transaction leaves items and stream as they were, a committed one is on the stream once, and a
transaction's work does not grow with the table.
"""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError


def _client(runtime: Any, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=runtime.moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
    )


@pytest.fixture(scope="module")
def table(runtime: Any) -> tuple[Any, Any, str, str]:
    ddb, streams = _client(runtime, "dynamodb"), _client(runtime, "dynamodbstreams")
    name = f"emulator-tx-{uuid.uuid4().hex[:8]}"
    answer = ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return ddb, streams, name, answer["TableDescription"]["LatestStreamArn"]


def _records(streams: Any, arn: str) -> list[dict[str, Any]]:
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return list(streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"])


def _key(pk: str, sk: str = "A") -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


Table = tuple[Any, Any, str, str]


def test_a_cancelled_transaction_changes_nothing_and_streams_nothing(table: Table) -> None:
    ddb, streams, name, arn = table
    ddb.put_item(TableName=name, Item={**_key("kept"), "n": {"N": "1"}})
    ddb.put_item(TableName=name, Item={**_key("gone"), "n": {"N": "1"}})
    ddb.put_item(TableName=name, Item={**_key("guard"), "n": {"N": "1"}})
    before = _records(streams, arn)

    with pytest.raises(ClientError) as refused:
        ddb.transact_write_items(
            TransactItems=[
                # Written first by moto, then undone when the last condition fails.
                {"Put": {"TableName": name, "Item": {**_key("new"), "n": {"N": "9"}}}},
                {
                    "Update": {
                        "TableName": name,
                        "Key": _key("kept"),
                        "UpdateExpression": "SET n = :nine",
                        "ExpressionAttributeValues": {":nine": {"N": "9"}},
                    }
                },
                {"Delete": {"TableName": name, "Key": _key("gone")}},
                {
                    "ConditionCheck": {
                        "TableName": name,
                        "Key": _key("guard"),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"

    assert "Item" not in ddb.get_item(TableName=name, Key=_key("new"))
    assert ddb.get_item(TableName=name, Key=_key("kept"))["Item"]["n"] == {"N": "1"}
    assert ddb.get_item(TableName=name, Key=_key("gone"))["Item"]["n"] == {"N": "1"}
    assert _records(streams, arn) == before

    # The table still takes transactions, and a committed one reaches the stream once per item.
    ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": name, "Item": {**_key("new"), "n": {"N": "2"}}}},
            {"Delete": {"TableName": name, "Key": _key("gone")}},
        ]
    )
    after = _records(streams, arn)[len(before) :]
    assert [r["eventName"] for r in after] == ["INSERT", "REMOVE"]
    assert [int(r["dynamodb"]["SequenceNumber"]) for r in after] == sorted(
        int(r["dynamodb"]["SequenceNumber"]) for r in after
    )


def test_a_transaction_does_not_copy_the_table(table: Table, monkeypatch: Any) -> None:
    """The work a transaction does is counted, not timed: deep copies made while it runs."""
    import copy

    ddb, _, name, _ = table
    for i in range(200):
        ddb.put_item(TableName=name, Item={**_key(f"filler-{i}"), "n": {"N": str(i)}})

    copied: list[str] = []
    real_deepcopy = copy.deepcopy

    def counting_deepcopy(value: Any, memo: Any = None, _nil: Any = None) -> Any:
        copied.append(type(value).__name__)
        return real_deepcopy(value, memo)

    monkeypatch.setattr(copy, "deepcopy", counting_deepcopy)
    ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": name, "Item": {**_key("one"), "n": {"N": "1"}}}}]
    )
    monkeypatch.undo()
    assert len(copied) < 20, copied
