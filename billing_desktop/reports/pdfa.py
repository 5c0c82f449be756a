"""Archival PDFs: reportlab's output made PDF/A-2b (statements) or PDF/A-3b (invoices, with
their Factur-X XML embedded), the same bytes for the same document and date.

reportlab lays the pages out (fonts embedded, ``invariant`` mode: no time or random ID of its
own); pikepdf then adds what PDF/A needs and reportlab does not write: the sRGB output intent
(the ICC profile shipped with pikepdf), the XMP metadata stream agreeing with the document
information dictionary, and for PDF/A-3 the embedded files with their ``/AFRelationship`` and
the catalog's ``/AF``, and saves it with the settings pikepdf resolves for the flavour. The
tests validate what this writes with pikepdf's allowlist validator (built on the veraPDF rule
catalogue: :func:`validate`), ``qpdf --check`` and the metadata rules. The dates are the
``created`` argument (a closed month's documents use the close's time) and the file ID is
derived from the content (``deterministic_id``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Name
from pikepdf import pdfa as pikepdf_pdfa

PRODUCER = "Billing Desktop (reportlab, pikepdf)"
FACTURX_NAMESPACE = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file embedded in a PDF/A-3 document (``relationship``: Alternative, Data, Source)."""

    name: str
    data: bytes
    mime_type: str
    description: str
    relationship: str = "Alternative"


@dataclass(frozen=True, slots=True)
class FacturX:
    """The Factur-X XMP properties of an invoice or credit note PDF."""

    document_type: str  # INVOICE (Factur-X names credit notes INVOICE too)
    conformance_level: str  # EN 16931
    file_name: str = "factur-x.xml"
    version: str = "1.0"


@dataclass(frozen=True, slots=True)
class Described:
    title: str
    author: str
    subject: str
    created: datetime


def now() -> datetime:
    """The current time to the second, in UTC (what a document made today records)."""
    return datetime.now(UTC).replace(microsecond=0)


def archival(
    data: bytes,
    flavour: str,
    described: Described,
    *,
    attachments: Sequence[Attachment] = (),
    facturx: FacturX | None = None,
) -> bytes:
    """``data`` (a reportlab PDF) as PDF/A-``flavour`` ("2b" or "3b"); see the module
    docstring for what is checked, and where."""
    if attachments and flavour != "3b":
        raise ValueError("only PDF/A-3 may embed files")
    created = described.created.astimezone(UTC).replace(microsecond=0)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            # reportlab writes an empty page transition (a presentation effect) on every page.
            if Name.Trans in page.obj:
                del page.obj[Name.Trans]
        for attachment in attachments:
            _attach(pdf, attachment, created)
        # The output intent and the structural repairs first: prepare also rewrites the
        # metadata (with a time of its own, and itself as the producer), replaced below.
        pikepdf_pdfa.prepare(pdf, flavour)
        info = pdf.docinfo
        stamp = _pdf_date(created)
        info[Name.Title] = described.title
        info[Name.Author] = described.author
        info[Name.Subject] = described.subject
        info[Name.Creator] = "Billing Desktop"
        info[Name.Producer] = PRODUCER
        info[Name.CreationDate] = stamp
        info[Name.ModDate] = stamp
        for key in (Name.Keywords, Name.Trapped):
            if key in info:
                del info[key]
        pdf.Root.Metadata = pdf.make_stream(
            _xmp(flavour, described, created, facturx).encode("utf-8"),
            Type=Name.Metadata,
            Subtype=Name.XML,
        )
        out = io.BytesIO()
        # qpdf's settings for the flavour (pikepdf.pdfa.save would also re-read and validate
        # what it wrote: 6.5 s of a 241-page statement, so the tests validate instead).
        pdf.save(out, **pikepdf_pdfa.resolve_save_kwargs(flavour, deterministic_id=True))
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class Validation:
    """pikepdf's PDF/A verdict on a file, less the one kind of finding it cannot judge."""

    findings: tuple[str, ...]  # "rule at where: message" of every finding that counts
    extension_findings: int  # XMP properties of a declared extension schema (Factur-X)

    @property
    def passed(self) -> bool:
        return not self.findings


def validate(data: bytes, flavour: str) -> Validation:
    """Validate ``data`` with pikepdf's PDF/A validator (veraPDF's rule catalogue).

    pikepdf's validator is an allowlist of XMP namespaces: it reports the properties of a PDF/A
    extension schema (the Factur-X ``fx:`` properties and their ``pdfaExtension`` declaration,
    which Factur-X requires) as not permitted, although ISO 19005-3 §6.6.2.3.2 permits any
    property that the XMP declares in an extension schema. Those findings, and only those, are
    set apart when the XMP declares the ``fx`` schema; every other finding counts."""
    report = pikepdf_pdfa.validate_written(io.BytesIO(data), flavour)
    declared = _declares_facturx(data)
    counted: list[str] = []
    extension = 0
    for finding in report.findings:
        if declared and finding.rule.endswith("6.6.2.3.1-1") and _is_extension(finding.message):
            extension += 1
            continue
        counted.append(str(finding))
    return Validation(tuple(counted), extension)


_EXTENSION_PREFIXES = ("fx=", "fx:", "pdfaExtension", "pdfaSchema", "pdfaProperty")


def _is_extension(message: str) -> bool:
    return any(
        f"{kind} {prefix}" in message
        for kind in ("namespace", "property")
        for prefix in _EXTENSION_PREFIXES
    )


def _declares_facturx(data: bytes) -> bool:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if Name.Metadata not in pdf.Root:
            return False
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8", "replace")
    return (
        f"<pdfaSchema:namespaceURI>{FACTURX_NAMESPACE}</pdfaSchema:namespaceURI>" in xmp
        and "<pdfaSchema:prefix>fx</pdfaSchema:prefix>" in xmp
    )


def _attach(pdf: pikepdf.Pdf, attachment: Attachment, created: datetime) -> None:
    stamp = _pdf_date(created)
    stream = pdf.make_stream(attachment.data)
    stream.Type = Name.EmbeddedFile
    stream.Subtype = Name("/" + attachment.mime_type)
    stream.Params = pikepdf.Dictionary(Size=len(attachment.data), ModDate=stamp, CreationDate=stamp)
    spec = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=Name.Filespec,
            F=attachment.name,
            UF=attachment.name,
            Desc=attachment.description,
            AFRelationship=Name("/" + attachment.relationship),
            EF=pikepdf.Dictionary(F=stream, UF=stream),
        )
    )
    root = pdf.Root
    if Name.Names not in root:
        root.Names = pikepdf.Dictionary()
    if Name.EmbeddedFiles not in root.Names:
        root.Names.EmbeddedFiles = pikepdf.Dictionary(Names=pikepdf.Array())
    root.Names.EmbeddedFiles.Names.extend([pikepdf.String(attachment.name), spec])
    if Name.AF not in root:
        root.AF = pikepdf.Array()
    root.AF.append(spec)


def _pdf_date(moment: datetime) -> str:
    return moment.strftime("D:%Y%m%d%H%M%S+00'00'")


def _xmp_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _xmp(flavour: str, described: Described, created: datetime, facturx: FacturX | None) -> str:
    stamp = _xmp_date(created)
    part = flavour[0]
    title, author, subject = (
        escape(text) for text in (described.title, described.author, described.subject)
    )
    fx = ""
    if facturx is not None:
        fx = f"""
  <rdf:Description rdf:about="" xmlns:fx="{FACTURX_NAMESPACE}">
   <fx:DocumentType>{escape(facturx.document_type)}</fx:DocumentType>
   <fx:DocumentFileName>{escape(facturx.file_name)}</fx:DocumentFileName>
   <fx:Version>{escape(facturx.version)}</fx:Version>
   <fx:ConformanceLevel>{escape(facturx.conformance_level)}</fx:ConformanceLevel>
  </rdf:Description>
  <rdf:Description rdf:about=""
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>{FACTURX_NAMESPACE}</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>fx</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>{"".join(_property(name, text) for name, text in _FX_PROPERTIES)}
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>"""
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>{part}</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt>
   </dc:description>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <xmp:CreatorTool>Billing Desktop</xmp:CreatorTool>
   <xmp:CreateDate>{stamp}</xmp:CreateDate>
   <xmp:ModifyDate>{stamp}</xmp:ModifyDate>
   <xmp:MetadataDate>{stamp}</xmp:MetadataDate>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>{escape(PRODUCER)}</pdf:Producer>
  </rdf:Description>{fx}
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


_FX_PROPERTIES = (
    ("DocumentFileName", "The name of the embedded XML invoice file"),
    ("DocumentType", "INVOICE"),
    ("Version", "The version of the Factur-X XML schema"),
    ("ConformanceLevel", "The conformance level of the embedded XML (profile)"),
)


def _property(name: str, description: str) -> str:
    return f"""
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>{name}</pdfaProperty:name>
         <pdfaProperty:valueType>Text</pdfaProperty:valueType>
         <pdfaProperty:category>external</pdfaProperty:category>
         <pdfaProperty:description>{description}</pdfaProperty:description>
        </rdf:li>"""


__all__ = ["Attachment", "Described", "FacturX", "Validation", "archival", "now", "validate"]
