"""The embedded AWS emulator: moto's server on a local port, and the environment pointing at it.

Functions find it purely through configuration (``AWS_ENDPOINT_URL`` and fake credentials), exactly
as they find real AWS through the Lambda environment, so no code under ``functions/`` or
``layers/`` knows it runs locally.
"""

from __future__ import annotations

import copy
import importlib
import json
import logging
import os
import threading
import urllib.request
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.config import Config
from moto.core.config import default_user_config
from moto.server import ThreadedMotoServer

from local.template import REGION

log = logging.getLogger("local.emulator")

MOTO_CONFIG: dict[str, Any] = {
    # The state machine runs under moto's interpreter; its Lambda tasks are dispatched in-process.
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}


class _SerialDynamoDB:
    """moto's TransactWriteItems is not safe under concurrency: it snapshots the table and, when a
    condition fails, puts the snapshot back, undoing writes other requests made meanwhile (a counter
    guarded by a transaction then lets a 41st item through). DynamoDB itself is serializable, so
    the emulator answers one DynamoDB request at a time.

    The snapshot is also a deep copy of the whole table, stream records included, for every
    transaction: its cost grows with everything written since the start, so a long run (the test
    suite, a day of ``make run``) slows down quadratically and its memory grows with it. While
    installed, a transaction saves only the items it names and, when it is cancelled, puts those
    back and drops the stream records its partial writes left (DynamoDB streams never show a
    cancelled transaction). The table object stays the same, so stream readers keep their shard.
    """

    def __init__(self) -> None:
        from moto.dynamodb.models import DynamoDBBackend
        from moto.dynamodb.models.table import Table
        from moto.dynamodb.responses import DynamoHandler
        from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

        self._handler = DynamoHandler
        self._original = DynamoHandler.call_action
        # Stream reads take the same turn, so none sees a transaction's writes before it commits.
        self._streams_handler = DynamoDBStreamsHandler
        self._original_streams = DynamoDBStreamsHandler.call_action
        self._backend = DynamoDBBackend
        self._original_transact = DynamoDBBackend.transact_write_items
        self._table = Table
        self._lock = threading.RLock()

    def install(self) -> None:
        original, original_streams, lock = self._original, self._original_streams, self._lock
        transact, table_class = self._original_transact, self._table

        def call_action(handler: Any) -> Any:
            with lock:
                return original(handler)

        def call_streams_action(handler: Any) -> Any:
            with lock:
                return original_streams(handler)

        def transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> None:
            with lock:
                saved = _saved_items(backend, transact_items)
                # moto deep-copies each table it touches; under this patch the "copy" is the table.
                table_class.__deepcopy__ = lambda table, memo: table  # type: ignore[attr-defined]
                try:
                    transact(backend, transact_items)
                except BaseException:
                    _put_back(saved)
                    raise
                finally:
                    del table_class.__deepcopy__  # type: ignore[attr-defined]

        self._handler.call_action = call_action  # type: ignore[method-assign]
        self._streams_handler.call_action = call_streams_action  # type: ignore[method-assign,assignment]
        self._backend.transact_write_items = transact_write_items  # type: ignore[method-assign,assignment]

    def uninstall(self) -> None:
        self._handler.call_action = self._original  # type: ignore[method-assign]
        self._streams_handler.call_action = self._original_streams  # type: ignore[method-assign]
        self._backend.transact_write_items = self._original_transact  # type: ignore[method-assign]


_Saved = tuple[Any, Any, Any, Any]  # (table, hash value, range value or None, item copy or None)


def _saved_items(backend: Any, transact_items: list[dict[str, Any]]) -> tuple[list[_Saved], dict[Any, int]]:
    """A copy of each item the transaction names as it is now, and each stream's length."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    saved: list[_Saved] = []
    streams: dict[Any, int] = {}
    for entry in transact_items:
        try:
            op = next(iter(entry.values()))
            table = backend.tables[op["TableName"]]
            key = op.get("Key") or op.get("Item") or {}
            hash_value = DynamoType(key[table.hash_key_attr])
            range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        except (KeyError, StopIteration, TypeError, AttributeError):
            continue  # moto itself refuses a malformed entry before it writes anything
        if range_value is not None:
            current = table.items.get(hash_value, {}).get(range_value)
        else:
            current = table.items.get(hash_value)
        saved.append((table, hash_value, range_value, copy.deepcopy(current)))
        if table.stream_shard is not None:
            streams.setdefault(table, len(table.stream_shard.items))
    return saved, streams


def _put_back(state: tuple[list[_Saved], dict[Any, int]]) -> None:
    saved, streams = state
    for table, hash_value, range_value, item in reversed(saved):
        if range_value is not None:
            rows = table.items[hash_value]
            if item is None:
                rows.pop(range_value, None)
                if not rows:
                    table.items.pop(hash_value, None)
            else:
                rows[range_value] = item
        elif item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = item
    for table, length in streams.items():
        del table.stream_shard.items[length:]


class EnvironmentPatch:
    """Sets process environment variables and puts back what was there before."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def set(self, values: Mapping[str, str]) -> None:
        for key, value in values.items():
            if key not in self._saved:
                self._saved[key] = os.environ.get(key)
            os.environ[key] = value

    def unset(self, keys: list[str]) -> None:
        for key in keys:
            if key in os.environ:
                self._saved.setdefault(key, os.environ[key])
                del os.environ[key]

    def restore(self) -> None:
        for key, old in self._saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old
        self._saved.clear()


class Emulator:
    """moto's threaded server, configured and reset for one local run."""

    def __init__(self) -> None:
        # Port 0: the OS picks a free port, so tests and a running `make run` never collide.
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._saved_config: dict[str, Any] = {}
        self.endpoint = ""
        # One session for all of the runtime's clients: a new session per client costs ~0.2 s of
        # loading service models each. Sessions are not thread-safe, hence the lock.
        self._session = boto3.session.Session()
        self._session_lock = threading.Lock()
        self._serial_dynamodb = _SerialDynamoDB()

    def start(self) -> None:
        werkzeug_log = logging.getLogger("werkzeug")
        if werkzeug_log.level == logging.NOTSET:
            # moto's server would log every emulated AWS call; the gateway's log says what matters.
            werkzeug_log.setLevel(logging.WARNING)
        self._serial_dynamodb.install()
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        # Backends are module globals shared with anything else in this process (another run,
        # a test using mock_aws): start from nothing so every run is fresh.
        self._post("/moto-api/reset", {})
        self._saved_config = {k: default_user_config.get(k) for k in MOTO_CONFIG}
        self._post("/moto-api/config", MOTO_CONFIG)

    def stop(self) -> None:
        try:
            self._post("/moto-api/reset", {})
        finally:
            for key, value in self._saved_config.items():
                default_user_config[key] = value  # type: ignore[literal-required]
            self._server.stop()
            self._serial_dynamodb.uninstall()

    def environment(self) -> dict[str, str]:
        """What a function's boto3/pynamodb clients need to reach the emulator."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            # moto's Step Functions interpreter calls AWS (Lambda, DynamoDB ...) at
            # localhost:$MOTO_PORT when it runs inside the server, as here.
            "MOTO_PORT": self.endpoint.rsplit(":", 1)[1],
        }

    def client(self, service: str) -> Any:
        """A boto3 client for the runtime's own calls (explicit, not via the process env)."""
        with self._session_lock:
            return self._session.client(
                service,  # type: ignore[call-overload]
                endpoint_url=self.endpoint,
                region_name=REGION,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
                config=Config(retries={"max_attempts": 2, "mode": "standard"}),
            )

    @staticmethod
    def warm_up(services: list[str]) -> None:
        """Import moto's heavy backends in the background while other resources are created.

        moto's Step Functions interpreter pulls in much of moto (several seconds on a busy
        machine); started early, that overlaps with the rest of the start-up.
        """
        modules = {"stepfunctions": "moto.stepfunctions.parser.models"}

        def load() -> None:
            for service in services:
                if service in modules:
                    importlib.import_module(modules[service])

        threading.Thread(target=load, name="local-moto-warm-up", daemon=True).start()

    def _post(self, path: str, body: Mapping[str, Any]) -> None:
        request = urllib.request.Request(  # noqa: S310 - always the local emulator's URL
            self.endpoint + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            response.read()
