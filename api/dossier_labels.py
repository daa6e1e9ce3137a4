"""The application's parts and fields on the staff case page, labelled from the catalogues'
`dossier` context: one place to look when a form field is added."""

import re
from datetime import date, datetime

from api.i18n import country_label, has, local_date, local_time, text

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")

# Shown by case.html's own lines already (person, family, entry date, grounds, contact).
SHOWN_ELSEWHERE = {"applicant", "family_members", "date_of_entry", "grounds", "contact"}
# Fields that hold ISO 3166-1 alpha-3 codes, shown as the country's name.
COUNTRY_FIELDS = {"nationality", "country", "country_of_death", "country_of_residence", "destination_countries",
                  "mission"}


# Fields that hold a code whose name is in the catalogue context of the same name.
CODED_FIELDS = {"region", "sector", "sex"}


def dossier_label(name: str, lang: str) -> str:
    return text("dossier", name, lang)


def dossier_value(value, lang: str, key: str = "") -> str:
    """A field's value as a line of text: nested parts as "label: value", lists joined, dates and
    chosen values (a relationship, a refusal ground, a region) in the reader's words."""
    if key in CODED_FIELDS and isinstance(value, str) and has(key, value):
        return text(key, value, lang)
    if key in COUNTRY_FIELDS and isinstance(value, str):
        return country_label(value, lang)
    if isinstance(value, str) and ISO_DATE.match(value):
        return local_date(date.fromisoformat(value), lang)
    if isinstance(value, str) and ISO_MOMENT.match(value):  # an interview held at…, in Bishkek time
        try:
            return local_time(datetime.fromisoformat(value.replace("Z", "+00:00")), lang)
        except ValueError:
            return value
    if isinstance(value, bool):
        return text("yes_no", "yes" if value else "no", lang)
    if isinstance(value, dict):
        return "; ".join(f"{dossier_label(k, lang)}: {dossier_value(v, lang, k)}" for k, v in value.items()
                         if v not in ("", None))
    if isinstance(value, list):
        return " · ".join(dossier_value(v, lang, key if key in COUNTRY_FIELDS else "") for v in value)
    if isinstance(value, str) and has("choice", value):  # a refusal ground, a payment problem…
        return text("choice", value, lang)
    return str(value)
