"""The ``[jira]`` section of ``insights.toml``, and credentials from the environment only.

>>> from insights.settings import Settings
>>> config = jira_settings(Settings(raw={"jira": {"default_project": "ARCH", "teams": {"Arch-BOM": "BOM"}}}))
>>> config.default_project, config.teams["Arch-BOM"], config.issue_type
('ARCH', 'BOM', 'Task')

Example::

    [jira]
    server = "https://example.atlassian.net"    # JIRA_SERVER wins when set
    default_project = "ARCH"
    issue_type = "Task"
    notes_url = "https://wiki.example.com/display/ARCH/Arch+Hours#{date}"

    [jira.teams]          # owner's team -> project key
    "Arch-BOM" = "BOM"

Secrets never live in the file: a key that looks like a token is refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any, Mapping

from ..errors import InsightsError
from ..settings import Settings

__all__ = ["JiraSettings", "JiraCredentials", "jira_settings", "jira_credentials", "SECRET_ENV"]

#: Environment variables that hold secrets: never printed, logged or stored.
SECRET_ENV = ("JIRA_API_TOKEN", "JIRA_PAT")
_SECRET_KEYS = {"token", "api_token", "pat", "password", "jira_api_token", "jira_pat", "secret"}


@dataclass(frozen=True)
class JiraSettings:
    """The ``[jira]`` section. Times are seconds."""

    server: str | None = None
    default_project: str | None = None
    issue_type: str = "Task"
    teams: Mapping[str, str] = field(default_factory=dict)
    #: Link target back to the notes; ``{path}``, ``{source}``, ``{line}`` and ``{date}``
    #: are filled in (URL-quoted).
    notes_url: str = "file://{path}#L{line}"
    #: ``cloud`` or ``server``: only the dry run and the CSV export need it (a live push
    #: asks Jira). Empty: cloud when JIRA_EMAIL/JIRA_API_TOKEN are set, else server.
    deployment: str = ""
    timeout: float = 30.0
    max_retries: int = 5
    retry_backoff: float = 1.0
    max_backoff: float = 30.0
    #: Longest 429 Retry-After waited for; a longer one stops the run (rerun later).
    max_wait: float = 120.0
    #: After an ambiguous create, how long to keep searching for the issue before sending
    #: the create again: Jira's search index can trail a create by a few seconds.
    search_settle: float = 5.0
    #: How the people file is named in messages (set from ``[people] file``).
    people_file: str = "data/people.toml"


def jira_settings(settings: Settings, **overrides: Any) -> JiraSettings:
    """Parse ``[jira]`` from ``settings.raw``; unknown keys and secrets are errors."""
    data = dict(settings.section("jira"))
    where = f"{settings.path or 'insights.toml'} [jira]"
    known = {f.name for f in fields(JiraSettings)}
    for key in data:
        if key.lower() in _SECRET_KEYS:
            raise InsightsError(
                f"{where}: {key!r} looks like a secret; keep tokens out of insights.toml and set "
                "JIRA_API_TOKEN (Cloud) or JIRA_PAT (Server/Data Center) in the environment")
    unknown = sorted(set(data) - known)
    if unknown:
        raise InsightsError(f"{where}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    for f in fields(JiraSettings):
        if f.name in data and f.type in ("float", "int"):
            try:
                data[f.name] = float(data[f.name]) if f.type == "float" else int(data[f.name])
            except (TypeError, ValueError):
                raise InsightsError(f"{where}: {f.name} must be a number, not {data[f.name]!r}") from None
    if not isinstance(data.get("teams", {}), dict):
        raise InsightsError(f"{where}: teams must be a table of team = \"PROJECTKEY\"")
    data.setdefault("people_file", getattr(settings, "people_file", "data/people.toml"))
    data.update(overrides)
    return JiraSettings(**data)


@dataclass(frozen=True)
class JiraCredentials:
    """Where Jira is and how to log in; ``repr`` never shows the secret."""

    server: str
    email: str | None = None
    token: str = field(default="", repr=False)
    kind: str = "basic"  # basic (Cloud: email + API token) | pat (Server/Data Center bearer token)

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.token,) if self.token else ()

    @property
    def variables(self) -> str:
        return "JIRA_EMAIL and JIRA_API_TOKEN" if self.kind == "basic" else "JIRA_PAT"


def jira_credentials(config: JiraSettings, env: Mapping[str, str] | None = None) -> JiraCredentials:
    """Credentials from the environment: ``JIRA_EMAIL`` + ``JIRA_API_TOKEN``, or ``JIRA_PAT``.

    >>> jira_credentials(JiraSettings(), {"JIRA_SERVER": "https://x", "JIRA_PAT": "s3cret"})
    JiraCredentials(server='https://x', email=None, kind='pat')
    """
    env = os.environ if env is None else env
    server = (env.get("JIRA_SERVER") or config.server or "").strip()
    if not server:
        raise InsightsError("set JIRA_SERVER to your Jira address (e.g. https://example.atlassian.net), "
                            "or server under [jira] in insights.toml")
    email, token, pat = env.get("JIRA_EMAIL", "").strip(), env.get("JIRA_API_TOKEN", ""), env.get("JIRA_PAT", "")
    if pat and not token:
        return JiraCredentials(server=server.rstrip("/"), token=pat, kind="pat")
    if email and token:
        return JiraCredentials(server=server.rstrip("/"), email=email, token=token, kind="basic")
    if token:
        raise InsightsError("JIRA_API_TOKEN is set but JIRA_EMAIL is not: set JIRA_EMAIL to the account's email")
    if email:
        raise InsightsError("JIRA_EMAIL is set but JIRA_API_TOKEN is not: set JIRA_API_TOKEN (Jira Cloud)")
    raise InsightsError("no Jira credentials: set JIRA_EMAIL and JIRA_API_TOKEN (Jira Cloud) "
                        "or JIRA_PAT (Server/Data Center personal access token)")
