"""Patient settings: NAME=VALUE texts (`patient.name=Ana`) in; one Patient out, or the first problem."""
from __future__ import annotations

from typing import Iterable

from . import limits
from .. import model
from ..errors import SettingError, Worded
from .dates import BadDate, parse_date
from .reader import did_you_mean

PATIENT_SETTINGS = {
    "patient.name": "name", "patient.mrn": "mrn", "patient.dob": "dob",
    "procedure.date": "procedure_date", "procedure.surgeon": "surgeon", "procedure.levels": "levels",
    "followup.date": "followup_date", "followup.with": "followup_with",
}


def patient_from_settings(settings: Iterable[str], date_order: str | None = None) -> model.Patient | None:
    """A Patient from `NAME=VALUE` settings such as patient.name=Ana, or None when there are none;
    DATE_ORDER (MDY or DMY) also reads dates such as 12/4/2026."""
    fields: dict[str, object] = {}
    for setting in settings:
        name, equals, value = setting.partition("=")
        name, value = name.strip(), value.strip()
        if not equals:
            # What was typed may be a patient's name: it is not repeated.
            raise SettingError("", "NAME=VALUE", "text without '='",
                               Worded("for example {set} patient.mrn=A-1001"))
        if name not in PATIENT_SETTINGS:
            close = did_you_mean(name, PATIENT_SETTINGS)
            fix = close or (Worded("clinic details come from the clinic profile ({clinic})")
                            if name.startswith("clinic.") else f"names are {', '.join(PATIENT_SETTINGS)}")
            raise SettingError(name, "a placeholder name", f"'{name}'", fix)
        limits.check_setting(name, value)
        key = PATIENT_SETTINGS[name]
        if key.endswith("date") or key == "dob":
            try:
                fields[key] = parse_date(value, date_order, private=key == "dob")
            except BadDate as bad:
                raise SettingError(name, bad.expected, bad.found, bad.fix) from None
        elif key == "mrn" and not model.MRN.fullmatch(value):
            raise SettingError(name, f"an MRN of letters, digits and dashes, at most {model.MAX_MRN} characters",
                               f"'{value}'")
        else:
            fields[key] = value or None
    if fields and "mrn" not in fields:
        # Without it the patient's copy would take the generic handout's file name, and replace it.
        raise SettingError("patient.mrn", Worded("the patient's MRN with any other {set}"), "none",
                           Worded("add {set} patient.mrn=...; the file is named after it"))
    return model.Patient(**fields) if fields else None
