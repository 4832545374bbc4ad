"""Dev stack launcher: installs and runs LocalStack, the sidecars and the simulators on one machine."""
