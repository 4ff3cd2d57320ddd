"""Email digests over SMTP: one message per run and recipient group.

STARTTLS, SSL or plain; login with credentials from the environment
variables the config names (never from the file, never logged). Each digest
groups alerts by report, highest severity first, with plain-text and HTML
parts and a UTF-8 subject.
"""
from __future__ import annotations

import os
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from alerts import format as fmt
from alerts.channels import Channel, DeliveryError, Item


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


class EmailChannel(Channel):
    def send(self, items: list[Item], test: bool = False) -> dict[int, DeliveryError | None]:
        spec = self.spec
        if not spec.get("to"):
            raise DeliveryError(f"{self.name}: no recipients configured", retryable=False)
        user = os.environ.get(spec["username_env"]) if spec.get("username_env") else None
        password = os.environ.get(spec["password_env"]) if spec.get("password_env") else None
        if spec.get("username_env") and (user is None or password is None):
            raise DeliveryError(f"{self.name}: credentials not set in ${spec['username_env']} / "
                                f"${spec['password_env']}", retryable=True)
        msg = build_message(spec, items, test)
        timeout = float(spec["timeout_seconds"])
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
                refused = smtp.send_message(msg)
        except smtplib.SMTPAuthenticationError as e:
            raise DeliveryError(f"SMTP login refused ({e.smtp_code})", retryable=False) from None
        except smtplib.SMTPRecipientsRefused as e:
            raise DeliveryError(f"all recipients refused: {', '.join(e.recipients)}", retryable=False) from None
        except smtplib.SMTPResponseException as e:
            raise DeliveryError(f"SMTP {e.smtp_code}", retryable=400 <= e.smtp_code < 500) from None
        except (smtplib.SMTPException, OSError, socket.timeout, ssl.SSLError) as e:
            raise DeliveryError(f"SMTP {spec['host']}:{spec['port']} unreachable: {type(e).__name__}",
                                retryable=True) from None
        if refused and len(refused) == len(spec["to"]):
            raise DeliveryError("all recipients refused", retryable=False)
        return {i.delivery_id: None for i in items}
