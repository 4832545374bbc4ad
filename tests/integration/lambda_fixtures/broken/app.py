"""Test function whose module fails to import: an init error (Runtime.ImportModuleError)."""

import teamlens_module_that_does_not_exist  # noqa: F401


def handler(event, context):
    return "unreachable"
