"""What each function's cold start loads, counted in modules (stable on any machine), never timed.

Each function's module is imported in a fresh interpreter as Lambda imports it (bench/lambda_env.py:
the function's directory, the layer and the runtime's boto3 on ``sys.path``, the template's
environment). The time that takes is ``make bench``'s figure; here only which modules load:
- never Powertools' event handler package or its event data classes (its ``__init__`` loads every
  resolver, AppSync's and asyncio included: the functions route with securityinfo.kernel.router);
- never pyOpenSSL or cryptography (botocore would load pyOpenSSL through
  ``urllib3.contrib.pyopenssl``; securityinfo/_tls.py keeps it on the standard library's ssl) nor
  py_webauthn (a security key's check imports it when it runs);
- no part of the domain package a function's route has no use for (the admin side, the wizard,
  the authenticator app's devices, every method type's module);
- never typing_extensions (Powertools' Logger would load it through its JMESPath helpers, which
  securityinfo/_powertools.py defers to their first use);
- and, as a whole, not many more modules than a bare ``import boto3``.
Nor does the layer define dataclasses (their generated methods are compiled at every import).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]

# Never at any function's import.
NEVER = (
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.data_classes",
    "asyncio",
    "OpenSSL",
    "urllib3.contrib.pyopenssl",
    "cryptography",
    "webauthn",
    # Powertools' JMESPath helpers bring it in for one decorator: see securityinfo/_powertools.py.
    "typing_extensions",
)
ADMIN = {
    "admin_assign_hardware_token",
    "admin_clear_security_info",
    "admin_delete_hardware_token",
    "admin_list_hardware_tokens",
    "admin_upload_hardware_tokens",
    "admin_delete_recovery_codes",
    "admin_dismiss_risk",
    "admin_list_activity",
    "admin_delete_app_passwords",
    "admin_forget_remembered_devices",
    "admin_get_user",
    "admin_issue_temporary_access_pass",
    "admin_unlock_user",
    "get_method_types",
    "get_policy",
    "put_policy",
}
WIZARD = {"start_enrollment", "get_enrollment", "submit_enrollment_step", "enrollment_task"}
DEVICES = {"activate_device", "device_decision", "device_pending"}
# Routes that never look at a method's type: loading every type's module (the registry) is waste.
NO_METHOD_TYPES = {
    "admin_clear_security_info",
    "admin_delete_app_passwords",
    "admin_forget_remembered_devices",
    "admin_get_user",
    "admin_issue_temporary_access_pass",
    "admin_unlock_user",
    "get_method_types",
    "get_policy",
    "put_policy",
    "check_app_password",
    "create_app_password",
    "delete_app_password",
    "list_app_passwords",
    "forget_remembered_device",
    "forget_remembered_devices",
    "list_remembered_devices",
    "publish_events",
    "send_email",
    "send_voice",
    "push_platform_application",
    "start_enrollment",
    "get_enrollment",
    "submit_enrollment_step",
    *DEVICES,
}
# A function may load this many modules more than a bare `import boto3` (Powertools' logger and
# metrics, pynamodb, the domain modules it needs); the most today is about 65.
EXTRA_MODULES = 75


def _bench_module(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


lambda_env = _bench_module("lambda_env")
FUNCTIONS = {f.name: f for f in lambda_env.functions()}


def _loaded(target: object | None) -> frozenset[str]:
    argv, env = lambda_env.command(target, names=True)
    out = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    assert out.returncode == 0, out.stderr[-2000:]
    return frozenset(json.loads(out.stdout.strip().splitlines()[-1])["names"])


@cache
def loaded() -> dict[str, frozenset[str]]:
    """Every function's modules, and the bare boto3's (under "boto3")."""
    names = sorted(FUNCTIONS)
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = dict(zip(names, pool.map(lambda n: _loaded(FUNCTIONS[n]), names), strict=True))
    found["boto3"] = _loaded(None)
    return found


def _under(modules: frozenset[str], package: str) -> list[str]:
    return sorted(m for m in modules if m == package or m.startswith(package + "."))


def test_every_function_of_the_template_is_measured() -> None:
    on_disk = {p.parent.name for p in (REPO / "functions").glob("*/app.py")}
    assert set(FUNCTIONS) == on_disk


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_a_cold_start_loads_only_what_the_route_needs(function: str) -> None:
    modules = loaded()[function]
    for package in NEVER:
        assert not _under(modules, package), f"{function} loads {package}: {_under(modules, package)[:5]}"
    if function not in ADMIN:
        assert not _under(modules, "securityinfo.admin")
    if function not in WIZARD:
        assert not _under(modules, "securityinfo.wizard")
    if function not in DEVICES:
        assert not _under(modules, "securityinfo.devices")
    if function in NO_METHOD_TYPES:
        assert "securityinfo.methods.registry" not in modules
        assert "securityinfo.methods.security_key" not in modules
    extra = len(modules) - len(loaded()["boto3"])
    assert extra <= EXTRA_MODULES, f"{function} loads {extra} modules more than a bare boto3 (make bench)"


def test_botocore_keeps_the_standard_library_context_and_pyopenssl_stays_importable() -> None:
    """The context class botocore reads is ssl.SSLContext, as it is when pyOpenSSL is absent, and
    importing the contrib module afterwards (as py_webauthn's users might) still works."""
    code = (
        "import sys; sys.path[:0] = sys.argv[1:]\n"
        "import securityinfo, ssl, botocore.httpsession as h\n"
        "assert 'OpenSSL' not in sys.modules\n"
        "assert h.SSLContext is ssl.SSLContext, h.SSLContext\n"
        "import urllib3.contrib.pyopenssl, OpenSSL.crypto\n"
        "print('ok')\n"
    )
    _prints_ok_in_the_layer(code)


def test_powertools_jmespath_helpers_still_work_when_first_used() -> None:
    """The stand-in for Powertools' JMESPath helpers loads the real module when something reads
    from it, so code that does use them (none here today) gets them as before."""
    code = (
        "import sys; sys.path[:0] = sys.argv[1:]\n"
        "import securityinfo.kernel.logs\n"
        "assert 'typing_extensions' not in sys.modules\n"
        "from aws_lambda_powertools.utilities import jmespath_utils\n"
        "assert jmespath_utils.query(envelope='a.b', data={'a': {'b': 7}}) == 7\n"
        "assert 'typing_extensions' in sys.modules\n"
        "print('ok')\n"
    )
    _prints_ok_in_the_layer(code)


def _prints_ok_in_the_layer(code: str) -> None:
    """Run ``code`` in a fresh interpreter with the layer and the runtime on ``sys.path``."""
    layer, runtime = lambda_env.paths()
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-I", "-S", "-c", code, str(layer), str(runtime)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_the_layer_defines_no_dataclasses() -> None:
    # A dataclass compiles its generated methods from source when its module is imported, at every
    # cold start (up to 2 ms each): the layer's records are NamedTuples or plain classes instead.
    import ast

    found = []
    for path in sorted((REPO / "layers" / "core" / "securityinfo").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            if any(n == "dataclasses" or n.startswith("dataclasses.") for n in names):
                found.append(str(path.relative_to(REPO)))
    assert found == []
