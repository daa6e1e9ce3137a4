"""Who may see what of a case: one table, role × procedure × part of the dossier, and where a
role reaches (the consular route).

Services consult it for the JSON API and the pages alike; routes do not repeat it. A role that
has no row for a procedure does not see its cases at all (not in search, not by number). Within
a procedure a role sees the parts it works on: a finance officer the payment data, never asylum
grounds; a registrar the intake data; an auditor everything, read-only. Admins see no case.
A consular officer sees only the claims lodged at the mission they serve; the registrar at home
keeps the claims lodged at home.
"""

from dataclasses import dataclass
from typing import Any, Protocol

from schemas.procedures import PROCEDURES

# Parts of each procedure's application, by its top-level fields.
APPLICATION_PARTS: dict[str, dict[str, tuple[str, ...]]] = {
    "refugee": {"identity": ("applicant", "family_members", "region", "lodged_at_border", "date_of_entry",
                             "languages"),
                "grounds": ("grounds",), "contact": ("contact",)},
    "kairylman": {"identity": ("applicant", "family_members", "country_of_residence", "region"),
                  "evidence": ("documents", "foreign_documents_legalised"), "contact": ("contact",)},
    "repatriation": {"identity": ("applicant", "relationship", "power_of_attorney_number", "region", "mission"),
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
        "consular_officer": ("identity", "deceased", "payment", "contact", "decisions", "files"),
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


# Roles whose reach depends on where a claim was lodged (domain.md §3: documents lodged at a
# diplomatic mission are checked and paid there).
AT_OWN_MISSION = frozenset({"consular_officer"})
AT_HOME_ONLY: dict[str, frozenset[str]] = {"repatriation": frozenset({"registrar"})}


class Reader(Protocol):
    roles: tuple[str, ...]
    mission: str | None


@dataclass(frozen=True)
class Reach:
    """Where the cases of one procedure that a reader sees were lodged: anywhere, or only among
    `missions` (None in it: at home)."""

    anywhere: bool
    missions: frozenset[str | None] = frozenset()


def _reaches(role: str, procedure: str, staff_mission: str | None, case_mission: str | None) -> bool:
    if role in AT_OWN_MISSION:
        return bool(staff_mission) and case_mission == staff_mission
    if role in AT_HOME_ONLY.get(procedure, ()):
        return case_mission is None
    return True


def case_parts(reader: Reader, procedure: str, case_mission: str | None) -> frozenset[str]:
    """The parts of one case (lodged at `case_mission`, None: at home) that `reader` sees; empty:
    not theirs to see."""
    return parts([r for r in reader.roles if _reaches(r, procedure, reader.mission, case_mission)], procedure)


def reach(reader: Reader, procedure: str) -> Reach | None:
    """Where `reader` sees cases of `procedure` lodged (None: nowhere), for searches and lists."""
    missions: set[str | None] = set()
    for role in reader.roles:
        if not ACCESS.get(procedure, {}).get(role):
            continue
        if role in AT_OWN_MISSION:
            if reader.mission:
                missions.add(reader.mission)
        elif role in AT_HOME_ONLY.get(procedure, ()):
            missions.add(None)
        else:
            return Reach(True)
    return Reach(False, frozenset(missions)) if missions else None


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


def application_view(seen: frozenset[str], procedure: str, application: dict[str, Any]) -> dict[str, Any]:
    """The application with only the fields of the parts `seen`."""
    fields = {f for part, names in APPLICATION_PARTS[procedure].items() if part in seen for f in names}
    return {k: v for k, v in application.items() if k in fields}


def hidden_parts(seen: frozenset[str], procedure: str) -> list[str]:
    return sorted(all_parts(procedure) - seen)


def may_supervise(roles) -> bool:
    """Reassigning tasks, every role's backlog, extending a running deadline."""
    return "supervisor" in roles
