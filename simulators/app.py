"""Build one simulator app over a demo workspace directory."""
from __future__ import annotations

from pathlib import Path

from simulators.backlog import BacklogSimulator
from simulators.base import SimulatorApp
from simulators.gitlab import GitLabSimulator
from simulators.slack import SlackSimulator

SIMULATORS: dict[str, type[SimulatorApp]] = {
    "gitlab": GitLabSimulator, "slack": SlackSimulator, "backlog": BacklogSimulator}


def create_app(service: str, data_dir: Path | None = None) -> SimulatorApp:
    if data_dir is None:
        from demo.generate import ensure_workspace
        data_dir = ensure_workspace()
    return SIMULATORS[service](Path(data_dir))
