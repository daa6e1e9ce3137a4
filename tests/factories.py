"""Test data: valid applications, changed field by field where a test needs it."""

import copy
from datetime import date, datetime, timedelta, timezone

from rules import local_today


def service_today() -> date:
    """Today where the service is (Bishkek, UTC+6): from 18:00 UTC on, a day ahead of the machine's."""
    return local_today(datetime.now(timezone.utc))


def refugee_application(**overrides) -> dict:
    data = {
        "applicant": {"family_name": "Karimova", "given_names": "Dilnoza", "patronymic": "", "date_of_birth": "1990-04-12",
                      "sex": "F", "nationality": "AFG", "document_type": "passport", "document_number": "P1234567"},
        "family_members": [{"family_name": "Karimov", "given_names": "Timur", "date_of_birth": "2015-02-01",
                            "sex": "M", "nationality": "AFG", "relationship": "child"}],
        "date_of_entry": (date.today() - timedelta(days=5)).isoformat(),
        "region": "GB",
        "lodged_at_border": False,
        "languages": ["dari", "russian"],
        "grounds": "Persecution for political opinion in the country of origin.",
        "contact": {"address": "Bishkek, Chui avenue 1", "phone": "+996555000111"},
    }
    data = copy.deepcopy(data)
    data.update(overrides)
    return data


def kairylman_application(**overrides) -> dict:
    data = {
        "applicant": {"family_name": "Tashieva", "given_names": "Aizada", "patronymic": "", "date_of_birth": "1988-07-03",
                      "sex": "F", "nationality": "CHN", "document_type": "passport", "document_number": "E12345678"},
        "family_members": [{"family_name": "Tashiev", "given_names": "Nurlan", "date_of_birth": "2012-09-15",
                            "sex": "M", "nationality": "CHN", "relationship": "child"}],
        "country_of_residence": "CHN",
        "region": "O",
        "documents": ["passport", "birth_certificate", "family_composition_certificate"],
        "foreign_documents_legalised": True,
        "contact": {"address": "Osh, Lenin street 5", "phone": "+996777000222"},
    }
    data = copy.deepcopy(data)
    data.update(overrides)
    return data


def repatriation_application(**overrides) -> dict:
    data = {
        "applicant": {"family_name": "Asanova", "given_names": "Gulnara", "patronymic": "", "date_of_birth": "1975-02-11",
                      "sex": "F", "nationality": "KGZ", "document_type": "passport", "document_number": "AN1234567"},
        "relationship": "spouse",
        "deceased": {"family_name": "Asanov", "given_names": "Bakyt", "date_of_birth": "1972-05-20",
                     "personal_number": "21205197200123", "citizen_of_kr": True,
                     "date_of_death": (date.today() - timedelta(days=20)).isoformat(), "country_of_death": "RUS",
                     "death_document": "consular_registration_mark"},
        "costs_borne_by_applicant": True,
        "region": "C",
        "bank_account": {"holder": "Asanova Gulnara", "bank": "Optima Bank", "bic": "OPTIKG22",
                         "account": "1090000123456789"},
        "contact": {"address": "Tokmok, Lenin street 10", "phone": "+996700111222"},
    }
    data = copy.deepcopy(data)
    data.update(overrides)
    return data


def work_permit_application(**overrides) -> dict:
    data = {
        "employer": {"name": "Kumtor Build LLC", "tax_id": "02108201910123", "foreign_staff": 3, "local_staff": 40},
        "worker": {"family_name": "Zhang", "given_names": "Wei", "patronymic": "", "date_of_birth": "1985-03-03",
                   "sex": "M", "nationality": "CHN", "document_type": "passport", "document_number": "E99887766"},
        "region": "C", "sector": "construction", "position": "Site engineer", "quota_year": service_today().year,
        "fee_paid": True,
        "contact": {"address": "Bishkek, Chui avenue 100", "phone": "+996312000333"},
    }
    data = copy.deepcopy(data)
    data.update(overrides)
    return data


def agency_permit_application(**overrides) -> dict:
    data = {
        "agency_name": "Ish Jolu LLC", "tax_id": "02503201810077",
        "head": {"family_name": "Osmonov", "given_names": "Talant", "patronymic": "", "date_of_birth": "1980-10-10",
                 "sex": "M", "nationality": "KGZ", "document_type": "passport", "document_number": "AC7654321"},
        "founders": [{"name": "Osmonov Talant", "nationality": "KGZ"}],
        "destination_countries": ["KOR", "DEU"],
        "foreign_partners": [{"name": "Hanil Staffing", "country": "KOR", "agreement_number": "HS-2026-4"}],
        "region": "GB",
        "contact": {"address": "Bishkek, Manas avenue 40", "phone": "+996312555000", "email": "office@ishjolu.kg"},
    }
    data = copy.deepcopy(data)
    data.update(overrides)
    return data


APPLICATIONS = {"refugee": refugee_application, "kairylman": kairylman_application,
                "repatriation": repatriation_application, "work-permit": work_permit_application,
                "agency-permit": agency_permit_application}
