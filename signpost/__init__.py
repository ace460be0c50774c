"""Shared core of the Essex signposting assistant: settings, database, need taxonomy, CLI."""
