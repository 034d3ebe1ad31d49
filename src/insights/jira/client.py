"""A thin, safe wrapper around the real ``jira.JIRA`` client.

>>> classify(ValueError("boom")).kind
'server'
>>> parse_retry_after("7")
7.0

Why a wrapper: the library's ``ResilientSession`` retries connection errors on *every*
method, POST included, which turns a dropped connection after a create into a duplicate
issue; it also sleeps with random jitter. So the session is built with ``max_retries=0``
and all retrying happens here, deterministically: reads are retried with backoff, 429
waits for ``Retry-After`` (up to ``max_wait``), and creates are never retried blindly: the
caller searches first (see :mod:`insights.jira.push`).

The library's errors carry the request as sent (its ``Authorization`` header included)
and their ``str()`` dumps headers and bodies; nothing from them is shown except the
status code and Jira's own messages, with every known secret masked, and our errors are
raised ``from None`` so no traceback chain carries them.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, TypeVar

import jira as jira_lib
import requests
from jira.exceptions import JIRAError

from ..errors import InsightsError
from .config import JiraCredentials, JiraSettings

__all__ = ["JiraClient", "JiraError", "JiraAuthError", "JiraUnavailable", "JiraRejected", "Failure",
           "classify", "parse_retry_after", "redact", "FoundIssue"]

log = logging.getLogger("insights.jira")
T = TypeVar("T")


class JiraError(InsightsError):
    """A Jira problem the user can act on; the message holds no secret."""


class JiraAuthError(JiraError):
    """Credentials missing, wrong or expired: the whole run stops."""


class JiraUnavailable(JiraError):
    """Jira kept failing (connection, 5xx, long rate limit) after the retries: stop, rerun later."""


class JiraRejected(JiraError):
    """Jira refused this one request (400 field errors, 404): skip the item, go on."""

    def __init__(self, message: str, status: int | None = None, errors: dict | None = None):
        super().__init__(message)
        self.status = status
        self.errors = errors or {}


@dataclass(frozen=True)
class Failure:
    """What went wrong with one call, in the terms retrying needs.

    ``kind``: ``auth`` | ``rejected`` | ``rate`` (429) | ``server`` (5xx, odd answers) |
    ``transport`` (connection dropped, timeout). For a create, ``server`` and ``transport``
    are ambiguous: the issue may exist.
    """

    kind: str
    message: str
    status: int | None = None
    retry_after: float | None = None
    errors: dict | None = None

    @property
    def ambiguous(self) -> bool:
        return self.kind in ("server", "transport")


@dataclass(frozen=True)
class FoundIssue:
    key: str
    id: str
    project: str


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """Mask every secret in ``text``.

    >>> redact("token abc123 here", ("abc123",))
    'token *** here'
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _jira_messages(exc: JIRAError) -> tuple[str, dict]:
    """Jira's own error text and field errors, from the response body only."""
    errors: dict = {}
    messages: list[str] = []
    response = getattr(exc, "response", None)
    if response is not None:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            messages += [str(m) for m in body.get("errorMessages") or []]
            if isinstance(body.get("errors"), dict):
                errors = {str(k): str(v) for k, v in body["errors"].items()}
            for key in ("message", "errorMessage"):
                if body.get(key):
                    messages.append(str(body[key]))
    if not messages and not errors and exc.text and "\n" not in str(exc.text):
        messages.append(str(exc.text))
    text = "; ".join(messages + [f"{k}: {v}" for k, v in errors.items()])
    return text, errors


def classify(exc: BaseException) -> Failure:
    """Sort an exception from the jira client into a :class:`Failure` (never keeps headers)."""
    if isinstance(exc, requests.exceptions.Timeout):
        return Failure("transport", "timed out waiting for Jira")
    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        return Failure("transport", "connection to Jira failed or was dropped")
    if isinstance(exc, JIRAError):
        status = exc.status_code
        text, errors = _jira_messages(exc)
        headers = exc.response.headers if getattr(exc, "response", None) is not None else {}
        if status == 401 or (status == 403 and "x-authentication-denied-reason" in {k.lower() for k in headers}):
            return Failure("auth", text or "not authenticated", status)
        if status == 429:
            return Failure("rate", text or "rate limited", status, parse_retry_after(headers.get("Retry-After")))
        if status is None or status >= 500:
            retry_after = parse_retry_after(headers.get("Retry-After")) if status == 503 else None
            return Failure("server", text or "Jira gave no usable answer", status, retry_after)
        return Failure("rejected", text or f"HTTP {status}", status, errors=errors)
    if isinstance(exc, requests.exceptions.RequestException):
        return Failure("transport", type(exc).__name__)
    return Failure("server", f"unexpected answer from Jira ({type(exc).__name__})")


class JiraClient:
    """A connected client: ``JiraClient(credentials, settings).connect()``.

    ``sleep`` is injectable so tests can record waits instead of making them.
    """

    def __init__(self, credentials: JiraCredentials, settings: JiraSettings,
                 sleep: Callable[[float], None] = time.sleep):
        self.credentials = credentials
        self.settings = settings
        self.sleep = sleep
        self._jira: jira_lib.JIRA | None = None
        self.deployment = ""

    # -- plumbing ---------------------------------------------------------------------------
    @property
    def jira(self) -> jira_lib.JIRA:
        if self._jira is None:
            raise JiraError("not connected to Jira")
        return self._jira

    @property
    def is_cloud(self) -> bool:
        return self.deployment == "Cloud"

    def _safe(self, text: str) -> str:
        return redact(text, self.credentials.secrets)

    def failure(self, exc: BaseException) -> Failure:
        failure = classify(exc)
        return Failure(failure.kind, self._safe(failure.message), failure.status, failure.retry_after,
                       failure.errors)

    def auth_error(self, failure: Failure) -> JiraAuthError:
        return JiraAuthError(
            f"Jira at {self.credentials.server} rejected the credentials (HTTP {failure.status}: "
            f"{failure.message}); set {self.credentials.variables} to valid values")

    def backoff(self, attempt: int) -> float:
        return min(self.settings.max_backoff, self.settings.retry_backoff * 2 ** (attempt - 1))

    def wait_for(self, failure: Failure, attempt: int, what: str) -> None:
        """Sleep before retry number ``attempt``, or raise when retrying must stop."""
        if attempt > self.settings.max_retries:
            raise JiraUnavailable(f"{what}: {failure.message} (gave up after {self.settings.max_retries} "
                                  "retries); nothing is lost, run the command again later")
        if failure.retry_after is not None:
            if failure.retry_after > self.settings.max_wait:
                raise JiraUnavailable(
                    f"{what}: Jira asked to wait {failure.retry_after:.0f}s (HTTP {failure.status}), more than "
                    f"max_wait={self.settings.max_wait:.0f}s; run the command again later")
            delay = failure.retry_after
        else:
            delay = self.backoff(attempt)
        log.info("%s: %s; retry %d/%d in %.2fs", what, failure.message, attempt, self.settings.max_retries, delay)
        self.sleep(delay)

    def call(self, what: str, fn: Callable[[], T]) -> T:
        """Run an idempotent call with retries; raise a safe :class:`JiraError`."""
        attempt = 0
        while True:
            try:
                return fn()
            except Exception as exc:  # noqa: BLE001 - every client error is classified
                failure = self.failure(exc)
            if failure.kind == "auth":
                raise self.auth_error(failure) from None
            if failure.kind == "rejected":
                raise JiraRejected(f"{what}: {failure.message}", failure.status, failure.errors) from None
            attempt += 1
            self.wait_for(failure, attempt, what)

    # -- connecting -------------------------------------------------------------------------
    def connect(self) -> "JiraClient":
        """Open the session, learn Cloud vs Server, and check the credentials."""
        creds = self.credentials
        auth: dict[str, Any] = (
            {"basic_auth": (creds.email, creds.token)} if creds.kind == "basic" else {"token_auth": creds.token})

        def build() -> jira_lib.JIRA:
            return jira_lib.JIRA(creds.server, max_retries=0, timeout=self.settings.timeout, logging=False,
                                 options={"check_update": False}, **auth)

        self._jira = self.call(f"connecting to Jira at {creds.server}", build)
        self.deployment = self._jira.deploymentType or "Server"
        # The link target is always the notes, never another Jira: skip the admin-only
        # application-links lookup that add_remote_link would otherwise make first.
        self._jira._applicationlinks = []
        # serverInfo answers anonymous callers on some sites: ask who we are to be sure
        self.call("checking Jira credentials", self._jira.myself)
        return self

    def close(self) -> None:
        if self._jira is not None:
            self._jira.close()
            self._jira = None

    def __enter__(self) -> "JiraClient":
        return self.connect() if self._jira is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- operations -------------------------------------------------------------------------
    def project_key(self, key: str) -> str:
        """The project's key as Jira spells it; :class:`JiraRejected` when it is not visible."""
        return self.call(f"looking up project {key}", lambda: self.jira.project(key)).key

    def search(self, jql: str, limit: int = 50) -> list[FoundIssue]:
        found = self.call(f"searching Jira ({jql})", lambda: self.jira.search_issues(
            jql, maxResults=limit, fields="project,status,labels"))
        return [FoundIssue(str(i.key), str(i.id), str(i.fields.project.key)) for i in found]

    def find_label(self, label: str) -> list[FoundIssue]:
        """Issues carrying ``label`` in any project, oldest first (a moved issue still counts)."""
        return self.search(f'labels = "{label}" ORDER BY created ASC')

    def create_once(self, fields: dict) -> FoundIssue:
        """One create request, never retried here: the caller decides after a :class:`Failure`."""
        issue = self.jira.create_issue(fields=fields, prefetch=False)
        project = fields.get("project", {}).get("key", "")
        return FoundIssue(str(issue.key), str(issue.id), project)

    def add_notes_link(self, key: str, url: str, title: str, global_id: str) -> None:
        """Remote link back to the notes; ``global_id`` makes a repeat update, not duplicate."""
        self.call(f"linking {key} to the notes", lambda: self.jira.add_remote_link(
            key, {"url": url, "title": title}, globalId=global_id, relationship="raised in"))

    def assign(self, key: str, user: str) -> None:
        """Set the assignee by Cloud account id or Server username.

        The library's ``assign_issue`` first runs a fuzzy user search and falls back to the
        first hit, which can assign the wrong person; the documented endpoint takes the
        identifier as is, and fails loudly when it is wrong.
        """
        payload = {"accountId": user} if self.is_cloud else {"name": user}
        url = self.jira._get_latest_url(f"issue/{key}/assignee")
        self.call(f"assigning {key}", lambda: self.jira._session.put(url, data=json.dumps(payload)))

    def comment_bodies(self, key: str) -> list[str]:
        return [str(c.body) for c in self.call(f"reading comments of {key}", lambda: self.jira.comments(key))]

    def add_comment(self, key: str, body: str) -> None:
        """Add a comment once: a retry after a dropped answer checks the comments first."""
        attempt = 0
        while True:
            if any(body in existing for existing in self.comment_bodies(key)):
                return
            try:
                self.jira.add_comment(key, body)
                return
            except Exception as exc:  # noqa: BLE001
                failure = self.failure(exc)
            if failure.kind == "auth":
                raise self.auth_error(failure) from None
            if failure.kind == "rejected":
                raise JiraRejected(f"commenting on {key}: {failure.message}", failure.status) from None
            attempt += 1
            self.wait_for(failure, attempt, f"commenting on {key}")

    def status(self, key: str) -> dict:
        """``{"status": name, "category": new|indeterminate|done, "resolution": name|None}``."""
        issue = self.call(f"reading {key}", lambda: self.jira.issue(key, fields="status,resolution"))
        status = issue.fields.status
        resolution = getattr(issue.fields, "resolution", None)
        return {"key": str(issue.key), "status": str(status.name),
                "category": str(status.statusCategory.key),
                "resolution": str(resolution.name) if resolution else None}
