"""A certificate (荣誉证书) as a PDF: A4, portrait, for printing at the community office.

Why ReportLab: it is the PDF library the Python world has trusted longest (BSD licence,
maintained since 2000, wheels on PyPI for every platform we run on), and it installs from
PyPI alone: no system libraries, unlike WeasyPrint (Pango, cairo) or wkhtmltopdf (a binary
of its own).

Why its STSong-Light: a PDF of Chinese needs a font with Chinese glyphs. ReportLab carries
the metrics of Adobe's Asian CID fonts, so the PDF names STSong-Light (character collection
Adobe-GB1, encoding UniGB-UCS2-H, a Unicode encoding: the text stays searchable and
copyable) and the reader draws it with its own Song typeface, as every reader that shows
Chinese does (Acrobat, pdf.js, PDFium in Chrome, Preview, WeChat's viewer). Nothing to
find on the server (Debian's fonts-noto-cjk may be missing on a fresh machine, and
ReportLab cannot embed the CFF outlines of Noto CJK anyway), and the file stays a few
kilobytes. What it gives up: the glyphs are not embedded, so the exact look is the
reader's Song.
"""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

import segno
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from wishboard.core.clock import date_words
from wishboard.honours.models import Certificate

FONT = "STSong-Light"
RED = HexColor("#b3121f")
INK = HexColor("#1a1a1a")
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def certificate_words(certificate: Certificate) -> dict[str, str]:
    """The words of a certificate, the same on the page and in the PDF."""
    volunteer = certificate.user_id is not None
    return {
        "title": "荣誉证书",
        "to": f"{certificate.name}{'同志' if volunteer else ''}：",
        "body": f"在{certificate.year}年度双报到志愿服务中表现突出，",
        "body_2": "经社区评选并公示，被评为",
        "honour": certificate.division.label,
        "closing": "特发此证，以资鼓励。",
        "community": certificate.community.name,
        "date": date_words(certificate.issued_at),
    }


LATIN = "Helvetica"


def _markup(text: str) -> str:
    """``text`` for a Paragraph: runs of Latin letters and digits (a year, a code, an
    address) in Helvetica, one of the fonts every PDF reader has; the rest in the CID font,
    whose proportional Latin glyphs readers draw unevenly."""
    parts = re.split(r"([\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)", text)
    return "".join(f'<font name="{LATIN}">{escape(part)}</font>' if odd % 2 else escape(part)
                   for odd, part in enumerate(parts))


def _qr(c: canvas.Canvas, target: str, x: float, y: float, size: float) -> None:
    """The QR code of ``target`` drawn as squares: sharp on paper at any size."""
    matrix = segno.make(target, error="m").matrix
    modules = len(matrix) + 4  # a quiet zone of two modules each side
    step = size / modules
    c.setFillColor(HexColor("#ffffff"))
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(INK)
    for row, line in enumerate(matrix):
        for col, dark in enumerate(line):
            if dark:
                c.rect(x + (col + 2) * step, y + size - (row + 3) * step, step, step,
                       stroke=0, fill=1)


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    font = _font()
    words = certificate_words(certificate)
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setTitle(f"{words['title']} · {certificate.name}")
    c.setAuthor(words["community"])
    c.setSubject(f"{certificate.year}年度{words['honour']}")
    width, height = A4
    c.setStrokeColor(RED)
    c.setLineWidth(4)
    c.rect(1.2 * cm, 1.2 * cm, width - 2.4 * cm, height - 2.4 * cm)
    c.setLineWidth(1)
    c.rect(1.5 * cm, 1.5 * cm, width - 3 * cm, height - 3 * cm)

    c.setFillColor(RED)
    c.setFont(font, 48)
    c.drawCentredString(width / 2, height - 5.5 * cm, words["title"])

    def paragraph(text: str, style: ParagraphStyle, x: float, top: float, w: float) -> float:
        """Draw ``text`` from ``top`` down; returns where it ends."""
        block = Paragraph(_markup(text), style)
        _, used = block.wrapOn(c, w, height)
        block.drawOn(c, x, top - used)
        return top - used

    left, text_width = 3 * cm, width - 6 * cm
    body = ParagraphStyle("body", fontName=font, fontSize=20, leading=34, textColor=INK,
                          alignment=TA_LEFT, wordWrap="CJK", firstLineIndent=40)
    to = ParagraphStyle("to", parent=body, firstLineIndent=0)
    honour = ParagraphStyle("honour", parent=body, fontSize=34, leading=48, textColor=RED,
                            alignment=TA_CENTER, firstLineIndent=0)
    sign = ParagraphStyle("sign", parent=to, fontSize=18, leading=30, alignment=TA_RIGHT)
    small = ParagraphStyle("small", parent=to, fontSize=11, leading=18)
    top = height - 8.5 * cm
    top = paragraph(words["to"], to, left, top, text_width) - 0.6 * cm
    top = paragraph(words["body"], body, left, top, text_width)
    top = paragraph(words["body_2"], to, left, top, text_width) - 0.8 * cm
    top = paragraph(words["honour"], honour, left, top, text_width) - 0.8 * cm
    paragraph(words["closing"], body, left, top, text_width)
    paragraph(words["date"], sign, left, paragraph(words["community"], sign, left, 10 * cm,
                                                   text_width), text_width)

    size = 3.6 * cm
    _qr(c, verify_url, 3 * cm, 3.2 * cm, size)
    beside = 3 * cm + size + 0.5 * cm
    paragraph(f"验证码：{certificate.code_words}", small, beside, 6.8 * cm,
              width - 3 * cm - beside)
    paragraph("用手机扫左边的二维码，或打开下面的网址核验真伪：", small, beside, 6.0 * cm,
              width - 3 * cm - beside)
    paragraph(verify_url, small, beside, 5.2 * cm, width - 3 * cm - beside)
    c.showPage()
    c.save()
    return out.getvalue()
