"""FastAPI service: thin routes over services over repositories."""
