"""Repositories: every query the API and activities run, in one place per table."""
