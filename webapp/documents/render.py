"""HTML → PDF/A with a Chinese font: the one place documents become PDF.

WeasyPrint lays the page out (pdf_variant ``pdf/a-3u``: archival, with Unicode text that
can be searched and extracted) and embeds the subset of the font that the document uses.
The font is found through fontconfig; with no CJK font installed the renderer refuses
(``NoCJKFont``) instead of printing empty boxes where the Chinese should be. The setting
``PDF_CJK_FONTS`` names the families a PDF may use (in order of preference); unset, any
Chinese family fontconfig knows will do, the Noto and Source Han ones first.
"""
import glob
import io
import os
import subprocess
from functools import lru_cache

from flask import current_app, render_template
from markupsafe import Markup
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

PDF_VARIANT = "pdf/a-3u"
FONT_PACKAGE = "fonts-noto-cjk"
INSTALL_FONT = f"apt-get install -y {FONT_PACKAGE}"
# In order of preference: a Song-style serif for the text of a legal document, a sans for headings.
SERIF = ("Noto Serif CJK SC", "Source Han Serif SC", "Noto Serif SC")
SANS = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC")


class NoCJKFont(RuntimeError):
    """No font with Chinese characters is installed: the PDF would show empty boxes. The message
    is the administrator's (the log, the operations view); the document's reader is told that
    the administrator knows (``Document.failure``)."""

    def __init__(self):
        super().__init__(
            f"没有找到中文字体，无法生成 PDF（否则中文会显示为空白方框）：请在服务器上安装 {FONT_PACKAGE} 软件包"
            f"（{INSTALL_FONT}），安装后重启 worker 即重新生成。"
            f" No CJK font was found, so the PDF would print Chinese as empty boxes: install the package"
            f" {FONT_PACKAGE} ({INSTALL_FONT}); the documents are rendered again when the worker restarts.")


def _fontconfig_families() -> list[str]:
    """Every family fontconfig knows with Chinese coverage (``fc-list :lang=zh family``)."""
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20,
                                env=os.environ.copy(), check=False).stdout
    except FileNotFoundError:  # fontconfig's tools missing: look where Debian puts the package
        return ["Noto Serif CJK SC"] if glob.glob("/usr/share/fonts/opentype/noto/NotoSerifCJK*") else []
    families = []
    for line in listed.splitlines():
        families.extend(name.strip() for name in line.split(",") if name.strip())
    return families


@lru_cache(maxsize=4)
def find_cjk_fonts(required: tuple[str, ...] = ()) -> dict[str, str]:
    """The CJK families to use: ``{"serif": …, "sans": …}``; raises ``NoCJKFont`` when there is none.
    ``required``: the only families that may be used (in order of preference), if any are named."""
    known = set(_fontconfig_families())
    if required:
        usable = [f for f in required if f in known]
        if not usable:
            raise NoCJKFont()
        return {"serif": usable[0], "sans": usable[0]}
    if not known:
        raise NoCJKFont()
    serif = next((f for f in SERIF if f in known), None)
    sans = next((f for f in SANS if f in known), None)
    fallback = serif or sans or sorted(known)[0]
    return {"serif": serif or fallback, "sans": sans or fallback}


def configured_fonts() -> dict[str, str]:
    """``find_cjk_fonts`` for the families the app's ``PDF_CJK_FONTS`` setting allows."""
    return find_cjk_fonts(tuple(current_app.config.get("PDF_CJK_FONTS") or ()))


def cjk_font_installed() -> bool:
    """Whether a PDF can be printed now, asking fontconfig afresh (a font installed since counts)."""
    find_cjk_fonts.cache_clear()
    try:
        configured_fonts()
    except NoCJKFont:
        return False
    return True


def css_string(value) -> Markup:
    """A value as a CSS string literal for a <style> block (the running header's content):
    quotes, backslashes, angle brackets and control characters escaped as CSS hex escapes."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\\<>&' or ord(ch) < 32 else ch
                      for ch in str(value if value is not None else ""))
    return Markup(f'"{escaped}"')


def render_html(template_name: str, **context) -> str:
    fonts = configured_fonts()
    return render_template(template_name, fonts=fonts, css_string=css_string, **context)


def render_pdf(template_name: str, **context) -> bytes:
    """``template_name`` rendered with ``context`` as a PDF/A-3u, fonts subset and embedded.

    The template extends ``documents/_page.html``, which sets the running header (``township``
    and ``number``, or ``title``) and the footer 第 X 页 共 Y 页.
    """
    return render_with_pages(template_name, **context)[0]


def render_with_pages(template_name: str, **context) -> tuple[bytes, int]:
    """Like ``render_pdf``, also returning the number of pages."""
    return lay_out(render_html(template_name, **context))


def lay_out(html: str) -> tuple[bytes, int]:
    """The HTML of ``render_html`` as a PDF/A and its number of pages: the long part, which
    reads nothing from the database."""

    document = HTML(string=html).render()
    return document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages)


def append_pdfs(pdf: bytes, appendices: list[bytes]) -> tuple[bytes, int]:
    """Attached PDF scans appended after the rendered pages; returns the bytes and the page count.
    The catalog of the rendered file (its PDF/A metadata and output intent) is kept."""

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for data in appendices:
        writer.append(PdfReader(io.BytesIO(data)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)
