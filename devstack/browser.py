"""Debian's Chromium and its WebDriver, for the web chat page's browser test (no browser downloads: the
distribution's packages, through apt)."""
from __future__ import annotations

import os
import shutil
import subprocess

from devstack.processes import DevstackError

PACKAGES = ("chromium", "chromium-driver")


def browser_paths() -> tuple[str, str] | None:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    return (chromium, driver) if chromium and driver else None


def ensure_browser() -> tuple[str, str]:
    if found := browser_paths():
        return found
    prefix = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
    if prefix is None or not shutil.which("apt-get"):
        raise DevstackError(f"the browser test needs Chromium: apt-get install -y {' '.join(PACKAGES)}")
    print(f"  installing {' '.join(PACKAGES)} (apt) ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", *PACKAGES]
    if subprocess.run(install, check=False, env=env, capture_output=True).returncode != 0:
        # A fresh machine may not have package lists yet.
        subprocess.run([*prefix, "apt-get", "update", "-q"], check=False, env=env, capture_output=True)
        done = subprocess.run(install, check=False, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise DevstackError(f"installing Chromium failed: {done.stderr.strip()[-500:]}")
    if not (found := browser_paths()):
        raise DevstackError("Chromium was installed but chromium/chromedriver are not on PATH")
    return found
