"""The REST API: API key + usage plan; `GET /health`, a proxy to the API function, the keyless chat page
and webhooks (`/hooks/...`, authenticated by Slack's signature and GitLab's token)."""
from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from constructs import Construct


class Api(Construct):
    def __init__(self, scope: Construct, id: str, *, health: lambda_.IFunction, handler: lambda_.IFunction,
                 hooks: lambda_.IFunction, stage_name: str = "v1", api_id: str | None = None,
                 api_key: str | None = None) -> None:
        super().__init__(scope, id)
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=f"{cdk.Stack.of(self).stack_name}-api",
            deploy_options=apigw.StageOptions(stage_name=stage_name, throttling_rate_limit=50,
                                              throttling_burst_limit=100),
            default_method_options=apigw.MethodOptions(api_key_required=True),
            cloud_watch_role=False,
        )
        if api_id:
            # LocalStack takes a REST API's id from this tag: the URL then survives restarts and redeploys.
            cdk.Tags.of(self.rest_api.node.default_child).add("_custom_id_", api_id)  # the API alone
        # /health stays its own small function; every other route goes to the API function's resolver.
        self.rest_api.root.add_resource("health").add_method("GET", apigw.LambdaIntegration(health))
        self.rest_api.root.add_proxy(default_integration=apigw.LambdaIntegration(handler), any_method=True)
        # The web chat page: static, so it needs no key; everything it then calls does.
        self.rest_api.root.add_method("GET", apigw.LambdaIntegration(handler), api_key_required=False)
        # Webhooks cannot send our API key: each is authenticated by its sender's scheme in the function.
        hook_routes = self.rest_api.root.add_resource("hooks")
        slack = hook_routes.add_resource("slack")
        for resource in (slack.add_resource("events"), slack.add_resource("commands"), hook_routes.add_resource("gitlab")):
            resource.add_method("POST", apigw.LambdaIntegration(hooks), api_key_required=False)
        self.api_key = self.rest_api.add_api_key("ApiKey", value=api_key)
        plan = self.rest_api.add_usage_plan(
            "UsagePlan",
            throttle=apigw.ThrottleSettings(rate_limit=50, burst_limit=100),
        )
        plan.add_api_key(self.api_key)
        plan.add_api_stage(stage=self.rest_api.deployment_stage)
