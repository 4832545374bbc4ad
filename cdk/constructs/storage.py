"""Raw source data (S3) and the tables for conversations and ingestion state (DynamoDB)."""
from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct


class Storage(Construct):
    def __init__(self, scope: Construct, id: str, *, local: bool) -> None:
        super().__init__(scope, id)
        # Raw data is the source of truth (the index is rebuilt from it): keep it on AWS.
        removal = cdk.RemovalPolicy.DESTROY if local else cdk.RemovalPolicy.RETAIN
        self.raw_bucket = s3.Bucket(
            self,
            "RawData",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=not local,
            removal_policy=removal,
        )
        self.conversations = dynamodb.Table(
            self,
            "Conversations",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute="expires_at",
            point_in_time_recovery_specification=None if local else dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            removal_policy=removal,
        )
        # Jobs and conversations are listed by owner/kind and time.
        self.conversations.add_global_secondary_index(
            index_name="by_kind",
            partition_key=dynamodb.Attribute(name="kind", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="created_at", type=dynamodb.AttributeType.STRING),
        )
        self.ingestion_state = dynamodb.Table(
            self,
            "IngestionState",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute="expires_at",
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            removal_policy=removal,
        )
        self.ingestion_state.add_global_secondary_index(
            index_name="by_source",
            partition_key=dynamodb.Attribute(name="source", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="updated_at", type=dynamodb.AttributeType.STRING),
        )
        # Powertools idempotency records: a confirmed report is posted once, however often the confirm is retried.
        self.idempotency = dynamodb.Table(
            self,
            "Idempotency",
            partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute="expiration",
            removal_policy=removal,
        )
