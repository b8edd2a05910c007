"""ERP adapter for systems with no API: one JSON file per purchase order in a drop folder.

The ERP's import job picks files up from the folder and usually moves them away, so the
folder cannot be the memory of what was sent. The adapter keeps its own ledger beside
the folder (`<folder>.ledger`, one JSON line per event, fsync'd): a key is recorded as
`writing` before its file appears and `written` after, and a key the ledger knows is
never written again, whatever the folder holds by then.

A file appears whole or not at all: written to `.<key>.part`, flushed to disk, then
hard-linked into place (the link fails if the key is already there). Every step runs
under an exclusive lock on the ledger, so two processes never write one key.

A run killed between `writing` and the link leaves a key whose file may or may not have
reached the ERP (the importer may have taken it). That key is not sent again: `find`
reports it as an `ErpError` for the operator to check, because a lost order is noticed
and fixed in a minute, a duplicate one is paid for.
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

from integrations.erp.base import ErpError, ErpOrder, ErpReceipt

WRITING, WRITTEN = "writing", "written"
PART_SUFFIX = ".part"


class FileDropErp:
    name = "file_drop"

    def __init__(self, folder: Path, ledger: Path | None = None) -> None:
        self.folder = folder
        self.ledger = ledger or folder.with_name(folder.name + ".ledger")
        self._states: dict[str, str] = {}
        self._offset = 0
        self._handle: IO[str]

    def path_for(self, po_key: str) -> Path:
        return self.folder / f"{po_key}.json"

    def find(self, po_key: str) -> ErpReceipt | None:
        """The key's receipt if the ledger (or the folder) has it; ErpError if uncertain."""
        with self._locked():
            return self._known(po_key)

    def submit(self, order: ErpOrder) -> ErpReceipt:
        key = order.po_key
        final = self.path_for(key)
        try:
            with self._locked():
                known = self._known(key)
                if known is not None:
                    return known
                payload = json.dumps(order.model_dump(mode="json"), indent=2, sort_keys=True)
                part = self.folder / f".{key}{PART_SUFFIX}"
                with part.open("w", encoding="utf-8") as handle:
                    handle.write(payload + "\n")
                    handle.flush()
                    os.fsync(handle.fileno())
                self._record(key, WRITING)
                try:
                    os.link(part, final)
                    created = True
                except FileExistsError:
                    created = False
                self._record(key, WRITTEN)
                part.unlink()
        except OSError as error:
            raise ErpError(f"cannot write {key} to {self.folder}: {error}") from error
        return ErpReceipt(po_key=key, external_ref=str(final), created=created)

    def _known(self, key: str) -> ErpReceipt | None:
        state = self._states.get(key)
        final = self.path_for(key)
        if state == WRITTEN:
            return ErpReceipt(po_key=key, external_ref=str(final), created=False)
        if final.exists():  # written before the ledger existed, or by an older version
            if state != WRITTEN:
                self._record(key, WRITTEN)
            return ErpReceipt(po_key=key, external_ref=str(final), created=False)
        if state == WRITING:
            raise ErpError(
                f"{key}: a run stopped while writing it to {self.folder} and the file is no "
                "longer there (taken by the ERP's import?); check the ERP for this key before "
                f"sending it again (ledger {self.ledger})"
            )
        return None

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The ledger, locked and read up to date; leftover `.part` files removed."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = self.ledger.open("a+", encoding="utf-8")
        except OSError as error:
            raise ErpError(f"cannot open the ledger {self.ledger}: {error}") from error
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # released when the file closes
            self._handle = handle
            self._catch_up()
            self._remove_parts()
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

    def _record(self, key: str, state: str) -> None:
        line = json.dumps({"key": key, "state": state, "at": datetime.now(UTC).isoformat()})
        self._handle.write(line + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._states[key] = state
        self._offset = self.ledger.stat().st_size

    def _remove_parts(self) -> None:
        """`.part` files of a killed run (and `.RPL-*` ones of older versions): debris, since
        the ledger, not the part file, says whether a key was sent.

        Safe under the ledger lock: no other process is between writing and linking.
        """
        leftovers = {*self.folder.glob(f".*{PART_SUFFIX}"), *self.folder.glob(".RPL-*")}
        for part in leftovers:
            part.unlink(missing_ok=True)
