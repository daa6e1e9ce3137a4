"""What an officer may do on a case's open steps: the forms their roles and the four-eyes rule
allow, and for every other open step the reason it is barred (shown instead of a form)."""

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Staff
from api.services import same_death
from db.models import Case, CaseTransition, Task
from schemas.procedures import PROCEDURES
from schemas.steps import StepSpec, barred

# Transitions that make their actor the decider of a step (the desk's four-eyes memory).
_DECIDING = ("decided", "documents_requested")
# The page's wording ("this step…") for the validator's refusal codes.
_PAGE_MESSAGE = {"wrong_role": "barred_role", "four_eyes": "barred_four_eyes", "other_mission": "barred_other_mission"}
# Steps that decide or record money, and the transition that says how much: the amounts the
# workflow holds the decision to (from its own rules, which may be older than today's), for the
# officer to read before deciding. (procedure, step) → a note whose params are the amounts the
# applicant was told to pay, or the event whose detail holds what the rules gave the case.
_AMOUNTS = {("agency-permit", "deposit"): ("note", "agency_approved_pay_deposit"),
            ("repatriation", "approval"): ("event", "submitted")}
_RULES_GAVE = ("amount", "currency", "legal_act")


@dataclass
class OpenStepView:
    task: Task
    spec: StepSpec
    barred: str = ""  # an i18n key; empty when the officer may decide
    params: dict[str, str] = field(default_factory=dict)
    held: dict[str, tuple] = field(default_factory=dict)  # outcome → why it cannot stand (futile_outcomes)
    due: dict[str, str] = field(default_factory=dict)  # amounts (their currency, their act) at stake at this step

    @property
    def outcomes(self):
        """The outcomes offered: a request is answered only once someone asked (a queued task)."""
        return [o for o in self.spec.outcomes if not (o.answers_request and self.task.kind == "action")]


async def futile_outcomes(session: AsyncSession, staff: Staff, case: Case, transitions: list[CaseTransition],
                          application: dict) -> dict[tuple[str, str], tuple]:
    """(step, outcome) → (code, params) of each outcome that cannot stand on this case: one the
    workflow's own check would refuse on the facts recorded at submission, or one that other
    records make futile (a death paid for in another case). Said instead of offered."""
    submitted = next((t.detail for t in transitions if t.event == "submitted" and isinstance(t.detail, dict)), {})
    return {**await same_death.paid_elsewhere(session, staff, case),
            **PROCEDURES[case.procedure].held_outcomes(submitted, application)}


def open_steps(staff: Staff, case: Case, tasks: list[Task], transitions: list[CaseTransition],
               held: dict[tuple[str, str], tuple]) -> list[OpenStepView]:
    """`held`: futile_outcomes of the case."""
    procedure = PROCEDURES[case.procedure]
    steps = procedure.steps
    deciders = {t.step: t.actor for t in transitions if t.event in _DECIDING}  # the last one wins
    views = []
    for task in tasks:
        spec = steps.get(task.step)
        if spec is None:
            continue
        view = OpenStepView(task, spec, held={o: why for (step, o), why in held.items() if step == task.step},
                            due=_due(case.procedure, task.step, transitions))
        # the very rule the validator applies
        why = barred(spec, staff.roles, staff.username, deciders, mission=staff.mission or "",
                     case_mission=case.mission or "")
        if why is not None:
            code, params = why
            view.barred = _PAGE_MESSAGE[code]
            view.params = {"role": spec.role, **({"step": params["other"]} if code == "four_eyes" else {})}
        views.append(view)
    return views


def _due(procedure: str, step: str, transitions: list[CaseTransition]) -> dict[str, str]:
    """The amounts at stake at this step; empty when it decides no money (or the case was told
    before its note carried the amounts)."""
    kind, name = _AMOUNTS.get((procedure, step), ("", ""))
    for t in reversed(transitions):
        if kind == "note" and t.public_note == name:
            told = t.note_params or {}
            return told if "currency" in told else {}
        if kind == "event" and t.event == name and isinstance(t.detail, dict):
            gave = {k: str(t.detail[k]) for k in _RULES_GAVE if t.detail.get(k) not in (None, "")}
            return gave if len(gave) == len(_RULES_GAVE) else {}
    return {}
