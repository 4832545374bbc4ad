"""Start and stop the GitLab, Slack and Backlog simulators over the demo workspace (pid-tracked processes)."""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from devstack import paths
from devstack.config import Ports, setting
from devstack.processes import DevstackError, Service, http_ok, start, stop, wait_until

NAMES = ("gitlab", "slack", "backlog")
START_TIMEOUT_S = 30.0


def service(name: str) -> Service:
    return Service(f"{name}-sim")


SERVICES: tuple[Service, ...] = tuple(service(n) for n in NAMES)   # what `make down` and status list


# The day the demo's four weeks end. A new stack's demo ends today, so "what happened this week?" has an
# answer; the day is then kept (in .state/demo-end) until `make reset`: a workspace that moved under an index
# already built from it would be ingested twice with other timestamps. TEAMLENS_DEMO_END=2026-11-20 gives
# back the workspace the tests, benchmarks and question sets were written against, text for text.
DEMO_END_ENV = "TEAMLENS_DEMO_END"
PINNED_DEMO_END = "2026-11-20"
TEAM_TZ = "Asia/Tokyo"


def demo_end_record() -> Path:
    return paths.STATE / "demo-end"


def recorded_demo_end() -> str | None:
    """The last day this stack's demo workspace was built with (YYYY-MM-DD), if it was recorded."""
    record = demo_end_record()
    return record.read_text().strip() or None if record.exists() else None


def demo_end(*, today: dt.date | None = None) -> dt.date:
    """The demo workspace's last day for this stack (see above); recorded on first use."""
    record = demo_end_record()
    wanted = setting(DEMO_END_ENV, "").strip()
    if wanted:
        try:
            dt.date.fromisoformat(wanted)
        except ValueError:
            raise DevstackError(f"{DEMO_END_ENV}={wanted!r} is not a date (YYYY-MM-DD)") from None
    recorded = recorded_demo_end()
    if recorded and wanted and recorded != wanted:
        raise DevstackError(f"this stack holds the demo workspace ending {recorded}; {DEMO_END_ENV}={wanted} "
                            "needs a fresh one: `make reset`, then `make up` again")
    if not recorded:
        # A stack that already holds data from before the demo moved with the calendar keeps that workspace.
        holds_data = (paths.STATE / "demo").exists()
        recorded = wanted or (PINNED_DEMO_END if holds_data else
                              str(today or dt.datetime.now(ZoneInfo(TEAM_TZ)).date()))
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(recorded + "\n")
    return dt.date.fromisoformat(recorded)


def ensure_demo_data() -> Path:
    """Generate the demo workspace under .state/demo unless it is already there for the same inputs."""
    from demo.generate import DemoConfig, ensure_workspace
    return ensure_workspace(paths.STATE / "demo", DemoConfig(end=demo_end()))


def base_urls(ports: Ports) -> dict[str, str]:
    host = setting("SIM_HOST", "127.0.0.1")
    return {"gitlab": f"http://{host}:{ports.gitlab_sim}", "slack": f"http://{host}:{ports.slack_sim}",
            "backlog": f"http://{host}:{ports.backlog_sim}"}


def start_all(ports: Ports | None = None) -> dict[str, str]:
    """Start the three simulators (reusing healthy ones already started) and return their base URLs.

    Each serves the same demo data and knows the others' URLs, so cross-links in messages resolve."""
    ports = ports or Ports()
    data = ensure_demo_data()
    urls = base_urls(ports)
    env = {**os.environ, **{f"SIM_{name.upper()}_URL": url for name, url in urls.items()},
           "PYTHONPATH": os.pathsep.join(filter(None, [str(paths.ROOT), os.environ.get("PYTHONPATH")]))}
    port_of = {"gitlab": ports.gitlab_sim, "slack": ports.slack_sim, "backlog": ports.backlog_sim}
    for name in NAMES:
        svc, health = service(name), f"{urls[name]}/_sim/health"
        if svc.pid() and http_ok(health):
            continue
        stop(svc)   # a stale pid file from a crashed run
        start(svc, [sys.executable, "-m", "simulators", "--service", name, "--port", str(port_of[name]),
                    "--host", setting("SIM_HOST", "127.0.0.1"), "--data", str(data)],
              env=env, cwd=paths.ROOT, port=port_of[name], extra={"url": urls[name]})
    for name in NAMES:
        health = f"{urls[name]}/_sim/health"
        wait_until(service(name), lambda h=health: http_ok(h), timeout=START_TIMEOUT_S, what=f"GET {health}")
    return urls


def stop_all() -> list[str]:
    """Stop every simulator this launcher started; returns the names of those it stopped."""
    return [name for name in NAMES if stop(service(name))]


__all__ = ["NAMES", "SERVICES", "DevstackError", "base_urls", "ensure_demo_data", "start_all", "stop_all"]
