"""Plan and push open action items to Jira, once each, whatever fails on the way.

>>> from insights.store import Store
>>> from insights.jira.config import JiraSettings
>>> plan_push(Store(":memory:"), JiraSettings(), People()).issues
[]

Planning (:func:`plan_push`) needs no network: it is what ``--dry-run`` prints. Pushing
(:func:`run_push`) walks the plan with a connected :class:`~insights.jira.client.JiraClient`:

1. the ledger row for an item is checked; a ``created`` one is done already;
2. Jira is searched for the item's fingerprint label (in any project): a hit is adopted;
3. a ``creating`` row is committed, then one create request is sent;
4. on an answer the row becomes ``created``; on a certain refusal (400, 401, 429) it is
   removed; on an ambiguous failure (timeout, dropped connection, 5xx) it stays and the
   loop goes back to step 2 after a backoff, so a create that did land is found, not repeated;
5. the remote link (upserted by global id) and the assignee (or a comment naming the
   intended owner) follow, each recorded when done, so a rerun finishes what a stop left.
"""

from __future__ import annotations

import re

import logging
import os
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import quote

from ..actions import list_actions
from ..model import ActionItem, Person
from ..store import TOPIC_NOTES, Store
from .config import JiraSettings
from .client import FoundIssue, JiraAuthError, JiraClient, JiraRejected, JiraUnavailable
from .ledger import LABEL, Ledger, fingerprint_label
from .people import People

__all__ = ["PlannedIssue", "Plan", "PushResult", "plan_push", "run_push", "DRY_RUN_COLUMNS", "deployment_guess"]

log = logging.getLogger("insights.jira")

SUMMARY_MAX = 250  # Jira's limit is 255 characters
DRY_RUN_COLUMNS = ["project", "summary", "assignee", "labels", "due"]
CONTEXT_LINES = 2


@dataclass(frozen=True)
class PlannedIssue:
    """One issue to create, exactly as it will be sent."""

    fingerprint: str
    item_id: str
    project: str | None
    summary: str
    description: str
    issue_type: str
    labels: tuple[str, ...]
    due: str | None
    owner: str | None
    person: Person | None
    assignee: str | None          # account id (Cloud) or username (Server) to set
    assignee_problem: str | None  # why the owner cannot be assigned, for the comment
    link_url: str
    link_title: str
    skip_reason: str | None = None

    def fields(self) -> dict:
        """The ``fields`` of the create request (project by key: no lookup needed)."""
        fields = {"project": {"key": self.project}, "issuetype": {"name": self.issue_type},
                  "summary": self.summary, "description": self.description, "labels": list(self.labels)}
        if self.due:
            fields["duedate"] = self.due
        return fields

    @property
    def assignee_text(self) -> str:
        if self.assignee:
            return f"{self.owner} ({self.assignee})"
        if self.owner:
            return f"unassigned: {self.assignee_problem}"
        return ""

    def row(self) -> dict:
        return {"project": self.project or "", "summary": self.summary, "assignee": self.assignee_text,
                "labels": ", ".join(self.labels), "due": self.due or "", "fingerprint": self.fingerprint,
                "id": self.item_id}

    @property
    def owner_comment(self) -> str:
        return (f"insights: intended owner is {self.owner}. This issue was left unassigned because "
                f"{self.assignee_problem}.")


@dataclass
class Plan:
    issues: list[PlannedIssue] = field(default_factory=list)
    skipped: list[PlannedIssue] = field(default_factory=list)
    already: int = 0  # open items already pushed (ledger)
    deployment: str = "server"


@dataclass
class PushResult:
    created: list[tuple[PlannedIssue, str]] = field(default_factory=list)
    found: list[tuple[PlannedIssue, str]] = field(default_factory=list)
    failed: list[tuple[PlannedIssue, str]] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)  # keys whose link/assignee step completed now
    notes: list[str] = field(default_factory=list)
    stopped: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failed and self.stopped is None


def deployment_guess(config: JiraSettings, env=None) -> str:
    """``cloud`` or ``server`` without asking Jira (for the dry run and CSV export)."""
    env = os.environ if env is None else env
    if config.deployment:
        return config.deployment.lower()
    if env.get("JIRA_PAT") and not env.get("JIRA_API_TOKEN"):
        return "server"
    return "cloud" if env.get("JIRA_EMAIL") or env.get("JIRA_API_TOKEN") else "server"


def _summary(text: str, names: tuple[str, ...] = ()) -> str:
    """The issue summary: the item's text without a leading owner name, one line, capped.

    >>> _summary("Ned Batchelder Add this to the   ideas sheet", ("Ned Batchelder", "Ned"))
    'Add this to the ideas sheet'
    >>> _summary("Ned will write it up", ("Ned",))
    'Ned will write it up'
    """
    text = " ".join(text.split())
    for name in sorted(names, key=len, reverse=True):
        rest = text[len(name):]
        # Only a name followed by an imperative ("Ned Add ...", "Ned: add ...") is a label to drop;
        # "Ned will ..." reads as a sentence and stays whole.
        if name and text.lower().startswith(name.lower()) and re.match(r"^(?:\s*[:\-–]\s*|\s+)[A-Z]", rest):
            text = re.sub(r"^\s*[:\-–]?\s*", "", rest)
            break
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1].rstrip() + "…"


def _context(store: Store, item: ActionItem) -> list[tuple[int, str]]:
    lines = (item.id, item.line - CONTEXT_LINES, item.line + CONTEXT_LINES)
    rows = store.conn.execute(
        f"SELECT n.line, n.text FROM action_items a JOIN topics t ON t.id = a.topic_id JOIN notes n ON {TOPIC_NOTES} "
        "WHERE a.id = ? AND n.line BETWEEN ? AND ? "
        "UNION ALL SELECT n.line, n.text FROM action_items a JOIN notes n "
        "ON a.topic_id IS NULL AND n.topic_id IS NULL AND n.meeting_id = a.meeting_id "
        "WHERE a.id = ? AND n.line BETWEEN ? AND ? ORDER BY 1", lines + lines)
    return [(r["line"], r["text"]) for r in rows]


def _file_path(store: Store, item: ActionItem) -> str:
    row = store.conn.execute(
        "SELECT f.path FROM action_items a JOIN files f ON f.id = a.file_id WHERE a.id = ?", (item.id,)).fetchone()
    return row["path"] if row else item.source


def _description(item: ActionItem, context: list[tuple[int, str]], owner: str | None) -> str:
    where = f"{item.meeting_title or item.meeting_date.isoformat()}"
    lines = [" ".join(item.text.split()), "",
             f"Meeting: {item.meeting_date.isoformat()}" + (f" ({where})" if where != item.meeting_date.isoformat() else ""),
             f"Topic: {item.topic_title}" if item.topic_title else "Topic: (none)",
             f"Owner: {owner}" if owner else "Owner: (not named)",
             f"Source: {item.source}, line {item.line}"]
    if context:
        lines += ["", "Context from the notes:"]
        lines += [f"{'>' if n == item.line else ' '} {n}: {' '.join(t.split())}" for n, t in context]
    lines += ["", f"Created by insights from meeting notes. The label {fingerprint_label(item.fingerprint)} "
                  "keeps the next push from creating this issue again; please keep it."]
    return "\n".join(lines)


def _assignee(person: Person | None, owner: str | None, deployment: str, people_file: str) -> tuple[str | None, str | None]:
    if not owner:
        return None, None
    if person is None:
        return None, f"{owner} is not in {people_file}"
    if deployment == "cloud":
        if person.jira_account_id:
            return person.jira_account_id, None
        return None, f"{person.name} has no jira_account_id in {people_file} (Jira Cloud assigns by account id)"
    if person.jira_username:
        return person.jira_username, None
    return None, f"{person.name} has no jira_username in {people_file} (Jira Server/Data Center assigns by username)"


def _names(person: Person | None, owner: str | None) -> tuple[str, ...]:
    names = tuple(n for n in (owner, *(person.aliases if person else ())) if n)
    return names + ((person.name,) if person else ())


def plan_issue(store: Store, item: ActionItem, jira: JiraSettings, people: People, deployment: str,
               project: str | None = None) -> PlannedIssue:
    """What to create for one action item."""
    person = people.find(item.owner)
    owner = person.name if person else item.owner
    team = people.team_of(person)
    chosen = project or (jira.teams.get(team) if team else None) or jira.default_project
    skip = None
    if not chosen:
        skip = (f"no project for owner {owner!r}" + (f" (team {team!r})" if team else "") +
                ": map the team under [jira.teams] in insights.toml, set default_project, or pass --project")
    assignee, problem = _assignee(person, owner, deployment, jira.people_file)
    path = _file_path(store, item)
    url = jira.notes_url.format_map({
        "path": quote(path), "source": quote(item.source), "line": item.line,
        "date": item.meeting_date.isoformat(), "meeting_id": quote(item.meeting_title or "")})
    return PlannedIssue(
        fingerprint=item.fingerprint, item_id=item.id, project=chosen, summary=_summary(item.text, _names(person, owner)),
        description=_description(item, _context(store, item), owner), issue_type=jira.issue_type,
        labels=(LABEL, fingerprint_label(item.fingerprint)),
        due=item.due.isoformat() if item.due else None, owner=owner, person=person,
        assignee=assignee, assignee_problem=problem, link_url=url,
        link_title=f"Meeting notes {item.meeting_date.isoformat()}: {item.source}, line {item.line}",
        skip_reason=skip)


def plan_push(store: Store, jira: JiraSettings, people: People, *, deployment: str | None = None,
              project: str | None = None, since: str | None = None, owner: str | None = None,
              limit: int | None = None) -> Plan:
    """Unresolved items not yet pushed, oldest first, as :class:`PlannedIssue` (offline)."""
    deployment = deployment or deployment_guess(jira)
    ledger = Ledger(store)
    plan = Plan(deployment=deployment)
    seen: set[str] = set()
    by_text = {i.fingerprint for i in list_actions(store, open_only=True, owner=owner, since=since)} if owner else None
    wanted = people.find(owner) if owner else None
    for item in list_actions(store, open_only=True, since=since):
        if owner and item.fingerprint not in by_text and (wanted is None or people.find(item.owner) != wanted):
            continue  # --owner matches the name as stored or any alias in the people file
        if item.fingerprint in seen:
            continue  # two rows can share a fingerprint; one issue covers both
        seen.add(item.fingerprint)
        row = ledger.get(item.fingerprint)
        if row and row["state"] == "created":
            plan.already += 1
            continue
        planned = plan_issue(store, item, jira, people, deployment, project)
        if planned.skip_reason:
            plan.skipped.append(planned)
        elif limit is None or len(plan.issues) < limit:
            plan.issues.append(planned)
    return plan


def _item_by_fingerprint(store: Store, fingerprint: str) -> ActionItem | None:
    from ..actions import _row_to_item

    row = store.conn.execute("SELECT * FROM action_items_view WHERE fingerprint = ? ORDER BY id LIMIT 1",
                             (fingerprint,)).fetchone()
    return _row_to_item(row) if row else None


class _Pusher:
    def __init__(self, store: Store, client: JiraClient, jira: JiraSettings, people: People,
                 progress: Callable[[str], None] | None):
        self.store, self.client, self.jira, self.people = store, client, jira, people
        self.ledger = Ledger(store)
        self.progress = progress or (lambda line: None)
        self.result = PushResult()

    def search_label(self, label: str, settle: bool) -> list[FoundIssue]:
        """Search for ``label``; after an ambiguous create, keep looking for ``search_settle``
        seconds, since Jira's search index can trail a create that did happen."""
        found = self.client.find_label(label)
        deadline = time.monotonic() + (self.jira.search_settle if settle else 0)
        while not found and time.monotonic() < deadline:
            self.client.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
            found = self.client.find_label(label)
        return found

    def create(self, plan: PlannedIssue) -> tuple[FoundIssue, str]:
        fingerprint, label = plan.fingerprint, fingerprint_label(plan.fingerprint)
        attempt, ambiguous = 0, False
        while True:
            found = self.search_label(label, settle=ambiguous)
            if found:
                if len(found) > 1:
                    self.result.notes.append(f"{len(found)} issues carry {label} ({', '.join(f.key for f in found)}); "
                                             f"keeping {found[0].key}")
                self.ledger.created(fingerprint, found[0].key, found[0].id, found[0].project, how="found")
                return found[0], "found"
            self.ledger.intend(fingerprint, plan.project)
            try:
                issue = self.client.create_once(plan.fields())
            except Exception as exc:  # noqa: BLE001 - classified below, never printed raw
                failure = self.client.failure(exc)
            else:
                self.ledger.created(fingerprint, issue.key, issue.id, plan.project)
                return issue, "created"
            if not failure.ambiguous:
                self.ledger.abandon(fingerprint)  # Jira refused for certain: nothing exists
            if failure.kind == "auth":
                raise self.client.auth_error(failure) from None
            if failure.kind == "rejected":
                raise JiraRejected(failure.message, failure.status, failure.errors) from None
            ambiguous = ambiguous or failure.ambiguous
            attempt += 1
            self.client.wait_for(failure, attempt, f"creating the issue for {plan.summary[:40]!r}")

    def follow_up(self, plan: PlannedIssue, key: str) -> None:
        row = self.ledger.get(plan.fingerprint) or {}
        if not row.get("link_done"):
            self.client.add_notes_link(key, plan.link_url, plan.link_title, f"insights:{plan.fingerprint}")
            self.ledger.link_done(plan.fingerprint)
        if row.get("assignee_state", "pending") != "pending":
            return
        if plan.assignee:
            try:
                self.client.assign(key, plan.assignee)
            except JiraRejected as exc:
                problem = (f"Jira refused to assign it to {plan.assignee} "
                           f"({'account id' if self.client.is_cloud else 'username'}): {exc}")
                plan = _with_problem(plan, problem)
            else:
                self.ledger.assigned(plan.fingerprint, "assigned", plan.assignee)
                return
        if plan.owner:
            self.client.add_comment(key, plan.owner_comment)
            self.ledger.assigned(plan.fingerprint, "commented")
        else:
            self.ledger.assigned(plan.fingerprint, "none")

    def resolve_unknown(self, plans: dict[str, PlannedIssue]) -> None:
        """Rows left ``creating`` by an earlier run: find out whether the issue exists."""
        for row in self.ledger.rows(state="creating"):
            found = self.client.find_label(fingerprint_label(row["fingerprint"]))
            if found:
                self.ledger.created(row["fingerprint"], found[0].key, found[0].id, found[0].project, how="found")
                plan = plans.get(row["fingerprint"])
                if plan:
                    self.result.found.append((plan, found[0].key))
                    plans.pop(row["fingerprint"])
                    self.safe_follow_up(plan, found[0].key)
            else:
                self.ledger.abandon(row["fingerprint"])

    def run(self, plan: Plan) -> PushResult:
        pending = {p.fingerprint: p for p in plan.issues}
        try:
            self.resolve_unknown(pending)
            self.check_projects(pending)
            for planned in list(pending.values()):
                try:
                    issue, how = self.create(planned)
                except JiraRejected as exc:
                    self.result.failed.append((planned, str(exc)))
                    self.progress(f"failed   {planned.summary[:60]}: {exc}")
                    continue
                (self.result.created if how == "created" else self.result.found).append((planned, issue.key))
                self.progress(f"{how:<8} {issue.key}  {planned.summary[:60]}")
                self.safe_follow_up(planned, issue.key)
            self.finish_earlier(set(pending))
        except (JiraAuthError, JiraUnavailable) as exc:
            self.result.stopped = str(exc)
        return self.result

    def check_projects(self, pending: dict[str, PlannedIssue]) -> None:
        for key in sorted({p.project for p in pending.values()}):
            try:
                self.client.project_key(key)
            except JiraRejected:
                message = f"project {key} does not exist or this account cannot see it"
                for fingerprint, planned in list(pending.items()):
                    if planned.project == key:
                        self.result.failed.append((planned, message))
                        del pending[fingerprint]

    def finish_earlier(self, handled: set[str]) -> None:
        """Complete links/assignees that an earlier, interrupted run left undone."""
        deployment = "cloud" if self.client.is_cloud else "server"
        for row in self.ledger.unfinished():
            if row["fingerprint"] in handled:
                continue
            item = _item_by_fingerprint(self.store, row["fingerprint"])
            if item is None:
                continue
            planned = plan_issue(self.store, item, self.jira, self.people, deployment, row["project"])
            if self.safe_follow_up(planned, row["issue_key"]):
                self.result.finished.append(row["issue_key"])

    def safe_follow_up(self, plan: PlannedIssue, key: str) -> bool:
        """Link and assign; a refusal is noted (the next run tries again), not fatal."""
        try:
            self.follow_up(plan, key)
        except JiraRejected as exc:
            self.result.notes.append(f"{key}: {exc}; the next push tries again")
            return False
        return True


def _with_problem(plan: PlannedIssue, problem: str) -> PlannedIssue:
    from dataclasses import replace

    return replace(plan, assignee=None, assignee_problem=problem)


def run_push(store: Store, client: JiraClient, jira: JiraSettings, people: People, *,
             project: str | None = None, since: str | None = None, owner: str | None = None,
             limit: int | None = None, progress: Callable[[str], None] | None = None) -> tuple[Plan, PushResult]:
    """Plan against the connected Jira (Cloud or Server decides the assignee form) and push."""
    plan = plan_push(store, jira, people, deployment="cloud" if client.is_cloud else "server",
                     project=project, since=since, owner=owner, limit=limit)
    result = _Pusher(store, client, jira, people, progress).run(plan)
    return plan, result
