"""Text extraction from uploaded documents: PDF (pypdf), DOCX (python-docx), ODT and plain text.

Extraction is bounded three ways so a hostile or broken file cannot hurt the
worker: files over ``MAX_FILE_BYTES`` are not opened; at most ``MAX_PAGES``
pages and ``MAX_TEXT_CHARS`` characters are kept; and the parsing runs in a
child process with a time limit and a memory limit.  Whatever goes wrong —
a password, a corrupt file, a scan with no text layer — the result says so in
plain English (``ok=False``, ``reason``) and the document stays listed.

Run as ``python -m search.extraction <path> <extension> <max_pages> <max_chars>``
(what :func:`extract_file` does) it prints one JSON object.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

MAX_FILE_BYTES = 30 * 1024 * 1024
MAX_PAGES = 300
MAX_TEXT_CHARS = 1_000_000
TIMEOUT_SECONDS = 30
MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024
MIN_TEXT_CHARS = 20  # less than this from a PDF means a scan without a text layer

FAILED = "Text could not be extracted"
TEXT_EXTENSIONS = {"txt", "text", "csv", "md"}
SUPPORTED = {"pdf", "docx", "odt", *TEXT_EXTENSIONS}


@dataclass
class ExtractionResult:
    text: str
    ok: bool
    reason: str = ""
    pages: int | None = None
    truncated: bool = False


def _failed(reason: str, pages: int | None = None) -> ExtractionResult:
    return ExtractionResult(text="", ok=False, reason=f"{FAILED}: {reason}", pages=pages)


def extension_of(filename: str) -> str:
    return Path(filename or "").suffix.lower().lstrip(".")


def extract_file(path: str | os.PathLike, filename: str | None = None, *, timeout: float | None = None,
                 max_pages: int | None = None, max_chars: int | None = None) -> ExtractionResult:
    """Extract text from the file at ``path`` in a child process; never raises for a bad file."""
    path = Path(path)
    extension = extension_of(filename or path.name)
    if extension not in SUPPORTED:
        return _failed(f"files of type .{extension or '?'} are not read for search.")
    try:
        size = path.stat().st_size
    except OSError:
        return _failed("the file is missing.")
    if size > MAX_FILE_BYTES:
        return _failed(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    command = [sys.executable, "-m", "search.extraction", str(path), extension,
               str(max_pages or MAX_PAGES), str(max_chars or MAX_TEXT_CHARS)]
    try:
        completed = subprocess.run(
            command, capture_output=True, timeout=timeout or TIMEOUT_SECONDS, cwd=Path(__file__).resolve().parent.parent,
            preexec_fn=_limit_memory if os.name == "posix" else None, check=False,
        )
    except subprocess.TimeoutExpired:
        return _failed(f"reading the file took longer than {timeout or TIMEOUT_SECONDS} seconds.")
    if completed.returncode != 0:
        return _failed("the file is damaged or could not be read.")
    try:
        return ExtractionResult(**json.loads(completed.stdout))
    except (ValueError, TypeError):
        return _failed("the file is damaged or could not be read.")


def _limit_memory() -> None:  # runs in the child before exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


def extract_in_process(path: str, extension: str, max_pages: int = MAX_PAGES, max_chars: int = MAX_TEXT_CHARS) -> ExtractionResult:
    """The parsing itself (in the child process). Each reader returns (text, pages, truncated)."""
    readers = {"pdf": _read_pdf, "docx": _read_docx, "odt": _read_odt}
    try:
        if extension in TEXT_EXTENSIONS:
            text, pages, truncated = _read_text(path, max_chars)
        elif extension in readers:
            text, pages, truncated = readers[extension](path, max_pages)
        else:
            return _failed(f"files of type .{extension} are not read for search.")
    except _Refused as refused:
        return _failed(str(refused))
    except Exception:
        return _failed("the file is damaged or could not be read.")
    text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    if len(text) > max_chars:
        text, truncated = text[:max_chars], True
    if len(text) < MIN_TEXT_CHARS and extension == "pdf":
        return _failed("no text was found; the file may be scanned images.", pages)
    if not text:
        return _failed("the file contains no text.", pages)
    return ExtractionResult(text=text, ok=True, pages=pages, truncated=truncated)


class _Refused(Exception):
    """A file we understood but must not read (a password), with the reason."""


def _read_pdf(path: str, max_pages: int):
    from pypdf import PdfReader

    reader = PdfReader(path, strict=False)
    if reader.is_encrypted:
        try:
            unlocked = reader.decrypt("")  # some PDFs are "encrypted" with an empty password
        except Exception:
            unlocked = 0
        if not unlocked:
            raise _Refused("the PDF is protected by a password.")
    total = len(reader.pages)
    parts = []
    for page in reader.pages[:max_pages]:
        parts.append(page.extract_text() or "")
    return "\n".join(parts), total, total > max_pages


def _read_docx(path: str, max_pages: int):
    import docx

    document = docx.Document(path)
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts), None, False


def _read_odt(path: str, max_pages: int):
    """OpenDocument text: the paragraphs and headings of content.xml, read with the standard library."""
    import zipfile
    from xml.etree import ElementTree

    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("content.xml")
        if info.file_size > 50 * 1024 * 1024:
            raise _Refused("the document's content is too large.")
        root = ElementTree.fromstring(archive.read(info))
    namespace = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
    parts = ["".join(element.itertext()) for element in root.iter() if element.tag in (f"{namespace}p", f"{namespace}h")]
    return "\n".join(parts), None, False


def _read_text(path: str, max_chars: int):
    with open(path, "rb") as handle:
        raw = handle.read(max_chars * 4 + 1)
    for encoding in ("utf-8", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = raw.decode("utf-8", errors="replace")
    if "\x00" in text[:4096]:
        raise _Refused("the file is not plain text.")
    return text, None, len(raw) > max_chars * 4


if __name__ == "__main__":  # the child process
    _path, _extension, _pages, _chars = sys.argv[1:5]
    sys.stdout.write(json.dumps(asdict(extract_in_process(_path, _extension, int(_pages), int(_chars)))))
