"""Spanish: a word in, its syllables out; and LOCALE, every word the package prints or sends in Spanish."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .locale import EmailWords, Locale, Reading

if TYPE_CHECKING:
    from ..content.readability import Measures

# Syllables follow the Spanish rules (vowel groups, with hiatus between strong vowels), which are
# regular enough to count.
_STRONG = frozenset("aeoáéóíú")


def syllables(word: str) -> int:
    if word[0].isdigit():
        return 1
    lowered = re.sub(r"([qg])u(?=[eiéí])", r"\1", word.lower())     # the u of "que" and "guía" is silent
    count = 0
    for group in re.findall(r"[aeiouáéíóúü]+", lowered):
        count += 1 + sum(1 for a, b in zip(group, group[1:]) if a in _STRONG and b in _STRONG)
    return max(1, count)


def grade(measures: Measures) -> float:
    """INFLESZ 65 ("bastante fácil") counts as grade 6 and 55 ("normal") as grade 8, 5 points a grade."""
    return max(1.0, 6 + (65 - measures.inflesz) / 5)


READING = Reading(
    syllables=syllables,
    grade=grade,
    grade_name="from the INFLESZ score",
    scale="INFLESZ {m.inflesz:.1f} (about grade {m.grade:.1f})",
    abbreviations=("Dr", "Sr", "Sra"),
    plural_endings=("s", "es"),
    vague_headings=frozenset({
        "otro", "otros", "otras", "varios", "misceláneo", "miscelánea", "general", "más información",
        "información adicional", "extra", "notas",
    }),
)

LOCALE = Locale(
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
    qr_label="Código QR de",
    tick_box="Casilla para marcar",
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
    email=EmailWords(
        subject="Sus instrucciones de cuidado de {clinic}",
        subject_plain="Sus instrucciones de cuidado",
        team="su equipo de atención",
        greeting="Hola, {name}:",
        attached="{clinic} le envía estas hojas informativas, en el archivo adjunto {file}:",
        keep="Léalas y guárdelas donde pueda encontrarlas. Puede imprimirlas.",
        password=("El archivo está protegido con una contraseña: su fecha de nacimiento en ocho cifras, "
                  "año, mes y día. Por ejemplo, para una fecha de nacimiento del 5 de julio de 1950, "
                  "la contraseña es 19500705."),
        phone="¿Preguntas? Llámenos al {phone}.",
        after_hours="Fuera de horario, llame al {phone}.",
        emergency="En una emergencia, llame al {phone}.",
        not_for_you="Si este mensaje no era para usted, bórrelo y avísenos, por favor.",
        instructions="instrucciones",
    ),
    reading=READING,
)
