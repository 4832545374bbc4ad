"""Deterministic demo workspace: a fictional Vietnamese–Japanese product team's last four weeks.

`python -m demo` (or `demo.generate.ensure_workspace`) writes slack.json, gitlab.json, backlog.json and
ground_truth.json; the simulators serve them.
"""
