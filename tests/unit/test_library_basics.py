"""The shared library's settings and credentials parsing."""
from __future__ import annotations

import pytest

from teamlens.credentials import CredentialsError, parse_credentials
from teamlens.settings import Settings


def test_settings_collect_secret_arns():
    s = Settings.from_env({"RAW_BUCKET": "b", "GITLAB_SECRET_ARN": "arn:g", "SLACK_SECRET_ARN": "arn:s",
                           "BACKLOG_SECRET_ARN": ""})
    assert s.raw_bucket == "b"
    assert s.secret_arns == {"gitlab": "arn:g", "slack": "arn:s"}


@pytest.mark.parametrize("raw,on", [(None, True), ("on", True), ("off", False), ("OFF ", False), ("false", False)])
def test_answer_lead_is_on_unless_turned_off(raw, on):
    assert Settings.from_env({} if raw is None else {"ANSWER_LEAD": raw}).answer_lead is on


def test_index_embedding_model_is_the_hosts_default_unless_named():
    assert Settings.from_env({}).index_embedding_model == ""
    got = Settings.from_env({"INDEX_EMBEDDING_MODEL": " embeddinggemma-300m "}).index_embedding_model
    assert got == "embeddinggemma-300m"


def test_credentials_token_never_prints():
    creds = parse_credentials("gitlab", '{"base_url": "http://x", "token": "glpat-very-secret"}')
    assert creds.token.get_secret_value() == "glpat-very-secret"
    assert "glpat-very-secret" not in repr(creds) and "glpat-very-secret" not in str(creds.model_dump())


@pytest.mark.parametrize("raw", ['{"base_url": "http://x"}', "not json {glpat-very-secret"])
def test_malformed_secret_is_named_without_its_value(raw: str):
    with pytest.raises(CredentialsError) as err:
        parse_credentials("gitlab", raw)
    assert "gitlab secret is malformed" in str(err.value)
    assert "glpat-very-secret" not in str(err.value)
