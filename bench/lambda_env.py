"""A Lambda-like import environment for the cold-start figures and the module-count test.

On Lambda a function's module is imported with the function's directory first on ``sys.path``,
then the layer (``/opt/python``: the securityinfo package and the pinned requirements of
layers/core/requirements.txt, botocore included as pynamodb's dependency), then the runtime's own
boto3. This builds the same three places from the distributions installed in the dev venv: a
directory of links for the layer and one for the runtime, so nothing else the venv holds (moto,
pytest, their dependencies) can be imported by accident. The baseline, a bare ``import boto3``,
sees only the runtime, as a function without layers would.

The environment is the template's: the Globals' variables and the function's own, with values
that only have to look right (importing must never need real ones), plus what Lambda sets.
"""

from __future__ import annotations

import atexit
import importlib.metadata as md
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LAYER_REQUIREMENTS = REPO / "layers" / "core" / "requirements.txt"
LAYER_PACKAGE = REPO / "layers" / "core" / "securityinfo"
# What the Lambda runtime for Python provides (boto3 with its dependencies).
RUNTIME_REQUIREMENTS = ("boto3",)

# A value for each intrinsic the template's variables use; only the shape matters at import.
_FAKE_REF = {
    "Table": "security-info-bench",
    "EventBus": "security-info-bench",
    "AdminGroup": "admins",
    "TotpIssuer": "Security Info",
    "HashKeySecret": "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench",
    "DeliveryTopic": "arn:aws:sns:us-east-1:123456789012:bench-delivery",
    "WebAuthnRpId": "localhost",
    "WebAuthnOrigins": "http://localhost:3000",
}
_FAKE_OTHER = "bench"


@dataclass(frozen=True)
class Function:
    name: str  # functions/<name>/
    directory: Path
    env: dict[str, str]
    logical_id: str = ""  # the template's; also its folder under .aws-sam/build


def _dist_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if not match:
        raise ValueError(f"not a requirement: {requirement!r}")
    return match.group(1)


def _closure(names: list[str]) -> list[md.Distribution]:
    """The installed distributions ``names`` need, their dependencies included (no extras)."""
    from packaging.requirements import Requirement

    seen: dict[str, md.Distribution] = {}
    todo = list(names)
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        dist = md.distribution(name)
        seen[key] = dist
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return list(seen.values())


def _link_tree(target: Path, dists: list[md.Distribution], extra: dict[str, Path]) -> None:
    """``target`` holds a link to every top-level file or package of ``dists`` (as installed)."""
    target.mkdir(parents=True, exist_ok=True)
    for dist in dists:
        base = Path(str(dist.locate_file("")))
        tops = {f.parts[0] for f in dist.files or [] if f.parts and f.parts[0] not in ("..", "__pycache__")}
        for top in sorted(tops):
            source = base / top
            if source.exists() and not (target / top).exists():
                (target / top).symlink_to(source)
    for name, source in extra.items():
        if not (target / name).exists():
            (target / name).symlink_to(source)


def _requirement_names(path: Path) -> list[str]:
    names = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.append(_dist_name(line))
    return names


@lru_cache(maxsize=1)
def paths() -> tuple[Path, Path]:
    """(layer, runtime): directories of links, made once per process under the temp directory
    (removed at exit; removing a link leaves what it points to)."""
    root = Path(tempfile.mkdtemp(prefix="securityinfo-lambda-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    layer, runtime = root / "opt-python", root / "var-runtime"
    _link_tree(layer, _closure(_requirement_names(LAYER_REQUIREMENTS)), {"securityinfo": LAYER_PACKAGE})
    _link_tree(runtime, _closure(list(RUNTIME_REQUIREMENTS)), {})
    return layer, runtime


class _TemplateLoader:
    """Loads template.yaml with CloudFormation's short tags kept as {"Tag": value}."""

    @staticmethod
    def load(text: str) -> dict[str, Any]:
        import yaml

        class Loader(yaml.SafeLoader):
            pass

        def tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
            if isinstance(node, yaml.ScalarNode):
                value: Any = loader.construct_scalar(node)
            elif isinstance(node, yaml.SequenceNode):
                value = loader.construct_sequence(node, deep=True)
            else:
                value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
            return {suffix: value}

        Loader.add_multi_constructor("!", tagged)
        loaded: dict[str, Any] = yaml.load(text, Loader=Loader)  # noqa: S506 - SafeLoader subclass
        return loaded


def _fake(value: Any) -> str:
    if isinstance(value, dict) and "Ref" in value:
        return _FAKE_REF.get(str(value["Ref"]), _FAKE_OTHER)
    if isinstance(value, dict) and "GetAtt" in value:
        attribute = str(value["GetAtt"])
        return f"arn:aws:bench:us-east-1:123456789012:{attribute.split('.')[0]}"
    if isinstance(value, dict):
        return _FAKE_OTHER
    return str(value)


@lru_cache(maxsize=1)
def functions() -> list[Function]:
    """Every function of the template whose code is under functions/, with its environment."""
    template = _TemplateLoader.load((REPO / "template.yaml").read_text())
    globals_ = template.get("Globals", {}).get("Function", {})
    common = {k: _fake(v) for k, v in globals_.get("Environment", {}).get("Variables", {}).items()}
    found = []
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource.get("Properties", {})
        code = str(props.get("CodeUri", "")).rstrip("/")
        if not code.startswith("functions/"):
            continue
        own = {k: _fake(v) for k, v in props.get("Environment", {}).get("Variables", {}).items()}
        directory = REPO / code
        env = {
            **common,
            **own,
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
            "AWS_LAMBDA_FUNCTION_NAME": f"security-info-{logical_id}",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(props.get("MemorySize", globals_.get("MemorySize", 128))),
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "LAMBDA_TASK_ROOT": str(directory),
            "_HANDLER": str(props.get("Handler", "app.lambda_handler")),
        }
        found.append(Function(directory.name, directory, env, logical_id))
    return sorted(found, key=lambda f: f.name)


def baseline_env() -> dict[str, str]:
    """A function without layers or variables of its own."""
    return {
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "AWS_LAMBDA_FUNCTION_NAME": "bench-baseline",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
    }


def child_env(env: dict[str, str]) -> dict[str, str]:
    """The child's whole environment: the function's, and only what the OS needs besides."""
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    return {**keep, **env}


# The child: -I -S, so neither PYTHON* variables nor the venv's site-packages reach it; the
# Lambda paths go first, the standard library after. It prints one JSON line.
CHILD = r"""
import json, sys, time
paths, module, want_names = sys.argv[1].split("\x1f"), sys.argv[2], sys.argv[3] == "1"
sys.path[:0] = paths
before = set(sys.modules)
wall, cpu = time.perf_counter(), time.process_time()
if module == "boto3":
    import boto3
else:
    import importlib
    importlib.import_module(module)
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
new = sorted(set(sys.modules) - before)
print(json.dumps({"cpu_ms": cpu * 1000, "wall_ms": wall * 1000, "modules": len(new),
                  "names": new if want_names else None}))
"""


def command(target: Function | None, names: bool = False) -> tuple[list[str], dict[str, str]]:
    """argv and environment of a child importing ``target``'s app (None: a bare boto3)."""
    layer, runtime = paths()
    if target is None:
        sys_path, module, env = [runtime], "boto3", baseline_env()
    else:
        sys_path, module, env = [target.directory, layer, runtime], "app", target.env
    argv = [
        sys.executable,
        "-I",
        "-S",
        "-c",
        CHILD,
        "\x1f".join(map(str, sys_path)),
        module,
        "1" if names else "0",
    ]
    return argv, child_env(env)
