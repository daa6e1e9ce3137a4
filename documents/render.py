"""A document's PDF: Jinja2 template → HTML → WeasyPrint (PDF/A-3b, fonts embedded), in Kyrgyz
(the state language) and Russian (the official language) on the same page, with the QR code
that carries the seal and the verification address. Every word comes from the Babel
catalogues (context "document"; titles from "doc", outcomes, grounds) or from rules/documents.toml.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.i18n import doc_label, local_date, text
from documents import qr
from rules import document_rules

HERE = Path(__file__).resolve().parent
LANGS = ("ky", "ru")  # the state language and the official language, side by side


@dataclass(frozen=True)
class Letter:
    """What a refusal or termination letter says besides the holder: the decision and the route."""

    outcome: str
    ground: str = ""
    reasons: str = ""
    appeal_until: date | None = None


@dataclass(frozen=True)
class DocumentContent:
    number: str
    doc_type: str
    procedure: str
    case_number: str
    holder: str
    birth_date: date | None
    valid_from: date
    valid_until: date | None
    seal: str
    verify_url: str
    replaces: str = ""
    is_person: bool = True
    # Further lines of the document: (catalogue key in context "document", value as printed).
    details: list[tuple[str, str]] = field(default_factory=list)
    letter: Letter | None = None


@lru_cache
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    env.globals.update(both=both, numeric_date=numeric_date)
    return env


def both(context: str, key: str, **params) -> dict[str, str]:
    """A catalogue message in each language of the document."""
    return {lang: text(context, key, lang).format(**params) if params else text(context, key, lang) for lang in LANGS}


def numeric_date(day: date | None) -> str:
    """23.11.2026: how both languages write a date on an official document."""
    return day.strftime("%d.%m.%Y") if day else ""


def qr_image(payload: str) -> str:
    """The QR code as a PNG of one pixel a module, which the stylesheet scales up to its printed
    38 mm without smoothing (`image-rendering: pixelated` makes it `/Interpolate false`, which
    poppler, pdf.js since 2021 and Acrobat honour when they enlarge an image), so every module
    prints and shows as a sharp square. A PNG, not an SVG: WeasyPrint draws a QR's thousands of vector
    squares in several times the time."""
    return qr.make(payload).png_data_uri(scale=1, border=2)


def qr_payload(content: DocumentContent) -> str:
    """The verification address on the first line (phones open it), the seal on the second."""
    return f"{content.verify_url}\n{content.seal}"


def render_html(content: DocumentContent) -> str:
    rules = document_rules()
    procedure = rules.procedures[content.procedure]
    kind = rules.kind(content.doc_type)
    letter = content.letter
    appeal = None
    if letter is not None and letter.appeal_until is not None:
        appeal = {lang: text("document", "appeal_route", lang).format(
            body=rules.appeal_body[lang], date=local_date(letter.appeal_until, lang)) for lang in LANGS}
    return _environment().get_template("document.html").render(
        c=content, kind=kind,
        title={lang: doc_label(content.doc_type, lang) for lang in LANGS},
        issuer=procedure["issuer_name"], legal_basis=procedure["legal_basis"],
        ground=both("choice", letter.ground) if letter and letter.ground else None,
        appeal=appeal, qr=qr_image(qr_payload(content)))


@lru_cache
def _stylesheets():
    """The embedded fonts and the documents' stylesheet, loaded once per process: WeasyPrint spends
    a fifth of a render reading @font-face rules afresh (adding each face again, with a temporary
    file, every time it does) and a seventh parsing the stylesheet."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    fonts = (HERE / "fonts").as_uri()
    faces = CSS(string=f"""
        @font-face {{ font-family: "Aryz Sans"; src: url("{fonts}/DejaVuSans.ttf"); }}
        @font-face {{ font-family: "Aryz Sans"; font-weight: bold; src: url("{fonts}/DejaVuSans-Bold.ttf"); }}""",
                font_config=config)
    return config, [faces, CSS(filename=HERE / "templates" / "document.css", font_config=config)]


def render_pdf(content: DocumentContent, issued_at: datetime) -> bytes:
    """The PDF's bytes (before its seal line); the same content renders the same way."""
    from weasyprint import HTML

    html = render_html(content)
    config, stylesheets = _stylesheets()
    document = HTML(string=html, base_url=str(HERE / "templates")).render(stylesheets=stylesheets, font_config=config)
    document.metadata.created = issued_at.isoformat(timespec="seconds")
    document.metadata.modified = document.metadata.created
    return document.write_pdf(pdf_variant="pdf/a-3b", pdf_identifier=content.number.encode(), uncompressed_pdf=False)
