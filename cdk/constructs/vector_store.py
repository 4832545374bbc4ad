"""AWS only: ChromaDB as one Fargate task with its data on EFS, named in Cloud Map.

One task is the limit of this design: Chroma's single-node server keeps its SQLite catalogue and HNSW
segments on one filesystem and is not built for two writers, so the service never runs two tasks at once
(a deployment stops the old task first: a minute without search). It scales up (more vCPU/memory for the
task), not out. The index is rebuilt from S3 (`POST /reindex`), so its data is not kept on teardown.
"""
from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_efs as efs
from aws_cdk import aws_logs as logs
from aws_cdk import aws_servicediscovery as servicediscovery
from constructs import Construct

PORT = 8000
DATA = "/data"  # the chromadb/chroma image's (1.x) default config persists here


class VectorStoreService(Construct):
    def __init__(self, scope: Construct, id: str, *, cluster: ecs.Cluster, subnets: ec2.SubnetSelection,
                 clients: ec2.ISecurityGroup, namespace: servicediscovery.INamespace, image: str) -> None:
        super().__init__(scope, id)
        vpc = cluster.vpc
        self.file_system = efs.FileSystem(
            self, "Data", vpc=vpc, vpc_subnets=subnets, encrypted=True,
            performance_mode=efs.PerformanceMode.GENERAL_PURPOSE, throughput_mode=efs.ThroughputMode.ELASTIC,
            removal_policy=cdk.RemovalPolicy.DESTROY)  # derived data: the index is rebuilt from S3
        access_point = self.file_system.add_access_point(
            "Chroma", path="/chroma", posix_user=efs.PosixUser(uid="1000", gid="1000"),
            create_acl=efs.Acl(owner_uid="1000", owner_gid="1000", permissions="750"))
        task = ecs.FargateTaskDefinition(
            self, "Task", cpu=1024, memory_limit_mib=4096,
            runtime_platform=ecs.RuntimePlatform(cpu_architecture=ecs.CpuArchitecture.X86_64,
                                                 operating_system_family=ecs.OperatingSystemFamily.LINUX))
        task.add_volume(name="data", efs_volume_configuration=ecs.EfsVolumeConfiguration(
            file_system_id=self.file_system.file_system_id, transit_encryption="ENABLED",
            authorization_config=ecs.AuthorizationConfig(access_point_id=access_point.access_point_id, iam="ENABLED")))
        container = task.add_container(
            "Chroma", image=ecs.ContainerImage.from_registry(image),
            port_mappings=[ecs.PortMapping(container_port=PORT)],
            logging=ecs.LogDrivers.aws_logs(stream_prefix="chroma", log_group=logs.LogGroup(
                self, "Logs", retention=logs.RetentionDays.TWO_WEEKS, removal_policy=cdk.RemovalPolicy.DESTROY)))
        container.add_mount_points(ecs.MountPoint(container_path=DATA, source_volume="data", read_only=False))
        self.file_system.grant_read_write(task.task_role)

        self.security_group = ec2.SecurityGroup(self, "Sg", vpc=vpc, allow_all_outbound=True,
                                                description="teamlens Chroma: its port from the teamlens Lambdas only")
        self.security_group.add_ingress_rule(clients, ec2.Port.tcp(PORT), "teamlens Lambdas")
        self.service = ecs.FargateService(
            self, "Service", cluster=cluster, task_definition=task, desired_count=1, vpc_subnets=subnets,
            security_groups=[self.security_group],
            # Never two writers on one Chroma directory: stop the old task before the new one starts.
            min_healthy_percent=0, max_healthy_percent=100,
            circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
            cloud_map_options=ecs.CloudMapOptions(name="chroma", cloud_map_namespace=namespace,
                                                  dns_record_type=servicediscovery.DnsRecordType.A,
                                                  dns_ttl=cdk.Duration.seconds(10)))
        self.file_system.connections.allow_default_port_from(self.service, "Chroma tasks")
        self.url = f"http://chroma.{namespace.namespace_name}:{PORT}"
