"""Printable patient handouts from YAML: the public Python API (load content, render PDFs, run batches)."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# Each public name and the module that holds it. They load on first use (PEP 562), so `import handouts`
# stays cheap for the command line and ReportLab loads only when something is rendered.
_PUBLIC = {
    # content in
    "load_handout": "content", "load_handouts": "content", "load_clinic": "content", "load_jargon": "content",
    "discover": "content", "patient_from_settings": "content",
    # the model
    "Handout": "model", "Clinic": "model", "Patient": "model",
    # one packet to bytes
    "render_handout": "packets", "render_packet": "packets", "PAPERS": "packets", "Rendered": "render.document",
    # use cases over files
    "build": "building", "check": "building", "run_batch": "batch", "BatchOptions": "batch", "BatchSummary": "batch",
    "send_packets": "sending", "EmailOptions": "sending", "EmailSummary": "sending", "SmtpSettings": "delivery.smtp",
    # use cases in memory, for a server
    "pack_batch": "packing", "PackedBatch": "packing", "send_packet": "emailing", "EmailResult": "emailing",
    # what goes wrong
    "HandoutError": "errors", "ContentError": "errors", "ContentErrors": "errors", "SettingError": "errors",
    "OutputError": "errors", "HandoutWarning": "errors", "ContentWarning": "errors",
}
__all__ = ["BatchOptions", "BatchSummary", "Clinic", "ContentError", "ContentErrors", "ContentWarning", "EmailOptions",
           "EmailResult", "EmailSummary", "PackedBatch", "Handout", "HandoutError", "HandoutWarning", "OutputError", "PAPERS", "Patient", "Rendered",
           "SettingError", "SmtpSettings", "build", "check", "discover", "load_clinic", "load_handout",
           "load_handouts", "load_jargon", "pack_batch", "patient_from_settings", "render_handout", "render_packet",
           "run_batch", "send_packet", "send_packets", "__version__"]


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'handouts' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    globals()[name] = value          # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from .batch import BatchOptions, BatchSummary, run_batch
    from .building import build, check
    from .content import discover, load_clinic, load_handout, load_handouts, load_jargon, patient_from_settings
    from .delivery.smtp import SmtpSettings
    from .emailing import EmailResult, send_packet
    from .packing import PackedBatch, pack_batch
    from .errors import (ContentError, ContentErrors, ContentWarning, HandoutError, HandoutWarning, OutputError,
                         SettingError)
    from .model import Clinic, Handout, Patient
    from .packets import PAPERS, render_handout, render_packet
    from .render.document import Rendered
    from .sending import EmailOptions, EmailSummary, send_packets
