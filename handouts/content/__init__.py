"""Content in: handout, clinic, jargon and manifest files read and checked into the validated model."""
from .clinic import load_clinic, load_jargon
from .handout import discover, is_handout_file, load_handout, load_handouts, source_hash
from .settings import PATIENT_SETTINGS, patient_from_settings

__all__ = ["discover", "is_handout_file", "load_clinic", "load_handout", "load_handouts", "load_jargon",
           "patient_from_settings", "PATIENT_SETTINGS", "source_hash"]
