"""Status reports: numbers computed from Backlog and GitLab, a narrative the model writes around them, and
two-step posting (preview + confirmation token, then an idempotent confirm) to Slack and/or Backlog."""
