"""What the end-to-end tests drive the real processes with: a browser-like HTTP client over
urllib (cookies, CSRF tokens, forms, redirects), an SMTP sink, and process helpers.

The site runs behind an imaginary TLS proxy: every request carries
``X-Forwarded-Proto: https`` (as nginx sends it, docs/deploy/nginx.conf), so the production
settings stay as strict as in production (HTTPS redirect, secure cookies, CSRF origin checks).
"""

import contextlib
import email
import email.policy
import http.cookiejar
import os
import re
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

# --- HTTP ------------------------------------------------------------------------------------


@dataclass
class Page:
    status: int
    url: str
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def forms(self) -> list["Form"]:
        parser = FormParser()
        parser.feed(self.text)
        return parser.forms

    def form(
        self, *, having: str | None = None, action: str | None = None, method: str = "post"
    ) -> "Form":
        """The first form with a field ``having``, or whose action starts with ``action``."""
        for form in self.forms():
            if having is not None and having not in form.names():
                continue
            if action is not None and not form.action.startswith(action):
                continue
            if form.method != method:
                continue
            return form
        raise AssertionError(f"No form with {having or action} on {self.url}:\n{self.text[:3000]}")


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    options: dict[str, list[str]] = field(default_factory=dict)  # choices of selects, boxes

    def names(self) -> set[str]:
        return {name for name, _value in self.fields} | set(self.options)


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.select: str | None = None
        self.select_value: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(Form(attrs.get("action", ""), attrs.get("method", "get").lower()))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                form.options.setdefault(name, []).append(attrs.get("value", "on"))
                if "checked" in attrs:
                    form.fields.append((name, attrs.get("value", "on")))
            elif kind not in {"submit", "button", "file", "image", "reset"}:
                form.fields.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self.select, self.select_value = name, None
            form.options[name] = []
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            form.options[self.select].append(value)
            if "selected" in attrs or self.select_value is None:
                self.select_value = value
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "select" and self.select:
            self.forms[-1].fields.append((self.select, self.select_value or ""))
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.forms[-1].fields.append((self.textarea, self.text))
            self.textarea = None


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's browser: their cookies, the pages they open and the forms they send."""

    def __init__(self, base: str, *, language: str = "en"):
        self.base = base.rstrip("/")
        self.origin = "https://" + urllib.parse.urlsplit(self.base).netloc
        policy = http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "http"))
        self.cookies = http.cookiejar.CookieJar(policy)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects()
        )
        self.language = language
        self.last_url = self.origin + "/"

    def at(self, base: str) -> "Browser":
        """The same person (their cookies, their language) at another address of the site:
        another web host of the same site."""
        other = Browser(base, language=self.language)
        for cookie in self.cookies:
            other.cookies.set_cookie(cookie)
        return other

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)

    def path_of(self, url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def request(
        self,
        method: str,
        path: str,
        *,
        data: bytes | None = None,
        headers: dict | None = None,
        follow: bool = True,
        timeout: float = 30,
    ) -> Page:
        path = self.path_of(path) if "://" in path else path
        for _hop in range(10):
            request = urllib.request.Request(self.base + path, data=data, method=method)
            request.add_header("X-Forwarded-Proto", "https")
            request.add_header("Accept-Language", self.language)
            if method == "POST":
                request.add_header("Origin", self.origin)
                request.add_header("Referer", self.last_url)
            for key, value in (headers or {}).items():
                request.add_header(key, value)
            try:
                with self.opener.open(request, timeout=timeout) as response:
                    page = Page(response.status, self.origin + path, dict(response.headers), b"")
                    page.body = response.read()
            except urllib.error.HTTPError as error:
                page = Page(error.code, self.origin + path, dict(error.headers), error.read())
                error.close()
            if follow and page.status in (301, 302, 303, 307, 308):
                path = self.path_of(urllib.parse.urljoin(page.url, page.headers["Location"]))
                if page.status in (301, 302, 303):
                    method, data = "GET", None
                continue
            if page.status < 300 and method == "GET":
                self.last_url = page.url
            return page
        raise AssertionError(f"Too many redirects from {path}")

    def get(self, path: str, **kwargs) -> Page:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, fields, **kwargs) -> Page:
        body = urllib.parse.urlencode(fields, doseq=True).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, data=body, headers=headers, **kwargs)

    def submit(self, page: Page, form: Form, **values) -> Page:
        """Send ``form`` of ``page`` as a browser would, with ``values`` typed in (a list value
        ticks several boxes)."""
        fields = [(name, value) for name, value in form.fields if name not in values]
        for name, value in values.items():
            for item in value if isinstance(value, list) else [value]:
                fields.append((name, item))
        action = form.action or self.path_of(page.url)
        self.last_url = page.url
        return self.post(urllib.parse.urljoin(self.path_of(page.url), action), fields)


# --- E-mail ----------------------------------------------------------------------------------


class Sink:
    """An SMTP server that keeps every message it accepts (aiosmtpd, in a thread)."""

    def __init__(self, port: int):
        from aiosmtpd.controller import Controller

        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def start(self):
        import logging

        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def received(self) -> list:
        with self.lock:
            return list(self.messages)

    def wait_for(self, predicate, *, timeout: float = 30, count: int = 1) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [message for message in self.received() if predicate(message)]
            if len(found) >= count:
                return found
            time.sleep(0.1)
        subjects = [(m["To"], m["Subject"]) for m in self.received()][-10:]
        raise AssertionError(f"Expected e-mail not received in {timeout}s; last: {subjects}")

    def to(self, address: str, subject_contains: str = "", **kwargs):
        def matches(message):
            return address in str(message["To"]) and subject_contains in str(message["Subject"])

        return self.wait_for(matches, **kwargs)[-1]


def text_of(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def link_in(message, pattern: str) -> str:
    found = re.search(pattern, text_of(message))
    assert found, f"No {pattern} in:\n{text_of(message)}"
    return found.group(0)


# --- Processes -------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on now (the system picks it), for a server to bind."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def processes(marker: str) -> list[dict]:
    """Our processes carrying ``marker`` in their environment: pid, ppid, pgid, cmdline."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            if marker.encode() not in environ:
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat[0] == "Z":
            continue
        found.append(
            {"pid": int(entry.name), "ppid": int(stat[1]), "pgid": int(stat[2]), "cmd": cmdline}
        )
    return found


def task_workers(marker: str) -> list[dict]:
    return [p for p in processes(marker) if "run_worker" in p["cmd"] and p["pid"] == p["pgid"]]


def gunicorn_workers(marker: str) -> list[dict]:
    everything = processes(marker)
    gunicorns = {p["pid"] for p in everything if "gunicorn" in p["cmd"]}
    return [p for p in everything if p["pid"] in gunicorns and p["ppid"] in gunicorns]


def kill_group(pgid: int, sig=signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def wait_until(condition, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}")
