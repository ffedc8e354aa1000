"""The message: a patient's packet, row and clinic in; an email with the packet attached (encrypted if asked) out."""
from __future__ import annotations

import html
import io
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, localtime, parseaddr

import pikepdf

from .. import model
from ..content.addresses import address_problem
from ..locales import for_language


def sender_address(text: str, display_name: str | None) -> Address | None:
    """A sender as given ("Clinic <a@b.org>" or "a@b.org"), named DISPLAY_NAME when it has no name; None if invalid."""
    name, spec = parseaddr(text)
    if not spec or address_problem(spec):
        return None
    local, _, domain = spec.rpartition("@")
    return Address(display_name=name or display_name or "", username=local, domain=domain)


def password(patient: model.Patient) -> str | None:
    """The packet's password: the date of birth as YYYYMMDD, which the patient knows and the message never says."""
    return patient.dob.strftime("%Y%m%d") if patient.dob else None


# Spelled out: pikepdf's default Permissions() leaves out assembling (inserting, rotating pages).
_EVERY_PERMISSION = pikepdf.Permissions(accessibility=True, extract=True, modify_annotation=True, modify_assembly=True,
                                        modify_form=True, modify_other=True, print_lowres=True, print_highres=True)


def encrypted(pdf: bytes, secret: str) -> bytes:
    """PDF locked with AES-256 (R6), SECRET its password, every permission kept (a screen reader's too).

    Written by qpdf, which keeps the dictionaries in object streams: pypdf wrote each of a tagged
    packet's few hundred structure elements on its own, and a 42 KB packet came out at 78 KB."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        document.save(out, encryption=pikepdf.Encryption(owner=secret, user=secret, R=6, allow=_EVERY_PERMISSION),
                      object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


# --- the message ------------------------------------------------------------------------------------
def attachment_name(handout_ids: tuple[str, ...], language: str) -> str:
    """A readable file name from what the handouts are about ("Kyphoplasty-instructions.pdf"), never whose."""
    word = for_language(language).email.instructions
    topics = {handout_id.split("-")[0] for handout_id in handout_ids}
    return f"{topics.pop().capitalize()}-{word}.pdf" if len(topics) == 1 else f"{word.capitalize()}.pdf"


@dataclass(frozen=True)
class Letter:
    """Everything one message says, before it is written out as MIME."""

    sender: Address
    to: str
    reply_to: Address | None
    subject: str | None           # None: the default, in the patient's language
    message_id: str
    patient_name: str
    language: str
    titles: tuple[str, ...]
    attachment: bytes
    attachment_name: str
    encrypted: bool


def letter_for(request: model.PacketRequest, pdf: bytes, titles: tuple[str, ...], sender: Address,
               reply_to: Address, subject: str | None, message_id: str, secret: str | None) -> Letter:
    """The message for REQUEST's packet PDF (encrypted with SECRET when given), to its address."""
    return Letter(sender=sender, to=request.email or "", reply_to=reply_to, subject=subject, message_id=message_id,
                  patient_name=request.patient.name or "", language=request.language, titles=titles,
                  attachment=encrypted(pdf, secret) if secret else pdf,
                  attachment_name=attachment_name(request.handouts, request.language), encrypted=secret is not None)


def compose(letter: Letter, clinic: model.Clinic) -> EmailMessage:
    """A plain-text and an HTML part that say what is attached and how to reach the clinic, and the packet."""
    words = for_language(letter.language).email
    signer = str(clinic.name) if clinic.name else words.team.capitalize()
    greeting = words.greeting.format(name=letter.patient_name)
    listed = words.attached.format(clinic=signer, file=letter.attachment_name)
    phones = " ".join(sentence.format(phone=value) for sentence, value in
                      ((words.phone, clinic.phone), (words.after_hours, clinic.after_hours_phone),
                       (words.emergency, clinic.emergency_number)) if value)
    after = [words.keep, words.password if letter.encrypted else "", phones, words.not_for_you, signer]
    after = [paragraph for paragraph in after if paragraph]

    message = EmailMessage(policy=policy.SMTP)
    message["From"] = letter.sender
    message["To"] = letter.to
    if letter.reply_to:
        message["Reply-To"] = letter.reply_to
    message["Subject"] = letter.subject or (words.subject.format(clinic=clinic.name) if clinic.name
                                            else words.subject_plain)
    message["Date"] = format_datetime(localtime())
    message["Message-ID"] = letter.message_id
    message.set_content(_plain(greeting, listed, letter.titles, after), cte="quoted-printable")
    message.add_alternative(_html(letter.language, greeting, listed, letter.titles, after), subtype="html",
                            cte="quoted-printable")
    message.add_attachment(letter.attachment, maintype="application", subtype="pdf",
                           filename=letter.attachment_name)
    message["Content-Language"] = letter.language      # after the parts: set_content drops Content-* headers
    return message


def _plain(greeting: str, listed: str, titles: tuple[str, ...], after: list[str]) -> str:
    handouts = "\n".join(f"  - {title}" for title in titles)
    return "\n\n".join([greeting, listed, handouts, *after]) + "\n"


def _html(language: str, greeting: str, listed: str, titles: tuple[str, ...], after: list[str]) -> str:
    escape = html.escape
    items = "".join(f"  <li>{escape(title)}</li>\n" for title in titles)
    paragraphs = "".join(f"<p>{escape(paragraph)}</p>\n" for paragraph in after)
    return (f'<!DOCTYPE html>\n<html lang="{escape(language)}">\n<head><meta charset="utf-8"></head>\n'
            '<body style="font-family: sans-serif; font-size: 16px; line-height: 1.5">\n'
            f"<p>{escape(greeting)}</p>\n<p>{escape(listed)}</p>\n<ul>\n{items}</ul>\n{paragraphs}</body>\n</html>\n")


def message_id(key: str, sender: Address) -> str:
    """The same for the same packet and address on every run, so a receiving server can drop a repeat.
    Short, so the header stays on one line: some readers keep the space of a folded Message-ID."""
    return f"<{key[:24]}@{sender.domain}>"
