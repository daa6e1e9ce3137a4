"""What an officer may do on a case's open steps: the forms their roles and the four-eyes rule
allow, and for every other open step the reason it is barred (shown instead of a form)."""

from dataclasses import dataclass, field

from api.deps import Staff
from db.models import Case, CaseTransition, Task
from schemas.procedures import PROCEDURES
from schemas.steps import StepSpec, barred

# Transitions that make their actor the decider of a step (the desk's four-eyes memory).
_DECIDING = ("decided", "documents_requested")
# The page's wording ("this step…") for the validator's refusal codes.
_PAGE_MESSAGE = {"wrong_role": "barred_role", "four_eyes": "barred_four_eyes", "other_mission": "barred_other_mission"}


@dataclass
class OpenStepView:
    task: Task
    spec: StepSpec
    barred: str = ""  # an i18n key; empty when the officer may decide
    params: dict[str, str] = field(default_factory=dict)
    held: dict[str, tuple] = field(default_factory=dict)  # outcome → the workflow's refusal of it on this case

    @property
    def outcomes(self):
        """The outcomes offered: a request is answered only once someone asked (a queued task)."""
        return [o for o in self.spec.outcomes if not (o.answers_request and self.task.kind == "action")]


def open_steps(staff: Staff, case: Case, tasks: list[Task], transitions: list[CaseTransition],
               application: dict, held_by_records: dict[tuple[str, str], tuple] | None = None) -> list[OpenStepView]:
    """`held_by_records`: outcomes that what other records say makes futile (same_death.py), beside
    those the workflow's own check would refuse on the case's facts."""
    procedure = PROCEDURES[case.procedure]
    steps = procedure.steps
    deciders = {t.step: t.actor for t in transitions if t.event in _DECIDING}  # the last one wins
    submitted = next((t.detail for t in transitions if t.event == "submitted" and isinstance(t.detail, dict)), {})
    held = {**(held_by_records or {}), **procedure.held_outcomes(submitted, application)}
    views = []
    for task in tasks:
        spec = steps.get(task.step)
        if spec is None:
            continue
        view = OpenStepView(task, spec, held={o: why for (step, o), why in held.items() if step == task.step})
        # the very rule the validator applies
        why = barred(spec, staff.roles, staff.username, deciders, mission=staff.mission or "",
                     case_mission=case.mission or "")
        if why is not None:
            code, params = why
            view.barred = _PAGE_MESSAGE[code]
            view.params = {"role": spec.role, **({"step": params["other"]} if code == "four_eyes" else {})}
        views.append(view)
    return views
