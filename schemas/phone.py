"""Phone numbers as applicants write them, read as an SMS centre wants them (E.164 digits), and
how an applicant is told of news."""

import re

# A number written without a country code is Kyrgyz: "0555 123 456" or "555 123 456" (nine digits
# after the trunk prefix 0), as people here write their own.
HOME_COUNTRY_CODE = "996"
NATIONAL_DIGITS = 9
_SEPARATORS = re.compile(r"[\s\-().]")


def international_number(phone: str) -> str | None:
    """The number as international digits without "+", or None when what was written cannot be
    read as a number a text can be sent to (it is not guessed at: "8 916…" may be Russian or not)."""
    raw = _SEPARATORS.sub("", phone)
    if raw.startswith("+"):
        digits = raw[1:]
    elif raw.startswith("00"):
        digits = raw[2:]
    elif raw.startswith("0") and len(raw) == NATIONAL_DIGITS + 1:
        digits = HOME_COUNTRY_CODE + raw[1:]
    elif len(raw) == NATIONAL_DIGITS:
        digits = HOME_COUNTRY_CODE + raw
    elif raw.startswith(HOME_COUNTRY_CODE) and len(raw) == len(HOME_COUNTRY_CODE) + NATIONAL_DIGITS:
        digits = raw
    else:
        return None
    return digits if digits.isdigit() and 8 <= len(digits) <= 15 and digits[0] != "0" else None


def first_channel(email: str, phone: str, mail: bool, texts: bool) -> str:
    """How news first goes to an applicant: "email" to the address they gave when aryz has a mail
    server, else "sms" to their phone when it has an SMS centre, else "none" (the status page)."""
    if email and mail:
        return "email"
    if phone and texts:
        return "sms"
    return "none"
