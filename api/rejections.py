"""Why a decision was refused, in the reader's language: the workflow's rejection `code` and
`params` (workflows/steps/desk.py) rendered for the JSON API (by Accept-Language) and the pages."""

from api import i18n

# (Kyrgyz, Russian, English); {step}, {role}, {other} are shown with their labels.
MESSAGES: dict[str, tuple[str, str, str]] = {
    "step_not_open": ("«{step}» кадамы бул иште азыр ачык эмес; ишти жаңылаңыз",
                      "Шаг «{step}» сейчас не открыт по этому делу; обновите дело",
                      "The step “{step}” is not open on this case now; reload the case"),
    "wrong_role": ("«{step}» кадамын «{role}» ролу чечет", "Шаг «{step}» решает роль «{role}»",
                   "The step “{step}” is decided by the role “{role}”"),
    "four_eyes": ("Бул иште сиз «{other}» кадамын чечкенсиз; «{step}» кадамын башка кызматкер чечет",
                  "Вы решали шаг «{other}» по этому делу; шаг «{step}» решает другой сотрудник",
                  "You decided “{other}” on this case; another officer decides “{step}”"),
    "invalid_decision": ("Чечимдин маалыматтары туура эмес: {problem}", "Данные решения неверны: {problem}",
                         "The decision's data is not valid: {problem}"),
    "untrusted": ("Билдирүү текшерүүдөн өткөн жок; баракты жаңылап, кайра аракет кылыңыз",
                  "Сообщение не прошло проверку; обновите страницу и попробуйте снова",
                  "The message did not pass its check; reload the page and try again"),
    "no_running_deadline": ("Узартыла турган мөөнөт жок", "Нет действующего срока, который можно продлить",
                            "There is no running deadline that can be extended"),
    "reason_required": ("Узартуунун себебин жазыңыз", "Укажите причину продления",
                        "An extension needs a recorded reason"),
    "already_extended": ("Бул мөөнөт мурда эле узартылган", "Этот срок уже продлевался",
                         "This deadline was already extended"),
    "bad_date": ("Күнү ЖЖЖЖ-АА-КК түрүндө болушу керек", "Дата должна быть в виде ГГГГ-ММ-ДД",
                 "The date must be written YYYY-MM-DD"),
    "not_after_due": ("Жаңы күн азыркы мөөнөттөн ({due}) кийин болушу керек",
                      "Новая дата должна быть позже текущего срока ({due})",
                      "The new date must be after the current due date ({due})"),
    "past_limit": ("Мөөнөт {limit} күнүнөн ашпайт", "Срок не может выходить за {limit}",
                   "The deadline may not run past {limit}"),
}


def localized(code: str, params: dict, lang: str) -> str | None:
    texts = MESSAGES.get(code)
    if texts is None:
        return None
    shown = {**params}
    for key in ("step", "other"):
        if key in shown:
            shown[key] = i18n.step_label(shown[key], lang)
    if "role" in shown:
        shown["role"] = i18n.role_label(shown["role"], lang)
    try:
        return texts[i18n.LANGS.index(lang)].format(**shown)
    except (KeyError, IndexError, ValueError):
        return None
