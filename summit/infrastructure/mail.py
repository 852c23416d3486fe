"""What every e-mail we send shares: the sender's name and the subject's prefix in the
reader's language, and Message-IDs at the site's own host (not the machine's name, which is
"localhost" in a container and means nothing to mail systems)."""

import sys
import threading
from email.utils import make_msgid, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.translation import pgettext


def site_host() -> str:
    """The host of ``SITE_URL``, the address guests know the site by."""
    return urlsplit(settings.SITE_URL).hostname or "bayline"


def new_message_id() -> str:
    return make_msgid(domain=site_host())


def subject_prefix() -> str:
    """The summit's short name before every subject, in the active language."""
    return pgettext("e-mail subject prefix", "[Digital GBA Summit] ")


def sender() -> str:
    """``DEFAULT_FROM_EMAIL``'s address with the summit's short name in the active language."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    name = pgettext("e-mail sender name", "Digital GBA Summit")
    # Unencoded: Django encodes the name for the header when the message is built.
    return f"{name} <{address}>"


class ConsoleEmailBackend(BaseEmailBackend):
    """Development e-mail: each message printed short on the console (who, subject, the text
    part, and attachments by name and size), not as MIME with base64-encoded PDFs, so that
    the demo's console stays readable and verification links easy to find."""

    def __init__(self, *args, stream=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages) -> int:
        with self._lock:
            for message in email_messages:
                self.stream.write(self.format(message))
            self.stream.flush()
        return len(email_messages)

    @staticmethod
    def format(message) -> str:
        lines = [
            f"----- E-mail to {', '.join(message.to)} " + "-" * 30,
            f"Subject: {message.subject}",
            f"From: {message.from_email}",
        ]
        if message.extra_headers.get("Message-ID"):
            lines.append(f"Message-ID: {message.extra_headers['Message-ID']}")
        lines += ["", message.body.rstrip(), ""]
        for attachment in message.attachments:
            if hasattr(attachment, "get_filename"):  # a MIME part
                name, size, kind = attachment.get_filename(), None, attachment.get_content_type()
            else:
                name, content, kind = attachment
                size = len(content)
            lines.append(f"Attached: {name} ({kind}{f', {size:,} bytes' if size else ''})")
        for _content, kind in getattr(message, "alternatives", []):
            lines.append(f"Also as {kind} (not shown).")
        return "\n".join(lines) + "\n\n"
