"""cdk/config.py: the AWS-only sidecar settings from context (no synth, no jsii app)."""
from __future__ import annotations

import pytest

from cdk.config import AwsSidecars, _sidecars


def context(**values):
    return lambda name: values.get(name.removeprefix("teamlens:"))


def test_defaults():
    assert _sidecars(context()) == AwsSidecars(model_host="cpu", gpu_instance_type="g4dn.xlarge", vpc_id=None,
                                               nat_gateways=1, model_host_tasks=1, model_host_max_tasks=4)


def test_values_from_context():
    s = _sidecars(context(modelHost="gpu", gpuInstanceType="g5.xlarge", vpcId="vpc-1", natGateways="2",
                          modelHostTasks="0", modelHostMaxTasks=2))
    assert (s.model_host, s.gpu_instance_type, s.vpc_id, s.nat_gateways) == ("gpu", "g5.xlarge", "vpc-1", 2)
    assert (s.model_host_tasks, s.model_host_max_tasks) == (0, 2)
    # The most is never below the fewest (nor 0).
    assert _sidecars(context(modelHostTasks="3", modelHostMaxTasks="1")).model_host_max_tasks == 3


@pytest.mark.parametrize(("values", "message"), [
    ({"modelHost": "tpu"}, "teamlens:modelHost"),
    ({"natGateways": "0"}, "teamlens:natGateways"),
    ({"modelHostTasks": "-1"}, "teamlens:modelHostTasks"),
    ({"modelHostMaxTasks": "many"}, "teamlens:modelHostMaxTasks"),
])
def test_bad_values_are_refused_with_their_name(values, message):
    with pytest.raises(ValueError, match=message):
        _sidecars(context(**values))
