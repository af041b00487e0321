"""One JSON line per message at SMS_FILE_PATH, and an index to ask it afterwards.

A worker killed between writing a line and recording the send leaves its row in
`sending`; the dispatcher then asks `query_status` whether the line was written.
Scanning a file of a million lines for that would not do, so every line's dedupe
key also goes into a small SQLite index beside the file (`<file>.index`), keyed
by the key: a look-up is one B-tree search.

The line is written first and indexed second, both under one exclusive lock on
the file. A kill between the two leaves a line the index has not seen; the index
records how far into the file it has read, so a query first indexes whatever
lies past that point (at most the few lines of killed writers) and then looks.
"""

import fcntl
import json
import os
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from notifications.backends.base import DeliveryStatus, OutgoingMessage, SendResult

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sent (dedupe_key TEXT PRIMARY KEY) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS progress (id INTEGER PRIMARY KEY CHECK (id = 1), "
    "indexed_to INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO progress (id, indexed_to) VALUES (1, 0)",
)
# Index connections are reused within one process; a forked child opens its own.
_connections: dict[tuple[int, str], sqlite3.Connection] = {}


# Directories this process has already made sure of.
_ready_dirs: set[Path] = set()


def index_path(path: Path) -> Path:
    return path.with_name(path.name + ".index")


def _index(path: Path) -> sqlite3.Connection:
    key = (os.getpid(), str(path))
    db = _connections.get(key)
    if db is None:
        db = sqlite3.connect(index_path(path), timeout=30, isolation_level=None)
        # The file lock already serialises writers; the index must only survive a
        # killed process, not a power cut (neither does the unsynced file).
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        for statement in _SCHEMA:
            db.execute(statement)
        _connections[key] = db
    return db


def _catch_up(db: sqlite3.Connection, fd: int) -> None:
    """Index every whole line past the point the index has reached. Call with
    the file locked."""
    (indexed_to,) = db.execute("SELECT indexed_to FROM progress").fetchone()
    size = os.fstat(fd).st_size
    if size < indexed_to:
        # The file was truncated or replaced: start over.
        db.execute("DELETE FROM sent")
        indexed_to = 0
    if size == indexed_to:
        return
    tail = os.pread(fd, size - indexed_to, indexed_to)
    whole = tail[: tail.rfind(b"\n") + 1]
    keys = []
    for raw in whole.splitlines():
        try:
            keys.append((json.loads(raw)["dedupe_key"],))
        except (ValueError, KeyError, TypeError):
            continue
    db.execute("BEGIN")
    db.executemany("INSERT OR IGNORE INTO sent (dedupe_key) VALUES (?)", keys)
    db.execute("UPDATE progress SET indexed_to = ?", (indexed_to + len(whole),))
    db.execute("COMMIT")


def _line(message: OutgoingMessage) -> bytes:
    record = {
        "phone": message.phone,
        "kind": message.kind,
        "text": message.text,
        "time": timezone.now().isoformat(),
        "dedupe_key": message.correlation_id,
    }
    return (json.dumps(record, ensure_ascii=False) + "\n").encode()


class FileBackend:
    """Appends with an exclusive lock, so lines stay whole when several worker
    processes write at once; one write() per line, so a killed writer leaves
    whole lines and at most none of the one it was writing."""

    name = "file"
    # query_status never answers "unknown": a key it has not got was never sent.
    status_is_authoritative = True

    def send(self, message: OutgoingMessage) -> SendResult:
        return self.send_many([message])[0]

    def send_many(self, messages: Sequence[OutgoingMessage]) -> list[SendResult]:
        """The lines of several messages under one lock and one index
        transaction. A writer killed between the lines and the index leaves
        lines the index has not seen; the next query indexes them first."""
        path = Path(settings.SMS_FILE_PATH)
        if path.parent not in _ready_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            _ready_dirs.add(path.parent)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            db = _index(path)
            # Normally nothing to do; after a killed writer, its lines.
            _catch_up(db, fd)
            end = os.fstat(fd).st_size
            for message in messages:
                end += os.write(fd, _line(message))
            db.execute("BEGIN")
            db.executemany(
                "INSERT OR IGNORE INTO sent (dedupe_key) VALUES (?)",
                [(message.correlation_id,) for message in messages],
            )
            db.execute("UPDATE progress SET indexed_to = ?", (end,))
            db.execute("COMMIT")
        finally:
            os.close(fd)
        return [
            SendResult(accepted=True, provider_message_id=message.correlation_id)
            for message in messages
        ]

    def query_status(
        self,
        correlation_id: str,
        provider_message_id: str = "",
        *,
        phone: str = "",
        sent_at: datetime | None = None,
    ) -> DeliveryStatus:
        """ "delivered" when a line with this dedupe key is in the file: the line
        is the delivery. "not_found" otherwise."""
        path = Path(settings.SMS_FILE_PATH)
        if not path.exists():
            return "not_found"
        fd = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            db = _index(path)
            _catch_up(db, fd)
            found = db.execute(
                "SELECT 1 FROM sent WHERE dedupe_key = ?", (correlation_id,)
            ).fetchone()
        finally:
            os.close(fd)
        return "delivered" if found else "not_found"
