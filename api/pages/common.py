"""Rendering, language, and turning a step's form into decision data."""

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api import i18n
from api.deps import CASE_READERS, DECIDERS
from api.dossier_labels import SHOWN_ELSEWHERE, dossier_label, dossier_value
from api.forms.posted import date_parts, value_at
from api.i18n.notes import fact_value, money, note_text
from api.pages import csrf
from api.rejections import localized
from schemas.steps import REASON_MAX, Outcome


def form_label(name: str, lang: str) -> str:
    """An application field's label: as the case page names it, else the interface's word."""
    context = next((c for c in ("dossier", "ui", "field") if i18n.has(c, name)), "dossier")
    return i18n.text(context, name, lang)


def choice_label(context: str, value: str, lang: str) -> str:
    return i18n.country_label(value, lang) if context == "country" else i18n.text(context, value, lang)


def choices(f, lang: str) -> list[tuple[str, str]]:
    return [(str(code), choice_label(f.choice_context, str(code), lang)) for code in f.choices]


def chosen_values(f, value) -> list[str]:
    """The options a choice question shows as chosen (none until the person answers)."""
    if value is None:
        return []
    if f.kind == "yes_no":
        return ["yes" if value else "no"]
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


templates = Jinja2Templates(directory=str(Path(__file__).resolve().parents[1] / "templates"))
templates.env.globals.update(t=i18n.t, state_label=i18n.state_label, role_label=i18n.role_label,
                             step_label=i18n.step_label, field_label=i18n.field_label, outcome_label=i18n.outcome_label,
                             doc_label=i18n.doc_label, awaiting_label=i18n.awaiting_label,
                             LANGS=i18n.LANGS, LANG_NAMES=i18n.LANG_NAMES, DECIDER_ROLES=DECIDERS,
                             READER_ROLES=CASE_READERS, region_label=i18n.region_label,
                             text=i18n.text, action_label=i18n.action_label, roles_label=i18n.roles_label,
                             clock_label=i18n.clock_label, timer_label=i18n.timer_label, due_text=i18n.due_text,
                             note=note_text, country_label=i18n.country_label,
                             countries=i18n.countries, form_label=form_label, choice_label=choice_label, choices=choices,
                             chosen_values=chosen_values, value_at=value_at, date_parts=date_parts,
                             has_hint=lambda name: i18n.has("form_hint", name), reason_max=REASON_MAX, money=money,
                             fact_value=fact_value, refusal_text=localized, local_time=i18n.local_time, last_day=i18n.last_day,
                             local_date=i18n.local_date, dossier_label=dossier_label,
                             dossier_value=dossier_value, SHOWN_ELSEWHERE=SHOWN_ELSEWHERE)
BISHKEK = "+06:00"


def _lang_links(request: Request, context: dict[str, Any]):
    """A GET link to this page in another language. After a POST (a form shown again with an
    error) it leads to the page the form belongs to (`canonical`), never to the POST's address."""
    if request.method == "GET":
        base, query = request.url.path, {k: v for k, v in request.query_params.items() if k != "lang"}
    else:
        base, query = context.get("canonical", "/"), {}
    return lambda code: f"{base}?{urlencode({**query, 'lang': code})}"


def _upload_mb(request: Request) -> int:
    """The largest file a form takes, in MB, for the hints beside its file fields."""
    return max(request.app.state.settings.max_upload_bytes // 2**20, 1)


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    lang = i18n.choose_lang(request)
    token, fresh_cookie = csrf.issue(request)
    response = templates.TemplateResponse(request, name, {"lang": lang, "csrf_token": token,
                                                          "lang_href": _lang_links(request, context),
                                                          "upload_mb": _upload_mb(request), **context},
                                          status_code=status_code)
    secure = csrf.secure_cookies(request)
    if fresh_cookie:
        response.set_cookie(csrf.COOKIE, fresh_cookie, httponly=True, samesite="strict", secure=secure, path="/")
    from api.pages.staff_session import renew

    renew(request, response)
    if request.query_params.get("lang") in i18n.LANGS:
        response.set_cookie("aryz_lang", lang, max_age=365 * 86400, samesite="lax", httponly=True, secure=secure)
    # Pages may show personal data: never cache them, never frame them.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    # "same-origin", not "no-referrer": with no referrer Chromium sends "Origin: null" on form
    # posts, and the CSRF check needs the real origin.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def form_fields(outcome: Outcome) -> list[dict[str, Any]]:
    """Input fields for an outcome's data, from its pydantic model."""
    if outcome.data is None:
        return []
    fields = []
    schema = outcome.data.model_json_schema()
    required = set(schema.get("required", []))
    for name, prop in schema["properties"].items():
        kind = "text"
        if prop.get("type") == "boolean":
            kind = "bool"
        elif prop.get("format") == "date-time":
            kind = "datetime"
        elif prop.get("format") == "date":
            kind = "date"
        elif "enum" in prop:
            kind = "select"
        elif prop.get("x-choose") == "family_members":  # ticked by name, not typed as numbers (schemas/steps.py)
            kind = "members"
        elif prop.get("type") == "array":
            kind = "lines"
        elif prop.get("maxLength", 0) > 300:
            kind = "textarea"
        fields.append({"name": name, "kind": kind, "options": prop.get("enum", []),
                       "required": name in required, "help": prop.get("description", "")})
    return fields


MAX_MEMBERS = 30  # family members an application names at most


def form_data(outcome: Outcome, form: dict[str, str]) -> dict[str, Any]:
    """The decision's `data` from a submitted form; validation is left to the step's model."""
    data: dict[str, Any] = {}
    for field in form_fields(outcome):
        raw = form.get(f"data.{field['name']}", "")
        if field["kind"] == "bool":
            data[field["name"]] = raw == "on"
        elif field["kind"] == "members":  # one box per member, numbered as in the application; or typed
            # numbers, where the reader's roles do not show the family (the form is then a text box)
            data[field["name"]] = [i for i in range(1, MAX_MEMBERS + 1) if form.get(f"data.{field['name']}.{i}") == "on"] \
                + [line.strip() for line in raw.splitlines() if line.strip()]
        elif field["kind"] == "lines":
            data[field["name"]] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif raw.strip() == "" and not field["required"]:
            continue
        elif field["kind"] == "datetime":
            value = raw.strip()
            data[field["name"]] = value if value[-6:-5] in "+-" or value.endswith("Z") else f"{value}{BISHKEK}"
        else:
            data[field["name"]] = raw
    return data
