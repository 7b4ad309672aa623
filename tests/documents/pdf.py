"""Reading rendered PDFs back: text, fonts, PDF/A identification."""
import io

from pypdf import PdfReader


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in reader(data).pages)


def fonts(data: bytes) -> dict[str, bool]:
    """Every font of every page (and of the fonts' descendants): is its program embedded?"""
    found = {}

    def walk(font):
        font = font.get_object()
        for descendant in font.get("/DescendantFonts", []):
            walk(descendant)
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None:
            descriptor = descriptor.get_object()
            found[str(font.get("/BaseFont"))] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        elif font.get("/Subtype") != "/Type0":
            found[str(font.get("/BaseFont"))] = False  # a standard font, never embedded

    for page in reader(data).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            walk(font)
    return found


def xmp(data: bytes) -> str:
    metadata = reader(data).trailer["/Root"].get("/Metadata")
    return metadata.get_object().get_data().decode("utf-8") if metadata is not None else ""
