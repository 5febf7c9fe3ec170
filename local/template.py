"""Load ``template.yaml`` and evaluate CloudFormation intrinsics against local resources.

The loader turns the short tags (``!Ref``, ``!GetAtt``, ``!Sub`` ...) into their long JSON forms so
that everything downstream handles one shape. The :class:`Resolver` evaluates those forms once the
local resources exist; it is the single place that knows what ``!Ref X`` or ``!GetAtt X.Arn`` means
on this machine.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

log = logging.getLogger("local.template")

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account: ARNs we compute must match the ones it makes
STACK_NAME = "security-info-local"

# Marks a value removed by ``!Ref AWS::NoValue``; stripped from the enclosing dict or list.
NO_VALUE: Any = object()


class TemplateError(Exception):
    """The template uses something the local runtime cannot evaluate."""


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader plus the CloudFormation short tags."""


def _construct_tag(tag: str) -> Callable[[yaml.SafeLoader, yaml.Node], dict[str, Any]]:
    key = {"Ref": "Ref", "Condition": "Condition"}.get(tag, f"Fn::{tag}")

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        value: Any
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if tag == "GetAtt":
                # "!GetAtt Res.Attr.Sub" -> ["Res", "Attr.Sub"], as CloudFormation splits it.
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {key: value}

    return construct


for _tag in (
    "Ref", "Condition", "GetAtt", "Sub", "If", "Join", "Select", "Split", "Equals", "Not", "And",
    "Or", "FindInMap", "Base64", "Cidr", "ImportValue", "GetAZs", "Transform", "Length", "ToJsonString",
):  # fmt: skip
    _CfnLoader.add_constructor(f"!{_tag}", _construct_tag(_tag))

# CloudFormation treats unquoted dates (IAM "Version: 2012-10-17") as strings, not datetimes.
_CfnLoader.yaml_implicit_resolvers = {
    first: [(t, r) for t, r in resolvers if t != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise TemplateError(f"template.yaml is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise TemplateError("template.yaml is not a mapping")
    return data


@dataclass
class Template:
    """The parts of a SAM template the local runtime reads."""

    path: Path
    body: dict[str, Any]
    parameter_values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, overrides: Mapping[str, Any] | None = None) -> Template:
        body = load_yaml(path.read_text(encoding="utf-8"))
        template = cls(path=path, body=body)
        for name, spec in template.parameters.items():
            if "Default" in spec:
                template.parameter_values[name] = spec["Default"]
        template.parameter_values.update(overrides or {})
        return template

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def parameters(self) -> dict[str, dict[str, Any]]:
        return dict(self.body.get("Parameters") or {})

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return dict(self.body.get("Resources") or {})

    @property
    def globals(self) -> dict[str, Any]:
        return dict(self.body.get("Globals") or {})

    def resources_of_type(self, *types: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v.get("Type") in types}


@dataclass
class ResourceValues:
    """What ``Ref`` and ``GetAtt`` give for one created (or stood-in) resource."""

    ref: Any
    attributes: dict[str, Any] = field(default_factory=dict)
    # A resource the local runtime does not create (IAM role, log group, alarm ...): any attribute
    # yields a recognisable stand-in so that templates referring to it still load.
    stand_in: bool = False


class Resolver:
    """Evaluates intrinsic functions against parameters, conditions and created resources."""

    def __init__(self, template: Template) -> None:
        self.template = template
        self.values: dict[str, ResourceValues] = {}
        self._conditions: dict[str, bool] = {}
        self.pseudo: dict[str, Any] = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": STACK_NAME,
            "AWS::StackId": (f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK_NAME}/local"),
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }

    # -- conditions -------------------------------------------------------------------------

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            spec = (self.template.body.get("Conditions") or {}).get(name)
            if spec is None:
                raise TemplateError(f"unknown condition {name!r}")
            self._conditions[name] = bool(self.resolve(spec))
        return self._conditions[name]

    def is_enabled(self, resource: Mapping[str, Any]) -> bool:
        """False for a resource whose ``Condition`` is false: CloudFormation would not create it."""
        cond = resource.get("Condition")
        return True if cond is None else self.condition(str(cond))

    # -- evaluation -------------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self.resolve(v) for v in value]
            return [v for v in items if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(str(arg))
            if key == "Condition" and isinstance(arg, str):
                return self.condition(arg)
            if key.startswith("Fn::"):
                return self._fn(key[4:], arg)
        out = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not NO_VALUE}

    def ref(self, name: str) -> Any:
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.template.parameter_values:
            return self.template.parameter_values[name]
        if name in self.template.parameters:
            raise TemplateError(f"parameter {name!r} has no default; pass a value")
        if name in self.values:
            return self.values[name].ref
        raise TemplateError(f"!Ref {name}: no such parameter or created resource")

    def get_att(self, logical_id: str, attribute: str) -> Any:
        values = self.values.get(logical_id)
        if values is None:
            raise TemplateError(f"!GetAtt {logical_id}.{attribute}: resource not created")
        if attribute not in values.attributes:
            if values.stand_in:
                return f"arn:aws:local:{REGION}:{ACCOUNT_ID}:{logical_id}/{attribute}"
            raise TemplateError(f"!GetAtt {logical_id}.{attribute}: attribute not known locally")
        return values.attributes[attribute]

    def _fn(self, name: str, arg: Any) -> Any:
        handler = getattr(self, f"_fn_{name.lower()}", None)
        if handler is None:
            raise TemplateError(f"Fn::{name} is not supported by the local runtime")
        return handler(arg)

    def _fn_getatt(self, arg: Any) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        logical_id, attribute = (self.resolve(a) for a in arg)
        return self.get_att(str(logical_id), str(attribute))

    def _fn_sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, variables = arg[0], {k: self.resolve(v) for k, v in arg[1].items()}
        else:
            text, variables = arg, {}

        def replace(match: re.Match[str]) -> str:
            expr = match.group(1)
            if expr.startswith("!"):  # "${!Literal}" escapes a literal "${Literal}"
                return "${" + expr[1:] + "}"
            if expr in variables:
                return str(variables[expr])
            if "." in expr and expr not in self.pseudo:
                res, att = expr.split(".", 1)
                return str(self.get_att(res, att))
            return str(self.ref(expr))

        return re.sub(r"\$\{([^}]+)\}", replace, str(text))

    def _fn_join(self, arg: Any) -> str:
        sep, items = arg
        values = self.resolve(items)
        return str(sep).join(str(v) for v in values)

    def _fn_select(self, arg: Any) -> Any:
        index, items = arg
        return self.resolve(items)[int(self.resolve(index))]

    def _fn_split(self, arg: Any) -> list[str]:
        sep, text = arg
        return str(self.resolve(text)).split(str(sep))

    def _fn_if(self, arg: Any) -> Any:
        cond, when_true, when_false = arg
        return self.resolve(when_true if self.condition(str(cond)) else when_false)

    def _fn_equals(self, arg: Any) -> bool:
        left, right = (self.resolve(a) for a in arg)
        return str(left) == str(right)

    def _fn_not(self, arg: Any) -> bool:
        return not self.resolve(arg[0])

    def _fn_and(self, arg: Any) -> bool:
        return all(self.resolve(a) for a in arg)

    def _fn_or(self, arg: Any) -> bool:
        return any(self.resolve(a) for a in arg)

    def _fn_findinmap(self, arg: Any) -> Any:
        mapping, top, second = (self.resolve(a) for a in arg[:3])
        return (self.template.body.get("Mappings") or {})[mapping][top][second]

    def _fn_base64(self, arg: Any) -> str:
        return base64.b64encode(str(self.resolve(arg)).encode()).decode()

    def _fn_getazs(self, arg: Any) -> list[str]:
        return [f"{REGION}{z}" for z in "abc"]

    def _fn_length(self, arg: Any) -> int:
        return len(self.resolve(arg))

    def _fn_tojsonstring(self, arg: Any) -> str:
        return json.dumps(self.resolve(arg), separators=(",", ":"))


def references(value: Any) -> set[str]:
    """Logical ids a value refers to (Ref, GetAtt, ${X} in Sub): the resource's dependencies."""
    found: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, list):
            for item in v:
                walk(item)
        elif isinstance(v, dict):
            if len(v) == 1:
                ((key, arg),) = v.items()
                if key == "Ref" and isinstance(arg, str):
                    found.add(arg)
                    return
                if key == "Fn::GetAtt":
                    first = arg.split(".", 1)[0] if isinstance(arg, str) else arg[0]
                    if isinstance(first, str):
                        found.add(first)
                    return
                if key == "Fn::Sub":
                    text = arg[0] if isinstance(arg, list) else arg
                    for expr in re.findall(r"\$\{([^!}][^}]*)\}", str(text)):
                        found.add(expr.split(".", 1)[0])
                    if isinstance(arg, list) and len(arg) > 1:
                        walk(arg[1])
                    return
            for item in v.values():
                walk(item)

    walk(value)
    return found


def creation_order(resources: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Logical ids ordered so that each comes after the resources it refers to."""
    deps: dict[str, set[str]] = {}
    for logical_id, spec in resources.items():
        depends_on = spec.get("DependsOn") or []
        explicit = {depends_on} if isinstance(depends_on, str) else set(depends_on)
        deps[logical_id] = (references(spec.get("Properties")) | explicit) & set(resources)
        deps[logical_id].discard(logical_id)
    ordered: list[str] = []
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        if node in done:
            return
        if node in path:
            raise TemplateError(f"circular reference: {' -> '.join((*path, node))}")
        for dep in sorted(deps[node]):
            visit(dep, (*path, node))
        done.add(node)
        ordered.append(node)

    for logical_id in resources:
        visit(logical_id, ())
    return ordered


def merged_globals(template: Template, section: str, own: Mapping[str, Any]) -> dict[str, Any]:
    """A resource's properties with SAM's ``Globals`` folded in (own values win; maps merge)."""
    merged: dict[str, Any] = dict(template.globals.get(section) or {})
    for key, value in own.items():
        base = merged.get(key)
        if isinstance(base, dict) and isinstance(value, dict):
            merged[key] = _deep_merge(base, value)
        elif isinstance(base, list) and isinstance(value, list):
            merged[key] = base + value  # SAM: lists in Globals are additive
        else:
            merged[key] = value
    return merged


def _deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(out.get(key), dict) and isinstance(value, dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, Iterable) and not isinstance(value, str | dict) else [value]
