"""Attachment bytes (.docx, .pdf, .ofd, .doc/.wps, .xlsx) -> text, with the failure kept as data."""

from __future__ import annotations

import dataclasses
import io
import posixpath
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from archive.extract.lines import clean_lines

SUFFIXES = (".docx", ".doc", ".wps", ".pdf", ".ofd", ".xlsx", ".xls", ".et")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TOOL_TIMEOUT = 60


@dataclasses.dataclass(frozen=True)
class AttachmentText:
    """What an attachment held: its text, or why there is none."""

    kind: str              # docx, pdf, ofd, doc, xlsx or unknown
    text: str | None
    error: str | None


def sniff_kind(data: bytes, filename: str) -> str:
    """The file's real format from its first bytes (portals mislabel .wps and .doc often)."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return "unknown"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "OFD.xml" in names:
            return "ofd"
        return "unknown"
    if data.startswith(_OLE):
        return "xls" if filename.lower().endswith((".xls", ".et")) else "doc"
    return "unknown"


def _docx_text(data: bytes) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells = dict.fromkeys(cell.text.strip() for cell in row.cells)  # merged cells repeat
                lines.append(" ".join(c for c in cells if c))
    return "\n".join(lines)


def _pdf_text(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


# text objects whose baselines are closer than this (OFD units: millimetres) are one line
_OFD_LINE_GAP = 1.5


def _ofd_text(data: bytes) -> str:
    """OFD (GB/T 33190: a zip of XML pages): each document's pages in their order, each page's
    text objects in reading order — top to bottom, a line's pieces left to right. Page
    templates (running headers) are left out."""
    package = zipfile.ZipFile(io.BytesIO(data))

    def xml(path: str) -> ElementTree.Element:
        return ElementTree.fromstring(package.read(path.lstrip("/")))

    def local(element: ElementTree.Element) -> str:
        return element.tag.rsplit("}", 1)[-1]

    lines: list[str] = []
    for doc_root in (e.text.strip() for e in xml("OFD.xml").iter() if local(e) == "DocRoot" and e.text):
        folder = posixpath.dirname(doc_root.lstrip("/"))
        pages = [e.get("BaseLoc", "") for e in xml(doc_root).iter() if local(e) == "Page" and e.get("BaseLoc")]
        if not pages:
            raise ValueError(f"{doc_root} lists no pages")
        for page in pages:
            location = page.lstrip("/") if page.startswith("/") else posixpath.normpath(posixpath.join(folder, page))
            pieces = []
            for text_object in (e for e in xml(location).iter() if local(e) == "TextObject"):
                left, top = (float(v) for v in (text_object.get("Boundary") or "0 0").split()[:2])
                for code in (e for e in text_object if local(e) == "TextCode"):
                    pieces.append((top + float(code.get("Y") or 0), left + float(code.get("X") or 0), code.text or ""))
            line: list[tuple[float, float, str]] = []
            for piece in sorted(pieces):
                if line and piece[0] - line[0][0] > _OFD_LINE_GAP:
                    lines.append("".join(text for _, _, text in sorted(line, key=lambda p: p[1])))
                    line = []
                line.append(piece)
            if line:
                lines.append("".join(text for _, _, text in sorted(line, key=lambda p: p[1])))
    return "\n".join(lines)


def _xlsx_text(data: bytes) -> str:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells = [str(v) for v in row if v is not None and str(v).strip()]
            if cells:
                lines.append(" ".join(cells))
    return "\n".join(lines)


def _doc_text(data: bytes) -> str:
    """Word 97-2003 and WPS files through Debian's antiword, else catdoc."""
    tools = [(["antiword", "-m", "UTF-8.txt", "-w", "0"], "antiword"), (["catdoc", "-d", "utf-8", "-w"], "catdoc")]
    available = [(cmd, name) for cmd, name in tools if shutil.which(name)]
    if not available:
        raise RuntimeError("neither antiword nor catdoc is installed (`make install` installs them)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "attachment.doc"
        path.write_bytes(data)
        errors = []
        for command, name in available:
            done = subprocess.run([*command, str(path)], capture_output=True, timeout=_TOOL_TIMEOUT, check=False)
            if done.returncode == 0 and done.stdout.strip():
                return _untable(done.stdout.decode("utf-8", "replace"))
            errors.append(f"{name}: {done.stderr.decode('utf-8', 'replace').strip() or f'exit {done.returncode}'}")
        raise RuntimeError("; ".join(errors))


def _untable(text: str) -> str:
    """antiword draws table rows as `|cell |cell |`: keep the cells, space-separated."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|"):
            line = " ".join(cell.strip() for cell in stripped.strip("|").split("|") if cell.strip())
        lines.append(line)
    return "\n".join(lines)


_READERS = {"docx": _docx_text, "pdf": _pdf_text, "ofd": _ofd_text, "xlsx": _xlsx_text, "doc": _doc_text}


def extract_attachment(data: bytes, filename: str) -> AttachmentText:
    """Text of an attachment. Never raises for a bad file: the error is returned instead."""
    kind = sniff_kind(data, filename)
    reader = _READERS.get(kind)
    if reader is None:
        return AttachmentText(kind, None, f"{filename}: unsupported or unrecognised file format")
    try:
        text = "\n".join(clean_lines(reader(data)))
    except Exception as exc:  # noqa: BLE001 - third-party parsers raise anything on corrupt files
        return AttachmentText(kind, None, f"{filename}: cannot read as {kind}: {type(exc).__name__}: {exc}")
    if not text:
        return AttachmentText(kind, None, f"{filename}: no text in the {kind} (a scan needs OCR)")
    return AttachmentText(kind, text, None)
