"""Contract-faithful simulators of GitLab REST v4, the Slack Web API and Backlog API v2 over the demo workspace.

    python -m simulators --service gitlab|slack|backlog --port N [--data DIR]
"""
