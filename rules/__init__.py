"""Statutory values per procedure, read from the versioned TOML files beside this module."""

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from schemas.calendar import Calendar
from schemas.rules import UNITS, Period, ProcedureRules, WorkingCalendar

RULES_DIR = Path(__file__).resolve().parent


class RulesError(ValueError):
    pass


@lru_cache
def working_calendar() -> WorkingCalendar:
    raw = tomllib.loads((RULES_DIR / "holidays.toml").read_text(encoding="utf-8"))
    years = raw.get("years", {})
    return WorkingCalendar(
        version=raw["version"],
        utc_offset_hours=int(raw["utc_offset_hours"]),
        holidays=sorted(d for days in years.values() for d in days),
        years=sorted(int(y) for y in years),
        fallback_fixed=list(raw.get("fallback_fixed", [])),
    )


@lru_cache
def service_calendar() -> Calendar:
    """Kyrgyz working days and local time, for code outside workflows (which get theirs in the input)."""
    return Calendar(working_calendar())


def local_today(moment: datetime) -> date:
    """The day it is in Kyrgyzstan at `moment`: a case or document numbered in the first hours of
    1 January belongs to the new year, though UTC is still in the old one."""
    return service_calendar().local_date(moment)


@lru_cache
def procedure_rules(procedure: str) -> ProcedureRules:
    path = RULES_DIR / f"{procedure.replace('-', '_')}.toml"
    if not path.exists():
        raise RulesError(f"no rules file for procedure {procedure!r}")
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    periods = {}
    for name, p in raw.get("periods", {}).items():
        if p.get("unit") not in UNITS or int(p.get("amount", -1)) < 0:
            raise RulesError(f"{path.name}: period {name!r} needs a non-negative amount and a unit in {UNITS}")
        if not p.get("source"):
            raise RulesError(f"{path.name}: period {name!r} has no source")
        periods[name] = Period(int(p["amount"]), p["unit"], p["source"])
    return ProcedureRules(
        procedure=raw["procedure"],
        version=raw["version"],
        periods=periods,
        calendar=working_calendar(),
        reminder_fraction=float(raw.get("reminder_fraction", 0.75)),
        max_extensions=int(raw.get("max_extensions", 1)),
        values={k: int(v) for k, v in raw.get("values", {}).items()},
    )


@dataclass(frozen=True)
class Amount:
    country: str
    currency: str
    amount: int
    effective_from: date
    legal_act: str


@lru_cache
def repatriation_amounts() -> tuple[Amount, ...]:
    raw = tomllib.loads((RULES_DIR / "repatriation.toml").read_text(encoding="utf-8"))
    return tuple(Amount(r["country"], r["currency"], int(r["amount"]), date.fromisoformat(r["effective_from"]),
                        r["legal_act"]) for r in raw.get("amounts", []))


def repatriation_amount(country: str, date_of_death: date) -> Amount:
    """The row in force at the date of death: the country's own, else the fallback ("*")."""
    in_force = [a for a in repatriation_amounts() if a.effective_from <= date_of_death]
    for wanted in (country, "*"):
        rows = [a for a in in_force if a.country == wanted]
        if rows:
            return max(rows, key=lambda a: a.effective_from)
    raise RulesError(f"no repatriation amount in force on {date_of_death} for {country}, and no fallback row")


@dataclass(frozen=True)
class DocumentRules:
    """rules/documents.toml: number format, document kinds, issuers, legal bases, appeal route."""

    version: str
    number_format: str
    types: dict[str, dict]
    procedures: dict[str, dict]
    appeal_body: dict[str, str]

    def kind(self, doc_type: str) -> str:
        return self.types[doc_type]["kind"]

    def number(self, doc_type: str, region: str, year: int, seq: int) -> str:
        return self.number_format.format(type=doc_type, region=region, year=year, seq=seq)

    def series(self, doc_type: str, region: str, year: int) -> str:
        """The counter a number comes from: the format without its sequence."""
        return self.number_format.split("{seq")[0].format(type=doc_type, region=region, year=year).rstrip("-")


@lru_cache
def document_rules() -> DocumentRules:
    raw = tomllib.loads((RULES_DIR / "documents.toml").read_text(encoding="utf-8"))
    rules = DocumentRules(raw["version"], raw["number_format"], raw["types"], raw["procedures"], raw["appeal_body"])
    for slug, p in rules.procedures.items():
        for part in ("issuer_name", "legal_basis"):
            if set(p.get(part, {})) < {"ky", "ru", "en"}:
                raise RulesError(f"documents.toml: procedures.{slug}.{part} needs ky, ru and en")
    return rules
