"""The raw store against LocalStack's S3: content-addressed no-op writes, the listed-ETag shortcut,
overlapped writes that keep per-key order, and failures that surface on drain."""
from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from teamlens.ingestion.raw_store import RawStore
from teamlens.ingestion.sync_result import SyncResult

pytestmark = pytest.mark.integration


@pytest.fixture()
def bucket(aws) -> str:
    name = f"raw-store-{uuid.uuid4().hex[:10]}"
    aws("s3").create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
    return name


class CountingS3:
    """The real client, counting the calls that the listed ETags are meant to save."""

    def __init__(self, s3) -> None:
        self._s3, self.heads = s3, 0

    def head_object(self, **kw):
        self.heads += 1
        return self._s3.head_object(**kw)

    def __getattr__(self, name):
        return getattr(self._s3, name)


def test_same_content_is_unchanged_and_new_content_updates(aws, bucket):
    store = RawStore(aws("s3"), bucket)
    assert store.put_json("raw/x/1.json", {"a": 1, "b": "日本語"}) == "created"
    assert store.put_json("raw/x/1.json", {"b": "日本語", "a": 1}) == "unchanged"  # key order is canonical
    assert store.put_json("raw/x/1.json", {"a": 2}) == "updated"
    assert store.get_json("raw/x/1.json") == {"a": 2}
    assert store.get_json("raw/x/missing.json") is None


def test_listed_prefix_skips_heads_and_a_second_listing_sees_outside_changes(aws, bucket):
    s3 = CountingS3(aws("s3"))
    RawStore(aws("s3"), bucket).put_json("raw/x/1.json", {"v": 1})
    store = RawStore(s3, bucket)
    assert store.index_prefix("raw/x/") == 1
    result = SyncResult(cursor={})
    result.write(store, "raw/x/1.json", {"v": 1}, "thing")
    result.write(store, "raw/x/2.json", {"v": 2}, "thing")
    result.settle(store)
    assert s3.heads == 0
    assert result.changed == ["raw/x/2.json"]
    assert dict(result.counts) == {"thing_unchanged": 1, "thing_created": 1}

    # Someone else deletes an object (the bench's reset does): the next fetch lists again and rewrites it.
    aws("s3").delete_object(Bucket=bucket, Key="raw/x/2.json")
    store.index_prefix("raw/x/")
    again = SyncResult(cursor={})
    again.write(store, "raw/x/2.json", {"v": 2}, "thing")
    assert again.settle(store).changed == ["raw/x/2.json"]
    assert store.get_json("raw/x/2.json") == {"v": 2}


def test_many_overlapped_writes_keep_order_per_key_and_in_the_manifest(aws, bucket):
    store = RawStore(aws("s3"), bucket, writers=8)
    store.index_prefix("raw/y/")
    result = SyncResult(cursor={})
    for i in range(60):
        result.write(store, f"raw/y/{i:03d}.json", {"i": i}, "item")
    for version in range(5):  # the same key written again and again: the last write wins
        result.write(store, "raw/y/000.json", {"i": 0, "version": version}, "item")
    result.remove(store, "raw/y/059.json", "item")
    result.settle(store)
    assert result.changed[:60] == [f"raw/y/{i:03d}.json" for i in range(60)]
    assert result.deleted == ["raw/y/059.json"]
    assert result.counts["item_deleted"] == 1
    assert store.get_json("raw/y/000.json") == {"i": 0, "version": 4}
    assert store.get_json("raw/y/059.json") is None
    assert len(list(store.keys("raw/y/"))) == 59


def test_a_failed_write_surfaces_on_settle(aws):
    store = RawStore(aws("s3"), f"no-such-bucket-{uuid.uuid4().hex[:8]}")
    result = SyncResult(cursor={})
    result.write(store, "raw/z/1.json", {"v": 1}, "thing")
    with pytest.raises(ClientError):
        result.settle(store)
