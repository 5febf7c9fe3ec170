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
    from securityinfo.logs import logger

    capture = LogCapture()
    capture.setFormatter(logger.registered_formatter)
    logger._logger.addHandler(capture)
    yield capture
    logger._logger.removeHandler(capture)


@pytest.fixture(scope="session")
def runtime(log_capture: LogCapture) -> Iterator[object]:
    from local.runtime import start_runtime

    rt = start_runtime(0, ROOT)
    yield rt
    rt.stop()


@pytest.fixture(scope="session")
def api(runtime: object) -> Api:
    return Api(str(getattr(runtime, "url")))  # noqa: B009
