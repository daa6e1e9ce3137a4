"""One chronological account of a case: the audit log merged with the engine's event history."""

import csv
import io
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter

from db.models import AuditEntry
from db.repositories import notifications
from db.sealing import session_sealer


@dataclass
class TimelineItem:
    at: datetime
    source: str  # "audit" (who did what, and why) or "engine" (what the workflow engine recorded)
    action: str
    actor: str = ""
    role: str = ""
    step: str = ""
    outcome: str = ""
    state: str = ""
    reason: str = ""
    reason_code: str = ""  # a refusal's code (the catalogues' `rejection` context), to read `reason` in words
    reason_params: dict = field(default_factory=dict)
    deadline: str = ""
    detail: str = ""
    timer: str = ""  # an engine timer's summary: its clock and what it waits for ("interview: reminder")
    data: dict = field(default_factory=dict)  # what the decision decided (a refusal's ground, a date…)
    facts: dict = field(default_factory=dict)  # what the case's rules gave it (an amount and its legal act…)
    note: str = ""  # the news the applicant was told of (a key of schemas.notes.NOTES), with its parameters
    note_params: dict = field(default_factory=dict)


# What the engine recorded from the rules in force that an auditor checks a case against: the
# amount a claim was given and the act that sets it, whether it came late, the rules' version; a
# work permit's foreign share of the headcount against the cap the rules then set.
FACTS = ("amount", "currency", "legal_act", "late", "days_since_death", "foreign_share", "cap_percent",
         "cap_exceeded", "rules_version")

# Engine events an auditor needs: start and end, decisions (updates), applicant messages
# (signals), and deadlines set and reached (timers).
_ENGINE = {
    "workflow_execution_started_event_attributes": "case_started",
    "workflow_execution_completed_event_attributes": "case_completed",
    "workflow_execution_terminated_event_attributes": "case_terminated",
    "workflow_execution_failed_event_attributes": "case_failed",
    "workflow_execution_continued_as_new_event_attributes": "case_continued",
    "workflow_execution_update_accepted_event_attributes": "decision_accepted",
    "workflow_execution_update_completed_event_attributes": "decision_completed",
    "workflow_execution_signaled_event_attributes": "message_received",
    "timer_started_event_attributes": "deadline_set",
    "timer_fired_event_attributes": "deadline_reached",
}


async def timer_summaries(history: WorkflowHistory, converter: DataConverter) -> dict[int, str]:
    """Started event id → the timer's summary, decoded as the worker encoded it. Histories recorded
    before timers had summaries, and a summary the keys cannot open, give none."""
    started = [e for e in history.events if e.HasField("timer_started_event_attributes")
               and e.user_metadata.HasField("summary")]
    if not started:
        return {}
    try:
        summaries = await converter.decode([e.user_metadata.summary for e in started], [str] * len(started))
        return {e.event_id: str(summary) for e, summary in zip(started, summaries, strict=True)}
    except Exception:  # a key retired since: the line stays, without its name
        return {}


def engine_items(history: WorkflowHistory, run: int = 0, timers: dict[int, str] | None = None) -> list[TimelineItem]:
    """The auditor's lines from one run's history; `run` (from 1) names the run when there are several;
    `timers` (timer_summaries) names each timer's clock."""
    items, timers = [], timers or {}
    where = f"run {run}, " if run else ""
    for event in history.events:
        kind = event.WhichOneof("attributes")
        if kind not in _ENGINE:
            continue
        at = event.event_time.ToDatetime().replace(tzinfo=timezone.utc)
        item = TimelineItem(at=at, source="engine", action=_ENGINE[kind], detail=f"{where}event {event.event_id}")
        if kind == "timer_started_event_attributes":
            wait = event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
            item.deadline = (at + wait).isoformat()
            item.timer = timers.get(event.event_id, "")
        elif kind == "timer_fired_event_attributes":
            item.timer = timers.get(event.timer_fired_event_attributes.started_event_id, "")
        elif kind == "workflow_execution_signaled_event_attributes":
            item.step = event.workflow_execution_signaled_event_attributes.signal_name
        elif kind == "workflow_execution_update_accepted_event_attributes":
            item.step = event.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
        items.append(item)
    return items


async def audit_items(session: AsyncSession, case_number: str) -> list[TimelineItem]:
    rows = await session.scalars(select(AuditEntry).where(AuditEntry.case_number == case_number)
                                 .order_by(AuditEntry.id))
    items, sealer = [], session_sealer(session)
    for r in rows:
        d = r.detail or {}
        decided = (d.get("detail") or {}).get("data") if isinstance(d.get("detail"), dict) else None
        if decided:  # sealed, as in the read model (db/sealing.py)
            decided = sealer.open(decided, f"{case_number}|transition.{d.get('seq')}.data")
        items.append(TimelineItem(at=r.at, source="audit", action=r.action, actor=r.actor, role=r.actor_role,
                                  step=str(d.get("step") or ""), outcome=str(d.get("outcome") or ""),
                                  state=str(d.get("state") or ""), reason=str(d.get("reason") or ""),
                                  reason_code=str(d.get("code") or ""),
                                  reason_params=d.get("params") if isinstance(d.get("params"), dict) else {},
                                  deadline=_moment(d.get("deadline")), detail=f"audit entry {r.id}",
                                  data=decided if isinstance(decided, dict) else {},
                                  facts=_facts(d.get("detail"))))
    return items


async def outbox_items(session: AsyncSession, case_number: str) -> list[TimelineItem]:
    """How the applicant was told of each piece of news (activities/notifications.py): by mail, by
    text, or why not; and what still waits to be sent, since when. The appeal runs from a refusal,
    and an auditor may have to show when and how its applicant learnt of it."""
    items = []
    for r in await notifications.for_case(session, case_number):
        told = {"note": r.message, "note_params": r.params if isinstance(r.params, dict) else {},
                "detail": f"notification {r.id}"}
        items.append(TimelineItem(at=r.sent_at or r.created_at, source="outbox", **told,
                                  action=f"applicant_told_{r.channel or 'none'}" if r.sent_at else "applicant_not_yet_told"))
        if r.delivery and r.delivery_at:  # the SMS centre's receipt: whether the text reached the phone
            items.append(TimelineItem(at=r.delivery_at, source="outbox", action=f"text_{r.delivery}", **told))
    return items


def _facts(detail) -> dict:
    if not isinstance(detail, dict):
        return {}
    return {k: detail[k] for k in FACTS if detail.get(k) not in (None, "")}


def _moment(value) -> str:
    """A deadline as ISO 8601: entries keep it as PostgreSQL wrote it ("2027-03-05 18:00:00+00:00"),
    which the pages' date formatting would not know for a moment and would show as it is."""
    if not value:
        return ""
    try:
        return datetime.fromisoformat(str(value)).isoformat()
    except ValueError:
        return str(value)


def merge(*parts: list[TimelineItem]) -> list[TimelineItem]:
    # Engine and audit clocks differ by milliseconds; the audit entry of a step follows its event.
    return sorted((i for part in parts for i in part),
                  key=lambda i: (i.at + (timedelta(microseconds=1) if i.source == "audit" else timedelta()),))


def as_csv(items: list[TimelineItem]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[f.name for f in fields(TimelineItem)])
    writer.writeheader()
    for item in items:
        row = {**asdict(item), "at": item.at.isoformat(),
               "data": json.dumps(item.data, ensure_ascii=False, sort_keys=True) if item.data else "",
               "reason_params": json.dumps(item.reason_params, ensure_ascii=False, sort_keys=True)
               if item.reason_params else "",
               "facts": json.dumps(item.facts, ensure_ascii=False, sort_keys=True) if item.facts else "",
               "note_params": json.dumps(item.note_params, ensure_ascii=False, sort_keys=True) if item.note_params else ""}
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
    return out.getvalue()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|")


def spreadsheet_safe(value):
    """A cell a spreadsheet shows as text, never runs: what an applicant wrote (appeal grounds,
    a name) may start like a formula (`=HYPERLINK(…)`); OWASP's advice is a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
