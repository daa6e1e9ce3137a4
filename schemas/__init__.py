"""Payloads shared by api, workflows and activities. No I/O here: workflow code imports it."""
