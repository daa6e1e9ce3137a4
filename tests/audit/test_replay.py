"""Auditors export a case's history and replay it against the code; a change that would break
cases in flight is shown where it breaks, and the same change behind patched() is not."""

from pathlib import Path

from temporalio.client import WorkflowHistory

from api.services.replay import replay_history
from tests.api.helpers import decide, submit
from tests.conftest import CONVERTER

RECORDED = Path(__file__).resolve().parents[1] / "histories" / "refugee" / "recognition_issues_both_certificates_once.run1.json"


async def test_export_and_replay_a_live_case(api, tokens):
    case = await submit(api)
    n = case["case_number"]
    await decide(api, tokens, n, "registration", "register", "registrar")
    auditor = await tokens("auditor")
    exported = await api.get(f"/api/v1/cases/{n}/history/export", headers=auditor)
    assert exported.status_code == 200 and exported.headers["content-type"] == "application/json"
    history = WorkflowHistory.from_json(n, exported.text)
    assert history.events[0].WhichOneof("attributes") == "workflow_execution_started_event_attributes"
    replayed = await api.post(f"/api/v1/cases/{n}/replay", headers=auditor)
    assert replayed.status_code == 200 and replayed.json()["reproduced"] is True
    assert replayed.json()["events"] == len(history.events)
    assert (await api.post(f"/api/v1/cases/{n}/replay", headers=await tokens("registrar"))).status_code == 403
    assert (await api.post("/api/v1/cases/REF-1999-000001/replay", headers=auditor)).status_code == 404


async def test_a_careless_change_is_reported_at_the_event_where_it_diverges():
    # Imported here, not at collection: defining a second class under the workflow's name touches
    # the handler definitions it inherits, which must not happen while live workers run it.
    from tests.audit.changed_workflows import RefugeeChangedCarelessly
    history = WorkflowHistory.from_json("recorded", RECORDED.read_text())
    report = await replay_history(history, [RefugeeChangedCarelessly], data_converter=CONVERTER)
    assert not report.reproduced
    assert report.event_id is not None and report.event_id < len(history.events)
    assert "Nondeterminism" in report.detail


async def test_the_same_change_behind_patched_replays_clean():
    from tests.audit.changed_workflows import RefugeeChangedCarefully
    history = WorkflowHistory.from_json("recorded", RECORDED.read_text())
    assert (await replay_history(history, [RefugeeChangedCarefully], data_converter=CONVERTER)).reproduced


async def test_the_timeline_merges_who_decided_what_with_the_engine_events(api, tokens):
    case = await submit(api)
    n = case["case_number"]
    await decide(api, tokens, n, "registration", "refuse_registration", "registrar", "Refused in 2024, nothing new.",
                 {"ground": "earlier_refusal_without_new_circumstances"})
    auditor = await tokens("auditor")
    r = await api.get(f"/api/v1/cases/{n}/history", headers=auditor)
    assert r.status_code == 200
    items = r.json()["items"]
    actions = [i["action"] for i in items]
    assert actions[:2] == ["application_submitted", "case_started"]
    assert {"application_submitted", "lodged", "task_opened", "decided", "decision_accepted", "deadline_set"} <= set(actions)
    decided = next(i for i in items if i["action"] == "decided")
    assert (decided["actor"], decided["role"], decided["step"], decided["outcome"]) == \
        ("registrar", "registrar", "registration", "refuse_registration")
    assert decided["reason"] == "Refused in 2024, nothing new."
    assert [i["at"] for i in items] == sorted(i["at"] for i in items)
    csv_r = await api.get(f"/api/v1/cases/{n}/history?format=csv", headers=auditor)
    assert csv_r.status_code == 200 and csv_r.headers["content-type"].startswith("text/csv")
    assert csv_r.text.splitlines()[0].startswith("at,source,action,actor")
    assert "refuse_registration" in csv_r.text
    assert (await api.get(f"/api/v1/cases/{n}/history?format=xml", headers=auditor)).status_code == 422
