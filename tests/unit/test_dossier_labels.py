"""The application as officers read it on the case page: coded answers in the reader's words."""

import pytest

from api.dossier_labels import dossier_value
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
