"""Where chat tools call in: Slack's Events API and slash commands, and GitLab's merge request webhook.
Pure verification and parsing here; the hooks Lambda wires them to jobs and replies."""
