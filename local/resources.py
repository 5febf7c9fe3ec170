"""Create the template's resources in the emulator and record what ``Ref``/``GetAtt`` give.

Only what the service touches at run time is created: tables, keys, buses, topics, queues, rules,
secrets, the state machine. IAM, log groups, alarms, archives and layers have no local meaning;
they get stand-in values so that templates referring to them still resolve.

Wiring that moto cannot do itself is returned as data for the runtime to act on: a queue polled
into an in-process function (Lambda's event source mapping), a topic subscription delivered to an
in-process function.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from local.emulator import Emulator
from local.template import (
    ACCOUNT_ID,
    REGION,
    STACK_NAME,
    Resolver,
    ResourceValues,
    Template,
    TemplateError,
    creation_order,
    merged_globals,
)

log = logging.getLogger("local.resources")

FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
STATE_MACHINE_TYPES = ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine")
# CloudFormation has no SNS platform application type; the template makes one with a custom resource
# (its provider function holds the push credential). Locally it is created directly in the emulator.
PLATFORM_APPLICATION_TYPE = "Custom::SnsPlatformApplication"
CREATED_TYPES = (
    "AWS::DynamoDB::Table",
    "AWS::KMS::Key",
    "AWS::KMS::Alias",
    "AWS::Events::EventBus",
    "AWS::SNS::Topic",
    "AWS::SNS::Subscription",
    "AWS::SQS::Queue",
    "AWS::Events::Rule",
    "AWS::SecretsManager::Secret",
    PLATFORM_APPLICATION_TYPE,
    *STATE_MACHINE_TYPES,
)
LOCAL_ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/{STACK_NAME}-local"

# moto's EventBridge hands a target a trimmed event (no "account"). A target that wants the whole
# event gets this transformer, which rebuilds the envelope EventBridge really delivers.
FULL_EVENT_TRANSFORMER: dict[str, Any] = {
    "InputPathsMap": {
        key: f"$.{key}"
        for key in ("id", "detail-type", "source", "account", "time", "region", "resources", "detail")
    },
    "InputTemplate": (
        '{"version": "0", "id": "<id>", "detail-type": "<detail-type>", "source": "<source>", '
        '"account": "<account>", "time": <time>, "region": "<region>", "resources": <resources>, '
        '"detail": <detail>}'
    ),
}


@dataclass(frozen=True)
class QueueConsumer:
    """An SQS queue polled into an in-process function, as Lambda's event source mapping would."""

    queue_url: str
    queue_arn: str
    function: str  # logical id
    batch_size: int = 10
    report_batch_item_failures: bool = False
    # "sqs": the function gets {"Records": [...]}; "eventbridge": a rule targeting the function
    # directly, so the function gets the EventBridge event itself (the queue is a local detail).
    kind: str = "sqs"


@dataclass(frozen=True)
class TopicConsumer:
    """An SNS subscription of an in-process function (``Type: SNS`` event or a lambda protocol)."""

    topic_arn: str
    function: str
    filter_policy: dict[str, Any] | None = None
    filter_policy_scope: str = "MessageAttributes"


@dataclass(frozen=True)
class StreamConsumer:
    """A DynamoDB stream read into an in-process function, as Lambda's event source mapping would:
    the template's filter, batch size, partial batch responses, bisecting, retries and on-failure
    queue."""

    stream_arn: str
    function: str  # logical id
    batch_size: int = 100
    filters: tuple[str, ...] = ()  # event patterns (JSON); a record matching any is delivered
    report_batch_item_failures: bool = False
    bisect_on_error: bool = False
    maximum_retry_attempts: int = -1  # -1: until the records expire, as in AWS
    on_failure_queue_url: str | None = None
    starting_position: str = "LATEST"


@dataclass
class Created:
    """The outcome of creating the template's resources."""

    queue_consumers: list[QueueConsumer] = field(default_factory=list)
    topic_consumers: list[TopicConsumer] = field(default_factory=list)
    stream_consumers: list[StreamConsumer] = field(default_factory=list)
    function_names: dict[str, str] = field(default_factory=dict)  # logical id -> function name
    queue_urls: dict[str, str] = field(default_factory=dict)  # queue ARN -> URL
    skipped: dict[str, str] = field(default_factory=dict)  # logical id -> type


def physical_name(logical_id: str, explicit: Any = None, suffix: str = "") -> str:
    """The name CloudFormation would choose, minus its random tail (every local run is fresh)."""
    if explicit:
        return str(explicit)
    return f"{STACK_NAME}-{logical_id}{suffix}"


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"


class ResourceBuilder:
    """Creates resources in dependency order and fills the resolver's values as it goes."""

    def __init__(self, template: Template, resolver: Resolver, emulator: Emulator, api_url: str) -> None:
        self.template = template
        self.resolver = resolver
        self.emulator = emulator
        self.api_url = api_url
        self.created = Created()
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.emulator.client(service)
        return self._clients[service]

    # -- driver -----------------------------------------------------------------------------

    def create_all(self) -> Created:
        resources = {
            logical_id: spec
            for logical_id, spec in self.template.resources.items()
            if self.resolver.is_enabled(spec)
        }
        to_create: dict[str, dict[str, Any]] = {}
        # Names first: functions, APIs and stand-ins need nothing created, and registering them
        # up front lets a rule or state machine refer to a function without a dependency cycle.
        for logical_id, spec in resources.items():
            rtype = spec.get("Type", "")
            if rtype in FUNCTION_TYPES:
                self._register_function(logical_id, spec)
            elif rtype in CREATED_TYPES:
                to_create[logical_id] = spec
            elif rtype == "AWS::Serverless::HttpApi":
                self.resolver.values[logical_id] = ResourceValues(
                    ref="localapi",
                    attributes={"ApiEndpoint": self.api_url, "ApiId": "localapi"},
                )
            else:
                self.created.skipped[logical_id] = rtype
                self.resolver.values[logical_id] = ResourceValues(
                    ref=physical_name(logical_id), stand_in=True
                )
        for logical_id in creation_order(to_create):
            spec = to_create[logical_id]
            try:
                self._create(logical_id, spec)
            except TemplateError:
                raise
            except Exception as exc:
                raise TemplateError(f"creating {logical_id} ({spec['Type']}): {exc}") from exc
        # Function event sources last: they refer to queues, topics and buses created above.
        for logical_id, spec in resources.items():
            if spec.get("Type") in FUNCTION_TYPES:
                self._wire_function_events(logical_id, spec)
        if self.created.skipped:
            log.debug("not created locally: %s", ", ".join(sorted(self.created.skipped)))
        return self.created

    def _create(self, logical_id: str, spec: dict[str, Any]) -> None:
        rtype = spec["Type"]
        props = self.resolver.resolve(spec.get("Properties") or {})
        method = {
            "AWS::DynamoDB::Table": self._table,
            "AWS::KMS::Key": self._kms_key,
            "AWS::KMS::Alias": self._kms_alias,
            "AWS::Events::EventBus": self._event_bus,
            "AWS::SNS::Topic": self._topic,
            "AWS::SNS::Subscription": self._subscription,
            "AWS::SQS::Queue": self._queue,
            "AWS::Events::Rule": self._rule,
            "AWS::SecretsManager::Secret": self._secret,
            PLATFORM_APPLICATION_TYPE: self._platform_application,
        }.get(rtype, self._state_machine)
        self.resolver.values[logical_id] = method(logical_id, props)

    # -- one method per resource type -------------------------------------------------------

    def _register_function(self, logical_id: str, spec: dict[str, Any]) -> None:
        props = spec.get("Properties") or {}
        name = physical_name(logical_id, self.resolver.resolve(props.get("FunctionName")))
        self.created.function_names[logical_id] = name
        arn = function_arn(name)
        self.resolver.values[logical_id] = ResourceValues(ref=name, attributes={"Arn": arn})

    def _table(self, logical_id: str, props: dict[str, Any]) -> ResourceValues:
        name = physical_name(logical_id, props.get("TableName"))
        kwargs: dict[str, Any] = {
            "TableName": name,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props.get("BillingMode", "PROVISIONED"),
        }
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes", "ProvisionedThroughput"):
            if props.get(key):
                kwargs[key] = props[key]
        stream = props.get("StreamSpecification")
        if stream:
            kwargs["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": stream["StreamViewType"],
            }
        ddb = self.client("dynamodb")
        table = ddb.create_table(**kwargs)["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            # moto records TTL but never deletes expired items: the code must filter on expiry
            # itself anyway (DynamoDB deletes within days, not at the second).
            ddb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )
        return ResourceValues(
            ref=name,
            attributes={"Arn": table["TableArn"], "StreamArn": table.get("LatestStreamArn", "")},
        )

    def _kms_key(self, logical_id: str, props: dict[str, Any]) -> ResourceValues:
        # The key policy is left out on purpose: moto enforces a valid policy against the fake
        # caller, and IAM is not what the local run is for.
        key = self.client("kms").create_key(
            Description=props.get("Description", logical_id),
            KeyUsage=props.get("KeyUsage", "ENCRYPT_DECRYPT"),
            KeySpec=props.get("KeySpec", "SYMMETRIC_DEFAULT"),
        )["KeyMetadata"]
        return ResourceValues(ref=key["KeyId"], attributes={"Arn": key["Arn"], "KeyId": key["KeyId"]})

    def _kms_alias(self, logical_id: str, props: dict[str, Any]) -> ResourceValues:
        self.client("kms").create_alias(AliasName=props["AliasName"], TargetKeyId=props["TargetKeyId"])
        return ResourceValues(ref=props["AliasName"])

    def _event_bus(self, logical_id: str, props: dict[str, Any]) -> ResourceValues:
        name = physical_name(logical_id, props.get("Name"))
        arn = self.client("events").create_event_bus(Name=name)["EventBusArn"]
        return ResourceValues(ref=name, attributes={"Arn": arn, "Name": name})

    def _topic(self, logical_id: str, props: dict[str, Any]) -> ResourceValues:
        fifo = str(props.get("FifoTopic", "")).lower() == "true"
        name = physical_name(logical_id, props.get("TopicName"), ".fifo" if fifo else "")
        attributes: dict[str, str] = {}
        if fifo:
            attributes["FifoTopic"] = "true"
            if props.get("ContentBasedDeduplication") is not None:
                attributes["ContentBasedDeduplication"] = _flag(props["ContentBasedDeduplication"])
        if props.get("DisplayName"):
            attributes["DisplayName"] = str(props["DisplayName"])
        sns = self.client("sns")
        arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
        for sub in props.get("Subscription") or []:
            self._subscribe(logical_id, arn, sub["Protocol"], sub["Endpoint"], {})
        return ResourceValues(ref=arn, attributes={"TopicArn": arn, "TopicName": name})

    def _subscription(self, logical_id: str, props: dict[str, Any]) -> ResourceValues:
        arn = self._subscribe(logical_id, props["TopicArn"], props["Protocol"], props["Endpoint"], props)
        return ResourceValues(ref=arn, attributes={"Arn": arn})

    def _subscribe(
        self, logical_id: str, topic_arn: str, protocol: str, endpoint: str, props: dict[str, Any]
    ) -> str:
        function = self._function_for_arn(endpoint) if protocol == "lambda" else None
        if function is not None:
            # moto would try to run the function in its own Lambda; deliver in-process instead.
            self.created.topic_consumers.append(
                TopicConsumer(
                    topic_arn=topic_arn,
                    function=function,
                    filter_policy=_json_obj(props.get("FilterPolicy")),
                    filter_policy_scope=props.get("FilterPolicyScope", "MessageAttributes"),
                )
            )
            return f"{topic_arn}:{logical_id}-local"
        attributes: dict[str, str] = {}
        if props.get("FilterPolicy"):
            attributes["FilterPolicy"] = _json_text(props["FilterPolicy"])
        if props.get("FilterPolicyScope"):
            attributes["FilterPolicyScope"] = str(props["FilterPolicyScope"])
        if props.get("RawMessageDelivery") is not None:
            attributes["RawMessageDelivery"] = _flag(props["RawMessageDelivery"])
        if props.get("RedrivePolicy"):
            attributes["RedrivePolicy"] = _json_text(props["RedrivePolicy"])
        sub = self.client("sns").subscribe(
            TopicArn=topic_arn,
            Protocol=protocol,
            Endpoint=endpoint,
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )
        return str(sub["SubscriptionArn"])

    def _queue(self, logical_id: str, props: dict[str, Any]) -> ResourceValues:
        fifo = str(props.get("FifoQueue", "")).lower() == "true"
        name = physical_name(logical_id, props.get("QueueName"), ".fifo" if fifo else "")
        attributes: dict[str, str] = {}
        for key in (
            "DelaySeconds",
            "MaximumMessageSize",
            "MessageRetentionPeriod",
            "ReceiveMessageWaitTimeSeconds",
            "VisibilityTimeout",
        ):
            if props.get(key) is not None:
                attributes[key] = str(props[key])
        for key in ("FifoQueue", "ContentBasedDeduplication"):
            if props.get(key) is not None:
                attributes[key] = _flag(props[key])
        for key in ("RedrivePolicy", "RedriveAllowPolicy"):
            if props.get(key):
                attributes[key] = _json_text(props[key])
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{name}"
        self.created.queue_urls[arn] = url
        return ResourceValues(ref=url, attributes={"Arn": arn, "QueueName": name, "QueueUrl": url})

    def _rule(self, logical_id: str, props: dict[str, Any]) -> ResourceValues:
        name = physical_name(logical_id, props.get("Name"))
        bus = _bus_name(props.get("EventBusName"))
        if props.get("ScheduleExpression"):
            log.info("%s: scheduled rules do not fire locally", logical_id)
        events = self.client("events")
        kwargs: dict[str, Any] = {"Name": name, "EventBusName": bus}
        if props.get("EventPattern") is not None:
            kwargs["EventPattern"] = _json_text(props["EventPattern"])
        if props.get("ScheduleExpression"):
            kwargs["ScheduleExpression"] = props["ScheduleExpression"]
        kwargs["State"] = props.get("State", "ENABLED")
        arn = events.put_rule(**kwargs)["RuleArn"]
        targets = []
        for target in props.get("Targets") or []:
            target_arn = str(target["Arn"])
            function = self._function_for_arn(target_arn)
            if function is not None:
                # moto's EventBridge delivers only to queues and logs: a function target gets
                # a local queue that is polled into it, with the event itself as the payload.
                queue = self._internal_queue(f"{logical_id}-{target['Id']}")
                self.created.queue_consumers.append(
                    QueueConsumer(
                        queue_url=queue[0], queue_arn=queue[1], function=function,
                        batch_size=1, kind="eventbridge",
                    )
                )  # fmt: skip
                target = {**_target_fields(target), "Arn": queue[1]}
            elif ":sqs:" not in target_arn:
                log.warning("%s: target %s is not delivered locally", logical_id, target_arn)
                continue
            targets.append(_target_fields(target))
        if targets:
            events.put_targets(Rule=name, EventBusName=bus, Targets=targets)
        return ResourceValues(ref=name, attributes={"Arn": arn})

    def _platform_application(self, logical_id: str, props: dict[str, Any]) -> ResourceValues:
        # moto checks no push credential; pushes to its endpoints land in the outbox (channel push).
        name = physical_name(logical_id, props.get("Name"))
        platform = str(props.get("Platform") or "GCM")
        arn = self.client("sns").create_platform_application(
            Name=name, Platform=platform, Attributes={"PlatformCredential": "local"}
        )["PlatformApplicationArn"]
        return ResourceValues(ref=arn, attributes={"Arn": arn})

    def _secret(self, logical_id: str, props: dict[str, Any]) -> ResourceValues:
        name = physical_name(logical_id, props.get("Name"))
        secrets = self.client("secretsmanager")
        value = props.get("SecretString")
        generate = props.get("GenerateSecretString")
        if value is None and generate is not None:
            value = self._generated_secret(secrets, generate)
        kwargs: dict[str, Any] = {"Name": name, "SecretString": value or ""}
        if props.get("Description"):
            kwargs["Description"] = props["Description"]
        arn = secrets.create_secret(**kwargs)["ARN"]
        return ResourceValues(ref=arn, attributes={"Id": arn})

    @staticmethod
    def _generated_secret(secrets: Any, spec: dict[str, Any]) -> str:
        options: dict[str, Any] = {"PasswordLength": int(spec.get("PasswordLength", 32))}
        for key in (
            "ExcludeLowercase",
            "ExcludeNumbers",
            "ExcludePunctuation",
            "ExcludeUppercase",
            "IncludeSpace",
            "RequireEachIncludedType",
        ):
            if key in spec:
                options[key] = str(spec[key]).lower() == "true"
        if spec.get("ExcludeCharacters"):
            options["ExcludeCharacters"] = str(spec["ExcludeCharacters"])
        password = secrets.get_random_password(**options)["RandomPassword"]
        if spec.get("SecretStringTemplate") and spec.get("GenerateStringKey"):
            body = json.loads(spec["SecretStringTemplate"])
            body[spec["GenerateStringKey"]] = password
            return json.dumps(body)
        return str(password)

    def _state_machine(self, logical_id: str, props: dict[str, Any]) -> ResourceValues:
        name = physical_name(logical_id, props.get("Name") or props.get("StateMachineName"))
        definition = self._definition(logical_id, props)
        kwargs: dict[str, Any] = {
            "name": name,
            "definition": definition,
            "roleArn": props.get("RoleArn") or LOCAL_ROLE_ARN,
        }
        kind = props.get("Type") or props.get("StateMachineType")
        if kind:
            kwargs["type"] = kind
        arn = self.client("stepfunctions").create_state_machine(**kwargs)["stateMachineArn"]
        return ResourceValues(ref=arn, attributes={"Arn": arn, "Name": name})

    def _definition(self, logical_id: str, props: dict[str, Any]) -> str:
        if props.get("DefinitionUri"):
            uri = props["DefinitionUri"]
            if not isinstance(uri, str):
                raise TemplateError(f"{logical_id}: only a local DefinitionUri file is supported")
            text = (self.template.root / uri).read_text(encoding="utf-8")
        elif props.get("Definition") is not None:
            text = json.dumps(props["Definition"])
        elif props.get("DefinitionString"):
            text = str(props["DefinitionString"])
        else:
            raise TemplateError(f"{logical_id}: no state machine definition")
        substitutions = props.get("DefinitionSubstitutions") or {}
        # SAM replaces only the ${Name}s it was given; anything else stays for the interpreter.
        for key, value in substitutions.items():
            text = text.replace("${" + str(key) + "}", str(value))
        if re.search(r"\$\{[A-Za-z0-9_]+\}", text):
            log.warning("%s: definition has unsubstituted ${...} placeholders", logical_id)
        return text

    # -- function event sources -------------------------------------------------------------

    def _wire_function_events(self, logical_id: str, spec: dict[str, Any]) -> None:
        props = merged_globals(self.template, "Function", spec.get("Properties") or {})
        for event_id, event in (props.get("Events") or {}).items():
            etype = event.get("Type")
            eprops = self.resolver.resolve(event.get("Properties") or {})
            if etype == "SQS":
                queue_arn = str(eprops["Queue"])
                if str(eprops.get("Enabled", True)).lower() == "false":
                    continue
                url = self.created.queue_urls.get(queue_arn)
                if url is None:
                    raise TemplateError(f"{logical_id}.{event_id}: queue {queue_arn} not created")
                self.created.queue_consumers.append(
                    QueueConsumer(
                        queue_url=url,
                        queue_arn=queue_arn,
                        function=logical_id,
                        batch_size=min(int(eprops.get("BatchSize", 10)), 10),
                        report_batch_item_failures="ReportBatchItemFailures"
                        in (eprops.get("FunctionResponseTypes") or []),
                    )
                )
            elif etype == "SNS":
                self.created.topic_consumers.append(
                    TopicConsumer(
                        topic_arn=str(eprops["Topic"]),
                        function=logical_id,
                        filter_policy=_json_obj(eprops.get("FilterPolicy")),
                        filter_policy_scope=eprops.get("FilterPolicyScope", "MessageAttributes"),
                    )
                )
            elif etype == "DynamoDB":
                if str(eprops.get("Enabled", True)).lower() == "false":
                    continue
                self.created.stream_consumers.append(self._stream_consumer(logical_id, event_id, eprops))
            elif etype in ("EventBridgeRule", "CloudWatchEvent"):
                self._function_rule(logical_id, event_id, eprops)
            elif etype not in ("HttpApi", None):
                log.info("%s.%s: %s events are not delivered locally", logical_id, event_id, etype)

    def _stream_consumer(self, logical_id: str, event_id: str, eprops: dict[str, Any]) -> StreamConsumer:
        stream_arn = str(eprops.get("Stream") or "")
        if not stream_arn:
            raise TemplateError(f"{logical_id}.{event_id}: the table has no stream (StreamSpecification)")
        failure_url = None
        destination = ((eprops.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        if destination:
            failure_url = self.created.queue_urls.get(str(destination))
            if failure_url is None:
                raise TemplateError(f"{logical_id}.{event_id}: on-failure queue {destination} not created")
        filters = tuple(
            _json_text(f["Pattern"]) for f in (eprops.get("FilterCriteria") or {}).get("Filters") or []
        )
        return StreamConsumer(
            stream_arn=stream_arn,
            function=logical_id,
            batch_size=int(eprops.get("BatchSize", 100)),
            filters=filters,
            report_batch_item_failures="ReportBatchItemFailures"
            in (eprops.get("FunctionResponseTypes") or []),
            bisect_on_error=str(eprops.get("BisectBatchOnFunctionError", False)).lower() == "true",
            maximum_retry_attempts=int(eprops.get("MaximumRetryAttempts", -1)),
            on_failure_queue_url=failure_url,
            starting_position=str(eprops.get("StartingPosition") or "LATEST"),
        )

    def _function_rule(self, logical_id: str, event_id: str, eprops: dict[str, Any]) -> None:
        name = physical_name(f"{logical_id}{event_id}", eprops.get("RuleName"))
        bus = _bus_name(eprops.get("EventBusName"))
        events = self.client("events")
        events.put_rule(Name=name, EventBusName=bus, EventPattern=_json_text(eprops["Pattern"]))
        url, arn = self._internal_queue(f"{logical_id}-{event_id}")
        target = _target_fields({"Id": "local", "Arn": arn, **eprops})
        events.put_targets(Rule=name, EventBusName=bus, Targets=[target])
        self.created.queue_consumers.append(
            QueueConsumer(
                queue_url=url, queue_arn=arn, function=logical_id, batch_size=1,
                kind="eventbridge",
            )
        )  # fmt: skip

    # -- helpers ----------------------------------------------------------------------------

    def _internal_queue(self, label: str) -> tuple[str, str]:
        name = f"{STACK_NAME}-local-{label}"[:80]
        url = self.client("sqs").create_queue(QueueName=name)["QueueUrl"]
        return url, f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{name}"

    def _function_for_arn(self, arn: str) -> str | None:
        """The logical id of the template function an ARN (or name) points at, if any."""
        for logical_id, name in self.created.function_names.items():
            if arn in (name, function_arn(name)) or arn.startswith(function_arn(name) + ":"):
                return logical_id
        return None


def _flag(value: Any) -> str:
    return "true" if str(value).lower() == "true" else "false"


def _json_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _json_obj(value: Any) -> dict[str, Any] | None:
    if value is None or value == "":
        return None
    return json.loads(value) if isinstance(value, str) else dict(value)


def _bus_name(value: Any) -> str:
    """A bus given by name or ARN, as CloudFormation accepts both."""
    if not value:
        return "default"
    text = str(value)
    return text.split("/", 1)[1] if text.startswith("arn:") else text


def _target_fields(target: dict[str, Any]) -> dict[str, Any]:
    keep = ("Id", "Arn", "Input", "InputPath", "InputTransformer", "SqsParameters")
    fields = {k: v for k, v in target.items() if k in keep}
    if not any(k in fields for k in ("Input", "InputPath", "InputTransformer")):
        fields["InputTransformer"] = FULL_EVENT_TRANSFORMER
    return fields
