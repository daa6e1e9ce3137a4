"""Temporal workflows: one module per procedure; shared building blocks in steps/."""
