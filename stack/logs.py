"""One logging setup for the API, the worker and `aryz run`: JSON lines, one per event, with the
case number, workflow ID and run ID where they apply. Messages name cases by number only; no
personal data is ever put into a log message (the tests look for names and passport numbers)."""

import json
import logging
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

# Attributes a log call may pass with `extra=`, and where the Temporal SDK's loggers put theirs.
_FIELDS = ("case_number", "workflow_id", "run_id", "component")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        for key in _FIELDS:
            if getattr(record, key, None):
                entry[key] = getattr(record, key)
        for temporal in ("temporal_workflow", "temporal_activity"):
            info = getattr(record, temporal, None)
            if isinstance(info, dict):
                entry.setdefault("workflow_id", info.get("workflow_id"))
                entry.setdefault("run_id", info.get("run_id"))
                if info.get("activity_type"):
                    entry["activity"] = info["activity_type"]
                if "workflow_type" in info:
                    entry["workflow_type"] = info["workflow_type"]
        if entry.get("workflow_id") and "case_number" not in entry:
            entry["case_number"] = entry["workflow_id"]  # a case's workflow ID is its number
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__ if record.exc_info[0] else "error"
            entry["trace"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_logging(level: str = "INFO", file: Path | None = None) -> None:
    """Every line a process writes is a JSON object: its log records, Python's warnings, and any
    exception nothing caught (in a thread too), with its traceback. The Temporal SDK's core logs
    come through here as well (stack/temporal.py forwards them)."""
    handler = logging.FileHandler(file) if file else logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    uncaught = logging.getLogger("aryz.uncaught")

    def log_uncaught(kind, value, trace) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, trace)
            return
        uncaught.critical("uncaught %s", kind.__name__, exc_info=(kind, value, trace))

    sys.excepthook = log_uncaught
    threading.excepthook = lambda args: uncaught.error(
        "uncaught %s in thread %s", args.exc_type.__name__, args.thread.name if args.thread else "?",
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
