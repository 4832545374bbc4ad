"""The `teamlens` commands. Output is for people (Rich) unless `--json`; errors are one line on stderr with
an exit code (2 bad input, 3 stack unreachable, 4 not found, 1 anything else), never a traceback."""
from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from teamlens_cli import __version__
from teamlens_cli.client import USAGE, Api, CliError, resolve_target

app = typer.Typer(help="teamlens: ask your team's GitLab, Slack and Backlog.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
out = Console()
err = Console(stderr=True)
REPORT_KINDS = {"weekly": "weekly_project", "assignee": "weekly_assignee", "overdue": "overdue"}
MR_URL = re.compile(r"^https?://\S+/-/merge_requests/\d+")
MR_REF = re.compile(r"^(?P<project>[\w.-]+(?:/[\w.-]+)+)!(?P<iid>\d+)$")


class State:
    api: Api | None = None
    options: ClassVar[dict[str, Any]] = {}


def api() -> Api:
    if State.api is None:
        State.api = Api(resolve_target(**State.options))
    return State.api


@app.callback()
def main(api_url: str | None = typer.Option(None, help="API base URL (default: from .state/stack.json)"),
         api_key: str | None = typer.Option(None, help="API key (default: from .state/stack.json)"),
         stack_file: Path | None = typer.Option(None, help="the stack file `make up` writes")) -> None:
    State.options = {"api_url": api_url, "api_key": api_key, "stack_file": stack_file}


def emit_json(data: Any) -> None:
    out.print_json(json.dumps(data, ensure_ascii=False, default=str))


def print_citations(citations: list[dict]) -> None:
    for c in citations:
        out.print(f"  [bold][{c['n']}][/bold] [link={c['url']}]{c.get('title') or c['url']}[/link]  [dim]{c['url']}[/dim]",
                  highlight=False)


def wait_for_job(job_id: str, *, timeout: float = 900) -> dict:
    """Follow a job with a progress line until it ends; a failed job is an error with its reason."""
    deadline = time.monotonic() + timeout
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  console=err, transient=True) as progress:
        task = progress.add_task(f"job {job_id}", total=None)
        while time.monotonic() < deadline:
            _, job = api().call("GET", f"/jobs/{job_id}")
            p = job.get("progress") or {}
            progress.update(task, description=f"{job['kind']}: {p.get('stage', 'queued')}",
                            completed=p.get("done", 0), total=p.get("total") or None)
            if job["status"] != "RUNNING":
                break
            time.sleep(1)
        else:
            raise CliError(f"job {job_id} is still running after {timeout:.0f}s: `teamlens jobs` shows it")
    if job["status"] != "SUCCEEDED":
        raise CliError(f"job {job_id} failed: {job.get('error') or job['status']}")
    return job


def run_job(path: str, body: dict, as_json: bool, wait: bool = True) -> dict | None:
    _, started = api().call("POST", path, body)
    if not wait:
        out.print(f"started job [bold]{started['job_id']}[/bold] (teamlens jobs)")
        return None
    job = wait_for_job(started["job_id"])
    if as_json:
        emit_json(job)
    else:
        out.print(Markdown(job["result"].get("markdown") or ""))
    return job


@app.command()
def ask(question: str = typer.Argument(..., help="a question, or a request such as 'summarize #release last week'"),
        conversation: str | None = typer.Option(None, "--conversation", "-c", help="continue a conversation"),
        as_json: bool = typer.Option(False, "--json", help="print the API's JSON"),
        wait: bool = typer.Option(True, help="for a request that starts a job, wait for its result")) -> None:
    """Ask a question; the answer comes with numbered, clickable citations."""
    body = {"question": question, **({"conversation_id": conversation} if conversation else {})}
    status, reply = api().call("POST", "/ask", body)
    if as_json and not (status == 202 and wait):
        emit_json(reply)
        return
    if status == 202:
        out.print(reply["answer"])
        if wait:
            run_job_result = wait_for_job(reply["job_id"])
            emit_json(run_job_result) if as_json else out.print(Markdown(run_job_result["result"].get("markdown") or ""))
        return
    out.print(reply["answer"], highlight=False)
    if reply.get("citations"):
        out.print()
        print_citations(reply["citations"])
    out.print(f"\n[dim]conversation {reply['conversation_id']} · {reply['intent']} · "
              f"{reply['timings_ms'].get('total', 0) / 1000:.1f} s[/dim]")


@app.command()
def search(query: str, k: int = typer.Option(5, "-k", min=1, max=50),
           source: str | None = typer.Option(None, help="gitlab, slack or backlog"),
           as_json: bool = typer.Option(False, "--json")) -> None:
    """Search the index: ranked passages with their links."""
    body = {"query": query, "k": k, **({"filters": {"source": source}} if source else {})}
    _, reply = api().call("POST", "/search", body)
    if as_json:
        emit_json(reply)
        return
    for i, r in enumerate(reply["results"], start=1):
        out.print(f"[bold]{i}.[/bold] [link={r['url']}]{r.get('title') or r['url']}[/link] "
                  f"[dim]({r['source']}, {r['score']:.3f})[/dim]", highlight=False)
        out.print(f"   {' '.join(r['text'].split())[:200]}", highlight=False)
    if not reply["results"]:
        out.print("no results")


@app.command()
def ingest(source: list[str] = typer.Option(None, "--source", "-s", help="gitlab, slack, backlog (default all)"),
           wait: bool = typer.Option(False, help="follow the run with a progress bar per source")) -> None:
    """Start an ingestion run (incremental); with --wait, follow it to the end."""
    _, started = api().call("POST", "/ingest", {"sources": source} if source else {})
    run_id = started["run_id"]
    if not wait:
        out.print(f"started ingestion run [bold]{run_id}[/bold]")
        return
    with Progress(TextColumn("{task.description:<10}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TextColumn("{task.fields[state]}"), console=out) as progress:
        tasks: dict[str, int] = {}
        while True:
            _, run = api().call("GET", f"/ingest/runs/{run_id}")
            for s in run["sources"]:
                counts = s.get("counts") or {}
                total = counts["changed"] + counts.get("carried", 0) if "changed" in counts else None
                done = counts.get("indexed_objects", 0)
                if s["source"] not in tasks:
                    tasks[s["source"]] = progress.add_task(s["source"], total=None, state="")
                progress.update(tasks[s["source"]], total=total, completed=done, state=s["status"])
            if run["status"] != "RUNNING":
                break
            time.sleep(1)
    failed = [f"{s['source']}: {s.get('error') or s['status']}" for s in run["sources"]
              if s["status"] not in ("indexed", "succeeded", "done", "unchanged")]
    if run["status"] != "SUCCEEDED":
        raise CliError(f"ingestion run {run_id} {run['status'].lower()}: {'; '.join(failed) or 'see the logs'}")
    out.print(f"ingestion run {run_id} succeeded")


@app.command()
def summarize(target: str = typer.Argument(..., help="'#channel', or a thread permalink"),
              since: str = typer.Option("7d", help="7d, 24h, 'last week', or an ISO date"),
              until: str | None = typer.Option(None, help="an ISO date (exclusive)"),
              lang: str = typer.Option("en", help="en, ja or vi"),
              as_json: bool = typer.Option(False, "--json"), wait: bool = typer.Option(True)) -> None:
    """Summarize a Slack channel or thread: decisions, action items, open questions, with links."""
    body: dict[str, Any] = {"language": lang}
    body.update({"thread": target} if target.startswith("http") else {"channel": target})
    if not target.startswith("http"):
        body.update({"since": since} if re.match(r"^\d{4}-\d{2}-\d{2}", since) else {"range": since})
        if until:
            body["until"] = until
    run_job("/summaries", body, as_json, wait)


def mr_body(ref: str) -> dict[str, Any]:
    if MR_URL.match(ref):
        return {"url": ref}
    if m := MR_REF.match(ref):
        return {"project": m["project"], "iid": int(m["iid"])}
    raise CliError(f"not a merge request reference: {ref!r} (use group/project!iid or the MR's URL)", USAGE)


@app.command()
def review(mr: str = typer.Argument(..., help="group/project!iid or the merge request's URL"),
           post: bool = typer.Option(False, "--post", help="post the findings as inline comments (default: dry run)"),
           since: str | None = typer.Option(None, "--since", help="review only the commits after this SHA"),
           lang: str = typer.Option("en"), as_json: bool = typer.Option(False, "--json"),
           wait: bool = typer.Option(True)) -> None:
    """Review a merge request: findings per file and line."""
    body = {**mr_body(mr), "post": post, "language": lang, **({"since_sha": since} if since else {})}
    run_job("/reviews", body, as_json, wait)


def post_targets(posts: list[str], project: str | None) -> dict[str, str]:
    targets: dict[str, str] = {}
    for p in posts:
        kind, _, name = p.partition(":")
        if kind == "slack":
            targets["slack_channel"] = name.lstrip("#") or "general"
        elif kind == "backlog":
            key = name or (project if project and "/" not in project else "")
            if not key:
                raise CliError("--post backlog needs a project key: --post backlog:KEY", USAGE)
            targets["backlog_project"] = key
        else:
            raise CliError(f"--post takes slack[:#channel] or backlog[:KEY], not {p!r}", USAGE)
    return targets


@app.command()
def report(kind: str = typer.Argument("weekly", help="weekly, assignee or overdue"),
           period: str = typer.Option("last week", "--range", help="'last week', 7d, 'this week', ..."),
           project: str | None = typer.Option(None, help="a Backlog key or a GitLab path"),
           post: list[str] = typer.Option(None, "--post", help="slack[:#channel] and/or backlog[:KEY]"),
           yes: bool = typer.Option(False, "--yes", "-y", help="post without asking"),
           lang: str = typer.Option("en"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Write a status report; shows the preview, and posts only after you confirm."""
    if kind not in REPORT_KINDS:
        raise CliError(f"unknown report {kind!r}: use one of {', '.join(REPORT_KINDS)}", USAGE)
    targets = post_targets(post or [], project)
    body = {"report_kind": REPORT_KINDS[kind], "range": period, "language": lang,
            **({"project": project} if project else {}), **({"post_to": targets} if targets else {})}
    job = run_job("/reports", body, as_json)
    if not targets or job is None:
        return
    where = " and ".join(f"Slack #{v}" if k == "slack_channel" else f"Backlog {v}" for k, v in targets.items())
    if not yes and not typer.confirm(f"Post this report to {where}?", err=True):
        err.print("not posted")
        return
    _, posted = api().call("POST", f"/reports/{job['job_id']}/confirm",
                           {"token": job["result"]["confirmation"]["token"]})
    for kind_, p in posted["posted"].items():
        out.print(f"posted to {kind_}: {p.get('permalink') or p.get('issue_key')}")


@app.command()
def jobs(limit: int = typer.Option(20, min=1, max=100), as_json: bool = typer.Option(False, "--json")) -> None:
    """Recent jobs (summaries, reviews, reports), newest first."""
    _, reply = api().call("GET", "/jobs", params={"limit": limit})
    if as_json:
        emit_json(reply)
        return
    table = Table("job", "kind", "status", "progress", "created")
    for j in reply["jobs"]:
        p = j.get("progress") or {}
        table.add_row(j["job_id"], j["kind"], j["status"], f"{p.get('stage', '')} {p.get('done', 0)}/{p.get('total', 0)}",
                      j["created_at"][:19])
    out.print(table)


@app.command()
def status(as_json: bool = typer.Option(False, "--json")) -> None:
    """What runs: the API, its version, the models and the index size."""
    _, reply = api().call("GET", "/status")
    if as_json:
        emit_json(reply)
        return
    table = Table(show_header=False)
    table.add_row("API", api().target.api_url)
    table.add_row("version", f"{reply.get('version')} (CLI {__version__})")
    for kind, model in (reply.get("models") or {}).items():
        table.add_row(f"model ({kind})", str(model))
    for source, n in (reply.get("index") or {}).items():
        table.add_row(f"index {source}", str(n))
    for name in ("model_host_url", "chroma_url"):
        if api().target.stack.get(name):
            table.add_row(name.replace("_", " "), api().target.stack[name])
    out.print(table)


def run() -> None:
    try:
        app(standalone_mode=False)
    except CliError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        sys.exit(exc.code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - usage errors and anything unexpected: one line, no traceback
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        err.print(f"[red]error:[/red] {type(exc).__name__}: {exc}", highlight=False)
        sys.exit(1)
