"""teamlens: the shared library used by every Lambda (and tested without AWS)."""

__version__ = "0.1.0"
