"""Validates tests/data/cross_language_questions.jsonl and tests/data/unanswerable_questions.jsonl
against the bundled demo workspace (.state/demo/*.json). Standard library only; prints counts.

    python tests/data/check_question_sets.py [path/to/demo/dir]

Exits non-zero (and lists every problem) when a line is malformed, a field is missing or wrong,
an id repeats, a count is below the minimum, or a gold reference does not exist in the data.
"""
import collections
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LANGS = {"en", "ja", "vi"}
SPLITS = {"dev", "test"}
SLACK = "https://kumo-team.slack.example/archives/"
BACKLOG = "https://kumo.backlog.example/view/"
GITLAB = "https://gitlab.kumo.example/"


def load_demo(demo: Path):
    slack = json.loads((demo / "slack.json").read_text(encoding="utf-8"))
    backlog = json.loads((demo / "backlog.json").read_text(encoding="utf-8"))
    gitlab = json.loads((demo / "gitlab.json").read_text(encoding="utf-8"))
    channel_ids = {c["name"]: c["id"] for c in slack["channels"]}
    messages = {}  # (channel_id, ts) -> message
    for name, msgs in slack["messages"].items():
        for m in msgs:
            messages[(channel_ids[name], m["ts"])] = m
    issue_keys = {i["issueKey"] for i in backlog["issues"]}
    mrs, issues = set(), set()
    for p in gitlab["projects"]:
        path = p["project"]["path_with_namespace"]
        mrs.update((path, mr["iid"]) for mr in p["merge_requests"])
        issues.update((path, i["iid"]) for i in p["issues"])
    return messages, issue_keys, mrs, issues


def check_gold(gold, demo, where, problems):
    messages, issue_keys, mrs, issues = demo
    src = gold.get("source")
    url = gold.get("url", "")
    if src == "slack":
        cid, ts, tt = gold.get("channel_id"), gold.get("ts"), gold.get("thread_ts")
        m = messages.get((cid, ts))
        if m is None:
            problems.append(f"{where}: slack message {cid}/{ts} not found")
            return
        if "_deleted_ts" in m:
            problems.append(f"{where}: slack message {cid}/{ts} is deleted")
        if tt != m.get("thread_ts", ts):
            problems.append(f"{where}: thread_ts {tt} != {m.get('thread_ts', ts)}")
        want = f"{SLACK}{cid}/p{ts.replace('.', '')}"
        if tt != ts:
            want += f"?thread_ts={tt}&cid={cid}"
        if url != want:
            problems.append(f"{where}: url {url} != {want}")
    elif src == "backlog":
        key = gold.get("issue_key")
        if key not in issue_keys:
            problems.append(f"{where}: backlog issue {key} not found")
        if url != BACKLOG + str(key):
            problems.append(f"{where}: url {url} does not match {key}")
    elif src == "gitlab":
        proj, iid = gold.get("project"), gold.get("iid")
        m = re.fullmatch(re.escape(GITLAB) + r"(.+)/-/(merge_requests|issues)/(\d+)", url)
        if not m or m.group(1) != proj or int(m.group(3)) != iid:
            problems.append(f"{where}: url {url} does not match {proj} {iid}")
            return
        is_issue = m.group(2) == "issues"
        if is_issue != (gold.get("kind") == "issue"):
            problems.append(f"{where}: gitlab issue gold must carry kind=issue (and only issues)")
        if (proj, iid) not in (issues if is_issue else mrs):
            problems.append(f"{where}: gitlab {'issue' if is_issue else 'MR'} {proj} {iid} not found")
    else:
        problems.append(f"{where}: unknown source {src!r}")


def read_jsonl(path, problems):
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            problems.append(f"{path.name}:{n}: invalid JSON ({e})")
    return rows


def main(argv):
    demo_dir = Path(argv[1]) if len(argv) > 1 else ROOT / ".state" / "demo"
    demo = load_demo(demo_dir)
    problems = []
    ids = collections.Counter()

    # File 1: cross-language questions
    xl = read_jsonl(HERE / "cross_language_questions.jsonl", problems)
    fields = {"id", "kind", "language", "source_language", "question", "gold", "answer_keywords", "split"}
    pairs, splits, systems = collections.Counter(), collections.Counter(), collections.Counter()
    for row in xl:
        rid = row.get("id", "?")
        ids[rid] += 1
        if set(row) != fields:
            problems.append(f"{rid}: fields {sorted(set(row) ^ fields)} missing or unexpected")
            continue
        lang, src = row["language"], row["source_language"]
        if row["kind"] != "cross_language":
            problems.append(f"{rid}: kind {row['kind']!r}")
        if lang not in LANGS or src not in LANGS or lang == src:
            problems.append(f"{rid}: bad language pair {src}->{lang}")
        if not re.fullmatch(rf"xl:{src}->{lang}:\d+", rid):
            problems.append(f"{rid}: id does not match its languages")
        if row["split"] not in SPLITS:
            problems.append(f"{rid}: split {row['split']!r}")
        if not row["question"].strip():
            problems.append(f"{rid}: empty question")
        kws = row["answer_keywords"]
        if not (isinstance(kws, list) and 1 <= len(kws) <= 3 and all(isinstance(k, str) and k for k in kws)):
            problems.append(f"{rid}: answer_keywords must be 1-3 non-empty strings")
        if not row["gold"]:
            problems.append(f"{rid}: empty gold")
        for gold in row["gold"]:
            check_gold(gold, demo, rid, problems)
            systems[gold.get("source")] += 1
        pairs[(src, lang)] += 1
        splits[(src, lang, row["split"])] += 1
    per_source = collections.Counter(src for src, _ in pairs.elements())
    for src in sorted(LANGS):
        if per_source[src] < 40:
            problems.append(f"cross-language: only {per_source[src]} questions with source_language {src} (< 40)")

    # File 2: unanswerable / off-topic questions
    na = read_jsonl(HERE / "unanswerable_questions.jsonl", problems)
    fields = {"id", "kind", "language", "question", "why_absent", "split"}
    kinds = collections.Counter()
    for row in na:
        rid = row.get("id", "?")
        ids[rid] += 1
        if set(row) != fields:
            problems.append(f"{rid}: fields {sorted(set(row) ^ fields)} missing or unexpected")
            continue
        if row["kind"] not in {"unanswerable", "off_topic"}:
            problems.append(f"{rid}: kind {row['kind']!r}")
        if row["language"] not in LANGS or not re.fullmatch(rf"na:{row['language']}:\d+", rid):
            problems.append(f"{rid}: bad language or id")
        if row["split"] not in SPLITS:
            problems.append(f"{rid}: split {row['split']!r}")
        if not row["question"].strip() or not row["why_absent"].strip():
            problems.append(f"{rid}: empty question or why_absent")
        kinds[(row["language"], row["kind"], row["split"])] += 1
    for lang in sorted(LANGS):
        total = sum(v for (lg, _, _), v in kinds.items() if lg == lang)
        off = sum(v for (lg, k, _), v in kinds.items() if lg == lang and k == "off_topic")
        if total < 12 or off < 3:
            problems.append(f"unanswerable: {lang} has {total} questions, {off} off_topic (need >= 12 and >= 3)")

    problems += [f"duplicate id {i} ({n}x)" for i, n in ids.items() if n > 1]

    print(f"cross_language_questions.jsonl: {len(xl)} questions")
    for (src, lang), n in sorted(pairs.items()):
        d, t = splits[(src, lang, "dev")], splits[(src, lang, "test")]
        print(f"  {src} -> {lang}: {n:3d}  (dev {d}, test {t})")
    print("  gold references by system:", dict(sorted(systems.items())))
    print(f"unanswerable_questions.jsonl: {len(na)} questions")
    for (lang, kind, split), n in sorted(kinds.items()):
        print(f"  {lang!s} {kind!s:<12} {split!s:<4} {n:d}")
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  -", p)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
