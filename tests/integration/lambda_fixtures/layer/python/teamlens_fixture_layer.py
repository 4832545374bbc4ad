"""Module that only a Lambda layer provides (the process executor puts layers on PYTHONPATH)."""

MARKER = "from-the-layer"
