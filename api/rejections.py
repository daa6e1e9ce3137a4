"""Why a decision was refused, in the reader's language: the workflow's rejection `code` and
`params` (workflows/steps/desk.py) rendered from the catalogues' `rejection` context, for the JSON
API (by Accept-Language) and the pages."""

from datetime import date

from api import i18n
from api.i18n.notes import percent_number


def localized(code: str, params: dict, lang: str) -> str | None:
    if not i18n.has("rejection", code):
        return None
    shown = {**params}
    for key in ("step", "other"):
        if key in shown:
            shown[key] = i18n.step_label(shown[key], lang)
    if "date" in shown:
        try:
            shown["date"] = i18n.local_date(date.fromisoformat(shown["date"]), lang)
        except ValueError:
            pass
    if "field" in shown:
        shown["field"] = i18n.field_label(shown["field"], lang)
    if "state" in shown:
        shown["state"] = i18n.state_label(shown["state"], lang)
    if "role" in shown:
        shown["role"] = i18n.role_label(shown["role"], lang)
    if "roles" in shown:
        shown["roles"] = i18n.roles_label(shown["roles"], lang)
    if "outcome" in shown:
        shown["outcome"] = i18n.outcome_label(shown["outcome"], lang)
    for key in ("share", "cap"):  # percentages: the catalogue puts the sign as its language does
        if key in shown:
            shown[key] = percent_number(shown[key], lang)
    if shown.get("mission"):
        shown["mission"] = i18n.country_label(shown["mission"], lang)
    try:
        return i18n.text("rejection", code, lang).format(**shown)
    except (KeyError, IndexError, ValueError):
        return None
