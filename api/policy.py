"""Who may see what of a case: one table, role × procedure × part of the dossier.

Services consult it for the JSON API and the pages alike; routes do not repeat it. A role that
has no row for a procedure does not see its cases at all (not in search, not by number). Within
a procedure a role sees the parts it works on: a finance officer the payment data, never asylum
grounds; a registrar the intake data; an auditor everything, read-only. Admins see no case.
"""

from typing import Any

from schemas.procedures import PROCEDURES

# Parts of each procedure's application, by its top-level fields.
APPLICATION_PARTS: dict[str, dict[str, tuple[str, ...]]] = {
    "refugee": {"identity": ("applicant", "family_members", "region", "lodged_at_border", "date_of_entry",
                             "languages"),
                "grounds": ("grounds",), "contact": ("contact",)},
    "kairylman": {"identity": ("applicant", "family_members", "country_of_residence", "region"),
                  "evidence": ("documents", "foreign_documents_legalised"), "contact": ("contact",)},
    "repatriation": {"identity": ("applicant", "relationship", "power_of_attorney_number", "region"),
                     "deceased": ("deceased", "costs_borne_by_applicant"), "payment": ("bank_account",),
                     "contact": ("contact",)},
    "work-permit": {"identity": ("worker", "region"),
                    "employer": ("employer", "sector", "position", "quota_year", "fee_paid"), "contact": ("contact",)},
    "agency-permit": {"identity": ("head", "agency_name", "tax_id", "region"),
                      "agency": ("founders", "destination_countries", "foreign_partners"), "contact": ("contact",)},
}
# Parts every procedure has besides its application: what officers decided and why (reasons and
# decision data such as interview records), and the files the applicant uploaded.
CASE_PARTS = ("decisions", "files")
EVERYTHING = "*"

ACCESS: dict[str, dict[str, tuple[str, ...]]] = {
    "refugee": {
        "registrar": ("identity", "contact", "files"),
        "case_officer": ("identity", "contact", "grounds", "decisions", "files"),
        "supervisor": ("identity", "contact", "grounds", "decisions", "files"),
        "legal_officer": ("identity", "grounds", "decisions", "files"),
        "auditor": (EVERYTHING,),
    },
    "kairylman": {
        "registrar": ("identity", "contact", "evidence", "decisions", "files"),
        "case_officer": ("identity", "contact", "evidence", "decisions", "files"),
        "supervisor": ("identity", "contact", "evidence", "decisions", "files"),
        "commission": ("identity", "evidence", "decisions", "files"),
        "auditor": (EVERYTHING,),
    },
    "repatriation": {
        "registrar": ("identity", "deceased", "contact", "decisions", "files"),
        "finance_officer": ("identity", "deceased", "payment", "decisions"),
        "supervisor": ("identity", "deceased", "contact", "decisions", "files"),
        "auditor": (EVERYTHING,),
    },
    "work-permit": {
        "case_officer": ("identity", "employer", "contact", "decisions", "files"),
        "supervisor": ("identity", "employer", "contact", "decisions", "files"),
        "auditor": (EVERYTHING,),
    },
    "agency-permit": {
        "registrar": ("identity", "agency", "contact", "decisions", "files"),
        "commission": ("identity", "agency", "decisions", "files"),
        "finance_officer": ("identity", "decisions"),
        "supervisor": ("identity", "agency", "contact", "decisions", "files"),
        "auditor": (EVERYTHING,),
    },
}


def all_parts(procedure: str) -> frozenset[str]:
    return frozenset(APPLICATION_PARTS[procedure]) | frozenset(CASE_PARTS)


def parts(roles, procedure: str) -> frozenset[str]:
    """The parts of a `procedure` case that someone holding `roles` sees (empty: not the case)."""
    granted: set[str] = set()
    for role in roles:
        for part in ACCESS.get(procedure, {}).get(role, ()):
            if part == EVERYTHING:
                return all_parts(procedure)
            granted.add(part)
    return frozenset(granted)


def can_read(roles, procedure: str) -> bool:
    return bool(parts(roles, procedure))


def readable_procedures(roles) -> list[str]:
    return [p for p in PROCEDURES if can_read(roles, p)]


def application_view(roles, procedure: str, application: dict[str, Any]) -> dict[str, Any]:
    """The application with only the fields of the parts `roles` may see."""
    seen = parts(roles, procedure)
    fields = {f for part, names in APPLICATION_PARTS[procedure].items() if part in seen for f in names}
    return {k: v for k, v in application.items() if k in fields}


def hidden_parts(roles, procedure: str) -> list[str]:
    return sorted(all_parts(procedure) - parts(roles, procedure))


def may_supervise(roles) -> bool:
    """Reassigning tasks, every role's backlog, extending a running deadline."""
    return "supervisor" in roles
