"""Generate the demo workspace deterministically and write it only when its inputs changed.

    python -m demo [--out DIR] [--end 2026-11-20] [--days 28] [--seed 20261120] [--force]

Writes slack.json, gitlab.json, backlog.json, ground_truth.json and manifest.json (the input hash and
figures). The same inputs always give the same bytes; the wall clock is never read.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from demo.calendar import Timeline
from demo.filler_backlog import write_filler_issues
from demo.filler_gitlab import write_filler_mrs, write_gitlab_issues
from demo.filler_slack import write_filler_slack
from demo.ground_truth import build_ground_truth
from demo.model import Workspace
from demo.render_backlog import render_backlog
from demo.render_gitlab import render_gitlab
from demo.render_slack import render_slack
from demo.resolve import Resolver, assign_ids
from demo.story_chains import write_chains
from demo.story_facts import write_facts
from demo.story_team import write_team_events
from demo.writer import Writer

DEMO_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = DEMO_DIR.parent / ".state" / "demo"
FILES = ("slack.json", "gitlab.json", "backlog.json", "ground_truth.json")


@dataclass(frozen=True)
class DemoConfig:
    end: dt.date = dt.date(2026, 11, 20)
    days: int = 28
    seed: int = 20261120

    def as_dict(self) -> dict[str, Any]:
        return {"end": str(self.end), "days": self.days, "seed": self.seed}


def build(config: DemoConfig) -> dict[str, dict[str, Any]]:
    """The whole workspace as JSON-ready dicts, keyed by file name."""
    tl = Timeline(config.end, config.days)
    rng = random.Random(config.seed)
    ws = Workspace()
    w = Writer(ws, tl)
    write_chains(w)
    write_team_events(w)
    write_facts(ws, tl)
    write_filler_mrs(w, rng)
    write_gitlab_issues(w, rng)
    write_filler_issues(w, rng)
    write_filler_slack(w, rng)
    assign_ids(ws, rng)
    resolver = Resolver(ws)
    start = tl.at(tl.start, "09:00", "Asia/Tokyo") - dt.timedelta(days=60)
    gitlab = render_gitlab(ws, resolver, start)
    backlog = render_backlog(ws, resolver)
    slack = render_slack(ws, resolver)
    truth = build_ground_truth(ws, resolver, gitlab, backlog, slack, config.as_dict())
    return {"slack.json": slack, "gitlab.json": gitlab, "backlog.json": backlog, "ground_truth.json": truth}


def encode(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")


def inputs_hash(config: DemoConfig) -> str:
    """Hash of the generator's own sources, seed bundles and config: regenerate only when one changes."""
    h = hashlib.sha256(json.dumps(config.as_dict(), sort_keys=True).encode())
    for path in sorted(DEMO_DIR.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".txt") and "__pycache__" not in path.parts:
            h.update(path.relative_to(DEMO_DIR).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def figures(files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    slack, gitlab, backlog, truth = (files[f] for f in FILES)
    live = [m for ms in slack["messages"].values() for m in ms if "_deleted_ts" not in m]
    return {
        "slack_channels": len(slack["channels"]), "slack_messages": len(live),
        "slack_threads": sum(1 for m in live if m.get("thread_ts") == m["ts"]),
        "slack_edited": sum(1 for m in live if "edited" in m), "slack_deleted": len(truth["deleted_messages"]),
        "gitlab_projects": len(gitlab["projects"]),
        "gitlab_merge_requests": sum(len(p["merge_requests"]) for p in gitlab["projects"]),
        "gitlab_issues": sum(len(p["issues"]) for p in gitlab["projects"]),
        "backlog_projects": len(backlog["projects"]), "backlog_issues": len(backlog["issues"]),
        "backlog_comments": sum(len(i["_comments"]) for i in backlog["issues"]),
        "facts": len(truth["facts"]), "chains": len(truth["chains"]), "decisions": len(truth["decisions"]),
        "action_items": len(truth["action_items"]), "defects": len(truth["defects"]),
    }


def ensure_workspace(out: Path = DEFAULT_OUT, config: DemoConfig = DemoConfig(), force: bool = False) -> Path:
    """Write the workspace under `out` unless it is already there for the same inputs. Returns `out`."""
    out.mkdir(parents=True, exist_ok=True)
    digest = inputs_hash(config)
    manifest_path = out / "manifest.json"
    if not force and manifest_path.exists() and all((out / f).exists() for f in FILES):
        try:
            if json.loads(manifest_path.read_text())["inputs_sha256"] == digest:
                return out
        except (ValueError, KeyError):
            pass
    files = build(config)
    for name in FILES:
        _write_if_different(out / name, encode(files[name]))
    manifest = {"inputs_sha256": digest, "config": config.as_dict(), "figures": figures(files)}
    _write_if_different(manifest_path, encode(manifest))
    return out


def _write_if_different(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)     # readers never see a half-written file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--end", type=dt.date.fromisoformat, default=DemoConfig.end)
    parser.add_argument("--days", type=int, default=DemoConfig.days)
    parser.add_argument("--seed", type=int, default=DemoConfig.seed)
    parser.add_argument("--force", action="store_true", help="regenerate even if the inputs did not change")
    args = parser.parse_args(argv)
    out = ensure_workspace(args.out, DemoConfig(args.end, args.days, args.seed), force=args.force)
    print(json.dumps(json.loads((out / "manifest.json").read_text())["figures"], indent=1))
    return 0
