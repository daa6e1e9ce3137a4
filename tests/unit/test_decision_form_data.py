"""A decision's data read from the case page's form: family members ticked by name, or typed as
their numbers where the reader's roles do not show the family, reach the step's model alike."""

from api.pages.common import form_data, form_fields
from schemas.refugee import DECISION
from schemas.steps import FamilyExclusions

RECOGNISE = DECISION.outcome("recognise")


def test_members_are_a_field_of_boxes_to_tick():
    assert {f["name"]: f["kind"] for f in form_fields(RECOGNISE)}["excluded_family_members"] == "members"


def test_ticked_and_typed_members_are_read_alike():
    ticked = form_data(RECOGNISE, {"data.excluded_family_members.2": "on", "data.excluded_family_members.3": "off"})
    typed = form_data(RECOGNISE, {"data.excluded_family_members": "2\n"})
    assert FamilyExclusions.model_validate(ticked).excluded_family_members == [2]
    assert FamilyExclusions.model_validate(typed).excluded_family_members == [2]
    assert form_data(RECOGNISE, {})["excluded_family_members"] == []  # none ticked: the decision covers everyone
