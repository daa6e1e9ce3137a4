"""What `POST /api/v1/cases/{case_number}/decisions` takes, per procedure, generated from the
step definitions the workflows enforce: each step, who decides it, its outcomes and their data."""

from typing import Any

from schemas.procedures import PROCEDURES


def _data(outcome) -> str:
    if outcome.data is None:
        return "—"
    fields = outcome.data.model_json_schema().get("properties", {})
    required = set(outcome.data.model_json_schema().get("required", []))
    return ", ".join(f"`{name}`{'' if name in required else '?'}" + (f" ({'/'.join(map(str, p['enum']))})"
                     if "enum" in p else "") for name, p in fields.items())


def decision_guide() -> str:
    lines = ["Decide an open step of a case. Send an `Idempotency-Key`: a retry with it returns the first answer "
             "(the decision's Temporal Update ID derives from it). `reason` is required where marked; `data` "
             "fields marked `?` are optional. The validator refuses a decision that does not fit (409 step not "
             "open, 403 role or four eyes, 422 reason or data) before it enters the case's history.", ""]
    for procedure in PROCEDURES.values():
        lines += [f"**{procedure.slug}**", "", "| step | role | outcome | reason | data |", "|---|---|---|---|---|"]
        for step in procedure.steps.values():
            for outcome in step.outcomes:
                lines.append(f"| `{step.name}` | {step.role} | `{outcome.name}` | "
                             f"{'required' if outcome.requires_reason else ''} | {_data(outcome)} |")
        lines.append("")
    return "\n".join(lines)


EXAMPLES: dict[str, dict[str, Any]] = {
    "refugee: register": {"step": "registration", "outcome": "register"},
    "refugee: schedule the interview": {"step": "interview", "outcome": "schedule_interview", "data": {
        "interview_at": "2026-12-03T10:30:00+06:00", "place": "Bishkek, room 4", "interpreter_language": "dari"}},
    "refugee: reject": {"step": "decision", "outcome": "reject", "reason": "No well-founded fear was shown.",
                        "data": {"ground": "no_well_founded_fear"}},
    "kairylman: ask for documents": {"step": "intake", "outcome": "request_documents",
                                     "data": {"documents": ["birth certificate"], "message": "A legalised copy"}},
    "repatriation: confirm the payment": {"step": "payment", "outcome": "confirm_paid",
                                          "data": {"bank_reference": "KICB-77"}},
    "work-permit: issue": {"step": "review", "outcome": "issue"},
    "agency-permit: confirm the deposit": {"step": "deposit", "outcome": "confirm_deposit", "data": {
        "deposit_som": 100000, "fee_som": 5000, "payment_reference": "PP-2026-118"}},
}


def decision_examples() -> dict[str, dict[str, Any]]:
    return {name: {"summary": name, "value": {"reason": "", "data": {}, **value}} for name, value in EXAMPLES.items()}
