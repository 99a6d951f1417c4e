"""Documents demo: one small synthetic PDF (a referral letter) on a demo chart, uploaded
through the real action (so it is sniffed, scanned and audited like any upload).

Call after `openiop.core.demo.load` (e.g. from `load_demo`):
`documents_demo.load_documents_demo(program)`.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from openiop.documents import actions
from openiop.documents.models import Document
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.models import Program


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF 1.4 showing `lines` in Helvetica (ASCII only), with a correct xref."""
    text = " T* ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj"
        for line in lines
    )
    stream = f"BT /F1 12 Tf 16 TL 72 720 Td {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


REFERRAL_LETTER = [
    "Riverside Community Clinic (synthetic demo letter)",
    "",
    "Referral to the intensive outpatient program.",
    "Reason: low mood and anxiety, weekly therapy not enough.",
    "This letter is made up for the OpenIOP demo.",
]


def load_documents_demo(program: Program) -> Document | None:
    """A referral letter on the first demo participant's chart, uploaded by a team writer."""
    participant = Participant.objects.filter(program=program).order_by("id").first()
    if participant is None:
        return None
    member = (
        CareTeamMember.objects.filter(participant=participant, can_write=True)
        .select_related("clinician")
        .order_by("id")
        .first()
    )
    if member is None:
        return None
    upload = SimpleUploadedFile(
        "referral-letter.pdf", minimal_pdf(REFERRAL_LETTER), content_type="application/pdf"
    )
    return actions.upload_document(
        participant,
        upload=upload,
        kind=Document.Kind.REFERRAL_LETTER,
        title="Referral letter from Riverside Community Clinic",
        acting_user=member.clinician,
    )
