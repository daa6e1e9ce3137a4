"""Countries as ISO 3166-1 alpha-3 codes (what applications and documents carry), with "XXA" for
a stateless person (ICAO 9303). The list is CLDR's, through Babel, so every country has a name
in Kyrgyz, Russian and English without a second list to keep."""

from functools import cache
from typing import Annotated

from babel.core import Locale, get_global
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

STATELESS = "XXA"
# Alpha-3 codes CLDR still aliases although the country is gone (Burma, Zaire, GDR, metropolitan
# France, East Timor, South Yemen): their successors have codes of their own.
_WITHDRAWN = {"BUR", "ZAR", "DDR", "FXX", "TMP", "YMD"}


@cache
def alpha2_by_alpha3() -> dict[str, str]:
    named = Locale("en").territories
    return {code: targets[0] for code, targets in get_global("territory_aliases").items()
            if len(code) == 3 and code.isalpha() and code not in _WITHDRAWN
            and len(targets) == 1 and len(targets[0]) == 2 and targets[0] in named and targets[0] != "ZZ"}


def country_codes() -> tuple[str, ...]:
    return (*sorted(alpha2_by_alpha3()), STATELESS)


def known_country(code: str) -> str:
    if code != STATELESS and code not in alpha2_by_alpha3():
        raise PydanticCustomError("unknown_country", "unknown country code {code}", {"code": code})
    return code


CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3"),
                        AfterValidator(known_country)]


def real_country(code: str) -> str:
    """A country of residence, death or destination: a real one, never "stateless"."""
    return known_country("" if code == STATELESS else code)


Country = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3"), AfterValidator(real_country)]
