"""CDK app entry: one stack. `--context teamlens:target=local` deploys to LocalStack (devstack does it)."""
import os

# The CDK's jsii runtime prints a banner on Node 20 at every import; it is noise here.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk

from cdk.config import StackConfig
from cdk.stack import TeamlensStack

app = cdk.App()
config = StackConfig.from_context(app)
TeamlensStack(app, config.stack_name, config=config, env=config.env)
app.synth()
