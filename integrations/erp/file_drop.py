"""ERP adapter for systems with no API: one JSON file per purchase order in a drop folder.

The ERP (or its import job) picks files up from the folder. A file appears whole or not
at all (written to a temporary name, flushed to disk, then hard-linked into place), and
the hard link fails if the key is already there, so a key is never written twice even
by two processes at once.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from integrations.erp.base import ErpError, ErpOrder, ErpReceipt


class FileDropErp:
    name = "file_drop"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, po_key: str) -> Path:
        return self.folder / f"{po_key}.json"

    def find(self, po_key: str) -> ErpReceipt | None:
        path = self.path_for(po_key)
        if not path.exists():
            return None
        return ErpReceipt(po_key=po_key, external_ref=str(path), created=False)

    def submit(self, order: ErpOrder) -> ErpReceipt:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            final = self.path_for(order.po_key)
            payload = json.dumps(order.model_dump(mode="json"), indent=2, sort_keys=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{order.po_key}.", dir=self.folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(payload + "\n")
                    handle.flush()
                    os.fsync(handle.fileno())
                try:
                    os.link(tmp_name, final)
                except FileExistsError:
                    return ErpReceipt(po_key=order.po_key, external_ref=str(final), created=False)
            finally:
                os.unlink(tmp_name)
        except OSError as error:
            raise ErpError(f"cannot write {order.po_key} to {self.folder}: {error}") from error
        return ErpReceipt(po_key=order.po_key, external_ref=str(final), created=True)
