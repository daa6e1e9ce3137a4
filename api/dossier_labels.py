"""Labels of the application's parts and fields on the staff case page (Kyrgyz, Russian, English).
Kept apart from api/i18n.py's interface words; one place to look when a form field is added."""

DOSSIER_LABELS: dict[str, tuple[str, str, str]] = {
    "deceased": ("Маркум", "Умерший", "Deceased"),
    "bank_account": ("Банк эсеби", "Банковский счёт", "Bank account"),
    "holder": ("Эсептин ээси", "Владелец счёта", "Holder"),
    "bank": ("Банк", "Банк", "Bank"),
    "bic": ("БИК", "БИК", "BIC"),
    "account": ("Эсеп номери", "Номер счёта", "Account number"),
    "relationship": ("Туугандык", "Родство", "Relationship"),
    "costs_borne_by_applicant": ("Чыгымдарды арыз ээси көтөргөн", "Расходы понёс заявитель",
                                 "Costs borne by the applicant"),
    "power_of_attorney_number": ("Ишеним каттын номери", "Номер доверенности", "Power of attorney"),
    "personal_number": ("Жеке номер (ПИН)", "Персональный номер (ПИН)", "Personal number"),
    "date_of_death": ("Каза болгон күнү", "Дата смерти", "Date of death"),
    "country_of_death": ("Каза болгон өлкө", "Страна смерти", "Country of death"),
    "citizen_of_kr": ("КР жараны", "Гражданин КР", "Citizen of the Kyrgyz Republic"),
    "death_document": ("Өлүм тууралуу документ", "Документ о смерти", "Death document"),
    "employer": ("Иш берүүчү", "Работодатель", "Employer"),
    "worker": ("Чет элдик жумушчу", "Иностранный работник", "Foreign worker"),
    "head": ("Агенттиктин жетекчиси", "Руководитель агентства", "Head of the agency"),
    "name": ("Аталышы", "Наименование", "Name"),
    "tax_id": ("ИСН", "ИНН", "Tax ID"),
    "foreign_staff": ("Чет элдик кызматкерлер", "Иностранные работники", "Foreign staff"),
    "local_staff": ("Жергиликтүү кызматкерлер", "Местные работники", "Local staff"),
    "multiple_fee_paid": ("Эселенген алым төлөндү", "Кратная пошлина уплачена", "Multiple fee paid"),
    "sector": ("Тармак", "Отрасль", "Sector"),
    "position": ("Кызмат орду", "Должность", "Position"),
    "quota_year": ("Квотанын жылы", "Год квоты", "Quota year"),
    "fee_paid": ("Мамлекеттик алым төлөндү", "Госпошлина уплачена", "State fee paid"),
    "agency_name": ("Агенттик", "Агентство", "Agency"),
    "founders": ("Негиздөөчүлөр", "Учредители", "Founders"),
    "destination_countries": ("Жөнөтүлүүчү өлкөлөр", "Страны направления", "Destination countries"),
    "foreign_partners": ("Чет элдик өнөктөштөр", "Иностранные партнёры", "Foreign partners"),
    "agreement_number": ("Келишимдин номери", "Номер договора", "Agreement number"),
    "country": ("Өлкө", "Страна", "Country"),
    "country_of_residence": ("Жашаган өлкөсү", "Страна проживания", "Country of residence"),
    "documents": ("Тапшырылган документтер", "Представленные документы", "Documents submitted"),
    "foreign_documents_legalised": ("Чет элдик документтер легалдаштырылган",
                                    "Иностранные документы легализованы", "Foreign documents legalised"),
    "languages": ("Тилдер", "Языки", "Languages"),
    "lodged_at_border": ("Чек арада берилген", "Подано на границе", "Lodged at the border"),
    "region": ("Облус", "Область", "Region"),
    "family_name": ("Фамилиясы", "Фамилия", "Family name"),
    "given_names": ("Аты", "Имя", "Given names"),
    "patronymic": ("Атасынын аты", "Отчество", "Patronymic"),
    "date_of_birth": ("Туулган күнү", "Дата рождения", "Date of birth"),
    "sex": ("Жынысы", "Пол", "Sex"),
    "nationality": ("Жарандыгы", "Гражданство", "Nationality"),
    "document_type": ("Документтин түрү", "Тип документа", "Document type"),
    "document_number": ("Документтин номери", "Номер документа", "Document number"),
    "address": ("Дареги", "Адрес", "Address"),
    "phone": ("Телефон", "Телефон", "Phone"),
    "email": ("Электрондук почта", "Электронная почта", "Email"),
}
YES_NO = {True: ("ооба", "да", "yes"), False: ("жок", "нет", "no")}
# Shown by case.html's own lines already (person, family, entry date, grounds, contact).
SHOWN_ELSEWHERE = {"applicant", "family_members", "date_of_entry", "grounds", "contact"}


def dossier_label(name: str, lang: str) -> str:
    from api.i18n import LANGS

    texts = DOSSIER_LABELS.get(name)
    return texts[LANGS.index(lang)] if texts else name


def dossier_value(value, lang: str) -> str:
    """A field's value as a line of text: nested parts as "label: value", lists joined."""
    from api.i18n import LANGS

    if isinstance(value, bool):
        return YES_NO[value][LANGS.index(lang)]
    if isinstance(value, dict):
        return "; ".join(f"{dossier_label(k, lang)}: {dossier_value(v, lang)}" for k, v in value.items()
                         if v not in ("", None))
    if isinstance(value, list):
        return " · ".join(dossier_value(v, lang) for v in value)
    return str(value)
