"""The ``insights`` command: a thin layer over the library.

Every command opens the store named by ``--db`` (default ``$INSIGHTS_DB`` or
``./insights.db``); listing commands print a table, ``--json`` or ``--csv``.
"""

from __future__ import annotations

import json
import re
import sys

import click

from . import __version__
from .errors import InsightsError
from .output import emit, output_options
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


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="INSIGHTS_DB", default="insights.db", show_default=True,
              help="SQLite database file (or set INSIGHTS_DB).")
@click.version_option(__version__, prog_name="insights")
@click.pass_context
def cli(ctx: click.Context, db: str) -> None:
    """Turn an archive of meeting notes into themes, search, reports and tracked action items."""
    ctx.obj = {"db": db or default_db_path()}


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
        click.echo(json.dumps(summary.as_dict(), indent=2))
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
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
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
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


@cli.command()
@click.option("--out", default="reports", show_default=True, type=click.Path(file_okay=False),
              help="Folder to write the HTML into.")
@click.pass_context
def report(ctx: click.Context, out: str) -> None:
    """Write the HTML report of the whole archive into --out."""
    from .report import write_reports

    with _open(ctx) as store:
        written = write_reports(store, out)
    for path in written:
        click.echo(str(path))


def main() -> None:
    cli(prog_name="insights")


if __name__ == "__main__":  # pragma: no cover
    main()
