"""The model host's ECS entrypoint: weights from an S3 prefix, queue depth as a CloudWatch EMF line."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from model_host.ecs_entrypoint import emf_line, local_path, parse_s3_uri, queue_depth, sync_weights


def test_parse_s3_uri():
    assert parse_s3_uri("s3://bucket/models/") == ("bucket", "models/")
    assert parse_s3_uri("s3://bucket/models") == ("bucket", "models/")
    assert parse_s3_uri("s3://bucket") == ("bucket", "")
    for bad in ("https://bucket/models", "s3:///models"):
        with pytest.raises(ValueError, match="MODEL_WEIGHTS_S3_URI"):
            parse_s3_uri(bad)


def test_local_path_stays_inside_the_destination(tmp_path: Path):
    assert local_path(tmp_path, "models/", "models/e5/config.json") == tmp_path / "e5" / "config.json"
    assert local_path(tmp_path, "models/", "models/e5/") is None  # a folder marker
    assert local_path(tmp_path, "models/", "models/../../etc/passwd") is None


class FakeS3:
    def __init__(self, objects: dict[str, bytes]) -> None:
        self.objects = objects
        self.downloads: list[str] = []

    def get_paginator(self, name: str):
        assert name == "list_objects_v2"
        objects = self.objects

        class Paginator:
            def paginate(self, Bucket: str, Prefix: str):  # boto3's parameter names
                keys = sorted(k for k in objects if k.startswith(Prefix))
                yield {"Contents": [{"Key": k, "Size": len(objects[k])} for k in keys[:2]]}
                yield {"Contents": [{"Key": k, "Size": len(objects[k])} for k in keys[2:]]}

        return Paginator()

    def download_file(self, bucket: str, key: str, filename: str) -> None:
        self.downloads.append(key)
        Path(filename).write_bytes(self.objects[key])


def test_sync_weights_copies_the_prefix_once(tmp_path: Path):
    s3 = FakeS3({"models/e5/model.safetensors": b"w" * 10, "models/e5/config.json": b"{}",
                 "models/qwen/model.gguf": b"g" * 5, "other/ignored.bin": b"x"})
    assert sync_weights(s3, "s3://bucket/models/", tmp_path) == 3
    assert (tmp_path / "e5" / "model.safetensors").read_bytes() == b"w" * 10
    assert (tmp_path / "qwen" / "model.gguf").read_bytes() == b"g" * 5
    assert not list(tmp_path.rglob("*.partial"))
    # A restarted task keeps what it has: same size, no download.
    assert sync_weights(s3, "s3://bucket/models", tmp_path) == 0
    assert len(s3.downloads) == 3


def test_queue_depth_and_emf_line():
    snapshot = {"queue": {"chat_waiting": 3, "chat_running": 4, "embedding_waiting": 2,
                          "index_embedding_waiting": 1, "chat_limit": 4}}
    assert queue_depth(snapshot) == 6
    assert queue_depth({}) == 0
    record = json.loads(emf_line(snapshot, namespace="Teamlens/ModelHost", service="Teamlens-model-host",
                                 now_ms=1_700_000_000_000))
    directive = record["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "Teamlens/ModelHost" and directive["Dimensions"] == [["Service"]]
    assert {m["Name"] for m in directive["Metrics"]} == {"QueueDepth", "ChatRunning"}
    assert record["_aws"]["Timestamp"] == 1_700_000_000_000
    assert (record["Service"], record["QueueDepth"], record["ChatRunning"]) == ("Teamlens-model-host", 6, 4)
