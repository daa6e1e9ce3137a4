"""A note to the applicant (schemas/notes.py: a key and its parameters, as the workflow recorded
it) in the reader's language: days in their format, document types and money in their words."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, format_decimal

from api import i18n

MONEY = ("amount", "deposit", "fee")  # shown in the note's `currency`, as the reader writes money


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
