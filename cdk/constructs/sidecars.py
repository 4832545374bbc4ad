"""AWS only: the network and the two sidecar services (model host, vector store) in one ECS cluster.

On LocalStack the sidecars are local processes and none of this is synthesized.
"""
from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_servicediscovery as servicediscovery
from constructs import Construct

from cdk.config import AwsSidecars
from cdk.constructs.model_host_service import ModelHostService
from cdk.constructs.network import Network
from cdk.constructs.vector_store import VectorStoreService


class Sidecars(Construct):
    def __init__(self, scope: Construct, id: str, *, config: AwsSidecars, index_embedding_model: str) -> None:
        super().__init__(scope, id)
        self.network = Network(self, "Network", vpc_id=config.vpc_id, nat_gateways=config.nat_gateways)
        vpc, subnets, clients = self.network.vpc, self.network.private_subnets, self.network.lambda_sg
        self.cluster = ecs.Cluster(self, "Cluster", vpc=vpc)
        self.namespace = servicediscovery.PrivateDnsNamespace(
            self, "Namespace", vpc=vpc, name=f"{cdk.Stack.of(self).stack_name.lower()}.internal",
            description="teamlens sidecar services")
        self.model_host = ModelHostService(
            self, "ModelHost", cluster=self.cluster, subnets=subnets, clients=clients, kind=config.model_host,
            gpu_instance_type=config.gpu_instance_type, min_tasks=config.model_host_tasks,
            max_tasks=config.model_host_max_tasks, index_embedding_model=index_embedding_model)
        self.vector_store = VectorStoreService(
            self, "VectorStore", cluster=self.cluster, subnets=subnets, clients=clients, namespace=self.namespace,
            image=config.chroma_image)
