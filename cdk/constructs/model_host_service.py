"""AWS only: the model host as an ECS service behind an internal ALB.

`cpu`: Fargate, the packaged small models (the image from model_host/Dockerfile). `gpu`: an EC2 capacity
provider on the ECS GPU-optimized AMI (model_host/Dockerfile.cuda, llama.cpp compiled for CUDA). Either
way the weights come from an S3 prefix at start (model_host/ecs_entrypoint.py syncs them; no hub), and
the service scales on the host's own queue depth, which the entrypoint publishes from GET /metrics as
CloudWatch embedded-metric-format log lines (no PutMetricData permission, no sidecar).
"""
from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

MODEL_HOST_DIR = Path(__file__).resolve().parents[2] / "model_host"
PORT = 8002
METRIC_NAMESPACE = "Teamlens/ModelHost"
QUEUE_METRIC = "QueueDepth"  # chat requests waiting for a slot + embedding texts waiting for a batch
QUEUE_TARGET_PER_TASK = 4  # target tracking keeps the average waiting requests per task near this
WEIGHTS_PREFIX = "models/"


class ModelHostService(Construct):
    def __init__(self, scope: Construct, id: str, *, cluster: ecs.Cluster, subnets: ec2.SubnetSelection,
                 clients: ec2.ISecurityGroup, kind: str, gpu_instance_type: str, min_tasks: int, max_tasks: int,
                 index_embedding_model: str) -> None:
        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        vpc = cluster.vpc
        gpu = kind == "gpu"
        # The weights: `aws s3 sync .state/models s3://<ModelWeightsBucket>/models/` after `model_host/install.py`
        # (or a GPU model's folder); the index can be rebuilt, the weights re-uploaded: nothing here is unique.
        self.weights_bucket = s3.Bucket(
            self, "Weights", encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL, removal_policy=cdk.RemovalPolicy.RETAIN)
        self.weights_uri = self.weights_bucket.s3_url_for_object(WEIGHTS_PREFIX)
        self.metric_service_name = f"{stack.stack_name}-model-host"
        log_group = logs.LogGroup(self, "Logs", retention=logs.RetentionDays.TWO_WEEKS,
                                  removal_policy=cdk.RemovalPolicy.DESTROY)
        environment = {
            "MODEL_HOST_BIND": "0.0.0.0",  # noqa: S104  inside the task's own ENI; the SG admits the ALB only
            "MODEL_HOST_PORT": str(PORT),
            "MODEL_HOST_MODELS_DIR": "/models",
            "MODEL_HOST_NICE": "0",  # no CAP_SYS_NICE in a task, and nothing else to share the cores with
            "MODEL_WEIGHTS_S3_URI": self.weights_uri,
            "INDEX_EMBEDDING_MODEL": index_embedding_model or "none",
            "USE_GPU": "true" if gpu else "false",
            "TEAMLENS_METRICS_NAMESPACE": METRIC_NAMESPACE,
            "TEAMLENS_METRICS_SERVICE": self.metric_service_name,
            "HF_HUB_OFFLINE": "1",
        }
        image = ecs.ContainerImage.from_asset(
            str(MODEL_HOST_DIR), file="Dockerfile.cuda" if gpu else "Dockerfile",
            platform=ecr_assets.Platform.LINUX_AMD64)
        logging = ecs.LogDrivers.aws_logs(stream_prefix="model-host", log_group=log_group)

        if gpu:
            task: ecs.TaskDefinition = ecs.Ec2TaskDefinition(self, "Task", network_mode=ecs.NetworkMode.AWS_VPC)
            # g4dn.xlarge / g5.xlarge: 4 vCPU, 16 GiB, one GPU; the agent and the OS keep the rest.
            task.add_container("ModelHost", image=image, environment=environment, logging=logging, gpu_count=1,
                               cpu=3584, memory_reservation_mib=12288,
                               port_mappings=[ecs.PortMapping(container_port=PORT)])
            # A launch template (new accounts cannot create launch configurations) on the ECS GPU AMI.
            instance_sg = ec2.SecurityGroup(self, "GpuInstanceSg", vpc=vpc, allow_all_outbound=True,
                                            description="teamlens model host GPU instances (no inbound)")
            launch = ec2.LaunchTemplate(
                self, "GpuLaunchTemplate", instance_type=ec2.InstanceType(gpu_instance_type),
                machine_image=ecs.EcsOptimizedImage.amazon_linux2023(ecs.AmiHardwareType.GPU),
                user_data=ec2.UserData.for_linux(), security_group=instance_sg, require_imdsv2=True,
                role=iam.Role(self, "GpuInstanceRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com")),
                # The CUDA image (~10 GB) and the weights.
                block_devices=[ec2.BlockDevice(device_name="/dev/xvda", volume=ec2.BlockDeviceVolume.ebs(
                    100, volume_type=ec2.EbsDeviceVolumeType.GP3, encrypted=True))])
            instances = autoscaling.AutoScalingGroup(
                self, "GpuInstances", vpc=vpc, vpc_subnets=subnets, launch_template=launch,
                min_capacity=0, max_capacity=max_tasks)
            # ECS managed scaling starts an instance for each task that needs one, and drains it before
            # it is terminated (no drain-hook Lambda).
            capacity = ecs.AsgCapacityProvider(self, "GpuCapacity", auto_scaling_group=instances,
                                               enable_managed_termination_protection=False,
                                               enable_managed_draining=True)
            cluster.add_asg_capacity_provider(capacity)
            self.service: ecs.BaseService = ecs.Ec2Service(
                self, "Service", cluster=cluster, task_definition=task, desired_count=min_tasks,
                vpc_subnets=subnets, health_check_grace_period=cdk.Duration.minutes(15),
                capacity_provider_strategies=[ecs.CapacityProviderStrategy(capacity_provider=capacity.capacity_provider_name,
                                                                           weight=1)],
                circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
                min_healthy_percent=100, max_healthy_percent=200)
        else:
            task = ecs.FargateTaskDefinition(
                self, "Task", cpu=4096, memory_limit_mib=16384, ephemeral_storage_gib=40,
                runtime_platform=ecs.RuntimePlatform(cpu_architecture=ecs.CpuArchitecture.X86_64,
                                                     operating_system_family=ecs.OperatingSystemFamily.LINUX))
            task.add_container("ModelHost", image=image, environment=environment, logging=logging,
                               port_mappings=[ecs.PortMapping(container_port=PORT)])
            self.service = ecs.FargateService(
                self, "Service", cluster=cluster, task_definition=task, desired_count=min_tasks,
                vpc_subnets=subnets, health_check_grace_period=cdk.Duration.minutes(10),
                circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
                min_healthy_percent=100, max_healthy_percent=200)
        self.weights_bucket.grant_read(task.task_role, f"{WEIGHTS_PREFIX}*")

        # Internal ALB: one stable name for the Lambdas, health checks on /health, requests spread over tasks.
        alb_sg = ec2.SecurityGroup(self, "AlbSg", vpc=vpc, allow_all_outbound=False,
                                   description="teamlens model host ALB: HTTP from the teamlens Lambdas only")
        alb_sg.add_ingress_rule(clients, ec2.Port.tcp(80), "teamlens Lambdas")
        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self, "Alb", vpc=vpc, internet_facing=False, vpc_subnets=subnets, security_group=alb_sg,
            idle_timeout=cdk.Duration.minutes(5))  # a batch job's long generation
        listener = self.load_balancer.add_listener("Http", port=80, open=False)
        listener.add_targets(
            "ModelHost", port=PORT, protocol=elbv2.ApplicationProtocol.HTTP, targets=[self.service],
            deregistration_delay=cdk.Duration.seconds(60),
            health_check=elbv2.HealthCheck(path="/health", healthy_http_codes="200",
                                           interval=cdk.Duration.seconds(15), healthy_threshold_count=2))
        self.url = f"http://{self.load_balancer.load_balancer_dns_name}"

        self.queue_depth = cloudwatch.Metric(
            namespace=METRIC_NAMESPACE, metric_name=QUEUE_METRIC, dimensions_map={"Service": self.metric_service_name},
            statistic="Average", period=cdk.Duration.minutes(1))
        scaling = self.service.auto_scale_task_count(min_capacity=min_tasks, max_capacity=max_tasks)
        scaling.scale_to_track_custom_metric(
            "QueueDepth", metric=self.queue_depth, target_value=QUEUE_TARGET_PER_TASK,
            scale_out_cooldown=cdk.Duration.minutes(2), scale_in_cooldown=cdk.Duration.minutes(10))
