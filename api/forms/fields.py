"""The fields of a form, read from a pydantic model: one FormField per input, nested for a group
(a person, a bank account) and repeated for a list of entries (family members, founders)."""

import types
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Literal, Union, get_args, get_origin

from annotated_types import MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from schemas.countries import known_country, real_country
from schemas.people import REGIONS
from schemas.work_permit import SECTORS

LONG_TEXT = 500  # longer limits get a text area
TEXT_SLOTS = 3  # inputs offered for a list of short texts (languages spoken)


@dataclass
class FormField:
    name: str  # the model's field name: its label is ("dossier"/"field", name) in the catalogues
    kind: str  # text, textarea, email, tel, date, number, yes_no, choice, country, texts, checkboxes, countries, group, entries
    required: bool = False
    choices: tuple[str, ...] = ()
    choice_context: str = ""  # the catalogue context of the choices' labels
    max_length: int | None = None
    min_items: int = 0
    max_items: int | None = None
    children: list["FormField"] = field(default_factory=list)  # a group's fields, or one entry's fields
    default: object = None


def _limits(info: FieldInfo) -> tuple[int | None, int | None]:
    low = next((m.min_length for m in info.metadata if isinstance(m, MinLen)), None)
    high = next((m.max_length for m in info.metadata if isinstance(m, MaxLen)), None)
    return low, high


def _is_country(metadata) -> bool:
    return any(getattr(m, "func", None) in (known_country, real_country) for m in metadata)


def _unwrap(annotation) -> tuple[object, list]:
    """An annotation without Optional and Annotated, and the metadata Annotated carried."""
    metadata: list = []
    while True:
        if get_origin(annotation) is Annotated:
            annotation, *more = get_args(annotation)
            metadata.extend(more)
        elif get_origin(annotation) in (Union, types.UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return annotation, metadata


def _choices(values: tuple) -> tuple[str, str]:
    if set(values) == set(REGIONS):
        return REGIONS, "region"
    if set(values) == set(SECTORS):
        return SECTORS, "sector"
    if set(values) == {"F", "M", "X"}:
        return values, "sex"
    return values, "choice"


def form_fields(model: type[BaseModel], only: tuple[str, ...] | None = None) -> list[FormField]:
    return [_field(name, info) for name, info in model.model_fields.items() if only is None or name in only]


def _field(name: str, info: FieldInfo) -> FormField:
    annotation, metadata = _unwrap(info.annotation)
    metadata = [*info.metadata, *metadata]
    low, high = _limits(info)
    f = FormField(name, "text", required=info.is_required(), max_length=high,
                  default=None if info.is_required() else info.get_default(call_default_factory=True))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        f.kind, f.children = "group", form_fields(annotation)
    elif get_origin(annotation) is list:
        item, item_metadata = _unwrap(get_args(annotation)[0])
        f.min_items, f.max_items, f.max_length = low or 0, high, None
        if isinstance(item, type) and issubclass(item, BaseModel):
            f.kind, f.children = "entries", form_fields(item)
        elif get_origin(item) is Literal:
            f.kind = "checkboxes"
            f.choices, f.choice_context = _choices(get_args(item))
        elif _is_country(item_metadata):
            f.kind = "countries"
        else:
            f.kind = "texts"
            f.max_length = next((m.max_length for m in item_metadata if isinstance(m, MaxLen)), None)
    elif get_origin(annotation) is Literal:
        f.kind = "choice"
        f.choices, f.choice_context = _choices(get_args(annotation))
    elif annotation is bool:
        f.kind = "yes_no"
    elif annotation is int:
        f.kind = "number"
    elif annotation is date:
        f.kind = "date"
    elif _is_country(metadata):
        f.kind = "country"
    elif name == "email":
        f.kind = "email"
    elif name == "phone":
        f.kind = "tel"
    elif high and high > LONG_TEXT:
        f.kind = "textarea"
    return f
