"""GitLab REST v4 simulator: projects, merge requests (diffs, versions, commits, notes, discussions, draft
notes), issues and repository files, with GitLab's auth, pagination and error shapes.

The route table is here; the handlers live with their resource: gitlab_projects (users, projects,
repository), gitlab_merge_requests, gitlab_notes (notes, discussions, draft notes), gitlab_issues and
gitlab_admin (/_sim/gitlab); gitlab_base holds the state, auth, errors and lookups they share."""
from __future__ import annotations

from simulators.gitlab_admin import AdminRoutes
from simulators.gitlab_base import API
from simulators.gitlab_issues import IssueRoutes
from simulators.gitlab_merge_requests import MergeRequestRoutes
from simulators.gitlab_notes import NoteRoutes
from simulators.gitlab_projects import ProjectRoutes


class GitLabSimulator(AdminRoutes, MergeRequestRoutes, NoteRoutes, IssueRoutes, ProjectRoutes):
    def routes(self) -> None:
        r = self.router
        mr_path = API + "/projects/{pid}/merge_requests/{iid:int}"
        # Users and projects.
        r.add("GET", API + "/user", self.get_current_user)
        r.add("GET", API + "/users", self.get_users)
        r.add("GET", API + "/projects", self.get_projects)
        r.add("GET", API + "/projects/{pid}", self.get_project)
        # Merge requests.
        r.add("GET", API + "/projects/{pid}/merge_requests", self.list_merge_requests)
        r.add("GET", mr_path, self.get_merge_request)
        r.add("GET", mr_path + "/changes", self.get_changes)
        r.add("GET", mr_path + "/diffs", self.get_diffs)
        r.add("GET", mr_path + "/raw_diffs", self.get_raw_diffs)
        r.add("GET", mr_path + "/versions", self.get_versions)
        r.add("GET", mr_path + "/versions/{vid:int}", self.get_version)
        r.add("GET", mr_path + "/commits", self.get_mr_commits)
        # Notes, discussions and draft notes on a merge request.
        r.add("GET", mr_path + "/notes", self.get_mr_notes)
        r.add("GET", mr_path + "/notes/{nid:int}", self.get_mr_note)
        r.add("POST", mr_path + "/notes", self.post_mr_note)
        r.add("GET", mr_path + "/discussions", self.get_discussions)
        r.add("GET", mr_path + "/discussions/{did}", self.get_discussion)
        r.add("POST", mr_path + "/discussions", self.post_discussion)
        r.add("POST", mr_path + "/discussions/{did}/notes", self.post_discussion_note)
        r.add("GET", mr_path + "/draft_notes", self.get_draft_notes)
        r.add("POST", mr_path + "/draft_notes", self.create_draft_note)
        r.add("GET", mr_path + "/draft_notes/{did:int}", self.get_draft_note)
        r.add("PUT", mr_path + "/draft_notes/{did:int}", self.update_draft_note)
        r.add("DELETE", mr_path + "/draft_notes/{did:int}", self.delete_draft_note)
        r.add("PUT", mr_path + "/draft_notes/{did:int}/publish", self.publish_draft_note)
        r.add("POST", mr_path + "/draft_notes/bulk_publish", self.bulk_publish_draft_notes)
        # Issues.
        r.add("GET", API + "/projects/{pid}/issues", self.get_issues)
        r.add("GET", API + "/projects/{pid}/issues/{iid:int}", self.get_issue)
        r.add("GET", API + "/projects/{pid}/issues/{iid:int}/notes", self.get_issue_notes)
        # Repository.
        r.add("GET", API + "/projects/{pid}/repository/files/{path}", self.get_file)
        r.add("GET", API + "/projects/{pid}/repository/files/{path}/raw", self.get_raw_file)
        r.add("GET", API + "/projects/{pid}/repository/tree", self.get_tree)
        r.add("GET", API + "/projects/{pid}/repository/commits", self.get_commits)
        r.add("GET", API + "/projects/{pid}/repository/commits/{sha}", self.get_commit)
        r.add("GET", API + "/projects/{pid}/repository/compare", self.get_compare)
        r.add("GET", API + "/projects/{pid}/repository/branches", self.get_branches)
        # Web pages behind the web_url links, so links in answers open something.
        r.add("GET", "/{ns}/{name}/-/merge_requests/{iid:int}", self.merge_request_page)
        # Admin: act on merge requests as a person would; webhooks.
        r.add("POST", "/_sim/gitlab/merge_requests/{pid}/{iid:int}/touch", self.sim_touch)
        r.add("POST", "/_sim/gitlab/merge_requests/{pid}/{iid:int}/push", self.sim_push)
        r.add("POST", "/_sim/gitlab/webhooks", self.sim_add_webhook)
        r.add("POST", "/_sim/gitlab/emit", self.sim_emit)
