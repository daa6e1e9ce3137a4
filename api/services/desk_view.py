"""What an officer may do on a case's open steps: the forms their roles and the four-eyes rule
allow, and for every other open step the reason it is barred (shown instead of a form)."""

from dataclasses import dataclass, field

from api.deps import Staff
from db.models import CaseTransition, Task
from schemas.procedures import PROCEDURES
from schemas.steps import StepSpec

# Transitions that make their actor the decider of a step (the desk's four-eyes memory).
_DECIDING = ("decided", "documents_requested")


@dataclass
class OpenStepView:
    task: Task
    spec: StepSpec
    barred: str = ""  # an i18n key; empty when the officer may decide
    params: dict[str, str] = field(default_factory=dict)


def open_steps(staff: Staff, procedure: str, tasks: list[Task], transitions: list[CaseTransition]) -> list[OpenStepView]:
    steps = PROCEDURES[procedure].steps
    deciders = {t.step: t.actor for t in transitions if t.event in _DECIDING}  # the last one wins
    views = []
    for task in tasks:
        spec = steps.get(task.step)
        if spec is None:
            continue
        view = OpenStepView(task, spec)
        if spec.role not in staff.roles:
            view.barred, view.params = "barred_role", {"role": spec.role}
        else:
            other = next((s for s in spec.not_same_actor_as if deciders.get(s) == staff.username), None)
            if other is not None:
                view.barred, view.params = "barred_four_eyes", {"step": other, "role": spec.role}
        views.append(view)
    return views
