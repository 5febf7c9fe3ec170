"""The template's functions, imported and invoked in-process.

Each function's handler file is imported lazily, on first use, under a unique module name (every
handler file is called ``app.py``). Like Lambda, one instance of a function serves one invocation
at a time: concurrent calls get more instances (separate module imports, so module-level state
such as an event resolver is never shared between two requests in flight).
"""

from __future__ import annotations

import importlib.util
import logging
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from local.resources import FUNCTION_TYPES, function_arn
from local.template import Resolver, Template, TemplateError, merged_globals

log = logging.getLogger("local.functions")

MAX_INSTANCES = 16  # per function; Lambda's default burst is far higher, a laptop's is not

# The functions running on this thread, innermost last: lets a test attribute each AWS call to the
# function that made it (its IAM role in AWS). A stack, since a call may run another function inline.
_running = threading.local()


def current_function() -> str | None:
    """The logical id of the function whose code runs on this thread, if any."""
    stack: list[str] = getattr(_running, "stack", [])
    return stack[-1] if stack else None


@dataclass(frozen=True)
class FunctionSpec:
    """What the template says about one function."""

    logical_id: str
    name: str
    code_dir: Path
    handler: str  # "app.lambda_handler"
    timeout: float
    memory: int
    environment: dict[str, str]
    events: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return function_arn(self.name)

    @property
    def handler_file(self) -> Path:
        module_path, _, _ = self.handler.rpartition(".")
        return self.code_dir.joinpath(*module_path.split(".")).with_suffix(".py")

    @property
    def handler_name(self) -> str:
        return self.handler.rpartition(".")[2]


class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        self.memory_limit_in_mb = spec.memory
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = f"local/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + spec.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class _Instance:
    def __init__(self, module: ModuleType, handler: Callable[[Any, Any], Any]) -> None:
        self.module = module
        self.handler = handler
        self.busy = False


class FunctionPool:
    """The warm instances of one function."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.spec = spec
        self._instances: list[_Instance] = []
        self._cond = threading.Condition()
        self._creating = 0

    def invoke(self, event: Any) -> Any:
        instance = self._acquire()
        context = LambdaContext(self.spec)
        started = time.monotonic()
        stack: list[str] = _running.__dict__.setdefault("stack", [])
        stack.append(self.spec.logical_id)
        try:
            return instance.handler(event, context)
        finally:
            stack.pop()
            elapsed = time.monotonic() - started
            if elapsed > self.spec.timeout:
                # Lambda would have killed it; a thread cannot be killed, so say so loudly.
                log.warning(
                    "%s ran %.1fs, over its %ss timeout: in AWS this invocation would fail",
                    self.spec.logical_id, elapsed, self.spec.timeout,
                )  # fmt: skip
            with self._cond:
                instance.busy = False
                self._cond.notify()

    def _acquire(self) -> _Instance:
        with self._cond:
            while True:
                for instance in self._instances:
                    if not instance.busy:
                        instance.busy = True
                        return instance
                if len(self._instances) + self._creating < MAX_INSTANCES:
                    self._creating += 1
                    break
                self._cond.wait()
        # Import outside the lock: a cold start must not block warm instances being handed out.
        try:
            instance = self._load(len(self._instances) + self._creating)
        finally:
            with self._cond:
                self._creating -= 1
        with self._cond:
            instance.busy = True
            self._instances.append(instance)
        return instance

    def _load(self, number: int) -> _Instance:
        path = self.spec.handler_file
        if not path.is_file():
            raise FileNotFoundError(f"{self.spec.logical_id}: handler file {path} not found")
        safe = re.sub(r"\W", "_", self.spec.logical_id)
        module_name = f"_local_fn_{safe}_{number}_{uuid.uuid4().hex[:6]}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        # Registered before executing: dataclasses and pydantic look their module up by name.
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(module_name, None)
            raise
        handler = getattr(module, self.spec.handler_name, None)
        if not callable(handler):
            raise AttributeError(f"{path} has no callable {self.spec.handler_name!r}")
        return _Instance(module, handler)


class Functions:
    """All functions of the template, by logical id."""

    def __init__(self, specs: Mapping[str, FunctionSpec]) -> None:
        self.specs = dict(specs)
        self._pools = {logical_id: FunctionPool(spec) for logical_id, spec in specs.items()}

    def invoke(self, logical_id: str, event: Any) -> Any:
        return self._pools[logical_id].invoke(event)

    def by_name(self, name_or_arn: str) -> str | None:
        """The logical id for a function name or ARN (a qualifier after the name is ignored)."""
        for logical_id, spec in self.specs.items():
            if name_or_arn in (spec.name, spec.arn) or name_or_arn.startswith(spec.arn + ":"):
                return logical_id
        return None

    def environment(self) -> dict[str, str]:
        """One environment for all functions (they share the process); conflicts are reported."""
        merged: dict[str, str] = {}
        for spec in self.specs.values():
            for key, value in spec.environment.items():
                if key in merged and merged[key] != value:
                    log.warning(
                        "environment variable %s differs between functions (%r vs %r); "
                        "locally all functions share one value: %r",
                        key, merged[key], value, merged[key],
                    )  # fmt: skip
                    continue
                merged[key] = value
        return merged


def load_functions(template: Template, resolver: Resolver) -> Functions:
    """Read every function of the template, with Globals merged and environment resolved."""
    specs: dict[str, FunctionSpec] = {}
    for logical_id, resource in template.resources_of_type(*FUNCTION_TYPES).items():
        if not resolver.is_enabled(resource):
            continue
        props = merged_globals(template, "Function", resource.get("Properties") or {})
        code_uri = props.get("CodeUri")
        if not isinstance(code_uri, str):
            raise TemplateError(f"{logical_id}: CodeUri must be a local folder")
        variables = resolver.resolve((props.get("Environment") or {}).get("Variables") or {})
        specs[logical_id] = FunctionSpec(
            logical_id=logical_id,
            name=str(resolver.ref(logical_id)),
            code_dir=(template.root / code_uri).resolve(),
            handler=str(props.get("Handler", "app.lambda_handler")),
            timeout=float(resolver.resolve(props.get("Timeout", 3))),
            memory=int(resolver.resolve(props.get("MemorySize", 128))),
            environment={k: _env_value(v) for k, v in variables.items()},
            events=dict(props.get("Events") or {}),
        )
    return Functions(specs)


def _env_value(value: Any) -> str:
    """Lambda environment values are strings; CloudFormation renders booleans in lower case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
