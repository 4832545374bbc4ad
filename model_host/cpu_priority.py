"""The model host's share of a contended CPU.

Locally every process of the stack (LocalStack, the Lambdas it runs as processes, ChromaDB, the test run)
shares the same few cores, and Linux gives each session (autogroup) an equal share of them. The chat engine
decodes with one thread per core, and its threads wait for each other at every step: given less than its
thread count in cores, each step waits on a descheduled thread, and decoding fell from 24 to 1.1 tokens/s on
2 cores while one other process was busy (measured; `--poll 0` did not help). Everything else in the stack
waits on the model, so the model host's session is given a larger share (a lower nice value for its
autogroup, and for itself, which the engine inherits): with two busy processes beside it, decoding stayed
at 22 tokens/s at -10 (17.8 at -5). Other processes keep running, only with a smaller share; nothing is
real-time. Needs root or CAP_SYS_NICE; without it the host logs what it could not do and runs as before.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("model_host")
AUTOGROUP = Path("/proc/self/autogroup")


def raise_cpu_priority(nice: int) -> list[str]:
    """Apply `nice` to this session's autogroup and to this process; returns what could not be applied."""
    if nice == 0:
        return []
    problems = []
    if AUTOGROUP.exists():
        try:
            AUTOGROUP.write_text(str(nice))
        except OSError as exc:
            problems.append(f"autogroup nice {nice}: {exc.strerror}")
    try:
        os.setpriority(os.PRIO_PROCESS, 0, nice)
    except OSError as exc:
        problems.append(f"process nice {nice}: {exc.strerror}")
    if problems:
        log.warning("could not raise the model host's CPU priority (%s): under CPU contention the chat engine "
                    "decodes far slower; run it as root or with CAP_SYS_NICE, or set MODEL_HOST_NICE=0 to "
                    "silence this", "; ".join(problems))
    return problems
