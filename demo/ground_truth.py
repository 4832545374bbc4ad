"""The answer key: planted facts, chains, decisions, action items, defects, edits, deletions, injections.

Every gold document is named by a stable `doc_id` and its canonical `url` (whose host the simulators
replace with their own base URL)."""
from __future__ import annotations

from typing import Any

from demo import hosts
from demo.model import Ref, Workspace
from demo.people import person
from demo.resolve import Resolver, backlog_url, mr_url, slack_permalink


class RefIndex:
    def __init__(self, ws: Workspace, gitlab: dict[str, Any], backlog: dict[str, Any]) -> None:
        self.ws = ws
        self.mr_by_slug = {m.slug: m for m in ws.merge_requests}
        self.rendered_mrs = {(p["project"]["id"], m["iid"]): m for p in gitlab["projects"] for m in p["merge_requests"]}
        self.backlog_issues = {i["issueKey"]: i for i in backlog["issues"]}
        self.milestones = backlog["milestones"]

    def doc(self, ref: Ref) -> dict[str, Any]:
        kind = ref[0]
        if kind == "slack":
            thread = self.ws.thread(ref[1])
            msg = thread.messages[ref[2]]
            cid = hosts.SLACK_CHANNELS[thread.channel][0]
            thread_ts = thread.messages[0].ts if len(thread.messages) > 1 else None
            return {"source": "slack", "kind": "message", "doc_id": f"slack:{cid}:{msg.ts}",
                    "channel": thread.channel, "channel_id": cid, "ts": msg.ts, "thread_ts": thread_ts,
                    "url": slack_permalink(thread.channel, msg.ts, thread_ts)}
        if kind in ("mr", "mr_note"):
            mr = self.mr_by_slug[ref[1]]
            _pid, path = hosts.GITLAB_PROJECTS[mr.project]
            return {"source": "gitlab", "kind": "merge_request", "doc_id": f"gitlab:{path}:mr:{mr.iid}",
                    "project": path, "iid": mr.iid, "url": mr_url(mr.project, mr.iid)}
        if kind in ("issue", "issue_comment"):
            key = self.ws.issue(ref[1]).key
            if kind == "issue":
                return {"source": "backlog", "kind": "issue", "doc_id": f"backlog:{key}", "issue_key": key,
                        "url": backlog_url(key)}
            comment = self.backlog_issues[key]["_comments"][ref[2]]
            return {"source": "backlog", "kind": "comment", "doc_id": f"backlog:{key}:comment:{comment['id']}",
                    "issue_key": key, "comment_id": comment["id"], "url": f"{backlog_url(key)}#comment-{comment['id']}"}
        if kind == "milestone":
            m = next(x for x in self.milestones[ref[1]] if x["name"] == ref[2])
            return {"source": "backlog", "kind": "milestone", "doc_id": f"backlog:{ref[1]}:milestone:{m['id']}",
                    "project_key": ref[1], "milestone_id": m["id"], "name": m["name"],
                    "url": f"{hosts.BACKLOG}/projects/{ref[1]}"}
        if kind == "file":
            path = hosts.GITLAB_PROJECTS[ref[1]][1]
            return {"source": "gitlab", "kind": "file", "doc_id": f"gitlab:{path}:file:main:{ref[2]}",
                    "project": path, "file_path": ref[2], "url": f"{hosts.GITLAB}/{path}/-/blob/main/{ref[2]}"}
        raise ValueError(f"unknown ref {ref}")


def build_ground_truth(ws: Workspace, resolver: Resolver, gitlab: dict, backlog: dict, slack: dict,
                       config: dict[str, Any]) -> dict[str, Any]:
    idx = RefIndex(ws, gitlab, backlog)
    facts = [{"id": f.id, "category": f.category, "question": f.question,
              "answer": resolver.text(f.answer, context="plain"),
              "answer_keywords": [resolver.text(k, context="plain") for k in f.answer_keywords],
              "gold": [idx.doc(r) for r in f.gold]} for f in ws.facts]
    chains = [{"id": c.id, "topic": c.topic, "slack": idx.doc(c.slack), "backlog": idx.doc(c.issue),
               "merge_request": idx.doc(c.mr)} for c in ws.chains]
    decisions = [{"id": d.id, "summary": d.summary, "decided_by": person(d.decided_by).name, "date": str(d.day),
                  "source": idx.doc(d.ref)} for d in ws.decisions]
    actions = [{"id": a.id, "owner": person(a.owner).name, "owner_slack_id": person(a.owner).slack_id,
                "task": a.task, "due": str(a.due), "source": idx.doc(a.ref)} for a in ws.action_items]
    defects = []
    for p in gitlab["projects"]:
        for m in p["merge_requests"]:
            for d in m["_defects"]:
                defects.append({"project": p["project"]["path_with_namespace"], "mr_iid": m["iid"],
                                "mr_state": m["state"], "file": d["path"], "new_line": d["new_line"],
                                "category": d["category"], "explanation": d["explanation"]})
    edited, deleted = [], []
    for name, messages in slack["messages"].items():
        cid = hosts.SLACK_CHANNELS[name][0]
        for m in messages:
            if "edited" in m and "_deleted_ts" not in m:
                edited.append({"doc_id": f"slack:{cid}:{m['ts']}", "channel": name, "ts": m["ts"],
                               "original_text": m["_original_text"], "text": m["text"]})
            if "_deleted_ts" in m:
                deleted.append({"doc_id": f"slack:{cid}:{m['ts']}", "channel": name, "ts": m["ts"],
                                "thread_ts": m.get("thread_ts"), "text": m["text"]})
    injections = [{"source": idx.doc(ref), "marker": marker} for ref, marker in ws.injections]
    return {"config": config, "facts": facts, "chains": chains, "decisions": decisions, "action_items": actions,
            "defects": defects, "edited_messages": edited, "deleted_messages": deleted,
            "prompt_injections": injections}
