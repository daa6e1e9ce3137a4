"""The UI in Kyrgyz, Russian and English: language choice and the message catalogue."""

from fastapi import Request

LANGS = ("ky", "ru", "en")
DEFAULT_LANG = "ky"  # the state language
LANG_NAMES = {"ky": "Кыргызча", "ru": "Русский", "en": "English"}

# key: (ky, ru, en)
_M: dict[str, tuple[str, str, str]] = {
    "app_title": ("Арыз — миграциялык кайрылуулар", "Арыз — миграционные обращения", "Aryz — migration applications"),
    "check_status": ("Арызымдын абалын текшерүү", "Проверить статус заявления", "Check my application"),
    "case_number": ("Иштин номери", "Номер дела", "Case number"),
    "access_code": ("Кирүү коду", "Код доступа", "Access code"),
    "show": ("Көрсөтүү", "Показать", "Show"),
    "no_case": ("Мындай номер жана код менен иш табылган жок", "Дело с таким номером и кодом не найдено",
                "No case with this number and access code"),
    "state": ("Абалы", "Состояние", "State"),
    "awaiting": ("Кимди күтөт", "Ожидается", "Awaiting"),
    "deadline": ("Мөөнөтү", "Срок", "Deadline"),
    "history": ("Тарых", "История", "History"),
    "documents": ("Документтер", "Документы", "Documents"),
    "valid_until": ("чейин жарактуу", "действителен до", "valid until"),
    "staff_sign_in": ("Кызматкерлер үчүн кирүү", "Вход для сотрудников", "Staff sign-in"),
    "username": ("Колдонуучу аты", "Имя пользователя", "Username"),
    "password": ("Сырсөз", "Пароль", "Password"),
    "sign_in": ("Кирүү", "Войти", "Sign in"),
    "sign_out": ("Чыгуу", "Выйти", "Sign out"),
    "bad_login": ("Колдонуучу аты же сырсөз туура эмес", "Неверное имя пользователя или пароль",
                  "Incorrect username or password"),
    "locked": ("Бир нече жолу туура эмес киргизилгендиктен кирүү убактылуу бөгөттөлдү; кийинчерээк аракет кылыңыз",
               "После нескольких неудачных попыток вход временно заблокирован; попробуйте позже",
               "Too many failed attempts: signing in is blocked for a while; try again later"),
    "too_many": ("Өтө көп аракет болду; бир аздан кийин кайра аракет кылыңыз",
                 "Слишком много попыток; повторите немного позже", "Too many attempts; try again a little later"),
    "decision_pending": ("Чечим жөнөтүлдү, бирок система азырынча жооп бере элек: аны кайра кабыл алуудан мурун ишти жаңылаңыз",
                         "Решение отправлено, но система ещё не ответила: обновите дело, прежде чем решать снова",
                         "The decision was sent but the system has not answered yet: reload the case before deciding again"),
    "processing_soon": ("Арыз кабыл алынды; иштетүү жакында башталат",
                        "Заявление получено; обработка скоро начнётся",
                        "Application received; processing will begin shortly"),
    "barred_four_eyes": ("Бул иште сиз «{step}» кадамын чечкенсиз; бул кадамды «{role}» ролундагы башка кызматкер чечет",
                         "Вы решали шаг «{step}» по этому делу; этот шаг решает другой сотрудник с ролью «{role}»",
                         "You decided “{step}” on this case; another officer with the role “{role}” decides this step"),
    "barred_role": ("Бул кадамды «{role}» ролу чечет", "Этот шаг решает роль «{role}»",
                    "This step is decided by the role “{role}”"),
    "claimed_by_user": ("Алган: {user}", "Взял в работу: {user}", "Claimed by {user}"),
    "inbox": ("Тапшырмалар", "Задачи", "Inbox"),
    "no_tasks": ("Ачык тапшырмалар жок", "Открытых задач нет", "No open tasks"),
    "step": ("Кадам", "Шаг", "Step"),
    "role": ("Ролу", "Роль", "Role"),
    "due": ("Мөөнөтү", "Срок", "Due"),
    "overdue": ("мөөнөтү өттү", "просрочено", "overdue"),
    "escalated": ("жетекчиге жөнөтүлдү", "передано руководителю", "escalated"),
    "reminded": ("эскертилди", "напоминание", "reminder sent"),
    "claimed_by": ("Аткаруучу", "Исполнитель", "Claimed by"),
    "claim": ("Өзүмө алуу", "Взять себе", "Claim"),
    "open_case": ("Ишти ачуу", "Открыть дело", "Open case"),
    "applicant": ("Арыз ээси", "Заявитель", "Applicant"),
    "application": ("Арыз", "Заявление", "Application"),
    "decide": ("Чечим кабыл алуу", "Принять решение", "Decide"),
    "reason": ("Негиздеме", "Обоснование", "Reason"),
    "reason_required": ("(милдеттүү)", "(обязательно)", "(required)"),
    "submit_decision": ("Чечимди жиберүү", "Отправить решение", "Submit decision"),
    "decision_saved": ("Чечим кабыл алынды", "Решение принято", "Decision recorded"),
    "events": ("Окуялар", "События", "Events"),
    "actor": ("Ким", "Кто", "Who"),
    "when": ("Качан", "Когда", "When"),
    "nothing_to_decide": ("Бул иште ачык кадам жок", "В этом деле нет открытых шагов", "Nothing is open on this case"),
    "language": ("Тил", "Язык", "Language"),
    "403": ("Бул барак сиздин ролуңуз үчүн жабык", "Эта страница закрыта для вашей роли",
            "This page is not open to your role"),
    "not_found": ("Табылган жок", "Не найдено", "Not found"),
    "files": ("Тиркелген файлдар", "Приложенные файлы", "Files"),
    "refugee": ("Качкын статусун таануу", "Признание беженцем", "Refugee recognition"),
    "kairylman": ("Кайрылман статусу", "Статус кайрылмана", "Kairylman status"),
    "repatriation": ("Сөөктү алып келүү чыгымдарын төлөп берүү", "Возмещение расходов на перевозку тела",
                     "Repatriation cost reimbursement"),
    "work-permit": ("Иштөөгө уруксат", "Разрешение на работу", "Work permit"),
    "agency-permit": ("Жеке жумушка орноштуруу агенттигине уруксат", "Разрешение частному агентству занятости",
                      "Private employment agency permit"),
    "unavailable": ("Кызмат убактылуу жеткиликсиз; эч нерсе өзгөргөн жок; бир аздан кийин кайра аракет кылыңыз",
                    "Сервис временно недоступен; ничего не изменилось; попробуйте чуть позже",
                    "The service is unavailable for a moment; nothing was changed; try again shortly"),
    "error_500": ("Биз тараптан ката кетти; кайрылганда бул шилтемени айтыңыз",
                  "Произошла ошибка на нашей стороне; при обращении назовите этот номер",
                  "Something went wrong on our side; quote this reference if you contact us"),
    "date_of_birth": ("Туулган күнү", "Дата рождения", "Date of birth"),
    "nationality": ("Жарандыгы", "Гражданство", "Nationality"),
    "family_members": ("Үй-бүлө мүчөлөрү", "Члены семьи", "Family members"),
    "date_of_entry": ("Кирген күнү", "Дата въезда", "Date of entry"),
    "grounds": ("Негиздер", "Основания", "Grounds"),
    "contact": ("Байланыш", "Контакты", "Contact"),
}

ROLE_LABELS = {
    "registrar": ("Каттоочу", "Регистратор", "Registrar"),
    "case_officer": ("Иш боюнча адис", "Специалист по делу", "Case officer"),
    "supervisor": ("Жетекчи", "Руководитель", "Supervisor"),
    "commission": ("Комиссия", "Комиссия", "Commission"),
    "finance_officer": ("Каржы адиси", "Финансист", "Finance officer"),
    "legal_officer": ("Юрист", "Юрист", "Legal officer"),
    "applicant": ("Арыз ээси", "Заявитель", "Applicant"),
}

STATE_LABELS = {
    "LODGED": ("Арыз берилди", "Заявление подано", "Lodged"),
    "REGISTRATION_REFUSED": ("Каттоодон баш тартылды", "Отказано в регистрации", "Registration refused"),
    "REGISTERED": ("Катталды", "Зарегистрировано", "Registered"),
    "INTERVIEWED": ("Маектешүү өттү", "Собеседование проведено", "Interviewed"),
    "VERIFIED": ("Текшерилди", "Проверено", "Verified"),
    "CONCLUSION_DRAFTED": ("Корутунду даярдалды", "Заключение подготовлено", "Conclusion drafted"),
    "RECOGNISED": ("Качкын катары таанылды", "Признан беженцем", "Recognised as a refugee"),
    "REJECTED": ("Четке кагылды", "Отказано", "Rejected"),
    "APPEAL_WINDOW": ("Даттануу мөөнөтү", "Срок обжалования", "Appeal window open"),
    "IN_APPEAL": ("Даттануу каралууда", "Жалоба рассматривается", "Appeal under review"),
    "OVERTURNED": ("Чечим жокко чыгарылды", "Решение отменено", "Decision overturned"),
    "FINAL_REJECTED": ("Акыркы баш тартуу", "Окончательный отказ", "Finally rejected"),
    "EXIT_ASSISTED": ("Чыгууга жардам берилди", "Оказано содействие в выезде", "Exit assisted"),
    "CERT_ISSUED": ("Күбөлүк берилди", "Удостоверение выдано", "Certificate issued"),
    "WITHDRAWN": ("Арыз кайтарылып алынды", "Заявление отозвано", "Withdrawn"),
    "ABANDONED": ("Келбегендиктен жабылды", "Закрыто из-за неявки", "Closed: applicant did not attend"),
    "SUBMITTED": ("Арыз берилди", "Заявление подано", "Submitted"),
    "DOCS_INCOMPLETE": ("Документтер толук эмес", "Документы неполные", "Documents incomplete"),
    "DOCS_OK": ("Документтер толук", "Документы в порядке", "Documents complete"),
    "ON_COMMISSION_AGENDA": ("Комиссиянын күн тартибинде", "На повестке комиссии", "On the commission's agenda"),
    "GRANTED": ("Кайрылман статусу берилди", "Статус кайрылмана предоставлен", "Kairylman status granted"),
    "REFUSED": ("Баш тартылды", "Отказано", "Refused"),
    "ACTIVE": ("Күбөлүк жарактуу", "Удостоверение действует", "Certificate active"),
    "CITIZENSHIP_APPLIED": ("Жарандыкка арыз берилди", "Подано заявление на гражданство", "Citizenship applied for"),
    "CLOSED_CITIZEN": ("КР жарандыгы алынды", "Получено гражданство КР", "Citizenship acquired"),
    "EXPIRED": ("Мөөнөтү бүттү", "Срок истёк", "Expired"),
    "TERMINATED": ("Статус токтотулду", "Статус прекращён", "Status terminated"),
    "DOCS_CHECK": ("Документтер текшерилүүдө", "Проверка документов", "Documents being checked"),
    "AWAITING_DOCS": ("Документтер күтүлүүдө", "Ожидаются документы", "Awaiting documents"),
    "APPROVED": ("Бекитилди", "Одобрено", "Approved"),
    "PAYMENT_ORDERED": ("Төлөм жөнөтүлдү", "Платёж отправлен", "Payment ordered"),
    "AWAITING_ACCOUNT": ("Эсепти оңдоо күтүлүүдө", "Ожидается исправление счёта", "Awaiting a corrected account"),
    "PAID": ("Төлөндү", "Выплачено", "Paid"),
    "CLOSED": ("Жабылды", "Закрыто", "Closed"),
    "QUOTA_RESERVED": ("Квота брондолду", "Квота зарезервирована", "Quota reserved"),
    "UNDER_REVIEW": ("Каралууда", "На рассмотрении", "Under review"),
    "ISSUED_60D": ("60 күнгө уруксат берилди", "Разрешение на 60 дней выдано", "60-day permit issued"),
    "ACTIVE_360D": ("360 күнгө уруксат жарактуу", "Разрешение на 360 дней действует", "360-day permit active"),
    "CANCELLED": ("Жокко чыгарылды", "Аннулировано", "Cancelled"),
    "DOC_CHECK": ("Документтер текшерилүүдө", "Проверка документов", "Documents being checked"),
    "APPROVED_PENDING_DEPOSIT": ("Бекитилди, күрөө күтүлүүдө", "Одобрено, ожидается залог",
                                 "Approved, awaiting the deposit"),
    "SUSPENDED": ("Убактылуу токтотулду", "Приостановлено", "Suspended"),
}

STEP_LABELS = {
    "registration": ("Арызды каттоо", "Регистрация заявления", "Register the application"),
    "registration_refusal_signoff": ("Каттоодон баш тартууну бекитүү", "Утверждение отказа в регистрации",
                                     "Sign off the refusal to register"),
    "interview": ("Маектешүүгө чакыруу жана аны жазуу", "Приглашение и собеседование",
                  "Invite the applicant and record the interview"),
    "verification": ("Документтерди жана ишенимдүүлүктү текшерүү", "Проверка документов и достоверности",
                     "Verify documents and credibility"),
    "conclusion": ("Корутунду даярдоо", "Подготовка заключения", "Draft the conclusion"),
    "decision": ("Таануу боюнча чечим", "Решение о признании", "Decide on recognition"),
    "appeal_review": ("Даттанууну кароо", "Рассмотрение жалобы", "Review the appeal"),
    "exit_assistance": ("Чыгууга жардам берүү", "Содействие в выезде", "Assist with exit after the final refusal"),
    "intake": ("Арыздын толуктугун текшерүү", "Проверка полноты заявления", "Check the application is complete"),
    "case_file": ("Комиссия үчүн ишти даярдоо", "Подготовка дела для комиссии",
                  "Prepare the case file for the commission"),
    "commission_decision": ("Комиссиянын чечимин жазуу", "Внесение решения комиссии",
                            "Record the commission's decision"),
    "citizenship": ("Жарандык боюнча ишти жазуу", "Учёт дела о гражданстве", "Record the holder's citizenship case"),
    "termination": ("Кайрылман статусун токтотуу", "Прекращение статуса кайрылмана", "Terminate the kairylman status"),
    "certificate_extension": ("Күбөлүктүн мөөнөтүн узартуу", "Продление удостоверения",
                              "Extend the certificate while citizenship is pending"),
    "document_check": ("Документтерди текшерүү", "Проверка документов", "Check the documents"),
    "approval": ("Төлөмдү бекитүү", "Одобрение выплаты", "Approve the reimbursement"),
    "payment": ("Которууну ырастоо", "Подтверждение перевода", "Confirm the transfer"),
    "review": ("Арызды кароо", "Рассмотрение заявления", "Review the work permit application"),
    "cancellation": ("Уруксатты жокко чыгаруу", "Аннулирование разрешения", "Cancel the work permit"),
    "doc_check": ("Агенттиктин документтерин текшерүү", "Проверка документов агентства", "Check the agency's documents"),
    "deposit": ("Күрөөнү жана алымды ырастоо", "Подтверждение залога и сбора", "Confirm the deposit and fee"),
    "suspension": ("Уруксатты убактылуу токтотуу", "Приостановление разрешения", "Suspend the permit"),
    "resumption": ("Уруксатты кайра улантуу", "Возобновление разрешения", "Resume the suspended permit"),
    "permit_commission": ("Уруксатты узартуу же жокко чыгаруу", "Продление или аннулирование разрешения",
                          "Extend or cancel the permit"),
}

OUTCOME_LABELS = {
    "register": ("Каттоо", "Зарегистрировать", "Register"),
    "refuse_registration": ("Каттоодон баш тартуу", "Отказать в регистрации", "Refuse registration"),
    "request_documents": ("Документтерди суроо", "Запросить документы", "Request documents"),
    "confirm_refusal": ("Баш тартууну бекитүү", "Утвердить отказ", "Confirm the refusal"),
    "return_for_registration": ("Каттоого кайтаруу", "Вернуть на регистрацию", "Return for registration"),
    "schedule_interview": ("Маектешүүгө чакыруу", "Назначить собеседование", "Schedule the interview"),
    "record_interview": ("Маектешүүнү жазуу", "Внести запись собеседования", "Record the interview"),
    "complete_verification": ("Текшерүүнү аяктоо", "Завершить проверку", "Complete verification"),
    "recommend_recognition": ("Таанууну сунуштоо", "Рекомендовать признание", "Recommend recognition"),
    "recommend_rejection": ("Баш тартууну сунуштоо", "Рекомендовать отказ", "Recommend rejection"),
    "recognise": ("Качкын катары таануу", "Признать беженцем", "Recognise"),
    "reject": ("Баш тартуу", "Отказать", "Reject"),
    "overturn": ("Чечимди жокко чыгаруу", "Отменить решение", "Overturn"),
    "uphold": ("Чечимди калтыруу", "Оставить решение в силе", "Uphold"),
    "record_exit_assistance": ("Жардамды жазуу", "Отметить содействие", "Record the assistance"),
    "accept_complete": ("Документтер толук", "Документы полные", "Documents complete"),
    "put_on_agenda": ("Күн тартибине коюу", "Внести в повестку", "Put on the agenda"),
    "grant": ("Статус берүү", "Предоставить статус", "Grant"),
    "refuse": ("Баш тартуу", "Отказать", "Refuse"),
    "record_citizenship_application": ("Жарандыкка арызды жазуу", "Отметить заявление на гражданство",
                                       "Record citizenship application"),
    "record_citizenship_acquired": ("Жарандык алынганын жазуу", "Отметить получение гражданства",
                                    "Record citizenship acquired"),
    "terminate": ("Токтотуу", "Прекратить", "Terminate"),
    "extend_certificate": ("Күбөлүктү узартуу", "Продлить удостоверение", "Extend the certificate"),
    "documents_ok": ("Документтер туура", "Документы в порядке", "Documents in order"),
    "approve": ("Бекитүү", "Одобрить", "Approve"),
    "confirm_paid": ("Төлөндү", "Выплачено", "Confirm paid"),
    "payment_failed": ("Которуу ишке ашкан жок", "Перевод не прошёл", "Transfer failed"),
    "issue": ("Уруксат берүү", "Выдать разрешение", "Issue the permit"),
    "cancel": ("Жокко чыгаруу", "Аннулировать", "Cancel"),
    "confirm_deposit": ("Күрөө төлөндү", "Залог получен", "Confirm the deposit"),
    "suspend": ("Токтотуу", "Приостановить", "Suspend"),
    "resume": ("Улантуу", "Возобновить", "Resume"),
    "extend_permit": ("Узартуу", "Продлить", "Extend"),
    "cancel_permit": ("Жокко чыгаруу", "Аннулировать", "Cancel the permit"),
}

FIELD_LABELS = {
    "ground": ("Негиз", "Основание", "Ground"),
    "interview_at": ("Маектешүүнүн убактысы", "Время собеседования", "Interview at"),
    "place": ("Орду", "Место", "Place"),
    "interpreter_language": ("Котормочунун тили", "Язык переводчика", "Interpreter language"),
    "held_at": ("Өткөрүлгөн убакыт", "Время проведения", "Held at"),
    "summary": ("Кыскача мазмуну", "Краткое содержание", "Summary"),
    "identity_established": ("Инсандыгы аныкталды", "Личность установлена", "Identity established"),
    "security_checks_done": ("Коопсуздук текшерүүлөрү бүттү", "Проверки безопасности проведены",
                             "Security checks done"),
    "notes": ("Эскертүүлөр", "Примечания", "Notes"),
    "documents": ("Керектүү документтер (ар бири өзүнчө сапта)", "Нужные документы (каждый с новой строки)",
                  "Documents needed (one per line)"),
    "message": ("Арыз ээсине билдирүү", "Сообщение заявителю", "Message to the applicant"),
    "exit_visa_issued": ("Чыгуу визасы берилди", "Выездная виза выдана", "Exit visa issued"),
    "security_checks_requested": ("Коопсуздук текшерүүлөрү суралды", "Запрошены проверки безопасности",
                                  "Security checks requested"),
    "session_date": ("Комиссиянын отурумунун күнү", "Дата заседания комиссии", "Commission session date"),
    "protocol_number": ("Протоколдун номери", "Номер протокола", "Protocol number"),
    "applied_on": ("Арыз берилген күн", "Дата подачи", "Applied on"),
    "application_number": ("Арыздын номери", "Номер заявления", "Application number"),
    "decree": ("Жарлык", "Указ", "Decree"),
    "acquired_on": ("Алынган күн", "Дата получения", "Acquired on"),
    "until": ("Качанга чейин", "До какой даты", "Until"),
    "bank_reference": ("Банктын шилтемеси", "Номер банковской операции", "Bank reference"),
    "problem": ("Көйгөй", "Проблема", "Problem"),
    "deposit_som": ("Күрөө, сом", "Залог, сом", "Deposit, som"),
    "fee_som": ("Алым, сом", "Сбор, сом", "Fee, som"),
    "payment_reference": ("Төлөмдүн номери", "Номер платежа", "Payment reference"),
}

DOC_LABELS = {
    "AC": ("Башпаанек издөөчүнүн күбөлүгү", "Свидетельство лица, ищущего убежище", "Asylum-seeker certificate"),
    "RC": ("Качкындын күбөлүгү", "Удостоверение беженца", "Refugee certificate"),
    "KC": ("Кайрылмандын күбөлүгү", "Удостоверение кайрылмана", "Kairylman certificate"),
    "WPT": ("Иштөөгө уруксат (60 күн)", "Разрешение на работу (60 дней)", "Work permit (60 days)"),
    "AGP": ("Жумушка орноштуруу агенттигинин уруксаты", "Разрешение агентства занятости",
            "Employment agency permit"),
    "WPL": ("Иштөөгө уруксат (360 күн)", "Разрешение на работу (360 дней)", "Work permit (360 days)"),
}


def _pick(entry: tuple[str, str, str] | None, lang: str, fallback: str) -> str:
    return entry[LANGS.index(lang)] if entry else fallback


def t(key: str, lang: str) -> str:
    return _pick(_M.get(key), lang, key)


def state_label(state: str, lang: str) -> str:
    return _pick(STATE_LABELS.get(state), lang, state)


def role_label(role: str, lang: str) -> str:
    return _pick(ROLE_LABELS.get(role), lang, role)


def doc_label(doc_type: str, lang: str) -> str:
    return _pick(DOC_LABELS.get(doc_type), lang, doc_type)


def step_label(step: str, lang: str) -> str:
    return _pick(STEP_LABELS.get(step), lang, step)


def field_label(name: str, lang: str) -> str:
    return _pick(FIELD_LABELS.get(name), lang, name.replace("_", " "))


def outcome_label(outcome: str, lang: str) -> str:
    return _pick(OUTCOME_LABELS.get(outcome), lang, outcome)


_STEP_BY_TITLE = {labels[2]: step for step, labels in STEP_LABELS.items()}
_APPLICANT_TASKS = {"may appeal": ("даттанса болот", "может обжаловать", "may appeal"),
                    "correct the bank account": ("банк эсебин оңдошу керек", "должен исправить банковский счёт",
                                                 "correct the bank account"),
                    "provide": ("документтерди бериши керек:", "должен предоставить:", "provide")}


def awaiting_label(awaiting: str, lang: str) -> str:
    """'registrar: Register the application' in the reader's language."""
    role, _, rest = awaiting.partition(": ")
    if not rest or role not in ROLE_LABELS:
        return awaiting
    if rest in _STEP_BY_TITLE:
        rest = step_label(_STEP_BY_TITLE[rest], lang)
    elif rest in ("may appeal", "correct the bank account"):
        rest = _pick(_APPLICANT_TASKS[rest], lang, rest)
    elif rest.startswith("provide "):
        rest = f"{_pick(_APPLICANT_TASKS['provide'], lang, 'provide')} {rest.removeprefix('provide ')}"
    return f"{role_label(role, lang)}: {rest}"


def choose_lang(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    cookie = request.cookies.get("aryz_lang")
    if cookie in LANGS:
        return cookie
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return DEFAULT_LANG
