"""How an email leaves: to the SMTP server of the settings, or, when none is set, as an .eml
file in DATA_DIR/outbox (the embedded default: nothing needs a mail server to try it).

The SMTP password comes from CONCIERGE_SMTP_PASSWORD or, better, from the encrypted store
(``concierge outbox smtp-password``), never from a plain file.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from concierge.config import Settings
from concierge.credentials import CredentialStore

SMTP_PLATFORM = "smtp"


def outbox_dir(settings: Settings) -> Path:
    return settings.data_dir / "outbox"


def smtp_password(settings: Settings) -> str | None:
    if settings.smtp_password is not None:
        return settings.smtp_password.get_secret_value()
    stored = CredentialStore.for_owner(settings).get(SMTP_PLATFORM)
    return stored.password.get_secret_value() if stored else None


class Mailer:
    """Hands emails over, one at a time, on one SMTP connection kept open between them (a new
    one when the server has closed it), or writes .eml files when no server is set."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = asyncio.Lock()
        self._server: smtplib.SMTP | None = None

    async def send(self, mail: EmailMessage, message_id: int) -> None:
        """Raises when ``mail`` was not accepted (the worker retries)."""
        if self.settings.smtp_host is None:
            await asyncio.to_thread(_write_eml, mail, outbox_dir(self.settings), message_id)
            return
        async with self._lock:
            await asyncio.to_thread(self._deliver, mail)

    def _deliver(self, mail: EmailMessage) -> None:
        if self._server is not None:
            try:
                self._server.send_message(mail)
                return
            except (smtplib.SMTPServerDisconnected, OSError):
                self._drop()  # closed while idle: once more on a fresh connection
        self._server = _connect(self.settings)
        try:
            self._server.send_message(mail)
        except (smtplib.SMTPServerDisconnected, OSError):
            self._drop()
            raise

    def _drop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            with contextlib.suppress(OSError):
                server.close()

    async def aclose(self) -> None:
        async with self._lock:
            if self._server is not None:
                server, self._server = self._server, None
                await asyncio.to_thread(_quit, server)


def _quit(server: smtplib.SMTP) -> None:
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        server.close()


def _write_eml(mail: EmailMessage, directory: Path, message_id: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    # Named by the outbox row: a resend overwrites the same file instead of adding a copy.
    path = directory / f"{message_id:08d}.eml"
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(mail.as_bytes())
    os.replace(temporary, path)


def _connect(settings: Settings) -> smtplib.SMTP:
    host, port, timeout = settings.smtp_host or "", settings.smtp_port, settings.smtp_timeout
    context = ssl.create_default_context()
    server: smtplib.SMTP
    if settings.smtp_security == "tls":
        server = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if settings.smtp_security == "starttls":
            server.starttls(context=context)
        if settings.smtp_user:
            server.login(settings.smtp_user, smtp_password(settings) or "")
    except BaseException:
        server.close()
        raise
    return server
