"""What a LocalStack crash costs on a running stack (`make up`): LocalStack's process group is killed (as a
crash or a reboot would), `make up` brings it back, and the bench compares items per table and objects
per S3 prefix before and after, and the API URL and key. It also measures the loss bound: one item written
after the last snapshot started is lost, one written before it survives.

    .venv/bin/python -m bench.restart       (prints a table, writes bench/results/restart.json)

It restarts the dev stack's LocalStack: run it on a stack you can interrupt for a minute.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from bench.table import ROOT, print_table, write_results
from devstack import api_client, localstack, paths, snapshot
from devstack.config import Ports

QUESTION = "Which date library did the frontend choose?"


def ask(info: dict) -> str:
    status, body = api_client.call(info, "POST", "/ask", {"question": QUESTION}, timeout=120)
    if status != 200:
        sys.exit(f"POST /ask answered {status}: {body}")
    return body["conversation_id"]


def main() -> int:
    info = json.loads(paths.STACK_JSON.read_text())
    port = Ports().localstack
    if not localstack.running(port):
        sys.exit("the stack is not up: run `make up` first")
    endpoint = info["endpoint"]
    kept = ask(info)  # written before the next snapshot starts: must survive
    items, objects = snapshot.table_counts(endpoint), snapshot.object_counts(endpoint)
    try:
        meta = snapshot.wait_for_snapshot_after(time.time(), timeout=snapshot.interval_s() * 3 + 30)
    except TimeoutError as exc:
        sys.exit(str(exc))
    lost = ask(info)  # written after that snapshot started: the crash may take it (not in the counts)
    since_snapshot = time.time() - (meta["saved_at"] - meta["seconds"])

    os.killpg(localstack.SERVICE.pid(), signal.SIGKILL)
    t0 = time.time()
    up = subprocess.run([sys.executable, "-m", "devstack", "up", "--no-ask"], cwd=ROOT, capture_output=True, text=True,
                        timeout=900, check=False)
    back_s = time.time() - t0
    if up.returncode != 0:
        sys.exit(f"make up failed after the crash:\n{up.stdout[-3000:]}{up.stderr[-3000:]}")
    after = json.loads(paths.STACK_JSON.read_text())
    items_after, objects_after = snapshot.table_counts(endpoint), snapshot.object_counts(endpoint)
    kept_ok = api_client.call(after, "GET", f"/conversations/{kept}")[0] == 200
    lost_back = api_client.call(after, "GET", f"/conversations/{lost}")[0] == 200

    rows = [(f"items {name}", items[name], items_after.get(name)) for name in items]
    rows += [(f"objects {prefix}", n, objects_after.get(prefix)) for prefix, n in sorted(objects.items())]
    print_table(("what", "before", "after"), rows)
    result = {
        "back_up_s": round(back_s, 1),
        "snapshot_interval_s": snapshot.interval_s(), "snapshot_s": meta["seconds"],
        "largest_loss_s": round(snapshot.interval_s() + meta["seconds"], 1),
        "crash_after_snapshot_start_s": round(since_snapshot, 1),
        "written_before_snapshot_survived": kept_ok, "written_after_snapshot_survived": lost_back,
        "url_unchanged": after["api_url"] == info["api_url"], "key_unchanged": after["api_key"] == info["api_key"],
        "items_before": items, "items_after": items_after, "objects_before": objects, "objects_after": objects_after,
    }
    print(f"\nback up in {back_s:.0f}s (make up after the crash); URL unchanged: {result['url_unchanged']}, "
          f"key unchanged: {result['key_unchanged']}")
    print(f"loss bound: snapshot every {result['snapshot_interval_s']:.0f}s, a snapshot takes {meta['seconds']:.1f}s "
          f"→ at most the last {result['largest_loss_s']:.0f}s; written before the last snapshot: "
          f"{'kept' if kept_ok else 'LOST'}, after it: {'kept' if lost_back else 'lost'}")
    write_results("restart", result)
    same = items == items_after and objects == objects_after and result["url_unchanged"] and result["key_unchanged"]
    return 0 if same and kept_ok else 1


if __name__ == "__main__":
    sys.exit(main())
