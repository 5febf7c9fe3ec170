"""Warm, in-process cost of each API operation under moto: AWS calls per request, wall time, and the
part of it spent in our own code (everything outside the AWS SDK's ``_make_api_call``; moto's own
work happens inside that call, so it is excluded along with the SDK's).

Each operation gets its own users and the state it consumes is rebuilt between iterations, outside
the timed call: a TOTP verification needs a new verification and an unused time step, so the
service clock (``SERVICE_CLOCK_OFFSET_SECONDS``) is moved forward instead of waiting.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import secrets
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml  # type: ignore[import-untyped]
from botocore.client import BaseClient

REPO = Path(__file__).resolve().parent.parent
OFFSET_ENV = "SERVICE_CLOCK_OFFSET_SECONDS"
TOTP_PERIOD = 30
CallKey = tuple[str, str]  # (service id, operation)


Units = dict[str, float]  # DynamoDB request units: {"RRU": ..., "WRU": ...}


def add_units(total: Units, more: Units) -> None:
    for kind, value in more.items():
        total[kind] = total.get(kind, 0.0) + value


def dynamodb_units(operation: str, params: dict[str, Any]) -> Units:
    """DynamoDB request units one call bills on demand, for items within 1 KB (writes) and 4 KB
    (reads): transactions bill twice per item, eventually consistent reads half. A global secondary
    index write adds its own units, which this leaves out (see bench/cost/README)."""
    read = 1.0 if params.get("ConsistentRead") else 0.5
    if operation in ("GetItem", "Query", "Scan"):
        return {"RRU": read}
    if operation == "BatchGetItem":
        return {"RRU": read * sum(len(t.get("Keys", [])) for t in params.get("RequestItems", {}).values())}
    if operation == "TransactGetItems":
        return {"RRU": 2.0 * len(params.get("TransactItems", []))}
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        return {"WRU": 1.0}
    if operation == "BatchWriteItem":
        return {"WRU": float(sum(len(items) for items in params.get("RequestItems", {}).values()))}
    if operation == "TransactWriteItems":
        return {"WRU": 2.0 * len(params.get("TransactItems", []))}
    return {}


def activity_items(operation: str, params: dict[str, Any]) -> int:
    """Activity items a DynamoDB write puts: each one an event that the table's stream carries to
    the publisher, which puts it on the bus (PutEvents bills per entry)."""
    from securityinfo.storage.models import ACTIVITY_KIND

    if operation == "PutItem":
        puts = [params]
    elif operation == "TransactWriteItems":
        puts = [i["Put"] for i in params.get("TransactItems", []) if "Put" in i]
    else:
        return 0
    return sum(1 for put in puts if put.get("Item", {}).get("kind", {}).get("S") == ACTIVITY_KIND)


class AwsMeter:
    """Counts and times every AWS SDK call of this process (boto3 and pynamodb's own client alike:
    both end in ``BaseClient._make_api_call``)."""

    def __init__(self) -> None:
        self.calls: Counter[CallKey] = Counter()
        self.units: Units = {}
        self.events = 0
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self._original: Any = None

    def install(self) -> None:
        original = BaseClient._make_api_call
        meter = self

        def metered(client: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                return original(client, operation_name, api_params)
            finally:
                meter.seconds += time.perf_counter() - start
                meter.cpu_seconds += time.thread_time() - cpu
                service = client.meta.service_model.service_id
                meter.calls[(service, operation_name)] += 1
                if service == "DynamoDB":
                    add_units(meter.units, dynamodb_units(operation_name, api_params))
                    meter.events += activity_items(operation_name, api_params)

        self._original = original
        BaseClient._make_api_call = metered  # type: ignore[method-assign]

    def uninstall(self) -> None:
        if self._original is not None:
            BaseClient._make_api_call = self._original  # type: ignore[method-assign]

    def reset(self) -> None:
        self.calls = Counter()
        self.units = {}
        self.events = 0
        self.seconds = 0.0
        self.cpu_seconds = 0.0


@dataclass
class Sample:
    total_ms: float
    own_ms: float
    # CPU time of our code (this thread, outside SDK calls): what other processes on a busy machine
    # do not inflate, unlike own_ms.
    own_cpu_ms: float
    calls: Counter[CallKey]
    units: Units = field(default_factory=dict)
    events: int = 0  # activity items written: events the stream's publisher puts on the bus


@dataclass
class OperationResult:
    name: str
    samples: list[Sample]

    def total(self, q: float) -> float:
        return percentile([s.total_ms for s in self.samples], q)

    def own(self, q: float) -> float:
        return percentile([s.own_ms for s in self.samples], q)

    def own_cpu(self, q: float) -> float:
        return percentile([s.own_cpu_ms for s in self.samples], q)

    def typical_calls(self) -> Counter[CallKey]:
        """The call profile most iterations had."""
        shapes = Counter(tuple(sorted(s.calls.items())) for s in self.samples)
        return Counter(dict(shapes.most_common(1)[0][0]))

    def typical_units(self) -> Units:
        """The DynamoDB request units of a request with the typical call profile."""
        typical = self.typical_calls()
        return next((s.units for s in self.samples if s.calls == typical), {})

    def typical_events(self) -> int:
        """The events a request with the typical call profile wrote."""
        typical = self.typical_calls()
        return next((s.events for s in self.samples if s.calls == typical), 0)

    def odd_iterations(self) -> list[tuple[int, Counter[CallKey]]]:
        """Iterations whose calls differ from the typical profile (e.g. a policy cache refresh)."""
        typical = self.typical_calls()
        return [(i, s.calls) for i, s in enumerate(self.samples) if s.calls != typical]


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if q < 100 else max(values)


# --- the service in-process --------------------------------------------------------------------


class _LambdaContext:
    function_name = "bench"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "bench"


class _CfnLoader(yaml.SafeLoader):
    """Reads template.yaml; CloudFormation's short tags (!Ref, !Sub ...) become None."""


_CfnLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def table_definition() -> dict[str, Any]:
    """Keys and indexes of the template's table, so the bench table cannot drift from it."""
    template = yaml.load((REPO / "template.yaml").read_text(), Loader=_CfnLoader)  # noqa: S506
    tables = [r for r in template["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"]
    props = tables[0]["Properties"]
    return {
        k: props[k] for k in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes") if k in props
    }


class Service:
    """The functions of functions/*, invoked with API Gateway HTTP API (v2) events."""

    def __init__(self, meter: AwsMeter) -> None:
        self.meter = meter
        self._modules: dict[str, ModuleType] = {}

    def module(self, function: str) -> ModuleType:
        if function not in self._modules:
            path = REPO / "functions" / function / "app.py"
            spec = importlib.util.spec_from_file_location(f"bench_fn_{function}", path)
            if spec is None or spec.loader is None:
                raise RuntimeError(f"cannot load {path}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            self._modules[function] = module
        return self._modules[function]

    def call(
        self,
        function: str,
        route: str,
        user: str | None,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        authorizer: dict[str, Any] | None = None,
        expect: int = 200,
        sample: list[Sample] | None = None,
    ) -> Any:
        """One request as ``user`` (or with the given ``authorizer`` context); appended to ``sample``
        (timed and metered) when given."""
        if authorizer is None:
            authorizer = {"jwt": {"claims": {"sub": user, "preferred_username": f"{user}@contoso.com"}}}
        method, path = route.split(" ", 1)
        raw_path = path
        for name, value in (params or {}).items():
            raw_path = raw_path.replace("{" + name + "}", value)
        event = {
            "version": "2.0",
            "routeKey": route,
            "rawPath": raw_path,
            "rawQueryString": "",
            "headers": {"content-type": "application/json", "user-agent": "bench", **(headers or {})},
            "pathParameters": params or {},
            "body": None if body is None else json.dumps(body),
            "isBase64Encoded": False,
            "requestContext": {
                "http": {"method": method, "path": raw_path, "sourceIp": "203.0.113.9", "userAgent": "bench"},
                "requestId": str(uuid.uuid4()),
                "routeKey": route,
                "stage": "$default",
                "authorizer": authorizer,
            },
        }
        response = self.invoke(function, event, sample)
        if response["statusCode"] != expect:
            raise RuntimeError(f"{route} answered {response['statusCode']}: {response.get('body')}")
        return json.loads(response["body"]) if response.get("body") else None

    def invoke(self, function: str, event: dict[str, Any], sample: list[Sample] | None = None) -> Any:
        """The function's handler with ``event``; appended to ``sample`` (timed and metered) when given."""
        handler = self.module(function).lambda_handler
        self.meter.reset()
        start, cpu = time.perf_counter(), time.thread_time()
        response = handler(event, _LambdaContext())
        total, total_cpu = time.perf_counter() - start, time.thread_time() - cpu
        if sample is not None:
            own, own_cpu = total - self.meter.seconds, total_cpu - self.meter.cpu_seconds
            sample.append(
                Sample(
                    total * 1000,
                    own * 1000,
                    own_cpu * 1000,
                    self.meter.calls,
                    self.meter.units,
                    self.meter.events,
                )
            )
        return response


@dataclass
class Person:
    """A user of the bench, with what their authenticator app knows."""

    user_id: str
    secrets: dict[str, str] = field(default_factory=dict)  # method id -> TOTP secret
    last_step: dict[str, int] = field(default_factory=dict)
    step_up: dict[str, str] = field(default_factory=dict)  # the X-Step-Up-Token header, once earned

    @property
    def first_method(self) -> str:
        return next(iter(self.secrets))


def service_now() -> float:
    return time.time() + float(os.environ.get(OFFSET_ENV) or 0)


def next_code(person: Person, method_id: str, secret: str | None = None) -> str:
    """A code for a time step this method has not used yet; moves the service clock if needed."""
    from securityinfo.methods import totp

    secret = secret or person.secrets[method_id]
    current = totp.step_at(service_now())
    step = max(current - 1, person.last_step.get(method_id, -1) + 1)
    if step > current + 1:
        offset = float(os.environ.get(OFFSET_ENV) or 0) + (step - current - 1) * TOTP_PERIOD + 1
        os.environ[OFFSET_ENV] = repr(offset)
    person.last_step[method_id] = step
    return totp.code_for_step(secret, step)


class Scenario:
    """Users in known states, built through the API itself (never timed)."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def person(self) -> Person:
        return Person(f"bench-{secrets.token_hex(6)}")

    def add_totp(self, person: Person, sample: list[Sample] | None = None) -> str:
        begun = self.service.call(
            "register_method",
            "POST /me/methods",
            person.user_id,
            body={"type": "softwareOath", "displayName": "Authenticator"},
            headers=person.step_up,
            expect=201,
        )
        # The method id is known only once saved: key the step by registration meanwhile.
        rid = begun["registrationId"]
        code = next_code(person, rid, begun["secret"])
        done = self.service.call(
            "complete_registration",
            "POST /me/methods/registrations/{registrationId}",
            person.user_id,
            params={"registrationId": rid},
            body={"code": code},
            expect=201,
            sample=sample,
        )
        method_id = done["method"]["id"]
        person.secrets[method_id] = begun["secret"]
        person.last_step[method_id] = person.last_step.pop(rid)
        return str(method_id)

    def start(
        self, person: Person, purpose: str, sample: list[Sample] | None = None, method_id: str | None = None
    ) -> str:
        """A new verification (of ``method_id``, else of the default method)."""
        body = {"purpose": purpose} if method_id is None else {"purpose": purpose, "methodId": method_id}
        started = self.service.call(
            "start_verification",
            "POST /me/verifications",
            person.user_id,
            body=body,
            headers={"idempotency-key": str(uuid.uuid4())},
            expect=201,
            sample=sample,
        )
        return str(started["verificationId"])

    def verify(self, person: Person, purpose: str, sample: list[Sample] | None = None) -> dict[str, Any]:
        vid = self.start(person, purpose)
        method_id = vid.partition(".")[0]
        answer: dict[str, Any] = self.service.call(
            "complete_verification",
            "POST /me/verifications/{verificationId}",
            person.user_id,
            params={"verificationId": vid},
            body={"code": next_code(person, method_id)},
            sample=sample,
        )
        return answer

    def stepped_up(self, person: Person) -> None:
        person.step_up = {"x-step-up-token": self.verify(person, "stepUp")["stepUpToken"]}

    def enrolled(self, methods: int = 1) -> Person:
        person = self.person()
        for _ in range(methods):
            self.add_totp(person)
            if not person.step_up:
                self.stepped_up(person)
        return person


# --- the operations ----------------------------------------------------------------------------


@dataclass
class Budget:
    """Up to ``iterations`` requests, but stop once ``seconds`` have passed (setup included) and at
    least ``minimum`` were measured, so a busy machine still finishes in time."""

    iterations: int
    seconds: float
    minimum: int = 10
    _deadline: float = 0.0

    def rounds(self) -> Iterator[int]:
        self._deadline = time.perf_counter() + self.seconds
        for i in range(self.iterations):
            if i >= self.minimum and time.perf_counter() > self._deadline:
                return
            yield i


Operation = Callable[[Scenario, Budget], list[Sample]]


def op_read(sc: Scenario, budget: Budget) -> list[Sample]:
    person = sc.enrolled(methods=2)
    out: list[Sample] = []
    for _ in budget.rounds():
        sc.service.call("get_security_info", "GET /me/security-info", person.user_id, sample=out)
    return out


def op_register(sc: Scenario, budget: Budget) -> list[Sample]:
    person = sc.enrolled()
    out: list[Sample] = []
    for _ in budget.rounds():
        sc.service.call(
            "register_method",
            "POST /me/methods",
            person.user_id,
            body={"type": "softwareOath", "displayName": "Another app"},
            headers={**person.step_up, "idempotency-key": str(uuid.uuid4())},
            expect=201,
            sample=out,
        )
    return out


def op_complete_registration(sc: Scenario, budget: Budget) -> list[Sample]:
    # A user's first method (it also becomes the default): the sign-in prompt's bootstrap.
    out: list[Sample] = []
    for _ in budget.rounds():
        sc.add_totp(sc.person(), sample=out)
    return out


def op_start_verification(sc: Scenario, budget: Budget) -> list[Sample]:
    person = sc.enrolled()
    out: list[Sample] = []
    for _ in budget.rounds():
        sc.start(person, "mfa", sample=out)
    return out


def op_complete_verification(sc: Scenario, budget: Budget) -> list[Sample]:
    person = sc.enrolled()
    out: list[Sample] = []
    for _ in budget.rounds():
        sc.verify(person, "mfa", sample=out)
    return out


def op_rename(sc: Scenario, budget: Budget) -> list[Sample]:
    person = sc.enrolled()
    out: list[Sample] = []
    for i in budget.rounds():
        sc.service.call(
            "update_method",
            "PATCH /me/methods/{methodId}",
            person.user_id,
            params={"methodId": person.first_method},
            body={"displayName": f"Phone {i}"},
            headers=person.step_up,
            sample=out,
        )
    return out


def op_set_default(sc: Scenario, budget: Budget) -> list[Sample]:
    person = sc.enrolled(methods=2)
    ids = list(person.secrets)
    out: list[Sample] = []
    for i in budget.rounds():
        sc.service.call(
            "set_default_method",
            "PUT /me/default-method",
            person.user_id,
            body={"methodId": ids[(i + 1) % 2]},  # the first method is the default already
            headers=person.step_up,
            sample=out,
        )
    return out


def op_delete(sc: Scenario, budget: Budget) -> list[Sample]:
    person = sc.enrolled()
    out: list[Sample] = []
    for _ in budget.rounds():
        method_id = sc.add_totp(person)
        sc.service.call(
            "delete_method",
            "DELETE /me/methods/{methodId}",
            person.user_id,
            params={"methodId": method_id},
            headers=person.step_up,
            expect=204,
            sample=out,
        )
        del person.secrets[method_id]
    return out


OPERATIONS: list[tuple[str, Operation]] = [
    ("GET /me/security-info", op_read),
    ("POST /me/methods (softwareOath, Idempotency-Key)", op_register),
    ("POST /me/methods/registrations/{id} (first method)", op_complete_registration),
    ("POST /me/verifications (mfa, Idempotency-Key)", op_start_verification),
    ("POST /me/verifications/{id} (TOTP, mfa)", op_complete_verification),
    ("PATCH /me/methods/{id} (rename)", op_rename),
    ("PUT /me/default-method", op_set_default),
    ("DELETE /me/methods/{id}", op_delete),
]


@contextmanager
def emulated_aws() -> Iterator[AwsMeter]:
    """moto in-process with the template's table, a KMS key, the bus and the hash-key secret, and
    the environment the template's Globals give every function."""
    import boto3
    from moto import mock_aws

    saved = dict(os.environ)
    for key in [k for k in os.environ if k.startswith(("AWS_ENDPOINT", "AWS_PROFILE"))]:
        del os.environ[key]
    os.environ.update(
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - moto's fake credentials
        TABLE_NAME="security-info-bench",
        EVENT_BUS_NAME="security-info-bench",
        ADMIN_GROUP="admins",
        TOTP_ISSUER="Security Info",
        POWERTOOLS_SERVICE_NAME="security-info",
        POWERTOOLS_LOG_LEVEL="INFO",
        **{OFFSET_ENV: "0"},
    )
    meter = AwsMeter()
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName=os.environ["TABLE_NAME"], BillingMode="PAY_PER_REQUEST", **table_definition()
        )
        os.environ["SECRETS_KEY_ID"] = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
        boto3.client("events").create_event_bus(Name=os.environ["EVENT_BUS_NAME"])
        os.environ["HASH_KEY_SECRET_ARN"] = boto3.client("secretsmanager").create_secret(
            Name="security-info-bench-hash-key", SecretString=secrets.token_hex(32)
        )["ARN"]
        topic = boto3.client("sns").create_topic(Name="security-info-bench-delivery")
        os.environ["DELIVERY_TOPIC_ARN"] = topic["TopicArn"]
        meter.install()
        try:
            with _logs_discarded():
                yield meter
        finally:
            meter.uninstall()
            os.environ.clear()
            os.environ.update(saved)


@contextmanager
def _logs_discarded() -> Iterator[None]:
    """The functions log at INFO as in AWS (formatting is part of their cost), but the lines go
    nowhere: the bench's output is its tables."""
    from securityinfo.kernel.logs import logger

    handler = logger.registered_handler
    if not isinstance(handler, logging.StreamHandler):
        yield
        return
    with open(os.devnull, "w") as devnull:
        previous = handler.setStream(devnull)
        try:
            yield
        finally:
            handler.setStream(previous)


def run(iterations: int, seconds: float, progress: Callable[[str], None]) -> list[OperationResult]:
    """Every operation, ``iterations`` requests each or as many as fit in ``seconds``."""
    results: list[OperationResult] = []
    with emulated_aws() as meter:
        service = Service(meter)
        scenario = Scenario(service)
        # Warm-up: load every function, build the clients and fill the policy cache.
        for _, operation in OPERATIONS:
            operation(scenario, Budget(1, 0.0, minimum=1))
        for name, operation in OPERATIONS:
            progress(name)
            results.append(OperationResult(name, operation(scenario, Budget(iterations, seconds))))
    return results
