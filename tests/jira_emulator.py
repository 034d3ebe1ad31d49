"""A Jira REST emulator on 127.0.0.1 for tests driven by the real ``jira`` client.

>>> emulator = JiraEmulator(deployment="Server").start()
>>> import requests
>>> requests.get(emulator.url + "/rest/api/2/serverInfo", timeout=5).json()["deploymentType"]
'Server'
>>> emulator.stop()

In-memory state (projects, users, issues, comments, remote links), answers in the shapes
Atlassian documents for REST API v2 (``/rest/api/2`` and ``/rest/api/latest`` alike), a
request log, and switchable faults:

- ``emulator.valid_tokens.clear()`` (or a wrong token) gives 401 on every request;
- ``fail("POST", r"issue$", 400, errors={...})`` field errors, ``fail(..., 503)``;
- ``rate_limit("POST", r"issue$", retry_after=1)`` answers 429 with ``Retry-After`` and
  keeps answering 429 until that time has passed (early retries are counted);
- ``drop("POST", r"issue$")`` creates the issue and then closes the connection unanswered;
  ``drop(..., before=True)`` closes it without doing anything; ``delay(...)`` answers late.

Cloud mode (``deployment="Cloud"``) has account ids and no usernames, and serves the
``search/jql`` endpoint newer clients use there; Server mode has usernames and ``search``.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

EMAIL = "ada@example.com"
API_TOKEN = "atl-tok-7f3c9e21-NEVER-PRINT"
PAT = "pat-51d2aa08-NEVER-PRINT"

STATUSES = {
    "To Do": {"id": "10000", "category": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"}},
    "In Progress": {"id": "3", "category": {"id": 4, "key": "indeterminate", "colorName": "yellow",
                                            "name": "In Progress"}},
    "Done": {"id": "10001", "category": {"id": 3, "key": "done", "colorName": "green", "name": "Done"}},
}
TRANSITIONS = [("11", "To Do"), ("21", "In Progress"), ("31", "Done")]
ISSUE_TYPES = [("10001", "Story"), ("10002", "Task"), ("10004", "Bug")]
FIELDS = [
    ("summary", "Summary", "string"), ("description", "Description", "string"), ("labels", "Labels", "array"),
    ("duedate", "Due date", "date"), ("assignee", "Assignee", "user"), ("reporter", "Reporter", "user"),
    ("status", "Status", "status"), ("resolution", "Resolution", "resolution"), ("project", "Project", "project"),
    ("issuetype", "Issue Type", "issuetype"), ("created", "Created", "datetime"), ("updated", "Updated", "datetime"),
    ("comment", "Comment", "comments-page"), ("components", "Component/s", "array"),
]
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


@dataclass
class Fault:
    method: str
    pattern: re.Pattern
    action: str  # status | drop | drop-before | delay | rate
    status: int = 0
    body: Any = None
    headers: dict = field(default_factory=dict)
    times: int = 1
    skip: int = 0
    seconds: float = 0.0
    then_down: bool = False

    def matches(self, method: str, path: str) -> bool:
        return self.method in (method, "*") and bool(self.pattern.search(path))


class JiraError(Exception):
    def __init__(self, status: int, messages: list[str] | None = None, errors: dict | None = None):
        self.status, self.body = status, {"errorMessages": messages or [], "errors": errors or {}}


class JiraEmulator:
    """The emulated site; ``start()`` serves it on an ephemeral port."""

    def __init__(self, deployment: str = "Server"):
        self.deployment = deployment
        self.lock = threading.RLock()
        self.valid_tokens = {API_TOKEN, PAT}
        self.projects: dict[str, dict] = {}
        self.users: list[dict] = []
        self.issues: dict[str, dict] = {}  # key -> stored issue
        self.faults: list[Fault] = []
        self.requests: list[dict] = []
        self.rate_blocks: list[tuple[Fault, float]] = []
        self.early_retries = 0
        self.down = False
        self._ids = itertools.count(10001)
        self._link_ids = itertools.count(10000)
        self._comment_ids = itertools.count(10000)
        self.server: ThreadingHTTPServer | None = None
        self.add_project("ARCH", "Architecture")
        self.add_project("BOM", "Arch-BOM")
        self.add_project("SEC", "Security", required=("components",))
        self.add_user("ada", "557058:ada-0001", "Ada Lovelace", EMAIL)
        self.add_user("grace", "557058:grace-0002", "Grace Hopper", "grace@example.com")
        self.add_user("gone", "557058:gone-0003", "Former Colleague", "gone@example.com", active=False)

    # -- setup ------------------------------------------------------------------------------
    def add_project(self, key: str, name: str, required: tuple[str, ...] = ()) -> None:
        self.projects[key] = {"id": str(10000 + len(self.projects)), "key": key, "name": name,
                              "required": required, "counter": itertools.count(1)}

    def add_user(self, name: str, account_id: str, display: str, email: str, active: bool = True) -> None:
        self.users.append({"name": name, "key": f"JIRAUSER{10100 + len(self.users)}", "accountId": account_id,
                           "displayName": display, "emailAddress": email, "active": active})

    def start(self) -> "JiraEmulator":
        emulator = self

        class Handler(_Handler):
            pass

        Handler.emulator = emulator
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def cloud(self) -> bool:
        return self.deployment == "Cloud"

    # -- faults -----------------------------------------------------------------------------
    def _fault(self, method: str, path: str, action: str, times: int, skip: int, **kw) -> Fault:
        fault = Fault(method.upper(), re.compile(path), action, times=times, skip=skip, **kw)
        with self.lock:
            self.faults.append(fault)
        return fault

    def fail(self, method: str, path: str, status: int, *, times: int = 1, skip: int = 0, messages=None,
             errors=None, headers=None) -> Fault:
        body = {"errorMessages": messages or ([] if errors else [HTTPStatus(status).phrase]), "errors": errors or {}}
        return self._fault(method, path, "status", times, skip, status=status, body=body, headers=headers or {})

    def rate_limit(self, method: str, path: str, *, retry_after: int = 1, times: int = 1, skip: int = 0) -> Fault:
        headers = {"Retry-After": str(retry_after), "X-RateLimit-Limit": "100", "X-RateLimit-FillRate": "10",
                   "X-RateLimit-Interval-Seconds": "1"}
        return self._fault(method, path, "rate", times, skip, status=429, headers=headers, seconds=retry_after,
                           body={"errorMessages": ["Rate limit exceeded."], "errors": {}})

    def drop(self, method: str, path: str, *, before: bool = False, times: int = 1, skip: int = 0,
             then_down: bool = False) -> Fault:
        """Close the connection unanswered; ``then_down``: every later request is dropped too
        (the site went away right after), until ``clear_faults``."""
        return self._fault(method, path, "drop-before" if before else "drop", times, skip, then_down=then_down)

    def delay(self, method: str, path: str, seconds: float, *, times: int = 1, skip: int = 0) -> Fault:
        return self._fault(method, path, "delay", times, skip, seconds=seconds)

    def clear_faults(self) -> None:
        with self.lock:
            self.down = False
            self.faults.clear()
            self.rate_blocks.clear()

    def _pick_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            now = time.monotonic()
            for fault, until in list(self.rate_blocks):
                if now >= until:
                    self.rate_blocks.remove((fault, until))
                elif fault.matches(method, path):
                    self.early_retries += 1
                    return Fault(method, fault.pattern, "status", 429, fault.body,
                                 {**fault.headers, "Retry-After": str(max(1, round(until - now)))})
            for fault in self.faults:
                if fault.times > 0 and fault.matches(method, path):
                    if fault.skip > 0:
                        fault.skip -= 1
                        continue
                    fault.times -= 1
                    if fault.action == "rate":
                        self.rate_blocks.append((fault, now + fault.seconds))
                    return fault
        return None

    # -- views for tests --------------------------------------------------------------------
    def issues_with_label(self, label: str) -> list[dict]:
        with self.lock:
            return [i for i in self.issues.values() if label in i["fields"]["labels"]]

    def posts(self, pattern: str) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and re.search(pattern, r["path"])]

    def user(self, **match) -> dict | None:
        for user in self.users:
            if all(user.get(k) == v for k, v in match.items()):
                return user
        return None

    # -- rendering --------------------------------------------------------------------------
    def render_user(self, user: dict | None) -> dict | None:
        if user is None:
            return None
        if self.cloud:
            return {"self": f"{self.url}/rest/api/2/user?accountId={user['accountId']}",
                    "accountId": user["accountId"], "accountType": "atlassian", "displayName": user["displayName"],
                    "active": user["active"], "timeZone": "Etc/UTC"}
        return {"self": f"{self.url}/rest/api/2/user?username={user['name']}", "name": user["name"],
                "key": user["key"], "emailAddress": user["emailAddress"], "displayName": user["displayName"],
                "active": user["active"], "timeZone": "Etc/UTC"}

    def render_status(self, name: str) -> dict:
        status = STATUSES[name]
        category = {"self": f"{self.url}/rest/api/2/statuscategory/{status['category']['id']}", **status["category"]}
        return {"self": f"{self.url}/rest/api/2/status/{status['id']}", "description": "", "name": name,
                "id": status["id"], "statusCategory": category}

    def render_project(self, project: dict, full: bool = False) -> dict:
        out = {"self": f"{self.url}/rest/api/2/project/{project['id']}", "id": project["id"],
               "key": project["key"], "name": project["name"], "projectTypeKey": "software"}
        if full:
            out.update({"description": "", "lead": self.render_user(self.users[0]), "simplified": False,
                        "style": "classic", "isPrivate": False, "components": [],
                        "issueTypes": [self.render_issue_type(i, n) for i, n in ISSUE_TYPES]})
        return out

    def render_issue_type(self, type_id: str, name: str) -> dict:
        return {"self": f"{self.url}/rest/api/2/issuetype/{type_id}", "id": type_id, "name": name,
                "description": "", "subtask": False, "hierarchyLevel": 0}

    def render_comment(self, comment: dict) -> dict:
        return {"self": f"{self.url}/rest/api/2/issue/{comment['issueId']}/comment/{comment['id']}",
                "id": comment["id"], "author": self.render_user(self.users[0]), "body": comment["body"],
                "updateAuthor": self.render_user(self.users[0]), "created": comment["created"],
                "updated": comment["created"], "jsdPublic": True}

    def render_issue(self, issue: dict, wanted: list[str] | None = None) -> dict:
        f = issue["fields"]
        fields = {
            "summary": f["summary"], "description": f["description"], "labels": list(f["labels"]),
            "duedate": f["duedate"], "assignee": self.render_user(f["assignee"]),
            "reporter": self.render_user(self.users[0]), "status": self.render_status(f["status"]),
            "resolution": ({"self": f"{self.url}/rest/api/2/resolution/1", "id": "1", "name": f["resolution"],
                            "description": ""} if f["resolution"] else None),
            "project": self.render_project(self.projects[f["project"]]),
            "issuetype": self.render_issue_type(*f["issuetype"]), "created": issue["created"],
            "updated": issue["updated"], "components": [{"name": c} for c in f["components"]],
            "comment": {"comments": [self.render_comment(c) for c in issue["comments"]],
                        "maxResults": len(issue["comments"]), "total": len(issue["comments"]), "startAt": 0},
        }
        if wanted and not any(w in ("*all", "*navigable") for w in wanted):
            fields = {k: v for k, v in fields.items() if k in wanted}
        return {"expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
                "id": issue["id"], "self": f"{self.url}/rest/api/2/issue/{issue['id']}", "key": issue["key"],
                "fields": fields}

    # -- the API ----------------------------------------------------------------------------
    def find_issue(self, key_or_id: str) -> dict:
        for issue in self.issues.values():
            if key_or_id in (issue["key"], issue["id"]):
                return issue
        raise JiraError(404, ["Issue does not exist or you do not have permission to see it."])

    def validate_create(self, fields: dict) -> tuple[dict, dict]:
        errors: dict[str, str] = {}
        project = None
        ref = fields.get("project") or {}
        for project_ in self.projects.values():
            if ref and (ref.get("key") == project_["key"] or str(ref.get("id")) == project_["id"]):
                project = project_
        if project is None:
            errors["project"] = "valid project is required"
        type_ref = fields.get("issuetype") or {}
        issue_type = next(((i, n) for i, n in ISSUE_TYPES
                           if type_ref.get("name") == n or str(type_ref.get("id")) == i), None)
        if issue_type is None:
            errors["issuetype"] = "valid issue type is required"
        summary = fields.get("summary")
        if not summary or not str(summary).strip():
            errors["summary"] = "You must specify a summary of the issue."
        elif len(summary) > 255 or "\n" in summary:
            errors["summary"] = "Summary must be less than 255 characters." if len(summary) > 255 else \
                "The summary is invalid because it contains newline characters."
        for label in fields.get("labels") or []:
            if " " in label or len(label) > 255:
                errors["labels"] = f"The label '{label}' contains spaces which is invalid."
        due = fields.get("duedate")
        if due is not None and not DATE.match(str(due)):
            errors["duedate"] = f"Error parsing date string: {due}"
        assignee = None
        if fields.get("assignee"):
            assignee, problem = self.resolve_assignee(fields["assignee"])
            if problem:
                errors["assignee"] = problem
        if project:
            for name in project["required"]:
                if not fields.get(name):
                    errors[name] = f"{dict((f, n) for f, n, _ in FIELDS).get(name, name)} is required."
        known = {f for f, _, _ in FIELDS}
        for name in fields:
            if name not in known:
                errors[name] = (f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown.")
        return errors, {"project": project, "issuetype": issue_type, "assignee": assignee}

    def resolve_assignee(self, ref: dict) -> tuple[dict | None, str | None]:
        if self.cloud:
            if "accountId" not in ref:
                return None, "'accountId' must be the only user identifying query parameter in GDPR strict mode."
            user = self.user(accountId=ref["accountId"])
            name = ref["accountId"]
        else:
            if "name" not in ref:
                return None, "Specify the user by name (username)."
            user = self.user(name=ref["name"])
            name = ref["name"]
        if user is None:
            return None, f"User '{name}' does not exist."
        if not user["active"]:
            return None, f"User '{user['displayName']}' cannot be assigned issues."
        return user, None

    def create(self, fields: dict) -> dict:
        errors, resolved = self.validate_create(fields)
        if errors:
            raise JiraError(400, [], errors)
        project = resolved["project"]
        issue_id = str(next(self._ids))
        key = f"{project['key']}-{next(project['counter'])}"
        now = _now()
        self.issues[key] = {
            "id": issue_id, "key": key, "created": now, "updated": now, "comments": [], "links": [],
            "fields": {"summary": fields["summary"], "description": fields.get("description"),
                       "labels": list(fields.get("labels") or []), "duedate": fields.get("duedate"),
                       "assignee": resolved["assignee"], "status": "To Do", "resolution": None,
                       "project": project["key"], "issuetype": resolved["issuetype"],
                       "components": [c.get("name") for c in fields.get("components") or []]},
        }
        return {"id": issue_id, "key": key, "self": f"{self.url}/rest/api/2/issue/{issue_id}"}

    def search(self, jql: str) -> list[dict]:
        clauses, order = parse_jql(jql)
        found = [i for i in self.issues.values() if all(self.match(i, c) for c in clauses)]
        field_name, descending = order or ("created", False)
        if field_name == "key":
            found.sort(key=lambda i: int(i["id"]), reverse=descending)
        else:
            found.sort(key=lambda i: (i["created"], int(i["id"])), reverse=descending)
        return found

    def match(self, issue: dict, clause: tuple[str, str, list[str]]) -> bool:
        name, op, values = clause
        f = issue["fields"]
        if name == "labels":
            have = {label.lower() for label in f["labels"]}
        elif name == "project":
            have = {f["project"].lower(), self.projects[f["project"]]["id"]}
        elif name in ("key", "issuekey", "id"):
            have = {issue["key"].lower(), issue["id"]}
        elif name == "status":
            have = {f["status"].lower()}
        elif name == "statuscategory":
            have = {STATUSES[f["status"]]["category"]["name"].lower(), STATUSES[f["status"]]["category"]["key"]}
        else:  # assignee
            user = f["assignee"]
            have = {user["name"], user["accountId"]} if user else {"empty", "null"}
        hit = bool(have & {v.lower() for v in values})
        return hit if op in ("=", "in") else not hit


def parse_jql(jql: str) -> tuple[list[tuple[str, str, list[str]]], tuple[str, bool] | None]:
    """The JQL subset the client needs: ``field (=|!=|in|not in) value`` joined by AND, ORDER BY."""
    order = None
    match = re.search(r"\s+order\s+by\s+(\w+)(?:\s+(asc|desc))?\s*$", jql, re.I)
    if match:
        order = (match.group(1).lower(), (match.group(2) or "asc").lower() == "desc")
        jql = jql[: match.start()]
    clauses = []
    token = r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|[\w.\-:]+'
    clause = re.compile(rf"^\s*(\w+)\s*(=|!=|\bnot\s+in\b|\bin\b)\s*(\((?:\s*(?:{token})\s*,?)*\)|{token})\s*", re.I)
    rest = jql.strip()
    while rest:
        found = clause.match(rest)
        if not found:
            raise JiraError(400, [f"Error in the JQL Query: cannot parse '{rest[:40]}'."])
        name = found.group(1).lower()
        if name not in ("labels", "project", "key", "issuekey", "id", "status", "statuscategory", "assignee"):
            raise JiraError(400, [f"Field '{found.group(1)}' does not exist or you do not have permission to view it."])
        raw = found.group(3)
        values = [v.strip("\"'") for v in re.findall(token, raw)]
        clauses.append((name, " ".join(found.group(2).lower().split()), values))
        rest = rest[found.end():]
        joined = re.match(r"^and\s+", rest, re.I)
        if rest and not joined:
            raise JiraError(400, [f"Error in the JQL Query: expecting AND, ORDER BY or end but got '{rest[:20]}'."])
        rest = rest[joined.end():] if joined else rest
    return clauses, order


class _Handler(BaseHTTPRequestHandler):
    emulator: JiraEmulator
    protocol_version = "HTTP/1.0"  # one request per connection: drops stay deterministic
    server_version = "JiraEmulator/1.0"

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self.handle_any("GET")

    def do_POST(self) -> None:
        self.handle_any("POST")

    def do_PUT(self) -> None:
        self.handle_any("PUT")

    def do_DELETE(self) -> None:
        self.handle_any("DELETE")

    def authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        emulator = self.emulator
        if header.startswith("Basic "):
            try:
                email, _, token = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return False
            return email == EMAIL and token in emulator.valid_tokens
        if header.startswith("Bearer "):
            return header[7:] in emulator.valid_tokens and not emulator.cloud
        return False

    def handle_any(self, method: str) -> None:
        emulator = self.emulator
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        entry = {"method": method, "path": parts.path, "query": query, "body": body, "status": None}
        with emulator.lock:
            emulator.requests.append(entry)
            down = emulator.down
        if down:
            entry["status"] = "dropped"
            return self.drop()
        fault = emulator._pick_fault(method, parts.path)
        if fault and fault.action == "drop-before":
            entry["status"] = "dropped"
            return self.drop()
        if fault and fault.action in ("status", "rate"):
            entry["status"] = fault.status
            return self.send_json(fault.status, fault.body, fault.headers)
        anonymous_ok = parts.path.endswith("/serverInfo") and "Authorization" not in self.headers
        if not anonymous_ok and not self.authorised():  # like Jira, bad credentials fail everywhere
            entry["status"] = 401
            return self.send_json(401, {"errorMessages": [
                "You are not authenticated. Authentication required to perform this operation."], "errors": {}},
                {"WWW-Authenticate": 'Basic realm="protected-area"', "X-Seraph-LoginReason": "AUTHENTICATED_FAILED"})
        try:
            with emulator.lock:
                status, payload = self.route(method, parts.path, query, body)
        except JiraError as exc:
            status, payload = exc.status, exc.body
        entry["status"] = status
        if fault and fault.action == "drop":
            entry["status"] = "dropped after"
            emulator.down = emulator.down or fault.then_down
            return self.drop()
        if fault and fault.action == "delay":
            time.sleep(fault.seconds)
        try:
            self.send_json(status, payload)
        except OSError:  # the client gave up waiting
            pass

    def drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def send_json(self, status: int, payload: Any, headers: dict | None = None) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-AREQUESTID", f"{int(time.time())}x1")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if data:
            self.wfile.write(data)

    def route(self, method: str, path: str, query: dict, body: Any) -> tuple[int, Any]:
        e = self.emulator
        if path.rstrip("/") == "/rest/applinks/latest/listApplicationlinks":
            return 200, {"list": []}
        match = re.match(r"^/rest/api/(2|latest)/(.*?)/?$", path)
        if not match:
            raise JiraError(404, [f"No REST resource at {path}"])
        rest = match.group(2)
        q = {k: v[-1] for k, v in query.items()}

        if method == "GET" and rest == "serverInfo":
            cloud = e.cloud
            return 200, {"baseUrl": e.url, "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.2",
                         "versionNumbers": [1001, 0, 0] if cloud else [9, 12, 2],
                         "deploymentType": "Cloud" if cloud else "Server", "buildNumber": 100250 if cloud else 9120002,
                         "buildDate": "2024-01-01T00:00:00.000+0000", "serverTime": _now(),
                         "scmInfo": "0123456789abcdef", "serverTitle": "Jira"}
        if method == "GET" and rest == "myself":
            return 200, e.render_user(e.users[0])
        if method == "GET" and rest == "field":
            return 200, [{"id": fid, "key": fid, "name": name, "custom": False, "orderable": True, "navigable": True,
                          "searchable": True, "clauseNames": [fid], "schema": {"type": kind, "system": fid}}
                         for fid, name, kind in FIELDS]
        if method == "GET" and rest == "issuetype":
            return 200, [e.render_issue_type(i, n) for i, n in ISSUE_TYPES]
        if method == "GET" and rest == "project":
            return 200, [e.render_project(p) for p in e.projects.values()]
        if method == "GET" and (m := re.fullmatch(r"project/([^/]+)", rest)):
            for project in e.projects.values():
                if m.group(1) in (project["key"], project["id"]):
                    return 200, e.render_project(project, full=True)
            raise JiraError(404, [f"No project could be found with key '{m.group(1)}'."])
        if method == "POST" and rest == "issue":
            return 201, e.create((body or {}).get("fields") or {})
        if method == "POST" and rest == "issue/bulk":
            created, failed = [], []
            for number, update in enumerate((body or {}).get("issueUpdates") or []):
                try:
                    created.append(e.create(update.get("fields") or {}))
                except JiraError as exc:
                    failed.append({"status": exc.status, "elementErrors": exc.body, "failedElementNumber": number})
            return (201 if created or not failed else 400), {"issues": created, "errors": failed}
        if rest in ("search", "search/jql"):
            if (rest == "search") == e.cloud:
                # Cloud retired GET/POST /search (410 Gone); Server never had /search/jql
                raise JiraError(410 if e.cloud else 404, ["This endpoint is not available on this deployment."])
            params = body if method == "POST" else {**q, "fields": ",".join(query.get("fields", [])) or None}
            found = e.search(params.get("jql", ""))
            wanted = params.get("fields")
            wanted = wanted.split(",") if isinstance(wanted, str) else wanted
            limit = int(params.get("maxResults") or 50)
            if rest == "search":
                start = int(params.get("startAt") or 0)
                page = found[start:start + limit]
                return 200, {"expand": "names,schema", "startAt": start, "maxResults": limit, "total": len(found),
                             "issues": [e.render_issue(i, wanted) for i in page]}
            start = int(params.get("nextPageToken") or 0)
            page = found[start:start + limit]
            out = {"issues": [e.render_issue(i, wanted) for i in page], "isLast": start + limit >= len(found)}
            if not out["isLast"]:
                out["nextPageToken"] = str(start + limit)
            return 200, out
        if (m := re.fullmatch(r"issue/([^/]+)(?:/(.+))?", rest)):
            issue = e.find_issue(m.group(1))
            sub = m.group(2)
            if method == "GET" and sub is None:
                wanted = q.get("fields")
                return 200, e.render_issue(issue, wanted.split(",") if wanted else None)
            if sub == "transitions":
                if method == "GET":
                    return 200, {"expand": "transitions", "transitions": [
                        {"id": tid, "name": name, "to": e.render_status(name), "hasScreen": False, "isGlobal": True,
                         "isInitial": False, "isAvailable": True, "isConditional": False, "isLooped": False}
                        for tid, name in TRANSITIONS]}
                if method == "POST":
                    wanted_id = str(((body or {}).get("transition") or {}).get("id"))
                    target = dict(TRANSITIONS).get(wanted_id)
                    if target is None:
                        raise JiraError(400, [f"Transition id '{wanted_id}' is not valid for this issue."])
                    issue["fields"]["status"] = target
                    resolution = (((body or {}).get("fields") or {}).get("resolution") or {}).get("name")
                    issue["fields"]["resolution"] = (resolution or "Done") if target == "Done" else None
                    issue["updated"] = _now()
                    return 204, None
            if sub == "comment":
                if method == "GET":
                    comments = [e.render_comment(c) for c in issue["comments"]]
                    return 200, {"startAt": 0, "maxResults": len(comments), "total": len(comments),
                                 "comments": comments}
                if method == "POST":
                    text = (body or {}).get("body")
                    if not text:
                        raise JiraError(400, [], {"comment": "Comment body can not be empty!"})
                    comment = {"id": str(next(e._comment_ids)), "issueId": issue["id"], "body": text,
                               "created": _now()}
                    issue["comments"].append(comment)
                    return 201, e.render_comment(comment)
            if sub == "remotelink":
                if method == "GET":
                    return 200, [{"id": link["id"], "self": link["self"], **{k: v for k, v in link["data"].items()}}
                                 for link in issue["links"]]
                if method == "POST":
                    data = body or {}
                    obj = data.get("object") or {}
                    if not obj.get("url") or not obj.get("title"):
                        raise JiraError(400, [], {"object": "'url' and 'title' are required."})
                    for link in issue["links"]:
                        if data.get("globalId") and link["data"].get("globalId") == data["globalId"]:
                            link["data"] = data  # same globalId: update, as Jira documents
                            return 200, {"id": link["id"], "self": link["self"]}
                    link_id = next(e._link_ids)
                    link = {"id": link_id, "self": f"{e.url}/rest/api/2/issue/{issue['key']}/remotelink/{link_id}",
                            "data": data}
                    issue["links"].append(link)
                    return 201, {"id": link_id, "self": link["self"]}
            if sub == "assignee" and method == "PUT":
                user, problem = e.resolve_assignee(body or {})
                if problem:
                    raise JiraError(400, [], {"assignee": problem})
                issue["fields"]["assignee"] = user
                return 204, None
        if method == "GET" and rest == "user/search":
            term = (q.get("query") or q.get("username") or "").lower()
            users = [u for u in e.users if u["active"] and any(
                term in str(u[k]).lower() for k in ("displayName", "emailAddress", "name"))]
            return 200, [e.render_user(u) for u in users]
        raise JiraError(404, [f"No REST resource for {method} {path}"])


@pytest.fixture
def jira_server():
    """A Server/Data Center emulator (usernames, ``search``); PAT or basic auth."""
    emulator = JiraEmulator("Server").start()
    yield emulator
    emulator.stop()


@pytest.fixture
def jira_cloud():
    """A Cloud emulator (account ids, ``search/jql``); email + API token."""
    emulator = JiraEmulator("Cloud").start()
    yield emulator
    emulator.stop()


# -- seeding a store with action items (until extraction fills them during ingest) -----------------
def seed_items(store, items: list[dict], source: str = "notes.txt", path: str = "/archive/notes.txt") -> list[str]:
    """Insert meetings, topics, notes and ``action_items`` rows; returns the item ids.

    Each item is ``{"text", "date", "owner"?, "due"?, "topic"?, "status"?, "context"?: [lines]}``;
    the item's own note sits after its context lines, one line per note.
    """
    from insights.model import ActionItem, make_id

    conn = store.conn
    file_id = conn.execute("SELECT id FROM files WHERE path = ?", (path,)).fetchone()
    if file_id is None:
        file_id = conn.execute(
            "INSERT INTO files (path, source, sha256, size, format, encoding, ingested_at) "
            "VALUES (?, ?, 'x', 0, 'text', 'utf-8', '2022-01-01T00:00:00+00:00')", (path, source)).lastrowid
    else:
        file_id = file_id[0]
    line = (conn.execute("SELECT max(line) FROM notes WHERE file_id = ?", (file_id,)).fetchone()[0] or 0) + 1
    ids = []
    for item in items:
        day = item["date"]
        meeting_id = make_id(source, day)
        if not conn.execute("SELECT 1 FROM meetings WHERE id = ?", (meeting_id,)).fetchone():
            conn.execute("INSERT INTO meetings VALUES (?, ?, ?, ?, ?, ?)", (meeting_id, file_id, day, day, source, line))
            line += 1
        topic_title = item.get("topic", "Follow-ups")
        topic_id = make_id(meeting_id, topic_title)
        if not conn.execute("SELECT 1 FROM topics WHERE id = ?", (topic_id,)).fetchone():
            ordinal = conn.execute("SELECT count(*) FROM topics WHERE meeting_id = ?", (meeting_id,)).fetchone()[0]
            conn.execute("INSERT INTO topics (id, meeting_id, ordinal, title, line) VALUES (?, ?, ?, ?, ?)",
                         (topic_id, meeting_id, ordinal, topic_title, line))
            line += 1
        for text in item.get("context", []):
            conn.execute("INSERT INTO notes (file_id, meeting_id, topic_id, kind, text, line, level) "
                         "VALUES (?, ?, ?, 'topic', ?, ?, 0)", (file_id, meeting_id, topic_id, text, line))
            line += 1
        conn.execute("INSERT INTO notes (file_id, meeting_id, topic_id, kind, text, line, level) "
                     "VALUES (?, ?, ?, 'topic', ?, ?, 0)", (file_id, meeting_id, topic_id, item["text"], line))
        # Keep the note-id runs that reads go through (migration 0007) covering what was added.
        conn.execute("UPDATE topics SET notes_first = (SELECT min(id) FROM notes WHERE topic_id = ?1), "
                     "notes_last = (SELECT max(id) FROM notes WHERE topic_id = ?1) WHERE id = ?1", (topic_id,))
        conn.execute("UPDATE files SET notes_first = (SELECT min(id) FROM notes WHERE file_id = ?1), "
                     "notes_last = (SELECT max(id) FROM notes WHERE file_id = ?1) WHERE id = ?1", (file_id,))
        from datetime import date as _date

        fingerprint = ActionItem.make_fingerprint(item["text"], _date.fromisoformat(day), source)
        if item.get("kind", "item") == "item":
            conn.execute(
                "INSERT INTO action_items (id, fingerprint, file_id, meeting_id, topic_id, meeting_date, text, "
                "owner_text, owner, due, source_status, rule, confidence, source, line) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'test', 1.0, ?, ?)",
                (fingerprint, fingerprint, file_id, meeting_id, topic_id, day, item["text"], item.get("owner"),
                 item.get("owner"), item.get("due"), item.get("status", "open"), source, line))
            ids.append(fingerprint)
        line += 1
    return ids


PEOPLE_TOML = """
[[person]]
name = "Ada Lovelace"
aliases = ["Ada"]
team = "Arch"
jira_username = "ada"
jira_account_id = "557058:ada-0001"

[[person]]
name = "Grace Hopper"
aliases = ["Grace"]
team = "Arch-BOM"
jira_username = "grace"
jira_account_id = "557058:grace-0002"

[[person]]
name = "Nobody Known"
team = "Arch"
jira_username = "nobody"
jira_account_id = "557058:nobody-9999"

[[person]]
name = "Former Colleague"
team = "Arch"
jira_username = "gone"
jira_account_id = "557058:gone-0003"

[[person]]
name = "Linus Cloudless"
team = "Arch"
jira_username = "linus"
"""

ITEMS = [
    {"text": "Write up the ADR on removing paver", "date": "2021-11-24", "owner": "Ada Lovelace",
     "due": "2021-12-15", "topic": "What is paver?", "context": ["Paver is a task runner", "We did not build paver"]},
    {"text": "Reach out to #arch-bom with devstack data use cases", "date": "2021-12-01", "owner": "Grace Hopper",
     "topic": "Devstack data project"},
    {"text": "Spruce up our working-group page", "date": "2021-12-01", "owner": "Ada", "topic": "Working groups"},
    {"text": "Collect prior art on feature toggles", "date": "2021-12-22", "topic": "Feature toggles"},
]


def configure(tmp_path, monkeypatch, emulator: JiraEmulator | None, *, auth: str = "pat", **jira) -> None:
    """Work in ``tmp_path`` with an ``insights.toml``, a people file and Jira variables set.

    Retry pauses are tiny so faults cost milliseconds; ``jira`` overrides ``[jira]`` keys.
    """
    monkeypatch.chdir(tmp_path)
    for name in ("JIRA_SERVER", "JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_PAT", "INSIGHTS_DB"):
        monkeypatch.delenv(name, raising=False)
    settings = {"default_project": "ARCH", "timeout": 2, "max_retries": 3, "retry_backoff": 0.01,
                "max_backoff": 0.05, "max_wait": 5, "search_settle": 0, **jira}
    lines = ["[people]", 'file = "people.toml"', "", "[jira]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in settings.items() if not isinstance(v, dict)]
    lines += ["", "[jira.teams]", '"Arch-BOM" = "BOM"', ""]
    (tmp_path / "insights.toml").write_text("\n".join(lines), encoding="utf-8")
    (tmp_path / "people.toml").write_text(PEOPLE_TOML, encoding="utf-8")
    if emulator is not None:
        monkeypatch.setenv("JIRA_SERVER", emulator.url)
        if auth == "pat":
            monkeypatch.setenv("JIRA_PAT", PAT)
        else:
            monkeypatch.setenv("JIRA_EMAIL", EMAIL)
            monkeypatch.setenv("JIRA_API_TOKEN", API_TOKEN)
