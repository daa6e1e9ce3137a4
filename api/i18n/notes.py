"""A note to the applicant (schemas/notes.py: a key and its parameters, as the workflow recorded
it) in the reader's language: days in their format, document types and money in their words."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, format_decimal

from api import i18n

MONEY = ("amount", "deposit", "fee")  # shown in the note's `currency`, as the reader writes money
# Rules' facts that are percentages: key → whether the engine recorded it as a fraction (0.437).
PERCENT_FACTS = {"foreign_share": True, "cap_percent": False}


def note_text(key: str, params: dict | None, lang: str) -> str:
    if not key:
        return ""
    params = params or {}
    shown = {name: _shown(name, str(value), params, lang) for name, value in params.items()}
    template = i18n.text("note", key, lang)
    try:
        sentence = template.format(**shown)
    except (KeyError, IndexError, ValueError):  # a catalogue fault: the test of placeholders catches it
        sentence = template
    # The officer's reasons are the applicant's to read, as written, after the note.
    return f"{sentence}: {params['reason']}" if params.get("reason") else sentence


def money(amount, currency: str, lang: str) -> str:
    """An amount as the reader writes money ("50 000,00 сом"); as it is if it is not a number."""
    try:
        shown = format_currency(Decimal(str(amount)), str(currency), locale=lang)
    except (InvalidOperation, ValueError):
        return str(amount)
    # CLDR's Russian has no sign for the som and writes its code; a Russian reader writes "сом".
    return shown.replace("KGS", "сом") if lang == "ru" else shown


def percent_number(value, lang: str, fraction: bool = False) -> str:
    """A percentage's number as the reader writes it ("43,7" in Russian), one decimal at most, so a
    share just over a cap never reads as the cap itself. The sign is the catalogue's."""
    try:
        number = Decimal(str(value)) * (100 if fraction else 1)
    except InvalidOperation:
        return str(value)
    return format_decimal(number, format="#,##0.#", locale=lang)


def fact_value(key: str, facts: dict, lang: str) -> str:
    """One of the facts the rules gave a case (api/services/timeline.py FACTS), for the auditor."""
    from api.dossier_labels import dossier_value

    value = facts[key]
    if key == "amount" and facts.get("currency"):
        return money(value, str(facts["currency"]), lang)
    if key == "legal_act" and i18n.has("legal_act", str(value)):  # rules/repatriation.toml names the act by key
        return i18n.text("legal_act", str(value), lang)
    if key in PERCENT_FACTS:
        return i18n.text("unit", "percent", lang).format(value=percent_number(value, lang, PERCENT_FACTS[key]))
    return dossier_value(value, lang)


def _shown(name: str, value: str, params: dict, lang: str) -> str:
    if name == "until":
        try:
            return i18n.local_date(date.fromisoformat(value), lang)
        except ValueError:
            return value
    if name.endswith("_at"):  # a moment the applicant must keep: in Bishkek time, as they write it
        try:
            return i18n.local_time(datetime.fromisoformat(value), lang)
        except ValueError:
            return value
    if name == "document":
        return i18n.doc_label(value, lang)
    if name == "ground" and i18n.has("choice", value):
        return i18n.text("choice", value, lang)
    if name == "mission":
        return i18n.country_label(value, lang)
    if name in ("count", *MONEY):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        if name in MONEY and params.get("currency"):
            return money(number, str(params["currency"]), lang)
        return format_decimal(number, locale=lang)
    return value
