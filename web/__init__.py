"""The web app on :8000: resident chat page, practitioner search, ORUK API, commissioner stats."""
