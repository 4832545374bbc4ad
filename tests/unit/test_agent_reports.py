"""Pure parts of reports and agent inputs: numbers, periods, confirmation checks, argument validation."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from teamlens.agents.args import Period, ReportArgs, ReviewMrArgs, SummarizeSlackArgs
from teamlens.agents.narrative import echoes
from teamlens.agents.periods import PeriodError, resolve_period
from teamlens.agents.report import numbers
from teamlens.agents.report.confirm import ConfirmRejected, ConfirmRequest, targets_for
from teamlens.chatops.slack_format import slack_text
from teamlens.jobs import Job

SINCE, UNTIL = datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC)


def issue(key, created, status=1, due=None, assignee="An"):
    return {"issueKey": key, "summary": key, "created": created, "status": {"id": status},
            "dueDate": due, "updated": created, "assignee": {"name": assignee}}


def test_backlog_numbers():
    issues = [issue("A-1", "2026-11-17T00:00:00Z"), issue("A-2", "2026-11-01T00:00:00Z", status=4),
              issue("A-3", "2026-11-02T00:00:00Z", due="2026-11-10T00:00:00Z"),
              issue("A-4", "2026-11-02T00:00:00Z", status=4, due="2026-11-10T00:00:00Z")]
    n = numbers.backlog_numbers(issues, {"A-2": datetime(2026, 11, 18, tzinfo=UTC)}, SINCE, UNTIL, date(2026, 11, 23))
    assert (n.opened, n.closed, n.open_now, n.overdue) == (1, 1, 2, 1)
    assert n.overdue_issues[0].key == "A-3" and n.overdue_issues[0].days_overdue == 13


def test_gitlab_numbers_and_review_turnaround():
    mrs = [{"id": 1, "created_at": "2026-11-16T00:00:00Z", "merged_at": "2026-11-18T00:00:00Z", "closed_at": None},
           {"id": 2, "created_at": "2026-11-10T00:00:00Z", "merged_at": None, "closed_at": None},
           {"id": 3, "created_at": "2026-11-20T00:00:00Z", "merged_at": "2026-11-25T00:00:00Z", "closed_at": None}]
    reviews = {1: datetime(2026, 11, 16, 4, tzinfo=UTC), 3: datetime(2026, 11, 20, 2, tzinfo=UTC)}
    n = numbers.gitlab_numbers(mrs, reviews, SINCE, UNTIL, UNTIL)
    assert (n.merged, n.open, n.reviewed, n.review_turnaround_hours_median) == (1, 2, 2, 3.0)


def test_first_review_ignores_the_author_and_system_notes():
    mr = {"author": {"id": 1}}
    notes = [{"created_at": "2026-11-16T01:00:00Z", "author": {"id": 1}},
             {"created_at": "2026-11-16T02:00:00Z", "author": {"id": 2}, "system": True},
             {"created_at": "2026-11-16T03:00:00Z", "author": {"id": 3}}]
    assert numbers.first_review_at(mr, notes) == datetime(2026, 11, 16, 3, tzinfo=UTC)


def test_closed_time_is_the_last_change_to_closed():
    comments = [{"created": "2026-11-10T00:00:00Z", "changeLog": [{"field": "status", "newValue": "完了"}]},
                {"created": "2026-11-12T00:00:00Z", "changeLog": [{"field": "status", "newValue": "処理中"}]},
                {"created": "2026-11-19T00:00:00Z", "changeLog": [{"field": "status", "newValue": "完了"}]}]
    assert numbers.closed_time(comments, {"完了"}) == datetime(2026, 11, 19, tzinfo=UTC)


NOW = datetime(2026, 11, 25, 3, tzinfo=UTC)


def test_periods():
    assert resolve_period(Period(range="24h"), NOW) == (NOW - timedelta(hours=24), NOW)
    since, until = resolve_period(Period(range="last week"), NOW)
    assert (until - since) == timedelta(days=7) and since.astimezone(timezone(timedelta(hours=9))).weekday() == 0
    assert resolve_period(Period(since=SINCE), NOW) == (SINCE, NOW)
    with pytest.raises(PeriodError, match="cannot read"):
        resolve_period(Period(range="sometime"), NOW)
    with pytest.raises(ValidationError):
        Period(since=UNTIL, until=SINCE)


def test_arguments():
    assert SummarizeSlackArgs(channel="#dev-backend").channel == "dev-backend"
    with pytest.raises(ValidationError, match="channel"):
        SummarizeSlackArgs()
    mr = ReviewMrArgs(url="https://gitlab.example/kumo/booking-api/-/merge_requests/15")
    assert (mr.project, mr.iid, mr.post) == ("kumo/booking-api", 15, False)
    with pytest.raises(ValidationError):
        ReviewMrArgs(project="kumo/booking-api")
    with pytest.raises(ValidationError):
        ReportArgs(post_to={"backlog_project": "lower case"})
    with pytest.raises(ValidationError):
        ReportArgs(unknown_field=1)


def _job(**result) -> Job:
    return Job(job_id="job-" + "0" * 32, kind="report", status="SUCCEEDED", created_at="x", updated_at="x",
               result={"confirmation": {"token": "secret-token", "post_to": {"slack_channel": "general"},
                                        "expires_at": (datetime.now(UTC) + timedelta(days=1)).isoformat()}, **result})


def test_confirm_needs_the_token_and_a_target():
    assert targets_for(_job(), ConfirmRequest(token="secret-token")).slack_channel == "general"
    with pytest.raises(ConfirmRejected, match="token"):
        targets_for(_job(), ConfirmRequest(token="wrong-token"))
    with pytest.raises(ConfirmRejected, match="other targets"):
        targets_for(_job(), ConfirmRequest(token="secret-token", post_to={"slack_channel": "random"}))
    running = _job().model_copy(update={"status": "RUNNING"})
    with pytest.raises(ConfirmRejected, match="running"):
        targets_for(running, ConfirmRequest(token="secret-token"))


def test_slack_text_and_echo_check():
    assert slack_text("## Title\n**bold** [x](https://a.b)") == "*Title*\n*bold* <https://a.b|x>"
    assert echoes("One or two plain sentences on what needs attention", "write one or two plain sentences on what needs attention")
    assert not echoes("Overdue work is piling up for the backend.", "write one or two plain sentences on what needs attention")
