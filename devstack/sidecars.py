"""The model host and the source simulators, started next to LocalStack when they are installed.

They come from their own modules (devstack.model_host, devstack.simulators); this module only decides
which exist and starts them in order.
"""
from __future__ import annotations

import importlib
from types import ModuleType

from devstack.config import Ports
from devstack.processes import Service


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"devstack.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"devstack.{name}":
            return None
        raise


def ensure_installed() -> None:
    if (m := _module("model_host")) is not None:
        m.ensure_installed()
    if (s := _module("simulators")) is not None:
        s.ensure_demo_data()


def start(ports: Ports, *, with_demo: bool) -> dict[str, str]:
    urls: dict[str, str] = {}
    if (m := _module("model_host")) is not None:
        if not Service("model-host").pid():
            m.start(ports.model_host)
        urls["model_host_url"] = f"http://127.0.0.1:{ports.model_host}"
    if with_demo and (s := _module("simulators")) is not None:
        urls.update({f"{k}_url": v for k, v in s.start_all(ports).items()})
    return urls


def services() -> list[Service]:
    names = ["model-host"] if _module("model_host") else []
    if (s := _module("simulators")) is not None:
        names += [svc.name for svc in getattr(s, "SERVICES", [])]
    return [Service(n) for n in names]
