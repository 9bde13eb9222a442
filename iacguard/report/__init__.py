"""Reporters: each renders a finished scan in one format. They see only findings."""
