"""Side effects of the workflows. Every activity is idempotent: retries and replays change nothing twice."""
