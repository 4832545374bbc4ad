"""Slack summaries: decisions, action items and open questions found in the messages (each linked to its
message), counts computed from the data, and a short overview written by the model, map-reduce."""
