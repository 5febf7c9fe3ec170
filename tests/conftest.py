"""Shared fixtures: one local runtime per test session (template-driven, moto in-process)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support_api import Api

ROOT = Path(__file__).resolve().parent.parent


class LogCapture(logging.Handler):
    """Every log line the functions write, formatted as they would reach CloudWatch."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="session")
def log_capture() -> Iterator[LogCapture]:
    from securityinfo.kernel.logs import logger

    capture = LogCapture()
    capture.setFormatter(logger.registered_formatter)
    logger._logger.addHandler(capture)
    yield capture
    logger._logger.removeHandler(capture)


@pytest.fixture(scope="session")
def runtime(log_capture: LogCapture) -> Iterator[object]:
    from local.runtime import start_runtime
    from tests.support_iam import CallRecorder

    recorder = CallRecorder()
    recorder.install()
    rt = start_runtime(0, ROOT)
    yield rt
    try:
        _every_event_matches_its_schema(Api(str(rt.url)))
        _every_answer_matches_the_document()
    finally:
        rt.stop()
        recorder.uninstall()
    _every_call_is_granted(recorder)


def _every_call_is_granted(recorder: object) -> None:
    """Each AWS call a function made in this run is allowed by that function's policy in the
    template (else it is AccessDenied in AWS). Grants no call used are written to
    test-artifacts/iam-usage.md: a partial run leaves many unused, so those only inform."""
    from tests.support_iam import CallRecorder, audit, denied_text, function_grants

    assert isinstance(recorder, CallRecorder)
    parameters = {"IdentityProviderIssuer": "https://issuer.invalid", "IdentityProviderAudience": "api"}
    result = audit(recorder.needs, function_grants(ROOT / "template.yaml", parameters))
    out = ROOT / "test-artifacts" / "iam-usage.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(result.report(), encoding="utf-8")
    denied = list(denied_text(result.denied))
    assert not denied, (
        "AWS calls the template does not grant (see test-artifacts/iam-usage.md):\n" + "\n".join(denied)
    )


def _every_answer_matches_the_document() -> None:
    """Every answer the tests saw from an API route is one docs/openapi.json documents for that
    route: its status, its body's schema (an error's code among its status's codes), its headers."""
    from tests import support_contract

    problems = support_contract.problems()
    assert not problems, "answers the OpenAPI document does not allow:\n" + "\n".join(problems[:30])


def _every_event_matches_its_schema(api: Api) -> None:
    """Whatever the tests made the service emit, each event validates against its JSON Schema: a
    field that is not in the schema (a leaked secret, say) fails the whole run."""
    from tests.support_events import validate_event

    problems = []
    for event in api.events():
        try:
            validate_event(event["detail-type"], event["detail"])
        except Exception as error:  # collect them all, then fail once
            problems.append(f"{event['detail-type']}: {str(error).splitlines()[0]}")
    assert not problems, "events that do not match their schema:\n" + "\n".join(problems[:20])


@pytest.fixture(scope="session")
def api(runtime: object) -> Api:
    return Api(str(getattr(runtime, "url")))  # noqa: B009
