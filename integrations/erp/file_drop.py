"""ERP adapter for systems with no API: one JSON file per purchase order in a drop folder.

The ERP's import job picks files up from the folder and usually moves them away, so the
folder cannot be the memory of what was sent. The adapter keeps its own ledger beside
the folder (`<folder>.ledger`, one JSON line per event, fsync'd): a key is recorded as
`writing` once its file is complete under a temporary name, and `written` once it is
published; a key the ledger knows is never written again, whatever the folder holds.

The file is JSON (the order as one object) or CSV (one row per line, the order's fields
repeated), by `erp.file_format` (integrations.erp.file_formats). A file appears whole or
not at all: written to `.<key>.part`, flushed to disk, then
renamed into place. The rename is the moment of sending, and it is atomic: the `.part`
file exists before it and not after. So a run killed anywhere is completed exactly by
the next one: `writing` with the `.part` file still there was never published (rename it
now), `writing` without it was (record it). Every step runs under an exclusive lock on
the ledger, so two processes never write one key, and no one else creates `.part` files.

A rollback cancels an order with a cancellation file: `CANCEL-<key>.json` (or `.csv`),
the order exactly as it was sent, in the same format, written by the same steps under
its own ledger key `CANCEL-<key>`; so it too is dropped once, whatever is killed or
retried. An importer that picks up `RPL-*` files never takes one for a new order.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from integrations.erp.base import ErpCancellation, ErpOrder, ErpReceipt, ErpUnavailable
from integrations.erp.file_formats import RENDERERS

WRITING, WRITTEN = "writing", "written"
PART_SUFFIX = ".part"
#: A cancellation file's name and ledger key: `CANCEL-<po_key>`.
CANCEL_PREFIX = "CANCEL-"


class FileDropErp:
    name = "file_drop"

    def __init__(
        self, folder: Path, ledger: Path | None = None, *, file_format: str = "json"
    ) -> None:
        if file_format not in RENDERERS:
            raise ValueError(f"file_format must be one of {sorted(RENDERERS)}, not {file_format!r}")
        self.folder = folder
        self.file_format = file_format
        self.ledger = ledger or folder.with_name(folder.name + ".ledger")
        self._states: dict[str, str] = {}
        self._offset = 0
        self._handle: IO[str]

    def path_for(self, po_key: str) -> Path:
        return self.folder / f"{po_key}.{self.file_format}"

    def find(self, po_key: str) -> ErpReceipt | None:
        """The key's receipt if the ledger (or the folder) has it."""
        with self._locked():
            return self._known(po_key)

    def submit(self, order: ErpOrder) -> ErpReceipt:
        key = order.po_key
        with self._unavailable_on_os_error(key), self._locked():
            known = self._known(key)
            if known is not None:
                return known
            self._write(key, RENDERERS[self.file_format](order))
        return ErpReceipt(po_key=key, external_ref=str(self.path_for(key)), created=True)

    def cancel(self, order: ErpOrder, reason: str) -> ErpCancellation:
        """Drop the order's cancellation file once; `not_held` if the order was never
        written (the ledger and the folder know nothing of its key)."""
        key = order.po_key
        cancel_key = CANCEL_PREFIX + key
        where = str(self.path_for(cancel_key))
        with self._unavailable_on_os_error(cancel_key), self._locked():
            if self._known(key) is None:
                return ErpCancellation(po_key=key, outcome="not_held")
            if self._known(cancel_key) is not None:
                return ErpCancellation(po_key=key, outcome="already_cancelled",
                                       external_ref=where)  # fmt: skip
            self._write(cancel_key, RENDERERS[self.file_format](order))
        return ErpCancellation(po_key=key, outcome="cancelled", external_ref=where)

    @contextmanager
    def _unavailable_on_os_error(self, key: str) -> Iterator[None]:
        try:
            yield
        except OSError as error:
            # A folder not mounted, a full disk: an outage to retry, not a refused order.
            raise ErpUnavailable(f"cannot write {key} to {self.folder}: {error}") from error

    def _write(self, key: str, payload: str) -> None:
        """The whole file under its `.part` name, on disk, recorded `writing`, published."""
        part = self._part(key)
        with part.open("w", encoding="utf-8", newline="") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        self._record(key, WRITING)
        self._publish(key)

    def _part(self, key: str) -> Path:
        return self.folder / f".{key}{PART_SUFFIX}"

    def _publish(self, key: str) -> None:
        """Rename the complete `.part` file into place (the send), then record it."""
        os.replace(self._part(key), self.path_for(key))
        _sync_folder(self.folder)
        self._record(key, WRITTEN)

    def _known(self, key: str) -> ErpReceipt | None:
        final = self.path_for(key)
        if self._states.get(key) == WRITTEN:
            return ErpReceipt(po_key=key, external_ref=str(final), created=False)
        if final.exists():  # written before the ledger existed (an older version)
            self._record(key, WRITTEN)
            return ErpReceipt(po_key=key, external_ref=str(final), created=False)
        return None

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The ledger, locked and read up to date; a killed run's work completed."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = self.ledger.open("a+", encoding="utf-8")
        except OSError as error:
            raise ErpUnavailable(f"cannot open the ledger {self.ledger}: {error}") from error
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # released when the file closes
            self._handle = handle
            self._catch_up()
            self._recover()
            yield

    def _catch_up(self) -> None:
        """Read the ledger lines other processes appended since we last looked."""
        with self.ledger.open("rb") as reader:
            reader.seek(self._offset)
            tail = reader.read()
        complete = tail[: tail.rfind(b"\n") + 1]
        self._offset += len(tail)
        if len(complete) < len(tail):
            # a line torn by a kill: end it, so the next event starts a line of its own
            self._handle.write("\n")
            self._handle.flush()
            self._offset += 1
        for line in complete.splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            key, state = event.get("key"), event.get("state")
            if key and (state == WRITTEN or self._states.get(key) != WRITTEN):
                self._states[key] = state

    def _recover(self) -> None:
        """Finish what a killed run left: `writing` keys, then remove leftover files.

        A `writing` key whose `.part` file is still there was never renamed into place:
        publish it now. One without it was published (the importer may have taken it):
        record that. Any other `.part` file (killed before `writing`), and `.RPL-*` temp
        files of older versions, were never sent: debris.
        """
        for key in [k for k, state in self._states.items() if state == WRITING]:
            if self._part(key).exists() and not self.path_for(key).exists():
                self._publish(key)
            else:
                self._record(key, WRITTEN)
        leftovers = {*self.folder.glob(f".*{PART_SUFFIX}"), *self.folder.glob(".RPL-*")}
        for part in leftovers:
            part.unlink(missing_ok=True)

    def _record(self, key: str, state: str) -> None:
        line = json.dumps({"key": key, "state": state, "at": datetime.now(UTC).isoformat()})
        self._handle.write(line + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._states[key] = state
        self._offset = self.ledger.stat().st_size


def _sync_folder(folder: Path) -> None:
    """Make the rename durable before the ledger says it happened."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
