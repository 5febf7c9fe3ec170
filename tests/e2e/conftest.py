"""Browser fixtures: Debian's Chromium driven by Playwright against the session's local runtime.

The runtime comes from ``tests/conftest.py`` (one per process: the functions share the process
environment). ``SECURITY_INFO_URL`` points the tests at an already running ``make run`` instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# A slow step (the first request imports a function) should fail the test, not hang it.
STEP_TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def base_url(request: pytest.FixtureRequest) -> str:
    external = os.environ.get("SECURITY_INFO_URL")
    if external:
        return external.rstrip("/")
    runtime = request.getfixturevalue("runtime")
    return str(runtime.url).rstrip("/")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: run `make browsers`")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session", autouse=True)
def fresh_failure_screenshots() -> None:
    # A screenshot left by an earlier run's failure must not be mistaken for this run's.
    for old in ARTIFACTS.glob("*-failure.png"):
        old.unlink()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    # Keep each phase's report on the item, so the page fixture can screenshot a failure.
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def new_context(browser: Browser, url: str, locale: str = "en-US") -> BrowserContext:
    """A fresh browser context at ``url``: its own sessionStorage, so every test signs in as its
    own user; a slow step fails after STEP_TIMEOUT_MS."""
    ctx = browser.new_context(base_url=url, viewport={"width": 1280, "height": 800}, locale=locale)
    ctx.set_default_timeout(STEP_TIMEOUT_MS)
    return ctx


@pytest.fixture
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    ctx = new_context(browser, base_url)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}-failure.png"), full_page=True)
    # An uncaught exception in the page is a bug even when the user-visible flow still worked.
    assert errors == [], f"uncaught errors in the page: {errors}"


# WebAuthn needs the pages at localhost (a secure context by name), with that origin allowed.
@pytest.fixture(scope="module")
def local_url(base_url: str) -> Iterator[str]:
    """The runtime at localhost, and that origin allowed for WebAuthn while these tests run (the
    template's default allows port 3000 only; the session's runtime has a random port)."""
    url = f"http://localhost:{urlparse(base_url).port}"
    before = os.environ.get("WEBAUTHN_ORIGINS")
    os.environ["WEBAUTHN_ORIGINS"] = ",".join(filter(None, [before, url]))
    yield url
    if before is None:
        os.environ.pop("WEBAUTHN_ORIGINS", None)
    else:
        os.environ["WEBAUTHN_ORIGINS"] = before


@pytest.fixture
def local_context(browser: Browser, local_url: str) -> Iterator[BrowserContext]:
    ctx = new_context(browser, local_url)
    yield ctx
    ctx.close()
