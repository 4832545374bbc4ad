"""`teamlens`: the command line for a teamlens deployment (local stack or real AWS), over its HTTP API."""
__version__ = "0.1.0"
