"""HTML to PDF with WeasyPrint (Pango lays out the text; see README for the Debian packages)."""

from __future__ import annotations

from pathlib import Path

from toxplan.errors import ToxPlanError

TEMPLATES = Path(__file__).resolve().parent / "templates"


class RenderingUnavailable(ToxPlanError):
    """The PDF engine cannot run here (its system libraries are missing)."""

    code = "pdf_unavailable"


def html_to_pdf(html: str) -> bytes:
    """A PDF of ``html``; its stylesheets and images resolve against the templates folder."""
    try:
        from weasyprint import HTML  # noqa: PLC0415  (imports Pango: only when a PDF is made)
    except OSError as exc:  # the shared libraries (Pango, HarfBuzz) are not installed
        raise RenderingUnavailable(f"PDF rendering is not available: {exc}", field="pdf") from None
    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    assert pdf is not None  # write_pdf without a target returns the bytes
    return bytes(pdf)
