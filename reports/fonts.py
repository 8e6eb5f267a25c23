"""The bundled CJK font (WenQuanYi Micro Hei 文泉驿微米黑, Apache-2.0; see
``resources/fonts/LICENSE-wqy-microhei.txt``), registered once for reportlab. Its glyphs are
TrueType outlines, so reportlab embeds the subset a document uses: a notice renders the same
on a machine with no Chinese font installed."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

#: The name documents use for the bundled font.
FONT = "WenQuanYiMicroHei"
FONT_FILE = "wqy-microhei.ttc"


def font_path() -> Path:
    """Where the bundled font file is (inside the installed ``resources`` package)."""
    import resources  # noqa: PLC0415 - the data package, located only when first needed

    return Path(resources.__file__).with_name("fonts") / FONT_FILE


@cache
def register_font() -> str:
    """Register the bundled font with reportlab (once) and return its name."""
    pdfmetrics.registerFont(TTFont(FONT, str(font_path()), subfontIndex=0))
    # Bold is drawn with the same face: the font has no bold, and a fake bold would blur CJK.
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)
    return FONT
