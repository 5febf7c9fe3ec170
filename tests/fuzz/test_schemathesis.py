"""Schemathesis fuzzes the local runtime from its own /openapi.json: no 5xx, no status, body or
header the document does not allow, and no body accepted that the document refuses.

The runtime runs in its own process (its moto state apart from the other tests', since the admin
group may change the policy). Each caller group gets its token: a fresh user for /me, an
administrator, the sign-in service; the device routes are fuzzed unsigned and must refuse (401).
Bounded by FUZZ_EXAMPLES per operation; a fixed seed keeps CI repeatable (FUZZ_SEED to vary it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.support_api import Api

ROOT = Path(__file__).resolve().parents[2]
ST = Path(sys.executable).with_name("st")
EXAMPLES = os.environ.get("FUZZ_EXAMPLES", "8")
SEED = os.environ.get("FUZZ_SEED", "15")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
        "negative_data_rejection",
    ]
)
# Ordered: the administrator's group last, since it may change the policy the others run under.
GROUPS = [("user", "^/me/"), ("service", "^/signin/"), ("device", "^/devices/"), ("admin", "^/admin/")]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(base: str, process: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the local runtime exited while starting")
        try:
            with urllib.request.urlopen(f"{base}/local/health", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the local runtime did not become healthy")


def _token(api: Api, group: str) -> str | None:
    if group == "device":
        return None
    body = {"username": f"fuzz-{group}-{uuid.uuid4().hex[:8]}", "admin": group == "admin"}
    if group == "service":
        body = {"username": "signin-service", "service": True}
    answer = api.call("POST", "/local/token", body)
    assert answer.status == 200, answer.body
    return str(answer.body["accessToken"])


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_schemathesis_finds_no_answer_outside_the_document(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "runtime.log").open("wb")
    runtime = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "local"],
        cwd=ROOT,
        env={**os.environ, "PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    failures: list[str] = []
    try:
        _wait_healthy(base, runtime)
        api = Api(base)
        for group, paths in GROUPS:
            command = [
                str(ST), "run", f"{base}/openapi.json", "--url", base,
                "--include-path-regex", paths,
                "--checks", CHECKS,
                "--phases", "examples,coverage,fuzzing",
                "--max-examples", EXAMPLES, "--seed", SEED,
                "--workers", "1", "--generation-database", "none", "--no-color",
                "--request-timeout", "30", "--max-failures", "20",
            ]  # fmt: skip
            token = _token(api, group)
            if token is not None:
                command += ["-H", f"Authorization: Bearer {token}"]
            started = time.monotonic()
            run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)  # noqa: S603
            took = time.monotonic() - started
            print(f"schemathesis {group}: exit {run.returncode} in {took:.0f}s")
            if run.returncode != 0:
                output = run.stdout[-6000:] + run.stderr[-2000:]
                failures.append(f"--- {group} ({paths}) exit {run.returncode}\n{output}")
    finally:
        runtime.terminate()
        try:
            runtime.wait(timeout=20)
        except subprocess.TimeoutExpired:
            runtime.kill()
        log.close()
    assert not failures, "\n".join(failures)
