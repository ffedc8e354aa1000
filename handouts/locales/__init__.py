"""Locales: a language tag in; the words the engine itself prints (page numbers, labels, dates) out."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Locale:
    tag: str
    page_of: str                 # "Page {page} of {total}"
    months: tuple[str, ...]
    weekdays: tuple[str, ...]    # Monday first, as date.weekday() counts
    long_date: str               # with the weekday: appointments
    plain_date: str              # without it: a date of birth
    patient_label: str
    mrn_label: str
    born_label: str
    labels: dict[str, str]       # box labels: caution, urgent, emergency
    continued: str
    date_label: str
    version_label: str
    reviewed_label: str
    notes_title: str
    picture_label: str            # read aloud before an image's alt text
    cover_title: str
    cover_patient: str
    cover_contacts: str
    cover_phone: str
    cover_after_hours: str
    cover_emergency: str
    cover_enclosed: str
    cover_enclosed_hint: str
    cover_reviewed_by: str
    in_language: dict[str, str]   # after a handout's title on the cover when it is not in the cover's language

    def format_date(self, day: date, weekday: bool = True) -> str:
        pattern = self.long_date if weekday else self.plain_date
        return pattern.format(weekday=self.weekdays[day.weekday()], month=self.months[day.month - 1],
                              day=day.day, year=day.year)


ENGLISH = Locale(
    tag="en",
    page_of="Page {page} of {total}",
    months=("January", "February", "March", "April", "May", "June", "July", "August", "September",
            "October", "November", "December"),
    weekdays=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    long_date="{weekday}, {month} {day}, {year}",
    plain_date="{month} {day}, {year}",
    patient_label="Patient",
    mrn_label="MRN",
    born_label="Born",
    labels={"caution": "CAUTION", "urgent": "URGENT", "emergency": "EMERGENCY"},
    continued="(continued)",
    date_label="Date",
    version_label="version",
    reviewed_label="reviewed",
    notes_title="Notes from your care team",
    picture_label="Picture",
    cover_title="Your care packet",
    cover_patient="Prepared for",
    cover_contacts="How to reach us",
    cover_phone="Clinic phone",
    cover_after_hours="After hours",
    cover_emergency="Emergency",
    cover_enclosed="In this packet",
    cover_enclosed_hint="Tick each handout after going over it with the patient.",
    cover_reviewed_by="Reviewed with the patient by",
    in_language={"en": "in English", "es": "in Spanish"},
)

SPANISH = Locale(
    tag="es",
    page_of="Página {page} de {total}",
    months=("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
            "octubre", "noviembre", "diciembre"),
    weekdays=("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    long_date="{weekday} {day} de {month} de {year}",
    plain_date="{day} de {month} de {year}",
    patient_label="Paciente",
    mrn_label="Expediente",
    born_label="Nacimiento",
    labels={"caution": "PRECAUCIÓN", "urgent": "URGENTE", "emergency": "EMERGENCIA"},
    continued="(continuación)",
    date_label="Fecha",
    version_label="versión",
    reviewed_label="revisado",
    notes_title="Notas de su equipo de atención",
    picture_label="Imagen",
    cover_title="Su paquete de cuidados",
    cover_patient="Preparado para",
    cover_contacts="Cómo comunicarse con nosotros",
    cover_phone="Teléfono de la clínica",
    cover_after_hours="Fuera de horario",
    cover_emergency="Emergencias",
    cover_enclosed="En este paquete",
    cover_enclosed_hint="Marque cada hoja después de revisarla con el paciente.",
    cover_reviewed_by="Revisado con el paciente por",
    in_language={"en": "en inglés", "es": "en español"},
)

LOCALES = {locale.tag: locale for locale in (ENGLISH, SPANISH)}


def base_language(tag: str) -> str:
    """The language of a tag without its region: "es-MX" -> "es"."""
    return tag.lower().split("-")[0]


def for_language(tag: str) -> Locale:
    """The locale of a language tag ("es-MX" uses "es"); English for a language without one."""
    return LOCALES.get(base_language(tag), ENGLISH)


def all_words() -> str:
    """Every character any locale prints, so fonts can be prepared for them up front."""
    out = []
    for locale in LOCALES.values():
        for value in vars(locale).values():
            if isinstance(value, str):
                out.append(value)
            elif isinstance(value, tuple):
                out += value
            elif isinstance(value, dict):
                out += value.values()
    return "".join(out)
