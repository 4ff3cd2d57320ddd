"""Email digests over SMTP: one message per run and recipient group.

STARTTLS, SSL or plain; login with credentials from the environment
variables the config names (never from the file, never logged). Each digest
groups alerts by report, highest severity first, with plain-text and HTML
parts and a UTF-8 subject.

The server's answer is kept per recipient: one refused recipient (5xx) is
recorded with the server's reply while the others count as delivered; a
temporary refusal (4xx, e.g. 451), of a recipient or of the whole message,
is retried with backoff.
"""
from __future__ import annotations

import os
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from alerts import format as fmt
from alerts.channels import Channel, DeliveryError, Item, RecipientOutcome, Result


def build_message(spec: dict, items: list[Item], test: bool = False) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = fmt.digest_subject(items, test=test)
    msg["From"] = spec["sender"]
    msg["To"] = ", ".join(spec["to"])
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=spec["sender"].split("@")[-1] or "audit-worker")
    ids = ",".join(str(i.delivery_id) for i in items)
    msg["X-Audit-Deliveries"] = ids[:900]
    msg.set_content(fmt.digest_text(items))
    msg.add_alternative(fmt.digest_html(items), subtype="html")
    return msg


def _reply(code: int, text: bytes | str) -> str:
    """The server's answer, fit for the database and a terminal: printable, bounded."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return f"{code} {text}".strip()[:300]


def _outcomes(owed: list[str], refused: dict) -> list[RecipientOutcome]:
    """Per recipient: accepted, or refused (5xx) / deferred (4xx) with the reply."""
    out = []
    for rcpt in owed:
        if rcpt in refused:
            code, text = refused[rcpt]
            out.append(RecipientOutcome(rcpt, "deferred" if 400 <= int(code) < 500 else "refused",
                                        _reply(int(code), text)))
        else:
            out.append(RecipientOutcome(rcpt, "accepted", "250"))
    return out


class EmailChannel(Channel):
    _test = False

    def plan(self, items: list[Item]) -> list[list[Item]]:
        """One digest per set of recipients still owed (all of the group, except
        for deliveries where some recipients already accepted or refused)."""
        groups: dict[tuple, list[Item]] = {}
        for it in items:
            groups.setdefault(tuple(it.recipients or self.spec.get("to") or ()), []).append(it)
        return list(groups.values())

    def send(self, items: list[Item], test: bool = False) -> dict[int, DeliveryError | None]:
        self._test = test
        return super().send(items)

    def deliver(self, items: list[Item]) -> Result:
        try:
            return self._deliver(items)
        except DeliveryError as e:
            return Result(e)

    def _deliver(self, items: list[Item]) -> Result:
        spec = self.spec
        if not spec.get("to"):
            raise DeliveryError(f"{self.name}: no recipients configured", retryable=False)
        owed = list(items[0].recipients or spec["to"])
        user = os.environ.get(spec["username_env"]) if spec.get("username_env") else None
        password = os.environ.get(spec["password_env"]) if spec.get("password_env") else None
        if spec.get("username_env") and (user is None or password is None):
            raise DeliveryError(f"{self.name}: credentials not set in ${spec['username_env']} / "
                                f"${spec['password_env']}", retryable=True)
        msg = build_message(spec, items, self._test)
        timeout = float(spec["timeout_seconds"])
        sending = False        # past MAIL FROM: a lost connection may have delivered the message
        try:
            if spec["security"] == "ssl":
                smtp = smtplib.SMTP_SSL(spec["host"], int(spec["port"]), timeout=timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(spec["host"], int(spec["port"]), timeout=timeout)
            with smtp:
                smtp.ehlo()
                if spec["security"] == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if user is not None:
                    smtp.login(user, password)
                sending = True
                refused = smtp.send_message(msg, to_addrs=owed)
        except smtplib.SMTPAuthenticationError as e:
            raise DeliveryError(f"SMTP login refused ({e.smtp_code})", retryable=False) from None
        except smtplib.SMTPRecipientsRefused as e:
            # Every recipient refused: each with its own reply; 4xx ones are retried.
            return Result(recipients=_outcomes(owed, e.recipients))
        except smtplib.SMTPResponseException as e:
            # MAIL FROM or DATA answered with an error: 4xx (e.g. 451) is temporary.
            raise DeliveryError(f"SMTP {_reply(e.smtp_code, e.smtp_error)}",
                                retryable=400 <= e.smtp_code < 500) from None
        except (smtplib.SMTPException, OSError, socket.timeout, ssl.SSLError) as e:
            if sending:
                raise DeliveryError(f"SMTP {spec['host']}:{spec['port']} closed or timed out during the transaction "
                                    f"({type(e).__name__}); unsure whether it was delivered", retryable=True,
                                    unsure=True) from None
            raise DeliveryError(f"SMTP {spec['host']}:{spec['port']} unreachable: {type(e).__name__}",
                                retryable=True) from None
        return Result(recipients=_outcomes(owed, refused or {}))
