"""Least privilege, proved: the AWS calls each function really makes, against its IAM policy.

:class:`CallRecorder` wraps botocore's ``BaseClient._make_api_call`` (every SDK call, pynamodb's
too, ends there) and files each call under the function whose code runs on that thread
(``local.functions.current_function``), as the IAM actions the call needs. :func:`function_grants`
turns template.yaml into CloudFormation with the SAM translator, so the policy templates
(``DynamoDBCrudPolicy`` ...) expand exactly as they do on deploy, and reads each function role's
Allow statements. :func:`audit` compares the two: a call no statement allows is a failure (it would
be AccessDenied in AWS); a granted action no call used is reported, so grants can be narrowed.

Resources are not compared (ARNs here are moto's); actions are, and so is the one condition the
template uses to confine writes: ``dynamodb:LeadingKeys`` (the partition key values a call touches).
"""

from __future__ import annotations

import fnmatch
import os
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.client import BaseClient

from local.functions import current_function
from local.template import load_yaml

# A DynamoDB transaction is authorized per item, by the action of each item.
_TRANSACT_ITEM_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}
PARTITION_KEY = "pk"  # the table's hash key (template.yaml KeySchema)


@dataclass(frozen=True)
class Need:
    """One IAM action a call needs, and the partition keys it touches (DynamoDB item calls)."""

    action: str  # "dynamodb:PutItem"
    leading_keys: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.action + (f" on {', '.join(self.leading_keys)}" if self.leading_keys else "")


def needs_of(service_prefix: str, operation: str, params: dict[str, Any]) -> list[Need]:
    """The IAM actions (and DynamoDB partition keys) one SDK call needs."""
    if service_prefix == "dynamodb" and operation in ("TransactWriteItems", "TransactGetItems"):
        needs = []
        for item in params.get("TransactItems", []):
            for kind, body in item.items():
                needs.append(Need(f"dynamodb:{_TRANSACT_ITEM_ACTIONS[kind]}", _keys_of(body)))
        return needs
    if service_prefix == "dynamodb":
        return [Need(f"dynamodb:{operation}", _keys_of(params))]
    return [Need(f"{service_prefix}:{operation}")]


def _keys_of(params: dict[str, Any]) -> tuple[str, ...]:
    """Partition key values of an item call; () when the call names none (Query, Scan)."""
    for where in ("Key", "Item"):
        value = (params.get(where) or {}).get(PARTITION_KEY)
        if isinstance(value, dict) and "S" in value:
            return (str(value["S"]),)
    return ()


def _forget_shared_caches() -> None:
    """Locally every function shares the layer's module-level caches (the hash key, the policy):
    a function would reuse what another fetched and its own call would go unrecorded. In AWS each
    function has its own containers, so while recording, every invocation starts with them empty."""
    from securityinfo import runtime
    from securityinfo.policy import model

    model.forget_cached_policy()
    if runtime.deps.cache_info().currsize:
        runtime.deps()._hasher = None


class CallRecorder:
    """Records, per function logical id, the IAM needs of every AWS call that function's code makes."""

    def __init__(self) -> None:
        self.needs: dict[str, set[Need]] = defaultdict(set)
        self._lock = threading.Lock()
        self._original: Any = None
        self._original_invoke: Any = None

    def install(self) -> None:
        from local.functions import FunctionPool

        original_invoke = FunctionPool.invoke

        def invoke(self: FunctionPool, event: Any) -> Any:
            _forget_shared_caches()
            return original_invoke(self, event)

        self._original_invoke = original_invoke
        FunctionPool.invoke = invoke  # type: ignore[method-assign]
        original = BaseClient._make_api_call
        recorder = self

        def recorded(client: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
            function = current_function()
            if function is not None:
                prefix = client.meta.service_model.signing_name
                with recorder._lock:
                    recorder.needs[function].update(needs_of(prefix, operation_name, api_params))
            return original(client, operation_name, api_params)

        self._original = original
        BaseClient._make_api_call = recorded  # type: ignore[method-assign]

    def uninstall(self) -> None:
        from local.functions import FunctionPool

        if self._original is not None:
            BaseClient._make_api_call = self._original  # type: ignore[method-assign]
            FunctionPool.invoke = self._original_invoke  # type: ignore[method-assign]
            self._original = None


# --- the template's grants ----------------------------------------------------------------------


@dataclass
class Grant:
    """One Allow statement of a function's role."""

    actions: tuple[str, ...]
    leading_keys: tuple[str, ...] | None = None  # patterns of a dynamodb:LeadingKeys condition

    def allows(self, need: Need) -> bool:
        if not any(fnmatch.fnmatchcase(need.action.lower(), a.lower()) for a in self.actions):
            return False
        if self.leading_keys is None:
            return True
        # ForAllValues: every key the call touches must match; a call with no key is denied.
        return bool(need.leading_keys) and all(
            any(fnmatch.fnmatchcase(key, pattern) for pattern in self.leading_keys)
            for key in need.leading_keys
        )


@dataclass
class FunctionPolicy:
    grants: list[Grant] = field(default_factory=list)

    def allows(self, need: Need) -> bool:
        return any(g.allows(need) for g in self.grants)

    def actions(self) -> set[str]:
        return {a for g in self.grants for a in g.actions}


def translated_template(template_path: Path, parameters: dict[str, str]) -> dict[str, Any]:
    """template.yaml as CloudFormation, through the same SAM translator ``sam deploy`` uses."""
    from samtranslator.translator.transform import transform  # type: ignore[import-untyped]

    body = load_yaml(template_path.read_text(encoding="utf-8"))
    for resource in body["Resources"].values():
        props = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri", "DefinitionUri"):
            if isinstance(props.get(key), str):  # local folders: the translator wants S3 URIs
                props[key] = "s3://bucket/key"

    class _NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return dict(transform(body, parameters, _NoManagedPolicies()))


def function_grants(template_path: Path, parameters: dict[str, str]) -> dict[str, FunctionPolicy]:
    """Each function's Allow statements (inline policies of its SAM-made role), by logical id."""
    cfn = translated_template(template_path, parameters)
    conditions = _ConditionEvaluator(cfn, parameters)
    resources = cfn["Resources"]
    policies: dict[str, FunctionPolicy] = {}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        role = resources.get(f"{logical_id}Role")
        if role is None:
            continue
        policy = FunctionPolicy()
        for inline in conditions.strip(role["Properties"].get("Policies", [])):
            for statement in _as_list(inline["PolicyDocument"]["Statement"]):
                if statement.get("Effect") != "Allow":
                    continue
                keys = (
                    statement.get("Condition", {})
                    .get("ForAllValues:StringLike", {})
                    .get("dynamodb:LeadingKeys")
                )
                policy.grants.append(
                    Grant(
                        actions=tuple(_as_list(statement["Action"])),
                        leading_keys=None if keys is None else tuple(_as_list(keys)),
                    )
                )
        policies[logical_id] = policy
    return policies


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class _ConditionEvaluator:
    """Evaluates the template's Conditions on the given parameters (defaults otherwise) and strips
    the branches of ``Fn::If`` not taken, so a grant behind a false condition does not count."""

    def __init__(self, cfn: dict[str, Any], parameters: dict[str, str]) -> None:
        self._params = {k: str(v.get("Default", "")) for k, v in cfn.get("Parameters", {}).items()}
        self._params.update(parameters)
        self._conditions = cfn.get("Conditions", {})

    def value(self, node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref":
                return self._params.get(arg, arg)
            if key == "Condition":
                return self.truth(arg)
        return node

    def truth(self, name: str) -> bool:
        return self._eval(self._conditions[name])

    def _eval(self, node: Any) -> bool:
        ((key, arg),) = node.items()
        if key == "Fn::Equals":
            return str(self.value(arg[0])) == str(self.value(arg[1]))
        if key == "Fn::Not":
            return not self._eval(arg[0])
        if key == "Fn::And":
            return all(self._eval(a) for a in arg)
        if key == "Fn::Or":
            return any(self._eval(a) for a in arg)
        if key == "Condition":
            return self.truth(arg)
        raise ValueError(f"condition form {key} not handled")

    def strip(self, node: Any) -> Any:
        if isinstance(node, list):
            kept = [self.strip(n) for n in node]
            return [n for n in kept if n != {"Ref": "AWS::NoValue"}]
        if isinstance(node, dict):
            if set(node) == {"Fn::If"}:
                name, yes, no = node["Fn::If"]
                return self.strip(yes if self.truth(name) else no)
            return {k: self.strip(v) for k, v in node.items()}
        return node


# --- the comparison -----------------------------------------------------------------------------


@dataclass
class Audit:
    denied: dict[str, list[Need]]  # function -> calls its policy does not allow
    unused: dict[str, list[str]]  # function -> granted actions no recorded call used
    unrecorded: list[str]  # functions the run never invoked
    key_prefixes: dict[str, list[str]] = field(default_factory=dict)  # function -> partitions touched

    def report(self) -> str:
        lines = ["# IAM grants against the AWS calls the tests made", ""]
        lines.append("## DynamoDB partitions each function's item calls touched (key prefixes)")
        lines += [f"- {fn}: {', '.join(p)}" for fn, p in sorted(self.key_prefixes.items())] or ["- none"]
        lines.append("")
        sections: list[tuple[str, dict[str, list[str]]]] = [
            (
                "Calls not granted (AccessDenied in AWS)",
                {f: [str(n) for n in v] for f, v in self.denied.items()},
            ),
            ("Granted actions never used", self.unused),
        ]
        for title, rows in sections:
            lines.append(f"## {title}")
            lines += [f"- {fn}: {', '.join(items)}" for fn, items in sorted(rows.items())] or ["- none"]
            lines.append("")
        lines.append("## Functions not invoked by this run")
        lines += [f"- {fn}" for fn in self.unrecorded] or ["- none"]
        return "\n".join(lines) + "\n"


def audit(recorded: dict[str, set[Need]], policies: dict[str, FunctionPolicy]) -> Audit:
    denied: dict[str, list[Need]] = {}
    unused: dict[str, list[str]] = {}
    for function, policy in policies.items():
        needs = recorded.get(function, set())
        bad = sorted((n for n in needs if not policy.allows(n)), key=str)
        if bad:
            denied[function] = bad
        if needs:
            used = {n.action.lower() for n in needs}
            idle = sorted(
                a for a in policy.actions() if not any(fnmatch.fnmatchcase(u, a.lower()) for u in used)
            )
            if idle:
                unused[function] = idle
    for function in set(recorded) - set(policies):
        denied[function] = sorted(recorded[function], key=str)  # a function without a role
    unrecorded = sorted(set(policies) - set(recorded))
    prefixes = {
        fn: sorted(
            {key.split("#", 1)[0] + ("#" if "#" in key else "") for n in needs for key in n.leading_keys}
        )
        for fn, needs in recorded.items()
    }
    return Audit(denied, unused, unrecorded, {fn: p for fn, p in prefixes.items() if p})


def denied_text(denied: dict[str, list[Need]]) -> Iterable[str]:
    for function, needs in sorted(denied.items()):
        for need in needs:
            yield f"{function}: {need}"
