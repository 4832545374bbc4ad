"""GitLab simulator: merge request notes, discussions (inline ones checked against the diff) and draft notes
published as one review."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.base import Reply
from simulators.gitlab_base import GitLabBase, err, now_stamp, sha1_id
from simulators.gitlab_positions import position_error


class NoteRoutes(GitLabBase):
    async def get_mr_notes(self, request: Request, pid: str, iid: int) -> Response:
        notes = [n for d in self.mr(pid, iid)[1]["_discussions"] for n in d["notes"]]
        return self.page(request, self.sort_notes(request, notes))

    async def get_mr_note(self, request: Request, pid: str, iid: int, nid: int) -> Response:
        for d in self.mr(pid, iid)[1]["_discussions"]:
            for n in d["notes"]:
                if n["id"] == nid:
                    return self.json(request, n)
        raise err(404, "404 Not found")

    async def post_mr_note(self, request: Request, pid: str, iid: int) -> Response:
        p, mr = self.mr(pid, iid)
        body = await self.params(request)
        if not body.get("body"):
            raise Reply(JSONResponse({"error": "body is missing"}, status_code=400))
        discussion = self.add_discussion(p, mr, body["body"], None, individual=True)
        self.record("mr_note", project_id=p["project"]["id"], iid=iid, note=discussion["notes"][0])
        return self.json(request, discussion["notes"][0], status=201)

    async def get_discussions(self, request: Request, pid: str, iid: int) -> Response:
        return self.page(request, self.mr(pid, iid)[1]["_discussions"])

    async def get_discussion(self, request: Request, pid: str, iid: int, did: str) -> Response:
        return self.json(request, self.find_discussion(self.mr(pid, iid)[1], did))

    async def post_discussion(self, request: Request, pid: str, iid: int) -> Response:
        p, mr = self.mr(pid, iid)
        body = await self.params(request)
        if not body.get("body"):
            raise Reply(JSONResponse({"error": "body is missing"}, status_code=400))
        position = body.get("position")
        if position is not None:
            problem = position_error(position, mr["_version"], mr["_diffs"])
            if problem:
                raise err(400, problem)
        discussion = self.add_discussion(p, mr, body["body"], position)
        self.record("mr_discussion", project_id=p["project"]["id"], iid=iid, discussion=discussion)
        return self.json(request, discussion, status=201)

    async def post_discussion_note(self, request: Request, pid: str, iid: int, did: str) -> Response:
        p, mr = self.mr(pid, iid)
        d = self.find_discussion(mr, did)
        body = await self.params(request)
        if not body.get("body"):
            raise Reply(JSONResponse({"error": "body is missing"}, status_code=400))
        note = self.make_note(p, mr, body["body"], d["notes"][0].get("position"))
        d["notes"].append(note)
        d["individual_note"] = False
        self.touch(mr)
        self.record("mr_note", project_id=p["project"]["id"], iid=iid, discussion_id=did, note=note)
        return self.json(request, note, status=201)

    async def get_draft_notes(self, request: Request, pid: str, iid: int) -> Response:
        p, _ = self.mr(pid, iid)
        return self.json(request, list(p["drafts"].get(iid, {}).values()))

    async def create_draft_note(self, request: Request, pid: str, iid: int) -> Response:
        p, mr = self.mr(pid, iid)
        body = await self.params(request)
        if not body.get("note"):
            raise Reply(JSONResponse({"error": "note is missing"}, status_code=400))
        position = body.get("position")
        if position is not None:
            problem = position_error(position, mr["_version"], mr["_diffs"])
            if problem:
                raise err(400, problem)
        draft = {"id": self.next_note_id(), "author_id": self.bot["id"], "merge_request_id": mr["id"],
                 "resolve_discussion": bool(body.get("resolve_discussion")),
                 "discussion_id": body.get("in_reply_to_discussion_id"), "note": body["note"],
                 "commit_id": body.get("commit_id"), "line_code": None, "position": position}
        p["drafts"].setdefault(iid, {})[draft["id"]] = draft
        return self.json(request, draft, status=201)

    async def get_draft_note(self, request: Request, pid: str, iid: int, did: int) -> Response:
        return self.json(request, self.find_draft(pid, iid, did))

    async def update_draft_note(self, request: Request, pid: str, iid: int, did: int) -> Response:
        draft = self.find_draft(pid, iid, did)
        body = await self.params(request)
        draft.update({k: body[k] for k in ("note", "position") if k in body})
        return self.json(request, draft)

    async def delete_draft_note(self, request: Request, pid: str, iid: int, did: int) -> Response:
        self.find_draft(pid, iid, did)
        del self.project(pid)["drafts"][iid][did]
        return Response(status_code=204)

    async def publish_draft_note(self, request: Request, pid: str, iid: int, did: int) -> Response:
        self.publish(pid, iid, [self.find_draft(pid, iid, did)])
        return Response(status_code=204)

    async def bulk_publish_draft_notes(self, request: Request, pid: str, iid: int) -> Response:
        p, _ = self.mr(pid, iid)
        self.publish(pid, iid, list(p["drafts"].get(iid, {}).values()))
        return Response(status_code=204)

    def next_note_id(self) -> int:
        self.note_ids += 1
        return self.note_ids

    def make_note(self, p: dict[str, Any], mr: dict[str, Any], body: str, position: dict | None) -> dict[str, Any]:
        now = now_stamp()
        note = {"id": self.next_note_id(), "type": "DiffNote" if position else "DiscussionNote", "body": body,
                "attachment": None, "author": self.bot, "created_at": now, "updated_at": now, "system": False,
                "noteable_id": mr["id"], "noteable_type": "MergeRequest", "project_id": p["project"]["id"],
                "resolvable": True, "resolved": False, "resolved_by": None, "confidential": False, "internal": False,
                "noteable_iid": mr["iid"], "commands_changes": {}}
        if position:
            note["position"] = {**{k: position.get(k) for k in ("base_sha", "start_sha", "head_sha", "old_path",
                                                                 "new_path", "position_type")},
                                "old_line": _int_or_none(position.get("old_line")),
                                "new_line": _int_or_none(position.get("new_line")),
                                "line_range": position.get("line_range")}
        return note

    def add_discussion(self, p: dict[str, Any], mr: dict[str, Any], body: str, position: dict | None,
                       individual: bool = False) -> dict[str, Any]:
        note = self.make_note(p, mr, body, position)
        if individual:
            note["type"], note["resolvable"] = None, False
        discussion = {"id": sha1_id(f"sim-discussion-{note['id']}"),
                      "individual_note": individual, "notes": [note]}
        mr["_discussions"].append(discussion)
        self.touch(mr)
        return discussion

    def find_discussion(self, mr: dict[str, Any], did: str) -> dict[str, Any]:
        for d in mr["_discussions"]:
            if d["id"] == did:
                return d
        raise err(404, "404 Not found")

    def find_draft(self, pid: str, iid: int, did: int) -> dict[str, Any]:
        p, _ = self.mr(pid, iid)
        draft = p["drafts"].get(iid, {}).get(did)
        if draft is None:
            raise err(404, "404 Not found")
        return draft

    def publish(self, pid: str, iid: int, drafts: list[dict[str, Any]]) -> None:
        p, mr = self.mr(pid, iid)
        for draft in drafts:
            discussion = self.add_discussion(p, mr, draft["note"], draft.get("position"))
            self.record("mr_discussion", project_id=p["project"]["id"], iid=iid, discussion=discussion,
                        from_draft=draft["id"])
            del p["drafts"][iid][draft["id"]]


def _int_or_none(value: Any) -> int | None:
    try:
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        return None
