"""Text extraction: each format, and every way a file can refuse to give up its text without crashing anything."""
from __future__ import annotations

import pytest

from search.extraction import FAILED, extract_file
from tests.search import files


def test_pdf_text_is_extracted(tmp_path):
    path = files.pdf(tmp_path / "plan.pdf", ["Dermatology business case for the consortium.", "Freed up resources."])

    result = extract_file(path)

    assert result.ok and result.pages == 2
    assert "Dermatology business case" in result.text and "Freed up resources" in result.text


def test_pdf_pages_beyond_the_cap_are_not_read(tmp_path):
    path = files.pdf(tmp_path / "long.pdf", [f"Page number {n} about prescribing." for n in range(1, 6)])

    result = extract_file(path, max_pages=2)

    assert result.ok and result.truncated and result.pages == 5
    assert "Page number 2" in result.text and "Page number 3" not in result.text


def test_text_beyond_the_character_cap_is_cut(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("commissioning " * 1000)

    result = extract_file(path, max_chars=100)

    assert result.ok and result.truncated and len(result.text) <= 100


def test_password_protected_pdf_is_flagged(tmp_path):
    path = files.encrypted_pdf(tmp_path / "locked.pdf", "Confidential budget")

    result = extract_file(path)

    assert not result.ok and result.text == ""
    assert result.reason.startswith(FAILED) and "password" in result.reason


def test_corrupt_pdf_is_flagged(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n this is not really a pdf \x00\xff" * 20)

    result = extract_file(path)

    assert not result.ok and result.reason.startswith(FAILED)


def test_image_only_pdf_is_flagged(tmp_path):
    path = files.image_only_pdf(tmp_path / "scan.pdf")

    result = extract_file(path)

    assert not result.ok and "scanned images" in result.reason


def test_docx_paragraphs_and_tables_are_extracted(tmp_path):
    path = files.docx(tmp_path / "spec.docx", ["Community MSK triage specification."], [["Service", "Lead"], ["Dermatology", "Jeremy"]])

    result = extract_file(path)

    assert result.ok
    assert "MSK triage specification" in result.text and "Dermatology | Jeremy" in result.text


def test_corrupt_docx_is_flagged(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 not a zip at all")

    assert not extract_file(path).ok


def test_odt_text_is_extracted(tmp_path):
    path = files.odt(tmp_path / "minutes.odt", ["World class commissioning workshop.", "Chilford Hall."])

    result = extract_file(path)

    assert result.ok and "World class commissioning workshop." in result.text and "Heading" in result.text


def test_windows_encoded_text_is_read(tmp_path):
    path = tmp_path / "letter.txt"
    path.write_bytes("Budget £120,000 for the practice’s cluster".encode("cp1252"))

    result = extract_file(path)

    assert result.ok and "£120,000" in result.text


def test_unsupported_type_is_flagged_not_read(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff")

    result = extract_file(path)

    assert not result.ok and ".jpg" in result.reason


def test_extraction_that_takes_too_long_is_stopped(tmp_path):
    path = files.pdf(tmp_path / "slow.pdf", ["Anything"])

    result = extract_file(path, timeout=0.001)

    assert not result.ok and "longer than" in result.reason
