"""The pages of each application form: the model's top-level fields grouped the way a person
answers them (who they are, their family, why they apply, how to reach them), one group a page."""

from dataclasses import dataclass

from api.forms.fields import FormField, form_fields
from schemas.procedures import PROCEDURES, Procedure


@dataclass(frozen=True)
class FormStep:
    key: str  # its title is ("ui", f"form_step_{key}")
    fields: tuple[str, ...]


STEPS: dict[str, tuple[FormStep, ...]] = {
    "refugee": (FormStep("person", ("applicant",)), FormStep("family", ("family_members",)),
                FormStep("asylum", ("date_of_entry", "region", "lodged_at_border", "languages", "grounds")),
                FormStep("contact", ("contact",))),
    "kairylman": (FormStep("person", ("applicant",)), FormStep("family", ("family_members",)),
                  FormStep("kairylman", ("country_of_residence", "region", "documents", "foreign_documents_legalised")),
                  FormStep("contact", ("contact",))),
    "repatriation": (FormStep("deceased", ("deceased",)),
                     FormStep("person", ("applicant", "relationship", "power_of_attorney_number",
                                         "costs_borne_by_applicant")),
                     FormStep("payment", ("mission", "bank_account")), FormStep("contact", ("region", "contact"))),
    "work-permit": (FormStep("employer", ("employer",)), FormStep("worker", ("worker",)),
                    FormStep("position", ("region", "sector", "position", "quota_year", "fee_paid")),
                    FormStep("contact", ("contact",))),
    "agency-permit": (FormStep("agency", ("agency_name", "tax_id", "region")), FormStep("head", ("head",)),
                      FormStep("founders", ("founders",)),
                      FormStep("partners", ("destination_countries", "foreign_partners")),
                      FormStep("contact", ("contact",))),
}


@dataclass(frozen=True)
class ApplicationForm:
    procedure: Procedure
    steps: tuple[FormStep, ...]
    fields: tuple[FormField, ...]  # every field of the application, in the model's order

    def step_fields(self, index: int) -> list[FormField]:
        wanted = self.steps[index].fields
        return sorted((f for f in self.fields if f.name in wanted), key=lambda f: wanted.index(f.name))

    def step_of(self, path: str) -> int:
        """The page that asks for the field at `path` (the last page for a problem of the whole form)."""
        top = path.split(".", 1)[0]
        return next((i for i, s in enumerate(self.steps) if top in s.fields), len(self.steps) - 1)


FORMS = {slug: ApplicationForm(PROCEDURES[slug], steps, tuple(form_fields(PROCEDURES[slug].application)))
         for slug, steps in STEPS.items()}
