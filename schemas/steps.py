"""Human steps as data: who may decide a step, what may be decided, what each outcome needs.

The API uses these to list outcomes and JSON schemas in the inbox and to reject bad input
early; workflow validators use the very same definitions, so the two cannot disagree.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Annotated, Any, ClassVar, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core.core_schema import ErrorType

from schemas.text import clean_text, has_nul

REASON_MAX = 4000  # characters of an officer's reasons (the API's payloads say the same)

# pydantic's own kinds of error; any other is a check of ours (schemas.text.problem) with its own code.
_PYDANTIC_ERRORS = frozenset(get_args(ErrorType))


class StepData(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    # Fields that record something that has already happened (an interview held, a session sat):
    # a value later than the moment of the decision is refused (check_reality).
    past_fields: ClassVar[tuple[str, ...]] = ()
    # Fields that name a moment still to come (an interview to attend): one already past is refused
    # when the decision arrives (check_ahead).
    future_fields: ClassVar[tuple[str, ...]] = ()

    _clean = model_validator(mode="before")(clean_text)


class DocumentsRequest(StepData):
    documents: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=20, description="What the applicant must provide")
    message: str = Field(default="", max_length=2000)


class CommissionSession(StepData):
    """A collective decision is recorded with the session that took it."""

    past_fields: ClassVar[tuple[str, ...]] = ("session_date",)

    session_date: date
    protocol_number: str = Field(min_length=1, max_length=40)


class FamilyExclusions(StepData):
    """A decision that extends to the family members named in the application, each with a
    document of their own, unless it excludes some (numbered as in the application)."""

    # Numbered as in the application; a form offers the members by name (x-choose), to tick.
    excluded_family_members: list[Annotated[int, Field(ge=1, le=30)]] = Field(
        default_factory=list, max_length=30, json_schema_extra={"x-choose": "family_members"})


class InvalidDecision(ValueError):
    """A decision whose outcome, reason or data does not fit the step: its `code` (and `params`)
    say why in the reader's words on the pages and the API; the message is for logs and tests."""

    def __init__(self, message: str, code: str, **params: str) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Outcome:
    name: str
    requires_reason: bool = False
    data: type[StepData] | None = None
    # Asks the applicant for documents: the step waits and its clock stops meanwhile.
    requests_documents: bool = False
    # Answers (declines) what the applicant asked for: offered only on a step someone asked for.
    answers_request: bool = False


@dataclass(frozen=True)
class StepSpec:
    name: str
    role: str
    title: str
    outcomes: tuple[Outcome, ...]
    # Steps whose decider may not decide this one (four eyes).
    not_same_actor_as: tuple[str, ...] = field(default_factory=tuple)
    # Decided at the diplomatic mission where the case was lodged, by an officer of that mission only.
    at_mission: bool = False

    def outcome(self, name: str) -> Outcome:
        for outcome in self.outcomes:
            if outcome.name == name:
                return outcome
        allowed = ", ".join(o.name for o in self.outcomes)
        raise InvalidDecision(f"'{name}' is not an outcome of step '{self.name}'; allowed: {allowed}", "unknown_outcome",
                              step=self.name)

    def outcome_names(self) -> list[str]:
        return [o.name for o in self.outcomes]

    def data_schema(self) -> dict[str, Any]:
        """JSON schema of `data` per outcome that takes any (built once: inboxes list it per task)."""
        return _data_schema(self)


@cache
def _data_schema(spec: "StepSpec") -> dict[str, Any]:
    return {o.name: o.data.model_json_schema() for o in spec.outcomes if o.data is not None}


def request_documents_outcome() -> Outcome:
    return Outcome("request_documents", data=DocumentsRequest, requests_documents=True)


def barred(spec: StepSpec, roles, actor: str, deciders: dict[str, str], *, mission: str = "",
           case_mission: str = "") -> tuple[str, dict[str, str]] | None:
    """Why `actor` holding `roles` (serving at `mission`, if a consular officer) may not decide
    `spec` on a case lodged at `case_mission` (empty: at home), as (code, params), or None if they
    may. `deciders` names who last decided each step of the case. The workflow's validator
    enforces this; the case page asks it to offer only the forms that would be accepted."""
    if spec.role not in roles:
        return "wrong_role", {"step": spec.name, "role": spec.role}
    if spec.at_mission and (not case_mission or mission != case_mission):
        return "other_mission", {"step": spec.name, "mission": case_mission}
    for other in spec.not_same_actor_as:
        if deciders.get(other) == actor:
            return "four_eyes", {"actor": actor, "other": other, "step": spec.name, "role": spec.role}
    return None


# Clocks differ a little between an officer's browser, the API and the engine; and a date is the
# officer's local day (Asia/Bishkek, UTC+6).
_CLOCK_SLACK = timedelta(minutes=5)
_LOCAL = timedelta(hours=6)


def check_reality(spec: StepSpec, outcome_name: str, data: dict[str, Any], now: datetime) -> None:
    """Refuse decision data that describes as done what has not happened yet. Pure: the caller
    gives the time (the workflow's, in update validators)."""
    model = spec.outcome(outcome_name).data
    for name in getattr(model, "past_fields", ()):
        value = data.get(name)
        if isinstance(value, str) and "T" in value:
            if datetime.fromisoformat(value) > now + _CLOCK_SLACK:
                raise InvalidDecision(f"data for '{outcome_name}': {name}: lies in the future", "in_the_future",
                                      field=name)
        elif isinstance(value, str) and value:
            if date.fromisoformat(value) > (now + _LOCAL).date():
                raise InvalidDecision(f"data for '{outcome_name}': {name}: lies in the future", "in_the_future",
                                      field=name)


def check_ahead(spec: StepSpec, outcome_name: str, data: dict[str, Any], now: datetime) -> None:
    """Refuse a moment that should be still to come but has passed (an interview set for
    yesterday). Pure: the caller gives the time."""
    model = spec.outcome(outcome_name).data
    for name in getattr(model, "future_fields", ()):
        value = data.get(name)
        if isinstance(value, str) and "T" in value and datetime.fromisoformat(value) < now - _CLOCK_SLACK:
            raise InvalidDecision(f"data for '{outcome_name}': {name}: has already passed", "already_past", field=name)


def check_decision(spec: StepSpec, outcome_name: str, reason: str, data: dict[str, Any]) -> dict[str, Any]:
    """Validate a decision's outcome, reason and data against its step; returns normalised data."""
    outcome = spec.outcome(outcome_name)
    if outcome.requires_reason and not reason.strip():
        raise InvalidDecision(f"outcome '{outcome.name}' of step '{spec.name}' needs a reason", "decision_needs_reason")
    if len(reason) > REASON_MAX:
        raise InvalidDecision(f"reason is longer than {REASON_MAX} characters", "reason_too_long", most=REASON_MAX)
    if has_nul(reason):
        raise InvalidDecision("reason must not contain NUL characters", "nul_character")
    if outcome.data is None:
        if data:
            raise InvalidDecision(f"outcome '{outcome.name}' takes no data", "takes_no_data", outcome=outcome.name)
        return {}
    try:
        return outcome.data.model_validate(data).model_dump(mode="json")
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'data'}: {e['msg']}" for e in err.errors()
        )
        # The first problem, for the reader's words (a check of its own, schemas.text.problem,
        # keeps its code); the whole list stays in the message.
        first = err.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else str((first.get("ctx") or {}).get("field", ""))
        code = first["type"] if first["type"] not in _PYDANTIC_ERRORS else \
            "bad_decision_data" if field else "decision_data_not_valid"
        raise InvalidDecision(f"data for '{outcome.name}': {problems}", code,
                              **({"field": field} if field else {})) from None
