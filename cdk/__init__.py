"""The teamlens CDK stack and its constructs (one per concern)."""
