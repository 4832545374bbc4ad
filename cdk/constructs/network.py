"""AWS only: the VPC the sidecar services and the Lambdas that call them share.

Private subnets for everything; gateway endpoints (S3, DynamoDB) and interface endpoints (Secrets Manager,
Step Functions, CloudWatch Logs) so the Lambdas' AWS API traffic never goes through the NAT. The NAT
gateway stays because the Lambdas that answer (api, job_run, slack_reply) also call GitLab, Slack and
Backlog on the internet, and the tasks pull their images through it (ECR, Docker Hub for Chroma).
The fetch Lambda calls only the sources and AWS APIs, so it stays outside the VPC (docs/aws.md).
"""
from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from constructs import Construct

INTERFACE_ENDPOINTS = {
    "SecretsManager": ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    "StepFunctions": ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS,
    "Logs": ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
}
# Not ECR/ECS: image pulls (their layers come through the S3 gateway) and the ECS agent use the NAT,
# which is there anyway; two more interface endpoints would cost ~$38/month in two AZs.


class Network(Construct):
    def __init__(self, scope: Construct, id: str, *, vpc_id: str | None, nat_gateways: int) -> None:
        super().__init__(scope, id)
        if vpc_id:
            # An existing VPC (its private subnets must route to a NAT for the source APIs).
            self.vpc: ec2.IVpc = ec2.Vpc.from_lookup(self, "Vpc", vpc_id=vpc_id)
        else:
            self.vpc = ec2.Vpc(
                self, "Vpc", max_azs=2, nat_gateways=nat_gateways,
                subnet_configuration=[
                    ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
                    ec2.SubnetConfiguration(name="private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS,
                                            cidr_mask=22),
                ],
            )
        self.private_subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        # The Lambdas that call the sidecars; the sidecars' security groups admit this group only.
        self.lambda_sg = ec2.SecurityGroup(
            self, "LambdaSg", vpc=self.vpc, allow_all_outbound=True,
            description="teamlens Lambdas that call the model host and Chroma (egress: AWS endpoints, sources)")
        for name, service in (("S3", ec2.GatewayVpcEndpointAwsService.S3),
                              ("DynamoDb", ec2.GatewayVpcEndpointAwsService.DYNAMODB)):
            self.vpc.add_gateway_endpoint(name, service=service, subnets=[self.private_subnets])
        endpoint_sg = ec2.SecurityGroup(self, "EndpointSg", vpc=self.vpc, allow_all_outbound=False,
                                        description="teamlens interface VPC endpoints: HTTPS from inside the VPC")
        endpoint_sg.add_ingress_rule(ec2.Peer.ipv4(self.vpc.vpc_cidr_block), ec2.Port.tcp(443),
                                     "HTTPS to AWS APIs from the VPC")
        self.endpoints = {
            name: self.vpc.add_interface_endpoint(name, service=service, subnets=self.private_subnets,
                                                  security_groups=[endpoint_sg], private_dns_enabled=True)
            for name, service in INTERFACE_ENDPOINTS.items()
        }
