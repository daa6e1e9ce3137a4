"""Every word of the application forms has a Kyrgyz and a Russian translation: labels, choices,
page titles, error messages, and the name of every country in the lists."""

import re
from pathlib import Path

import pytest

from api import i18n
from api.forms.posted import _CODES
from api.forms.steps import FORMS
from schemas.countries import STATELESS, alpha2_by_alpha3, country_codes

ROOT = Path(__file__).resolve().parents[2]


def _all_fields(fields):
    for f in fields:
        yield f
        yield from _all_fields(f.children)


def test_every_question_choice_and_page_of_the_forms_is_in_the_catalogue():
    wanted: set[tuple[str, str]] = set()
    for slug, form in FORMS.items():
        wanted.add(("ui", slug))
        wanted |= {("ui", f"form_step_{step.key}") for step in form.steps}
        for f in _all_fields(form.fields):
            assert any(i18n.has(c, f.name) for c in ("dossier", "ui", "field")), f"{slug}: no label for {f.name}"
            wanted |= {(f.choice_context, str(choice)) for choice in f.choices}
    wanted |= {("form_error", code) for code in set(_CODES.values())}
    for path in (ROOT / "schemas").glob("*.py"):  # the codes of the models' own checks
        wanted |= {("form_error", code) for code in re.findall(r'problem\("([a-z_]+)"', path.read_text())
                   if not i18n.has("rejection", code)}  # a decision's data is refused as a decision is
    wanted |= {("form_error", c) for c in ("invalid", "pattern", "email", "unknown_country", "files_refused",
                                            "not_submitted")}
    missing = sorted(key for key in wanted if not i18n.has(*key))
    assert not missing, f"not in the catalogue: {missing}"


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_every_country_in_the_lists_has_a_name_in_the_language(lang):
    unnamed = [code for code in country_codes() if i18n.country_label(code, lang) in (code, alpha2_by_alpha3().get(code))]
    assert not unnamed, unnamed
    assert i18n.country_label(STATELESS, lang) != i18n.country_label(STATELESS, "en")
    names = [name for _, name in i18n.countries(lang)]
    assert names == sorted(names, key=str.casefold)  # the reader's alphabetical order
