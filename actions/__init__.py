"""Rasa custom actions (run by `rasa run actions` on :5055)."""
