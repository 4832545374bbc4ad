"""Test function whose init leaves a thread running: it must not be forked, so it runs as a plain process."""

import os
import threading
import time

INIT_PID = os.getpid()
threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()


def handler(event, context):
    return {"init_pid": INIT_PID, "pid": os.getpid(), "threads": threading.active_count()}
