"""E-mail as .eml files in an outbox folder: the embedded default, readable by any mail client."""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from email.message import EmailMessage
from pathlib import Path

from integrations.email.base import MailError


class OutboxMailer:
    name = "outbox"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> str:
        name = _file_name(message)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=".", suffix=".eml", dir=self.folder)
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.as_bytes())
            final = self.folder / name
            # link() refuses to overwrite: a second message with the same name gets a
            # unique suffix instead of silently replacing the first.
            while True:
                try:
                    os.link(tmp_name, final)
                    break
                except FileExistsError:
                    final = self.folder / f"{final.stem}-{uuid.uuid4().hex[:8]}.eml"
            os.unlink(tmp_name)
        except OSError as error:
            raise MailError(f"cannot write e-mail to {self.folder}: {error}") from error
        return str(final)


def _file_name(message: EmailMessage) -> str:
    """The message id as a file name. A header read back from the mail queue may be folded
    (a line break and a space before `<`): without stripping those, every alert's file
    started with "-", which shell tools take for an option."""
    message_id = " ".join(str(message.get("Message-ID", "")).split()).strip("<> ")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", message_id or str(message.get("Subject", "")))
    slug = slug.lstrip("-.")[:120].rstrip("-.")
    return f"{slug or 'mail'}.eml"
