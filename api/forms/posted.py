"""What a form posted, as the nested values its model validates; the same values as hidden inputs
(a form in steps carries the answers of the other steps); and the model's errors by field path."""

from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

from api import i18n
from api.forms.fields import FormField

MAX_ENTRIES = 30  # entries of a repeated group read from one post (the models allow at most 30…100)


@dataclass
class Problem:
    path: str  # "applicant.date_of_birth", "family_members.1.relationship", "" for the whole form
    code: str  # a key of the catalogues' `form_error` context
    params: dict
    said: str = ""  # the words, when the refusal came worded already (a file the app would not take)


def answers_of(form, longest: int = 10_000) -> dict[str, list[str]]:
    """A posted form's text answers by name; a NUL (which PostgreSQL cannot store) drops the answer,
    so the model says what is missing."""
    posted: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str) and "\x00" not in value and len(name) <= 120:
            posted.setdefault(name, []).append(value[:longest])
    return posted


def change_entries(fields: list[FormField], values: dict, action: str) -> dict:
    """`add:<list>` adds an empty entry to a repeated group (another family member, another
    line), `remove:<list>.<n>` takes one out; anything else changes nothing."""
    verb, _, path = action.partition(":")
    name, _, index = path.partition(".")
    field = next((f for f in fields if f.name == name and f.kind == "entries"), None)
    if verb not in ("add", "remove") or field is None:
        return values
    entries = list(values.get(name) or [])
    if verb == "add" and len(entries) < (field.max_items or MAX_ENTRIES):
        entries.append({})
    elif verb == "remove" and index.isdigit() and int(index) < len(entries):
        entries.pop(int(index))
    return {**values, name: entries}


def read(fields: list[FormField], posted: dict[str, list[str]], prefix: str = "") -> dict:
    """Nested values from flat names ("applicant.family_name", "languages.0", "documents"); an
    empty answer is left out, so the model applies its default or says it is missing."""
    out: dict = {}
    for f in fields:
        path = prefix + f.name
        if f.kind == "group":  # even unanswered, so that each of its questions says it is missing
            group = read(f.children, posted, path + ".")
            if group or f.required:  # an optional group left blank is not given at all
                out[f.name] = group
        elif f.kind == "entries":
            entries = [read(f.children, posted, f"{path}.{i}.") for i in _indices(posted, path)]
            out[f.name] = [e for e in entries if e]
        elif f.kind in ("texts", "countries"):
            out[f.name] = list(dict.fromkeys(v for i in _indices(posted, path) for v in _answers(posted, f"{path}.{i}")))
        elif f.kind == "checkboxes":
            out[f.name] = list(dict.fromkeys(_answers(posted, path)))
        elif f.kind == "date":
            day = _date(*(next(iter(_answers(posted, f"{path}.{part}")), "") for part in DATE_PARTS))
            if day:
                out[f.name] = day
        else:
            answer = next(iter(_answers(posted, path)), None)
            if answer is None:
                continue
            if f.kind == "yes_no":
                if answer in ("yes", "no"):
                    out[f.name] = answer == "yes"
            else:
                out[f.name] = answer
    return out


DATE_PARTS = ("year", "month", "day")


def _date(year: str, month: str, day: str) -> str:
    """A day typed as three numbers (the GOV.UK date pattern), as ISO; what the model then refuses
    if it is no real day. Empty if nothing was typed."""
    if not (year or month or day):
        return ""
    if year.isdigit() and month.isdigit() and day.isdigit():
        return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    return f"{year}-{month}-{day}"


def date_parts(value) -> dict[str, str]:
    """An ISO day (or what was typed) back into its three inputs."""
    parts = str(value or "").split("-")
    return dict(zip(DATE_PARTS, parts, strict=False)) if len(parts) == 3 else {}


def _answers(posted: dict[str, list[str]], name: str) -> list[str]:
    return [v.strip() for v in posted.get(name, ()) if v.strip()]


def _indices(posted: dict[str, list[str]], path: str) -> list[int]:
    found = set()
    for name in posted:
        head, _, rest = name.removeprefix(path + ".").partition(".")
        if name.startswith(path + ".") and head.isdigit() and len(head) <= 3:
            found.add(int(head))
    return sorted(found)[:MAX_ENTRIES]


def hidden(fields: list[FormField], values: dict, prefix: str = "") -> list[tuple[str, str]]:
    """The values as (name, value) pairs that `read` reads back."""
    pairs: list[tuple[str, str]] = []
    for f in fields:
        path, value = prefix + f.name, values.get(f.name)
        if value is None:
            continue
        if f.kind == "group":
            pairs += hidden(f.children, value, path + ".")
        elif f.kind == "entries":
            for i, entry in enumerate(value):
                pairs += hidden(f.children, entry, f"{path}.{i}.")
        elif f.kind in ("texts", "countries"):
            pairs += [(f"{path}.{i}", str(v)) for i, v in enumerate(value)]
        elif f.kind == "checkboxes":
            pairs += [(path, str(v)) for v in value]
        elif f.kind == "yes_no":
            pairs.append((path, "yes" if value else "no"))
        elif f.kind == "date":
            pairs += [(f"{path}.{part}", typed) for part, typed in date_parts(value).items()]
        else:
            pairs.append((path, str(value)))
    return pairs


def value_at(values: dict, path: str):
    here = values
    for part in path.split("."):
        if isinstance(here, list) and part.isdigit() and int(part) < len(here):
            here = here[int(part)]
        elif isinstance(here, dict) and part in here:
            here = here[part]
        else:
            return None
    return here


_CODES = {
    "missing": "missing", "string_too_long": "too_long", "string_pattern_mismatch": "pattern",
    "date_parsing": "date", "date_from_datetime_parsing": "date", "date_from_datetime_inexact": "date",
    "date_type": "date", "int_parsing": "number", "int_type": "number", "int_from_float": "number",
    "greater_than_equal": "too_small", "less_than_equal": "too_large", "literal_error": "choose",
    "bool_parsing": "choose", "bool_type": "choose", "too_short": "too_few", "too_long": "too_many",
}


def validate(model: type[BaseModel], values: dict) -> tuple[BaseModel | None, list[Problem]]:
    try:
        return model.model_validate(values), []
    except ValidationError as err:
        return None, [problem_of(e) for e in err.errors(include_url=False)]


def problem_of(e: dict) -> Problem:
    loc = [str(p) for p in e.get("loc", ())]
    ctx = e.get("ctx") or {}
    kind = e["type"]
    if kind == "string_too_short":
        code = "missing" if ctx.get("min_length") == 1 else "too_short"
    elif kind == "value_error" and loc and loc[-1] == "email":
        code = "email"
    elif kind == "string_pattern_mismatch" and loc:
        code = f"pattern_{loc[-1]}"
    else:
        code = _CODES.get(kind, kind)
    if "field" in ctx:  # a check across fields names the field it is about
        loc += str(ctx["field"]).split(".")
    params = {k: str(v) for k, v in ctx.items() if k in ("min_length", "max_length", "ge", "le", "code")}
    return Problem(".".join(loc), code, params)


def problem_message(problem: Problem, lang: str) -> str:
    """The problem in the reader's words, on a form and from the JSON API."""
    if problem.said:
        return problem.said
    code = problem.code if i18n.has("form_error", problem.code) else \
        "pattern" if problem.code.startswith("pattern_") else "invalid"
    template = i18n.text("form_error", code, lang)
    try:
        return template.format(**problem.params)
    except (KeyError, IndexError, ValueError):
        return template
