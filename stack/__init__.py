"""Running aryz: the embedded stack (PostgreSQL, Temporal dev server, worker, API) and its clients."""
