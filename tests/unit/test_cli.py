"""The CLI's pure parts: finding the stack, reading references and targets, messages for API errors."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from teamlens_cli import main
from teamlens_cli.client import (
    NOT_FOUND,
    UNREACHABLE,
    USAGE,
    CliError,
    code_for,
    error_message,
    resolve_target,
)


def test_stack_file_is_found_from_a_subfolder(tmp_path, monkeypatch):
    (tmp_path / ".state").mkdir()
    (tmp_path / ".state" / "stack.json").write_text(json.dumps({"api_url": "http://x/v1/", "api_key": "k"}))
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    for var in ("TEAMLENS_API_URL", "TEAMLENS_API_KEY", "TEAMLENS_STACK_FILE"):
        monkeypatch.delenv(var, raising=False)
    target = resolve_target(None, None, None)
    assert (target.api_url, target.api_key) == ("http://x/v1", "k")
    assert resolve_target("http://other", "k2", None).api_url == "http://other"


def test_no_stack_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for var in ("TEAMLENS_API_URL", "TEAMLENS_API_KEY", "TEAMLENS_STACK_FILE"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(CliError, match="make up") as info:
        resolve_target(None, None, None)
    assert info.value.code == UNREACHABLE


def test_merge_request_references():
    assert main.mr_body("kumo/booking-api!15") == {"project": "kumo/booking-api", "iid": 15}
    url = "https://gitlab.example/kumo/booking-api/-/merge_requests/15"
    assert main.mr_body(url) == {"url": url}
    with pytest.raises(CliError) as info:
        main.mr_body("booking-api 15")
    assert info.value.code == USAGE


def test_post_targets():
    assert main.post_targets(["slack:#release", "backlog:OPS"], None) == {"slack_channel": "release",
                                                                           "backlog_project": "OPS"}
    assert main.post_targets(["slack", "backlog"], "BOOK") == {"slack_channel": "general", "backlog_project": "BOOK"}
    with pytest.raises(CliError, match="backlog:KEY"):
        main.post_targets(["backlog"], "kumo/booking-api")
    with pytest.raises(CliError):
        main.post_targets(["email:me"], None)


def test_api_errors_become_messages_and_exit_codes():
    assert code_for(404) == NOT_FOUND and code_for(422) == USAGE and code_for(500) == 1
    assert "iid" in error_message(422, {"detail": [{"loc": ["body", "iid"], "type": "missing"}]})
    assert error_message(503, {"message": "model host down"}).endswith("(try again in a moment)")


def test_unknown_report_kind_exits_2_without_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv("TEAMLENS_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("TEAMLENS_API_KEY", "k")
    with pytest.raises(SystemExit) as info:
        monkeypatch.setattr("sys.argv", ["teamlens", "report", "monthly"])
        main.run()
    assert info.value.code == USAGE


def test_unreachable_api_exits_3(monkeypatch, capsys):
    monkeypatch.setenv("TEAMLENS_API_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("TEAMLENS_API_KEY", "k")
    main.State.api = None
    monkeypatch.setattr("sys.argv", ["teamlens", "jobs"])
    with pytest.raises(SystemExit) as info:
        main.run()
    assert info.value.code == UNREACHABLE
    stderr = capsys.readouterr().err
    assert "cannot reach" in stderr and "Traceback" not in stderr


def test_help_lists_the_commands():
    result = CliRunner().invoke(main.app, ["--help"])
    assert result.exit_code == 0
    for command in ("ask", "search", "ingest", "summarize", "review", "report", "jobs", "status"):
        assert command in result.output
