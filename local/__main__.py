"""``python -m local``: serve the template on http://127.0.0.1:$PORT until Ctrl-C."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

from local.runtime import start_runtime
from local.template import TemplateError


def main() -> int:
    logging.basicConfig(
        level=os.environ.get("LOCAL_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    port = int(os.environ.get("PORT", "3000"))
    started = time.monotonic()
    try:
        runtime = start_runtime(port=port, root=Path.cwd())
    except (TemplateError, OSError) as exc:
        print(f"local runtime could not start: {exc}", file=sys.stderr)
        return 1
    local_url = f"http://localhost:{runtime.port}"
    print(
        f"\nSecurity Info is running at {local_url}/  "
        f"(started in {time.monotonic() - started:.1f}s; also {runtime.url}/, but security keys "
        "need the localhost name)\n"
        "  The pages sign in through the local OpenID provider (any username, e.g. alice; tick "
        f'"administrator" for {local_url}/admin.html): {local_url}/local/oidc\n'
        '  Scripts: POST /local/token {"username": "alice", "admin": true} for a token.\n'
        f"  Outbox (codes sent by SMS, voice, email, push): {runtime.url}/local/outbox\n"
        f'  Service clock: {runtime.url}/local/clock (POST {{"advanceSeconds": n}})\n'
        "  State lives in memory: every start is fresh. Ctrl-C stops.\n",
        flush=True,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C (or a supervisor relaying the first one again) must not cut the
        # clean-up short: it puts the environment and moto's shared state back.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        runtime.stop()
        print("stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
