"""Sending an uploaded file back to someone allowed to open it."""

from urllib.parse import quote

from fastapi import Response

from db.models import CaseFile

# Shown in the browser only when it cannot run script; anything else is a download.
INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png"}


def file_response(found: CaseFile) -> Response:
    disposition = "inline" if found.content_type in INLINE_TYPES else "attachment"
    return Response(found.content, media_type=found.content_type if found.content_type in INLINE_TYPES
                    else "application/octet-stream",
                    headers={"Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(found.filename)}",
                             "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
                             "Content-Security-Policy": "sandbox; default-src 'none'"})


def pdf_response(pdf: bytes, number: str) -> Response:
    """An issued document's PDF, as a download named by its number."""
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{number}.pdf"',
                             "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})
