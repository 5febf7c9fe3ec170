"""The local runtime as a dev server people load-test: a burst of new connections, answers on a
kept-alive connection, and the background pollers when nothing happens.

Loopback only. Nothing here asserts a duration: the burst has a deadline only so that a broken
server fails the test instead of hanging it.
"""

from __future__ import annotations

import http.client
import json
import selectors
import socket
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.gateway import App, Gateway, Services
from local.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]
BURST = 256
BURST_DEADLINE_SECONDS = 30.0
HEALTH_REQUEST = b"GET /local/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
# struct tcp_info (linux/tcp.h): 8 one-byte fields, then u32s; tcpi_total_retrans is the 24th.
TCP_INFO_TOTAL_RETRANS_OFFSET = 8 + 23 * 4


def _total_retransmits(sock: socket.socket) -> int | None:
    """Segments this socket sent again (a dropped SYN included); None where TCP_INFO is not Linux's."""
    if not sys.platform.startswith("linux") or not hasattr(socket, "TCP_INFO"):
        return None
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    if len(info) < TCP_INFO_TOTAL_RETRANS_OFFSET + 4:
        return None
    return int(struct.unpack_from("I", info, TCP_INFO_TOTAL_RETRANS_OFFSET)[0])


def _burst(port: int, count: int) -> tuple[dict[int, bytes], dict[int, str], int]:
    """``count`` non-blocking connects issued back to back from one thread (so they really arrive
    together), each sending one request; returns the raw answers, the failures by connection and
    the retransmitted segments of all client sockets."""
    selector = selectors.DefaultSelector()
    answers: dict[int, bytearray] = {}
    failed: dict[int, str] = {}
    retransmits = 0
    sockets: dict[int, socket.socket] = {}
    try:
        for i in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
            sockets[i] = sock
            answers[i] = bytearray()
            selector.register(sock, selectors.EVENT_WRITE, i)
        deadline = time.monotonic() + BURST_DEADLINE_SECONDS
        open_count = count
        while open_count and time.monotonic() < deadline:
            for key, events in selector.select(timeout=0.5):
                i, sock = key.data, sockets[key.data]
                try:
                    if events & selectors.EVENT_WRITE:
                        error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                        if error:
                            raise OSError(error, "connect failed")
                        sock.sendall(HEALTH_REQUEST)
                        selector.modify(sock, selectors.EVENT_READ, i)
                        continue
                    chunk = sock.recv(65536)
                except OSError as exc:  # a reset is exactly what the burst used to get
                    failed[i] = repr(exc)
                    chunk = b""
                if chunk:
                    answers[i] += chunk
                    continue
                selector.unregister(sock)
                open_count -= 1
        for i, sock in sockets.items():
            retransmits += _total_retransmits(sock) or 0
            if i not in failed and not answers[i].endswith(b'{"status": "ok"}'):
                failed[i] = "no answer" if not answers[i] else answers[i][:80].decode(errors="replace")
    finally:
        selector.close()
        for sock in sockets.values():
            sock.close()
    return {i: bytes(a) for i, a in answers.items()}, failed, retransmits


def test_256_simultaneous_new_connections_all_get_an_answer(runtime: Runtime) -> None:
    answers, failed, retransmits = _burst(runtime.port, BURST)
    assert not failed, f"{len(failed)} of {BURST} connections got no correct answer: " + "; ".join(
        f"#{i}: {why}" for i, why in list(failed.items())[:5]
    )
    assert all(a.startswith(b"HTTP/1.1 200 ") for a in answers.values())
    # With room in the listen backlog no SYN is dropped, so no client had to send one again
    # (that retry, 1 s later and doubling, is what made a burst look like a hung server).
    assert retransmits == 0, f"{retransmits} segments were sent again: the listen backlog overflowed"


class _RecordingSocket:
    """The server's side of one connection, noting each write the handler makes (everything else
    is the real socket's)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.writes: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.writes.append(bytes(data))
        self._sock.sendall(data)

    def send(self, data: bytes) -> int:
        self.writes.append(bytes(data))
        return self._sock.send(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


@pytest.fixture()
def recorded_gateway(runtime: Runtime) -> Iterator[tuple[Gateway, list[_RecordingSocket]]]:
    """A second front door to the session's runtime (same routes, functions and tokens), whose
    accepted connections are recorded."""
    app = App(web_root=ROOT / "web")
    assert runtime.routes and runtime.functions and runtime.tokens and runtime.clock and runtime.outbox
    assert runtime.oidc
    app.services = Services(
        routes=runtime.routes,
        functions=runtime.functions,
        tokens=runtime.tokens,
        clock=runtime.clock,
        outbox=runtime.outbox,
        event_tap=runtime.event_tap,
        oidc=runtime.oidc,
    )
    app.ready.set()
    gateway = Gateway(app, "127.0.0.1", 0)
    server = gateway._server
    accepted: list[_RecordingSocket] = []
    get_request = server.get_request

    def recording_get_request() -> tuple[Any, Any]:
        sock, address = get_request()
        recorded = _RecordingSocket(sock)
        accepted.append(recorded)
        return recorded, address

    server.get_request = recording_get_request  # type: ignore[method-assign]
    gateway.start()
    try:
        yield gateway, accepted
    finally:
        gateway.stop()


def test_each_answer_on_a_kept_alive_connection_is_one_write_with_nagle_off(
    recorded_gateway: tuple[Gateway, list[_RecordingSocket]],
) -> None:
    gateway, accepted = recorded_gateway
    conn = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=30)
    bodies = []

    def call(method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = conn.getresponse()
        data = response.read()
        assert not response.will_close, "the connection should stay open"
        bodies.append(b"" if method == "HEAD" else data)
        return response.status, data

    try:
        assert call("GET", "/local/health") == (200, b'{"status": "ok"}')
        status, token_body = call("POST", "/local/token", {"username": "keep-alive"})
        assert status == 200
        token = json.loads(token_body)["accessToken"]
        assert call("GET", "/me/security-info", token=token)[0] == 200
        assert call("GET", "/me/security-info")[0] == 401
        status, page = call("GET", "/")
        assert status == 200 and b"<html" in page.lower()
        assert call("HEAD", "/local/health") == (200, b"")
    finally:
        conn.close()
    assert len(accepted) == 1, "every request went over the one kept-alive connection"
    writes = accepted[0].writes
    # One write per answer, each the whole answer: headers and body never leave in two segments
    # for Nagle's algorithm to hold the second one back.
    assert len(writes) == len(bodies), [w[:40] for w in writes]
    for write, body in zip(writes, bodies, strict=True):
        assert write.startswith(b"HTTP/1.1 ") and write.endswith(b"\r\n\r\n" + body), write[:200]
    nodelay = accepted[0].getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    assert nodelay, "TCP_NODELAY is not set on the server's side of the connection"


# -- the pollers when nothing happens ---------------------------------------------------------


IDLE_SECONDS = 2.0
# A poller that just delivered something looks again after 0.25, 0.5, 1 s ... (then every 5 s):
# at most 4 looks in the window. Polling every 0.1 s, as it used to, is about 20.
MAX_LOOKS_PER_QUEUE = 5


def test_the_idle_runtimes_pollers_wait_instead_of_asking_moto_again_and_again(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.sqs.models import SQSBackend

    assert runtime.created and runtime.created.queue_consumers, "the template has queue consumers"
    looks: Counter[str] = Counter()
    receive = SQSBackend.receive_message

    def counted(backend: SQSBackend, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        looks[queue_name] += 1
        return receive(backend, queue_name, *args, **kwargs)

    monkeypatch.setattr(SQSBackend, "receive_message", counted)
    time.sleep(IDLE_SECONDS)
    monkeypatch.undo()
    busy = {queue: n for queue, n in looks.items() if n > MAX_LOOKS_PER_QUEUE}
    assert not busy, f"receives per queue in {IDLE_SECONDS:g} s of idling: {dict(looks)}"


def test_a_message_added_to_a_queue_rings_its_bell(runtime: Runtime) -> None:
    import boto3

    assert runtime.bells is not None
    sqs = boto3.client(
        "sqs",
        endpoint_url=runtime.moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
    )
    url = sqs.create_queue(QueueName="local-server-test-bell")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bell = runtime.bells.bell(arn)
    before = bell.rung
    sqs.send_message(QueueUrl=url, MessageBody="one")
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "two"}, {"Id": "b", "MessageBody": "three"}]
    )
    assert bell.rung == before + 3
    sqs.delete_queue(QueueUrl=url)


def test_a_ring_wakes_an_idle_poll_loop_before_its_backoff_runs_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from local import events

    # A backoff far longer than the test's wait: only the bell can bring the second look.
    monkeypatch.setattr(events, "IDLE_FIRST_WAIT_SECONDS", 600.0)
    monkeypatch.setattr(events, "IDLE_MAX_WAIT_SECONDS", 600.0)
    bell, stop = events.Bell(), threading.Event()
    looked = threading.Semaphore(0)

    def poll() -> int:
        looked.release()
        return 0

    loop = threading.Thread(target=events._poll_loop, args=("test", stop, bell, poll), daemon=True)
    loop.start()
    try:
        assert looked.acquire(timeout=10), "the loop never looked"
        assert not looked.acquire(timeout=0.3), "the loop looked again without a ring"
        bell.ring()
        assert looked.acquire(timeout=10), "a ring did not wake the loop"
    finally:
        stop.set()
        bell.ring()
        loop.join(timeout=10)
    assert not loop.is_alive(), "a ring after stop did not end the loop"
