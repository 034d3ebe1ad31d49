"""The ``insights`` command: a thin layer over the library.

Every command opens the store named by ``--db`` (default ``$INSIGHTS_DB`` or
``./insights.db``); listing commands print a table, ``--json`` or ``--csv``.
"""

from __future__ import annotations

import re
import sqlite3
import sys

import click

from . import __version__
from .errors import InsightsError
from .output import dump_json, emit, output_options
from .pipeline import ingest as run_ingest
from .store import Store, default_db_path


MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _open(ctx: click.Context) -> Store:
    try:
        return Store(ctx.obj["db"])
    except InsightsError as exc:
        raise click.ClickException(str(exc)) from None


def _check_month(month: str | None) -> str | None:
    if month and not MONTH.match(month):
        raise click.BadParameter(f"{month!r} is not a month; write it as YYYY-MM, e.g. 2021-12", param_hint="--month")
    return month


class _Group(click.Group):
    """Turns library errors into one-line messages instead of tracebacks."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except InsightsError as exc:
            raise click.ClickException(str(exc)) from None
        except sqlite3.DatabaseError as exc:  # a damaged or foreign database, a full disk, a held lock
            db = (ctx.obj or {}).get("db", default_db_path())
            if "locked" in str(exc) or "busy" in str(exc):
                hint = "another process is writing to it; run the command again once it has finished"
            else:
                hint = "it is damaged or was not made by insights; ingest the notes into a new database"
            raise click.ClickException(f"database {db}: {exc} ({hint})") from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="INSIGHTS_DB", default="insights.db", show_default=True,
              help="SQLite database file (or set INSIGHTS_DB).")
@click.option("--config", type=click.Path(dir_okay=False, path_type=str),
              help="Settings file to use instead of ./insights.toml.")
@click.version_option(__version__, prog_name="insights")
@click.pass_context
def cli(ctx: click.Context, db: str, config: str | None) -> None:
    """Turn an archive of meeting notes into themes, search, reports and tracked action items."""
    ctx.obj = {"db": db or default_db_path()}
    if config:
        from . import settings

        try:
            chosen = settings.load_settings(config)
        except InsightsError as exc:
            raise click.ClickException(str(exc)) from None
        previous = settings.use(chosen)
        ctx.call_on_close(lambda: settings.use(previous))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str, readable=False))
@click.option("--format", "format_", type=click.Choice(["text", "markdown", "html", "xhtml"]),
              help="Read every file in this format instead of detecting it.")
@click.option("--prune", is_flag=True, help="Forget stored files under PATHS that no longer exist.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[str, ...], format_: str | None, prune: bool, as_json: bool,
           quiet: bool) -> None:
    """Read meeting notes from PATHS (files or folders) into the store.

    Unchanged files are skipped; a changed file is replaced in one transaction. Exits
    non-zero only when files failed and nothing could be ingested.
    """
    store = _open(ctx)
    show_progress = not quiet and sys.stderr.isatty()

    def progress(index: int, total: int, source: str) -> None:
        if show_progress and total > 1:
            click.echo(f"\r[{index}/{total}] {source[-60:]:<60}", err=True, nl=index == total)

    with store:
        summary = run_ingest(store, paths, format=format_, prune=prune, progress=progress)
    for problem in summary.failed:
        click.echo(f"error: {problem}", err=True)
    if not quiet:
        for problem in summary.stubs + summary.warnings:
            click.echo(f"warning: {problem}", err=True)
    if as_json:
        dump_json(summary.as_dict(), sys.stdout)
    elif not quiet:
        click.echo(
            f"{summary.files_seen} files: {summary.files_added} added, {summary.files_replaced} replaced, "
            f"{summary.files_skipped} unchanged, {len(summary.stubs)} stubs, {len(summary.failed)} failed"
            + (f", {summary.files_pruned} pruned" if prune else "")
        )
        click.echo(f"added {summary.meetings_added} meetings, {summary.topics_added} topics, "
                   f"{summary.notes_added} notes")
    if summary.nothing_ingested or summary.files_seen == 0 and summary.failed:
        raise SystemExit(1)


@cli.command()
@click.option("--month", help="Only meetings of this month (YYYY-MM).")
@output_options
@click.pass_context
def meetings(ctx: click.Context, month: str | None, fmt: str) -> None:
    """List meetings, newest first."""
    with _open(ctx) as store:
        rows = store.meetings(month=_check_month(month))
    emit(rows, fmt, columns=["date", "title", "topics", "notes", "source", "line"])


@cli.command()
@click.option("--month", help="Only topics of this month (YYYY-MM).")
@output_options
@click.pass_context
def topics(ctx: click.Context, month: str | None, fmt: str) -> None:
    """List topics with their intent tag, proposer and votes."""
    with _open(ctx) as store:
        rows = store.topics(month=_check_month(month))
    emit(rows, fmt, columns=["meeting_date", "votes", "tag", "proposer_text", "title", "source", "line", "id"])


@cli.command()
@click.argument("date")
@click.option("--json", "as_json", is_flag=True, help="Print the meetings as JSON.")
@click.pass_context
def show(ctx: click.Context, date: str, as_json: bool) -> None:
    """Show the meeting(s) held on DATE (YYYY-MM-DD) with topics and notes."""
    if not DAY.match(date):
        raise click.BadParameter(f"{date!r} is not a date; write it as YYYY-MM-DD", param_hint="DATE")
    with _open(ctx) as store:
        found = list(store.iter_meetings_tree(date=date))
    if not found:
        raise click.ClickException(f"no meeting on {date}; `insights meetings` lists them")
    if as_json:
        dump_json(found, sys.stdout)
        return
    for meeting in found:
        click.secho(f"{meeting['date']}  {meeting['title']}  ({meeting['source']}:{meeting['line']})", bold=True)
        for note in meeting["notes"]:
            click.echo(f"  {'  ' * note['level']}{note['text']}")
        for topic in meeting["topics"]:
            head = " ".join(x for x in (
                f"+{topic['votes']}" if topic["votes"] else "",
                f"[{topic['tag']}]" if topic["tag"] else "",
                f"({topic['proposer_text']})" if topic["proposer_text"] else "",
            ) if x)
            click.echo(f"\n  {head + ' ' if head else ''}{topic['title']}  :{topic['line']}")
            for note in topic["notes"]:
                click.echo(f"    {'  ' * note['level']}- {note['text']}")
        click.echo()


@cli.command()
@click.option("--json", "as_json", is_flag=True, default=True, help="Print JSON (the only format).")
@click.option("--month", help="Only meetings of this month (YYYY-MM).")
@click.pass_context
def export(ctx: click.Context, as_json: bool, month: str | None) -> None:
    """Export the whole store as JSON (the documented contract, see README)."""
    from .export import export_archive

    with _open(ctx) as store:
        data = export_archive(store, month=_check_month(month))
    dump_json(data, sys.stdout)


@cli.command()
@click.option("--out", default="reports", show_default=True, type=click.Path(file_okay=False),
              help="Folder to write the HTML into.")
@click.option("--month", help="Write only this month's page (YYYY-MM).")
@click.pass_context
def report(ctx: click.Context, out: str, month: str | None) -> None:
    """Write the HTML report into --out: index, months, themes and people, or one --month.

    Pages are self-contained files (no server, no network): open index.html.
    """
    from .report import write_reports

    with _open(ctx) as store:
        written = write_reports(store, out, month=_check_month(month))
    click.echo(str(written[0]))
    if len(written) > 1:
        click.echo(f"and {len(written) - 1} more pages in {out}", err=True)


@cli.command()
@click.option("--month", help="This month against the months before it (YYYY-MM).")
@click.option("--refit", is_flag=True, help="Refit discovered themes now (matching ones keep their names).")
@output_options
@click.pass_context
def themes(ctx: click.Context, month: str | None, refit: bool, fmt: str) -> None:
    """List themes: first and last seen and topics, or one month's themes with their change."""
    from . import analyze

    with _open(ctx) as store:
        if refit:
            analyze.update_themes(store, refit=True)
        archive = analyze.Archive.load(store)
        if month:
            if _check_month(month) not in archive.months:
                raise click.ClickException(f"no meetings in {month}; `insights meetings` lists them")
            rows = analyze.month_summary(archive, month).to_dict("records")
            columns = ["theme", "status", "topics", "change", "before", "notes", "votes", "people",
                       "actions_open", "actions_closed", "source"]
        else:
            rows = analyze.first_last_seen(archive).sort_values(
                ["topics", "theme"], ascending=[False, True]).to_dict("records")
            columns = ["theme", "topics", "months", "first_seen", "last_seen", "source"]
    emit(rows, fmt, columns=columns)


@cli.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--since", help="Only meetings on or after this date (YYYY-MM-DD, YYYY-MM or YYYY).")
@click.option("--until", help="Only meetings on or before this date (YYYY-MM-DD, YYYY-MM or YYYY).")
@click.option("--person", help="Only topics proposed by or mentioning this person (any alias).")
@click.option("--intent", help="Only topics with this intent tag (quest, inform, ideation, analysis, discuss).")
@click.option("--theme", help="Only topics that mention this theme (name or alias).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000), help="At most this many topics.")
@click.option("--timeline", "as_timeline", is_flag=True, help="Show when QUERY was discussed, month by month.")
@output_options
@click.pass_context
def search(ctx: click.Context, query: tuple[str, ...], since: str | None, until: str | None, person: str | None,
           intent: str | None, theme: str | None, limit: int, as_timeline: bool, fmt: str) -> None:
    """Find every topic that discussed QUERY, best first, with a snippet and source:line.

    QUERY: words (any inflection), "quoted phrases", prefix*, OR, -excluded. Theme and person
    names also find their aliases (djoy finds David Joy).
    """
    from .search import search as run_search, timeline as run_timeline

    text = " ".join(query)
    filters = dict(since=since, until=until, person=person, intent=intent, theme=theme)
    with _open(ctx) as store:
        if as_timeline:
            rows = run_timeline(store, text, **filters)
            if fmt == "table":
                top = max((r["topics"] for r in rows), default=0)
                for r in rows:
                    bar = "#" * max(1, round(20 * r["topics"] / top)) if r["topics"] else ""
                    click.echo(f"{r['month']}  {r['meetings']:>3} meetings  {r['topics']:>4} topics  {bar}")
                if not rows:
                    click.echo(f"no topic matches {text!r}")
            else:
                emit([{k: r[k] for k in ("month", "meetings", "topics")} for r in rows], fmt,
                     columns=["month", "meetings", "topics"])
            return
        stats: dict = {}
        hits = run_search(store, text, limit=limit, stats=stats, **filters)
    if stats.get("capped"):
        click.echo(f"note: more than {stats['window']:,} topics match; ranked the {stats['window']:,} most recently "
                   "ingested (narrow with --since/--until or more words)", err=True)
    if fmt != "table":
        emit([h.as_json() for h in hits], fmt,
             columns=["meeting_date", "topic_id", "topic_title", "snippet", "score", "source", "line"])
        return
    if not hits:
        click.echo(f"no topic matches {text!r}")
        return
    styled = sys.stdout.isatty()

    def show_line(match) -> str:
        if styled:
            return "".join(click.style(s, bold=True, fg="yellow") if h else s for s, h in match.window().segments)
        return match.window().text()

    by_meeting: dict[str, list] = {}
    for hit in hits:  # meetings in the order of their best topic
        by_meeting.setdefault(hit.meeting_id, []).append(hit)
    for group in by_meeting.values():
        first = group[0]
        title = f"  {first.meeting_title}" if first.meeting_title != first.meeting_date else ""
        click.secho(f"{first.meeting_date}{title}", bold=True)
        for hit in group:
            click.echo(f"  {hit.topic_title or '(meeting notes)'}  [score {hit.score:.2f}]")
            for match in hit.matches:
                click.echo(f"    {hit.source}:{match.line}  {show_line(match)}")
        click.echo()


# -- extraction: people, intents, decisions ----------------------------------------------------
@cli.command()
@output_options
@click.pass_context
def people(ctx: click.Context, fmt: str) -> None:
    """List persons and teams with aliases, topics proposed, notes spoken, actions owned, first/last seen.

    Forms that fit several persons (``Adam`` beside ``Adam B`` and ``AdamS``) are not merged;
    they are listed with the persons they could be in ``ambiguous_with``.
    """
    from .extract.reports import people_rows

    with _open(ctx) as store:
        rows = people_rows(store)
    emit(rows, fmt, columns=["name", "kind", "aliases", "topics_proposed", "notes_spoken", "actions_owned",
                             "first_seen", "last_seen", "ambiguous_with"])


@cli.command()
@click.option("--unknown", is_flag=True, help="List the tags kept as written (not in the vocabulary).")
@output_options
@click.pass_context
def intents(ctx: click.Context, unknown: bool, fmt: str) -> None:
    """Count topics per normalised intent (inform, ideation, analysis, quest, discuss)."""
    from .extract.reports import intent_rows

    with _open(ctx) as store:
        rows = intent_rows(store, unknown=unknown)
    emit(rows, fmt, columns=["intent", "topics", "first_seen", "last_seen"])


@cli.command()
@click.option("--questions", is_flag=True, help="List open questions instead of decisions.")
@click.option("--since", help="Only meetings on or after this date (YYYY-MM-DD).")
@output_options
@click.pass_context
def decisions(ctx: click.Context, questions: bool, since: str | None, fmt: str) -> None:
    """List decisions recorded in the notes (or open questions), oldest first."""
    from .extract.reports import findings_rows

    with _open(ctx) as store:
        rows = findings_rows(store, "question" if questions else "decision", since=since)
    emit(rows, fmt, columns=["meeting_date", "text", "rationale", "topic", "source", "line"])


# -- action items and Jira ---------------------------------------------------------------------
def _settings():
    from .settings import current

    return current()


@cli.group(invoke_without_command=True)
@click.option("--open", "open_only", is_flag=True, help="Only unresolved items, with their age.")
@click.option("--owner", help="Only items of this owner (canonical name or as written).")
@click.option("--since", help="Only items from meetings on or after this date (YYYY-MM-DD).")
@output_options
@click.pass_context
def actions(ctx: click.Context, open_only: bool, owner: str | None, since: str | None, fmt: str) -> None:
    """List action items, oldest first; `actions resolve` and `actions reconcile` close them.

    With --open, each item shows its age in days and how many months it has carried over,
    counted to the latest meeting in the store.
    """
    if ctx.invoked_subcommand:
        return
    from .actions import list_actions
    from .lifecycle import open_items_with_age

    with _open(ctx) as store:
        if open_only:
            rows = open_items_with_age(store, owner=owner, since=since)
            columns = ["id", "meeting_date", "age_days", "carried_months", "owner", "due", "text", "source", "line"]
        else:
            rows = [{"id": a.id, "meeting_date": a.meeting_date.isoformat(), "status": a.status, "owner": a.owner,
                     "due": a.due.isoformat() if a.due else "", "text": a.text, "source": a.source, "line": a.line}
                    for a in list_actions(store, owner=owner, since=since)]
            columns = ["id", "meeting_date", "status", "owner", "due", "text", "source", "line"]
    emit(rows, fmt, columns=columns)


@actions.command("resolve")
@click.argument("item_id")
@click.option("--note", help="Why or how it was resolved (kept with the status).")
@click.option("--dropped", is_flag=True, help="Record it as dropped rather than done.")
@click.pass_context
def actions_resolve(ctx: click.Context, item_id: str, note: str | None, dropped: bool) -> None:
    """Resolve the item ITEM_ID (an id or fingerprint prefix) by hand; survives re-ingest."""
    from .actions import resolve_action

    with _open(ctx) as store:
        item = resolve_action(store, item_id, status="dropped" if dropped else "done", how="manual", note=note)
    click.echo(f"{item.id}: {item.status}  {item.text}")


@actions.command("reconcile")
@click.option("--threshold", type=click.FloatRange(0, 1), help="Similarity needed (default: [lifecycle] "
              "match_threshold in insights.toml, else 0.6).")
@click.option("--dry-run", is_flag=True, help="Show the matches without recording them.")
@output_options
@click.pass_context
def actions_reconcile(ctx: click.Context, threshold: float | None, dry_run: bool, fmt: str) -> None:
    """Close open items that a later meeting reports done, keeping that line as evidence."""
    from .lifecycle import DEFAULT_THRESHOLD, apply_resolutions, find_meeting_resolutions

    if threshold is None:
        threshold = float(_settings().section("lifecycle").get("match_threshold", DEFAULT_THRESHOLD))
    with _open(ctx) as store:
        matches = find_meeting_resolutions(store, threshold)
        written = 0 if dry_run else apply_resolutions(store, matches)
    emit([{"id": m.item.id, "score": f"{m.score:.2f}", "text": m.item.text, "evidence": f"{m.source}:{m.line}",
           "reported": m.text} for m in matches], fmt, columns=["id", "score", "text", "evidence", "reported"])
    if fmt == "table":
        click.echo(f"{len(matches)} matched; {'nothing recorded (dry run)' if dry_run else f'{written} resolved'}")


@cli.group()
def jira() -> None:
    """Push open action items to Jira once each, sync their status back, or export CSV.

    Credentials come from the environment only: JIRA_SERVER, and JIRA_EMAIL + JIRA_API_TOKEN
    (Cloud) or JIRA_PAT (Server/Data Center). Projects and team mapping: [jira] in insights.toml.
    """


def _jira_setup():
    from .jira.config import jira_settings
    from .jira.people import People

    settings = _settings()
    return jira_settings(settings), People.load(settings.people_path)


def _jira_connect(config):
    """A connected client; retry notices go to stderr (they never hold a secret)."""
    import logging

    from .jira.client import JiraClient
    from .jira.config import jira_credentials

    class EchoHandler(logging.Handler):
        """Writes to whatever stderr is current when the record is emitted."""

        def emit(self, record: logging.LogRecord) -> None:
            click.echo(f"insights: {record.getMessage()}", err=True)

    logger = logging.getLogger("insights.jira")
    if not any(type(h).__name__ == "EchoHandler" for h in logger.handlers):
        logger.addHandler(EchoHandler())
        logger.setLevel(logging.INFO)
    return JiraClient(jira_credentials(config), config).connect()


def _push_filters(command):
    for option in reversed([
        click.option("--project", help="Create every issue in this project (key) instead of the team mapping."),
        click.option("--since", help="Only items from meetings on or after this date (YYYY-MM-DD)."),
        click.option("--owner", help="Only items of this owner."),
        click.option("--limit", type=click.IntRange(1), help="At most this many issues."),
    ]):
        command = option(command)
    return command


def _check_day(value: str | None, hint: str) -> str | None:
    if value and not DAY.match(value):
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD", param_hint=hint)
    return value


@jira.command("push")
@click.option("--dry-run", is_flag=True, help="Print what would be created; send nothing, change nothing.")
@_push_filters
@output_options
@click.pass_context
def jira_push(ctx: click.Context, dry_run: bool, project: str | None, since: str | None, owner: str | None,
              limit: int | None, fmt: str) -> None:
    """Create one Jira issue per unresolved action item, never twice.

    Each issue gets the labels `insights` and `insights-FINGERPRINT`, a due date, the
    owner as assignee (from the people file) and a link back to the notes. Before every
    create Jira is searched for the fingerprint label, so reruns, interrupted runs and
    issues imported from `jira export-csv` never give duplicates.
    """
    from .jira.push import DRY_RUN_COLUMNS, plan_push, run_push

    config, people = _jira_setup()
    _check_day(since, "--since")
    with _open(ctx) as store:
        if dry_run:
            plan = plan_push(store, config, people, project=project, since=since, owner=owner, limit=limit)
            emit([p.row() for p in plan.issues], fmt, columns=DRY_RUN_COLUMNS)
            if fmt == "table":
                for skipped in plan.skipped:
                    click.echo(f"skip: {skipped.summary}: {skipped.skip_reason}")
                click.echo(f"dry run: would create {len(plan.issues)} issue(s) in Jira; {plan.already} already "
                           f"pushed, {len(plan.skipped)} skipped; nothing was sent")
            return
        client = _jira_connect(config)
        try:
            plan, result = run_push(store, client, config, people, project=project, since=since, owner=owner,
                                    limit=limit, progress=click.echo)
        finally:
            client.close()
    for skipped in plan.skipped:
        click.echo(f"skip: {skipped.summary}: {skipped.skip_reason}")
    for _, message in result.failed:
        click.echo(f"error: {message}", err=True)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"pushed: {len(result.created)} created, {len(result.found)} found in Jira already, "
               f"{len(result.failed)} failed, {len(result.finished)} finished from an earlier run; "
               f"{plan.already} pushed before")
    if result.stopped:
        raise click.ClickException(f"stopped: {result.stopped}")
    if result.failed:
        raise SystemExit(1)


@jira.command("sync")
@output_options
@click.pass_context
def jira_sync(ctx: click.Context, fmt: str) -> None:
    """Read the status of every pushed issue; Done in Jira resolves the action item."""
    from .jira.sync import run_sync

    config, _ = _jira_setup()
    with _open(ctx) as store:
        client = _jira_connect(config)
        try:
            result = run_sync(store, client)
        finally:
            client.close()
    emit(result.rows, fmt, columns=["key", "status", "resolution", "action"])
    if fmt == "table":
        click.echo(f"synced {len(result.rows)} issue(s); {len(result.resolved)} action item(s) resolved")
    if result.stopped:
        raise click.ClickException(f"stopped: {result.stopped}")


@jira.command("export-csv")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@_push_filters
@click.pass_context
def jira_export_csv(ctx: click.Context, file: str, project: str | None, since: str | None, owner: str | None,
                    limit: int | None) -> None:
    """Write FILE for Jira's CSV importer (no API credentials needed); `-` is stdout.

    The rows are what `jira push` would create. In the import wizard choose the date
    format yyyy-MM-dd; map both Labels columns to Labels.
    """
    from .jira.csv_export import write_csv
    from .jira.push import plan_push

    config, people = _jira_setup()
    _check_day(since, "--since")
    with _open(ctx) as store:
        plan = plan_push(store, config, people, project=project, since=since, owner=owner, limit=limit)
    if file == "-":
        count = write_csv(plan.issues, sys.stdout)
    else:
        try:
            with open(file, "w", encoding="utf-8", newline="") as out:  # csv writes its own line ends
                count = write_csv(plan.issues, out)
        except OSError as exc:
            raise click.ClickException(f"cannot write {file}: {exc.strerror or exc}") from None
    click.echo(f"wrote {count} issue(s)" + (f" to {file}" if file != "-" else ""), err=True)
    for skipped in plan.skipped:
        click.echo(f"skip: {skipped.summary}: {skipped.skip_reason}", err=True)


def main() -> None:
    cli(prog_name="insights")


if __name__ == "__main__":  # pragma: no cover
    main()
