"""The AWS template (`teamlens:target=aws`): the model host and Chroma as ECS services in a VPC, the Lambdas
that call them in its private subnets, nothing open to the internet, least-privilege Lambda roles, the VPC
endpoints, the outputs a user needs, and cfn-lint clean; the LocalStack template gets none of it.

Synthesized in-process with aws_cdk.assertions (jsii starts node, and the stack builds its layers: ~20-60 s),
so it is marked `integration`: `make test` runs it, `make test-unit` stays fast. It needs no Docker: image
assets are only staged at synth, built at deploy.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

MODEL_HOST_PORT, CHROMA_PORT, ALB_PORT = 8002, 8000, 80
# The functions that call the model host or Chroma (in the VPC) and those that do not (outside it).
SIDECAR_CLIENTS = ("api", "ingest_index", "ingest_reindex", "job_run", "slack_reply")
OUTSIDE_VPC = ("health", "hooks", "ingest_fetch")
# Actions AWS offers no resource-level permission for: "*" is the only resource they take.
UNSCOPABLE = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "ec2:CreateNetworkInterface",
              "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses",
              "ec2:UnassignPrivateIpAddresses", "ecr:GetAuthorizationToken"}
# StateMachine.grant_read (the api function reads ingest/reindex runs) adds this statement itself. Only
# ListActivities needs "*"; the two Describe actions could be named, but replacing the grant changes the
# LocalStack template too, which this change keeps identical: a known, named exception (docs/aws.md).
CDK_STATE_MACHINE_READ = {"states:ListActivities", "states:DescribeStateMachine", "states:DescribeActivity"}


def synth(tmp: Path, **context: str) -> dict:
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from cdk.config import StackConfig
    from cdk.stack import TeamlensStack

    base = json.loads((ROOT / "cdk.json").read_text())["context"]
    app = cdk.App(outdir=str(tmp), context={**base, **context})
    config = StackConfig.from_context(app)
    stack = TeamlensStack(app, config.stack_name, config=config, env=config.env)
    template = Template.from_stack(stack).to_json()
    (tmp / "template.json").write_text(json.dumps(template))
    return template


@pytest.fixture(scope="module", params=["cpu", "gpu"])
def aws(request, tmp_path_factory) -> tuple[str, dict, Path]:
    tmp = tmp_path_factory.mktemp(f"aws-{request.param}")
    return request.param, synth(tmp, **{"teamlens:target": "aws", "teamlens:modelHost": request.param}), tmp


def of_type(template: dict, kind: str) -> dict[str, dict]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def functions_by_name(template: dict) -> dict[str, dict]:
    """Lambda functions keyed by their folder (from POWERTOOLS_SERVICE_NAME teamlens-<name>)."""
    out = {}
    for r in of_type(template, "AWS::Lambda::Function").values():
        service = r["Properties"].get("Environment", {}).get("Variables", {}).get("POWERTOOLS_SERVICE_NAME", "")
        if service.startswith("teamlens-"):
            out[service.removeprefix("teamlens-")] = r
    return out


def test_cfn_lint_clean(aws):
    _, _, tmp = aws
    lint = subprocess.run([str(ROOT / ".venv" / "bin" / "cfn-lint"), str(tmp / "template.json")], check=False,
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_services_exist(aws):
    kind, template, _ = aws
    services = of_type(template, "AWS::ECS::Service")
    assert len(services) == 2, services.keys()
    assert len(of_type(template, "AWS::ECS::Cluster")) == 1
    # Chroma: one Fargate task on EFS, never two at once, named in Cloud Map.
    chroma = next(s["Properties"] for s in services.values() if s["Properties"].get("ServiceRegistries"))
    assert chroma["DesiredCount"] == 1 and chroma["LaunchType"] == "FARGATE"
    assert chroma["DeploymentConfiguration"]["MaximumPercent"] == 100
    assert len(of_type(template, "AWS::EFS::FileSystem")) == 1
    assert len(of_type(template, "AWS::ServiceDiscovery::PrivateDnsNamespace")) == 1
    chroma_task = next(t["Properties"] for t in of_type(template, "AWS::ECS::TaskDefinition").values()
                       if any(c["Name"] == "Chroma" for c in t["Properties"]["ContainerDefinitions"]))
    assert chroma_task["Volumes"][0]["EFSVolumeConfiguration"]["TransitEncryption"] == "ENABLED"
    # The model host: behind an internal ALB, weights from S3, the kind chosen by context.
    albs = of_type(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert [a["Properties"]["Scheme"] for a in albs.values()] == ["internal"]
    host_task = next(t["Properties"] for t in of_type(template, "AWS::ECS::TaskDefinition").values()
                     if any(c["Name"] == "ModelHost" for c in t["Properties"]["ContainerDefinitions"]))
    container = host_task["ContainerDefinitions"][0]
    env = {e["Name"]: e["Value"] for e in container["Environment"]}
    assert "MODEL_WEIGHTS_S3_URI" in env and env["HF_HUB_OFFLINE"] == "1"
    if kind == "gpu":
        assert env["USE_GPU"] == "true"
        assert container["ResourceRequirements"] == [{"Type": "GPU", "Value": "1"}]
        assert host_task["RequiresCompatibilities"] == ["EC2"]
        groups = of_type(template, "AWS::AutoScaling::AutoScalingGroup")
        assert len(groups) == 1
        launch = next(iter(of_type(template, "AWS::EC2::LaunchTemplate").values()))["Properties"]
        assert launch["LaunchTemplateData"]["InstanceType"] == "g4dn.xlarge"
        assert len(of_type(template, "AWS::ECS::CapacityProvider")) == 1
        assert not of_type(template, "AWS::AutoScaling::LaunchConfiguration")
        assert not of_type(template, "AWS::AutoScaling::LifecycleHook")  # ECS managed draining instead
    else:
        assert env["USE_GPU"] == "false"
        assert host_task["RequiresCompatibilities"] == ["FARGATE"]
        assert not of_type(template, "AWS::AutoScaling::AutoScalingGroup")


def test_model_host_scales_on_its_queue_depth(aws):
    _, template, _ = aws
    policies = [p["Properties"] for p in of_type(template, "AWS::ApplicationAutoScaling::ScalingPolicy").values()]
    assert len(policies) == 1
    spec = policies[0]["TargetTrackingScalingPolicyConfiguration"]
    metric = spec["CustomizedMetricSpecification"]
    assert (metric["Namespace"], metric["MetricName"]) == ("Teamlens/ModelHost", "QueueDepth")
    host_task = next(t["Properties"] for t in of_type(template, "AWS::ECS::TaskDefinition").values()
                     if any(c["Name"] == "ModelHost" for c in t["Properties"]["ContainerDefinitions"]))
    env = {e["Name"]: e["Value"] for e in host_task["ContainerDefinitions"][0]["Environment"]}
    # The entrypoint publishes the metric with the dimension the policy tracks.
    assert metric["Dimensions"] == [{"Name": "Service", "Value": env["TEAMLENS_METRICS_SERVICE"]}]
    assert env["TEAMLENS_METRICS_NAMESPACE"] == "Teamlens/ModelHost"
    target = next(iter(of_type(template, "AWS::ApplicationAutoScaling::ScalableTarget").values()))["Properties"]
    assert target["MinCapacity"] == 1 and target["MaxCapacity"] == 4


def ingress_rules(template: dict) -> list[dict]:
    rules = [r["Properties"] for r in of_type(template, "AWS::EC2::SecurityGroupIngress").values()]
    for sg in of_type(template, "AWS::EC2::SecurityGroup").values():
        rules += sg["Properties"].get("SecurityGroupIngress", [])
    return rules


def test_nothing_open_to_the_internet(aws):
    _, template, _ = aws
    rules = ingress_rules(template)
    assert rules
    for rule in rules:
        assert rule.get("CidrIp") != "0.0.0.0/0" and rule.get("CidrIpv6") != "::/0", rule
    # The model host's ALB, the model host tasks and Chroma admit security groups only, never an address range.
    for rule in rules:
        if rule.get("FromPort") in (MODEL_HOST_PORT, CHROMA_PORT, ALB_PORT):
            assert "SourceSecurityGroupId" in rule and "CidrIp" not in rule, rule
    # Chroma's and the ALB's port admit exactly the Lambdas' group.
    lambda_sg = next(k for k, r in of_type(template, "AWS::EC2::SecurityGroup").items()
                     if "Lambdas that call" in r["Properties"]["GroupDescription"])
    for port in (CHROMA_PORT, ALB_PORT):
        sources = [r["SourceSecurityGroupId"] for r in rules if r.get("FromPort") == port]
        assert sources == [{"Fn::GetAtt": [lambda_sg, "GroupId"]}], (port, sources)


def test_sidecar_clients_run_in_the_vpc_with_the_services_urls(aws):
    _, template, _ = aws
    functions = functions_by_name(template)
    assert set(SIDECAR_CLIENTS) | set(OUTSIDE_VPC) <= set(functions)
    alb = next(iter(of_type(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")))
    for name in SIDECAR_CLIENTS:
        props = functions[name]["Properties"]
        assert props["VpcConfig"]["SecurityGroupIds"], name
        env = props["Environment"]["Variables"]
        assert alb in json.dumps(env["MODEL_HOST_URL"]), (name, env["MODEL_HOST_URL"])
        assert ".internal:8000" in json.dumps(env["CHROMA_URL"]), (name, env["CHROMA_URL"])
    for name in OUTSIDE_VPC:  # fetch calls the sources on the internet: no VPC, so no NAT traffic
        assert "VpcConfig" not in functions[name]["Properties"], name


def test_vpc_endpoints(aws):
    _, template, _ = aws
    endpoints = [r["Properties"] for r in of_type(template, "AWS::EC2::VPCEndpoint").values()]

    def services(kind: str) -> set[str]:
        return {json.dumps(e["ServiceName"]).split(".")[-1].strip('"]}') for e in endpoints
                if e.get("VpcEndpointType", "Gateway") == kind}

    assert {"s3", "dynamodb"} <= services("Gateway")
    assert {"secretsmanager", "states", "logs"} <= services("Interface")
    assert all(e["PrivateDnsEnabled"] for e in endpoints if e.get("VpcEndpointType") == "Interface")


def test_lambda_roles_are_least_privilege(aws):
    _, template, _ = aws
    roles = {fn["Properties"]["Role"]["Fn::GetAtt"][0] for fn in functions_by_name(template).values()}
    policies = [p["Properties"] for p in of_type(template, "AWS::IAM::Policy").values()
                if any(r.get("Ref") in roles for r in p["Properties"].get("Roles", []))]
    assert policies
    for policy in policies:
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            assert not any(a == "*" or a.endswith(":*") for a in actions), statement
            if "*" in resources:
                assert set(actions) <= UNSCOPABLE or set(actions) == CDK_STATE_MACHINE_READ, statement
    # In-VPC functions get only the AWS-managed ENI policy besides the basic execution policy.
    managed = {json.dumps(arn) for r in of_type(template, "AWS::IAM::Role").values()
               for arn in r["Properties"].get("ManagedPolicyArns", [])}
    assert all("AWSLambdaBasicExecutionRole" in m or "AWSLambdaVPCAccessExecutionRole" in m
               or "AmazonEC2ContainerServiceforEC2Role" in m or "AmazonSSMManagedInstanceCore" in m
               for m in managed), managed


def test_outputs(aws):
    _, template, _ = aws
    outputs = set(template["Outputs"])
    assert {"ApiUrl", "ApiKeyId", "VpcId", "EcsCluster", "ModelHostUrl", "ModelHostService", "ModelWeightsBucket",
            "ModelWeightsUri", "ChromaUrl", "ChromaService", "ChromaFileSystem", "GitlabSecretArn",
            "SlackSecretArn", "BacklogSecretArn"} <= outputs


def test_local_template_has_no_aws_sidecars(tmp_path):
    template = synth(tmp_path, **{"teamlens:target": "local"})
    types = {r["Type"] for r in template["Resources"].values()}
    assert not {t for t in types if t.split("::")[1] in ("EC2", "ECS", "EFS", "ElasticLoadBalancingV2",
                                                         "ServiceDiscovery", "AutoScaling")}
    assert all("VpcConfig" not in fn["Properties"] for fn in of_type(template, "AWS::Lambda::Function").values())
    api = functions_by_name(template)["api"]["Properties"]["Environment"]["Variables"]
    # The .env (or default) URLs of the local sidecars, as before: plain strings, no AWS service's name.
    assert isinstance(api["MODEL_HOST_URL"], str) and api["MODEL_HOST_URL"].startswith("http://")
    assert isinstance(api["CHROMA_URL"], str) and api["CHROMA_URL"].startswith("http://")


def test_an_imported_vpc_is_used_instead_of_a_new_one(tmp_path, monkeypatch):
    # Vpc.from_lookup needs a concrete account; without credentials the CDK fills in dummy subnets.
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "123456789012")
    template = synth(tmp_path, **{"teamlens:target": "aws", "teamlens:vpcId": "vpc-0123456789abcdef0"})
    assert not of_type(template, "AWS::EC2::VPC") and not of_type(template, "AWS::EC2::NatGateway")
    assert len(of_type(template, "AWS::EC2::VPCEndpoint")) == 5
    functions = functions_by_name(template)
    assert all(functions[name]["Properties"]["VpcConfig"]["SubnetIds"] for name in SIDECAR_CLIENTS)
