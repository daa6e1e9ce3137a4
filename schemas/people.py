"""Personal data shapes common to applications. Validation here is the API's first line."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from schemas.countries import CountryCode
from schemas.phone import international_number
from schemas.text import clean_text, problem

# ISO 3166-2:KG subdivisions; document numbers carry the region of the office.
REGIONS = ("GB", "GO", "B", "C", "J", "N", "O", "T", "Y")
Region = Literal["GB", "GO", "B", "C", "J", "N", "O", "T", "Y"]

Name = Field(min_length=1, max_length=100)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    _clean = model_validator(mode="before")(clean_text)


class Person(Strict):
    family_name: str = Name
    given_names: str = Name
    patronymic: str = Field(default="", max_length=100)
    date_of_birth: date
    sex: Literal["F", "M", "X"]
    nationality: CountryCode  # or "XXA", stateless
    document_type: Literal["passport", "id_card", "travel_document", "none"] = "none"
    document_number: str = Field(default="", max_length=40, pattern=r"^[A-Za-z0-9\- ]*$")

    @field_validator("date_of_birth")
    @classmethod
    def born_in_the_past(cls, value: date) -> date:
        if value > date.today():
            raise problem("date_in_future", "date_of_birth is in the future")
        if value.year < 1900:
            raise problem("date_before_1900", "date_of_birth is before 1900")
        return value

    def initials(self) -> str:
        return f"{self.given_names[:1]}. {self.family_name[:1]}.".upper()


class Contact(Strict):
    address: str = Field(min_length=1, max_length=500)
    phone: str = Field(default="", max_length=30, pattern=r"^[0-9+\-() ]*$")
    email: EmailStr | None = None

    @field_validator("phone")
    @classmethod
    def dialable(cls, value: str) -> str:
        """A number news can be texted to: with its country code, or as dialled in Kyrgyzstan."""
        if value and international_number(value) is None:
            raise problem("phone_unreadable", "write the phone number with its country code (+996 555 123 456) "
                                              "or as dialled in Kyrgyzstan (0555 123 456)")
        return value

    @model_validator(mode="after")
    def reachable(self) -> "Contact":
        if not self.phone and not self.email:
            raise problem("no_contact", "give a phone number or an email address", "phone")
        return self


class FamilyMember(Person):
    relationship: Literal["spouse", "child", "parent", "sibling", "other"]
