"""The application's parts and fields on the staff case page, labelled from the catalogues'
`dossier` context: one place to look when a form field is added."""

from api.i18n import has, text

# Shown by case.html's own lines already (person, family, entry date, grounds, contact).
SHOWN_ELSEWHERE = {"applicant", "family_members", "date_of_entry", "grounds", "contact"}


def dossier_label(name: str, lang: str) -> str:
    return text("dossier", name, lang)


def dossier_value(value, lang: str) -> str:
    """A field's value as a line of text: nested parts as "label: value", lists joined."""
    if isinstance(value, bool):
        return text("yes_no", "yes" if value else "no", lang)
    if isinstance(value, dict):
        return "; ".join(f"{dossier_label(k, lang)}: {dossier_value(v, lang)}" for k, v in value.items()
                         if v not in ("", None))
    if isinstance(value, list):
        return " · ".join(dossier_value(v, lang) for v in value)
    if isinstance(value, str) and has("choice", value):  # a refusal ground, a payment problem…
        return text("choice", value, lang)
    return str(value)
