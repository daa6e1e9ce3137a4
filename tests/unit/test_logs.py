"""Logs are JSON lines naming the case (number, workflow and run IDs), never the person."""

import json
import logging

from stack.logs import JsonFormatter
from tests.api.helpers import decide, submit


async def test_a_case_in_the_logs_by_number_never_by_name(api, tokens, caplog):
    caplog.set_level(logging.INFO)
    case = await submit(api)
    n = case["case_number"]
    await decide(api, tokens, n, "registration", "register", "registrar")
    lines = [JsonFormatter().format(r) for r in caplog.records]
    entries = [json.loads(line) for line in lines]
    about = [e for e in entries if e.get("case_number") == n]
    assert about and any(e.get("logger") == "activities.read_model" for e in about)
    assert all(e["ts"] and e["level"] and e["msg"] for e in entries)
    text = "\n".join(lines)
    assert "Karimova" not in text and "P1234567" not in text and "Dilnoza" not in text


def test_temporal_context_becomes_fields():
    record = logging.LogRecord("temporalio.activity", logging.INFO, __file__, 1, "done", (), None)
    record.temporal_activity = {"workflow_id": "REF-2026-000001", "run_id": "r-1", "activity_type": "record"}
    entry = json.loads(JsonFormatter().format(record))
    assert entry["case_number"] == "REF-2026-000001" and entry["run_id"] == "r-1" and entry["activity"] == "record"
