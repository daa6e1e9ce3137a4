"""The UI in Kyrgyz, Russian and English: the reader's language, and every word from the Babel
catalogues (api/locale/<lang>/LC_MESSAGES/messages.po, see catalogues.py)."""

from datetime import date, datetime, timedelta, timezone

from babel import Locale
from babel.dates import format_date, format_datetime
from fastapi import Request

from api.i18n.catalogues import load

LANGS = ("ky", "ru", "en")
DEFAULT_LANG = "ky"  # the state language
LANG_NAMES = {"ky": "Кыргызча", "ru": "Русский", "en": "English"}
BISHKEK_TZ = timezone(timedelta(hours=6))
MESSAGES = {lang: load(lang) for lang in LANGS}


def text(context: str, key: str, lang: str, fallback: str | None = None) -> str:
    """The message in the reader's language; English where a translation is missing (a test
    fails on that), then the fallback."""
    found = MESSAGES.get(lang, {}).get((context, key)) or MESSAGES["en"].get((context, key))
    return found if found is not None else (key if fallback is None else fallback)


def has(context: str, key: str) -> bool:
    return (context, key) in MESSAGES["en"]


def t(key: str, lang: str) -> str:
    return text("ui", key, lang)


def state_label(state: str, lang: str) -> str:
    return text("state", state, lang)


def role_label(role: str, lang: str) -> str:
    return text("role", role, lang)


def roles_label(roles: str, lang: str) -> str:
    """'case_officer,supervisor' as the reader's words."""
    return ", ".join(role_label(r, lang) for r in roles.split(",") if r)


def doc_label(doc_type: str, lang: str) -> str:
    return text("doc", doc_type, lang)


def step_label(step: str, lang: str) -> str:
    """A step's name; a transition that opens several steps at once names them all ("a,b")."""
    if "," in step:
        return "; ".join(text("step", one, lang) for one in step.split(","))
    return text("step", step, lang)


def field_label(name: str, lang: str) -> str:
    return text("field", name, lang, name.replace("_", " "))


def action_label(action: str, lang: str) -> str:
    """A line of the audit timeline: a case event, or what someone did (viewed, exported…)."""
    return text("event", action, lang) if has("event", action) else text("audit_action", action, lang)


def clock_label(clock: str, lang: str) -> str:
    """A running deadline: a statutory period of its own name, or the deadline of one step."""
    return text("clock", clock, lang) if has("clock", clock) else step_label(clock, lang)


def timer_label(summary: str, lang: str) -> str:
    """An engine timer as its summary names it ("interview: reminder", workflows/steps/clock.py):
    the clock in the reader's words, then what the timer waits for."""
    name, _, kind = summary.partition(": ")
    if name.endswith("_documents_reply"):
        clock = text("clock", "documents_reply", lang).format(
            step=step_label(name.removesuffix("_documents_reply"), lang))
    elif name.startswith("permit_") and name.removeprefix("permit_").isdigit():
        clock = text("clock", "permit_year", lang).format(year=name.removeprefix("permit_"))
    else:
        clock = clock_label(name, lang)
    return f"{clock} — {text('timer', kind, lang)}" if has("timer", kind) else clock


def region_label(region: str, lang: str) -> str:
    return text("region", region, lang)


def country_label(code: str, lang: str) -> str:
    """A country's name in the reader's language (CLDR, through Babel); the catalogues' `country`
    context first, for "stateless" (XXA) and where CLDR's name is not the one used here (KGZ in Russian)."""
    from schemas.countries import alpha2_by_alpha3

    if has("country", code):
        return text("country", code, lang)
    alpha2 = alpha2_by_alpha3().get(code)
    return Locale(lang).territories.get(alpha2, code) if alpha2 else code


def countries(lang: str, stateless: bool = True) -> list[tuple[str, str]]:
    """(code, name) of every country, in the reader's alphabetical order."""
    from schemas.countries import country_codes

    codes = country_codes() if stateless else country_codes()[:-1]
    return sorted(((c, country_label(c, lang)) for c in codes), key=lambda pair: pair[1].casefold())


def outcome_label(outcome: str, lang: str) -> str:
    return text("outcome", outcome, lang)


def local_date(day: date | datetime | None, lang: str) -> str:
    """A date as the reader writes it (23 ноября 2026 г.); a moment is first put in Bishkek time."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.astimezone(BISHKEK_TZ).date()
    return format_date(day, "long", locale=lang)


def local_time(moment: datetime | None, lang: str) -> str:
    """A moment in Bishkek time, in the reader's format, with the zone shown."""
    if moment is None:
        return ""
    shown = format_datetime(moment.astimezone(BISHKEK_TZ), "d MMM y, HH:mm", locale=lang)
    return f"{shown} (UTC+6)"


def last_day(due: datetime | None, lang: str) -> str:
    """Deadlines fall due at local midnight; people read them as the last day still in time."""
    return local_date(due - timedelta(seconds=1), lang) if due else ""


def due_text(value: str | datetime | None, lang: str) -> str:
    """A due moment as the pages show deadlines: the last day still in time when it falls at local
    midnight (every statutory deadline does), the moment itself otherwise (a timer's)."""
    if not value:
        return ""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        return str(value)
    local = moment.astimezone(BISHKEK_TZ)
    return last_day(moment, lang) if (local.hour, local.minute, local.second) == (0, 0, 0) else local_time(moment, lang)


_STEP_BY_TITLE = {text("step", key, "en"): key for (ctx, key) in MESSAGES["en"] if ctx == "step"}


def awaiting_label(awaiting: str, lang: str) -> str:
    """'registrar: Register the application' in the reader's language."""
    role, _, rest = awaiting.partition(": ")
    if not rest or not has("role", role):
        return awaiting
    if rest in _STEP_BY_TITLE:
        rest = step_label(_STEP_BY_TITLE[rest], lang)
    elif rest in ("may appeal", "correct the bank account"):
        rest = text("awaiting", rest, lang)
    elif rest.startswith("provide "):
        rest = f"{text('awaiting', 'provide', lang)} {rest.removeprefix('provide ')}"
    return f"{role_label(role, lang)}: {rest}"


def asked_lang(request: Request) -> str | None:
    """The first of the reader's Accept-Language languages that aryz speaks, if any."""
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return None


def api_lang(request: Request) -> str:
    """The JSON API's language: as asked, else English (machine clients send no header)."""
    return asked_lang(request) or "en"


def choose_lang(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    cookie = request.cookies.get("aryz_lang")
    if cookie in LANGS:
        return cookie
    return asked_lang(request) or DEFAULT_LANG
