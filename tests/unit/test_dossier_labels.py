"""The application as officers read it on the case page: coded answers in the reader's words."""

import pytest

from api.dossier_labels import dossier_value
from api.i18n import countries, country_label
from tests.factories import agency_permit_application, work_permit_application


@pytest.mark.parametrize("lang,sector,sex,region", [("ky", "Курулуш", "Эркек", "Чүй облусу"),
                                                    ("ru", "Строительство", "Мужской", "Чуйская область"),
                                                    ("en", "Construction", "Male", "Chüy region")])
def test_a_work_permits_sector_region_and_the_workers_sex_read_as_words(lang, sector, sex, region):
    application = work_permit_application(region="C", sector="construction")
    assert dossier_value(application["sector"], lang, "sector") == sector
    assert dossier_value(application["region"], lang, "region") == region
    assert f"{sex};" in dossier_value(application["worker"], lang, "worker")


def test_an_agency_heads_sex_reads_as_a_word_and_a_code_outside_the_catalogue_as_it_is():
    assert "Мужской;" in dossier_value(agency_permit_application()["head"], "ru", "head")
    assert dossier_value("Q", "ru", "sex") == "Q"


def test_the_kyrgyz_republic_is_named_in_russian_as_it_names_itself():
    # CLDR's Russian says "Киргизия"; the Constitution (art. 1) says Кыргызская Республика / Кыргызстан.
    assert [country_label("KGZ", lang) for lang in ("ky", "ru", "en")] == ["Кыргызстан", "Кыргызстан", "Kyrgyzstan"]
    assert ("KGZ", "Кыргызстан") in countries("ru")  # the forms' lists too
    assert country_label("CHN", "ru") == "Китай" and country_label("XXA", "ru") == "Лицо без гражданства"
