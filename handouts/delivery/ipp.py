"""IPP printers: an ipp:// or ipps:// URI in; its attributes, jobs sent (IPP Everywhere, through pyipp) and their states out."""
from __future__ import annotations

import asyncio
from typing import Any

from ..printerrors import PrinterError
from .printer import GONE, PDF, Capabilities, JobState, PrinterState, Ticket

_ASK_SECONDS = 15           # a question to the printer
_SEND_SECONDS = 120         # a whole document: a 2,000-page print file is tens of MB
_PRINTER_ATTRIBUTES = ["printer-name", "printer-state", "printer-state-reasons", "printer-state-message",
                       "printer-is-accepting-jobs", "sides-supported", "media-supported", "copies-supported",
                       "document-format-supported"]
_JOB_ATTRIBUTES = ["job-state", "job-state-reasons", "job-state-message"]
_STOPPED = 5                # printer-state
_NOT_FOUND = 0x0406
# IPP status codes (RFC 8011 13.1) a printer answers a job with, in words.
_STATUS = {0x0400: "it found the request bad", 0x0401: "it forbids this user to print",
           0x0402: "it asks for a sign-in, which this tool does not give",
           0x0403: "it does not allow this", 0x0406: "no printer at that address",
           0x040A: "it does not take PDF documents", 0x040B: "it cannot print with the options asked for",
           0x0506: "it is not accepting jobs", 0x0507: "it is busy",
           0x0500: "it had an internal error", 0x0502: "it is not ready (service unavailable)"}


def _values(value: Any) -> tuple:
    """An attribute as a tuple: pyipp gives one value bare and several as a list."""
    if value is None:
        return ()
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


class IppPrinter:
    """A printer spoken to directly over IPP. pyipp is asynchronous: each call runs its own short event
    loop, so the printer can be used from any thread, one call at a time per thread."""

    def __init__(self, uri: str):
        self.name = uri

    def capabilities(self) -> Capabilities:
        found = self._printer()
        copies = found.get("copies-supported")
        return Capabilities(
            sides=_values(found.get("sides-supported")) or None,
            media=_values(found.get("media-supported")) or None,
            copies=(int(copies[0]), int(copies[1])) if isinstance(copies, (list, tuple)) and len(copies) == 2
            else ((1, int(copies)) if isinstance(copies, int) else None),
            formats=_values(found.get("document-format-supported")) or None)

    def state(self) -> PrinterState:
        found = self._printer()
        return PrinterState(stopped=int(found.get("printer-state") or 3) == _STOPPED,
                            accepting=found.get("printer-is-accepting-jobs", True) is not False,
                            reasons=tuple(str(reason) for reason in _values(found.get("printer-state-reasons"))),
                            message=str(found.get("printer-state-message") or ""))

    def submit(self, pdf: bytes, ticket: Ticket) -> str:
        job: dict[str, Any] = {}
        if ticket.copies != 1:
            job["copies"] = ticket.copies
        if ticket.sides:
            job["sides"] = ticket.sides
        if ticket.media:
            job["media"] = ticket.media
        answer = self._ask(2, {"operation-attributes-tag": {
            "requesting-user-name": ticket.user, "job-name": ticket.name, "document-format": PDF,
            # Refuse rather than print otherwise than asked (one-sided when two-sided was asked, say).
            "ipp-attribute-fidelity": True}, "job-attributes-tag": job, "data": pdf},
            seconds=_SEND_SECONDS, user=ticket.user)
        jobs = answer.get("jobs") or [{}]
        return str(jobs[0].get("job-id", ""))

    def job(self, job_id: str) -> JobState:
        try:
            answer = self._ask(9, {"operation-attributes-tag": {"job-id": int(job_id),
                                                               "requested-attributes": _JOB_ATTRIBUTES}})
        except PrinterError as error:
            if error.code == _NOT_FOUND:
                return JobState(GONE)     # finished and forgotten (a CUPS server that keeps no job history)
            raise
        found = (answer.get("jobs") or [{}])[0]
        return JobState(int(found.get("job-state") or 0),
                        tuple(str(reason) for reason in _values(found.get("job-state-reasons"))),
                        str(found.get("job-state-message") or ""))

    def cancel(self, job_id: str, user: str) -> None:
        # As the job's owner: printers and CUPS let only the owner (or an operator) cancel a job.
        try:
            self._ask(8, {"operation-attributes-tag": {"job-id": int(job_id)}}, user=user)
        except PrinterError:
            pass                  # finished meanwhile, or the printer went away: nothing left to cancel here

    def _printer(self) -> dict[str, Any]:
        answer = self._ask(0x0B, {"operation-attributes-tag": {"requested-attributes": _PRINTER_ATTRIBUTES}})
        return (answer.get("printers") or [{}])[0]

    def _ask(self, operation: int, message: dict, seconds: float = _ASK_SECONDS,
             user: str = "handouts") -> dict[str, Any]:
        from pyipp.enums import IppOperation
        message["operation-attributes-tag"].setdefault("requesting-user-name", user)
        return asyncio.run(self._exchange(IppOperation(operation), message, seconds))

    async def _exchange(self, operation, message: dict, seconds: float) -> dict[str, Any]:
        from pyipp import IPP
        from pyipp.exceptions import (IPPConnectionError, IPPConnectionUpgradeRequired, IPPError, IPPParseError,
                                      IPPResponseError)
        try:
            async with IPP(self.name, request_timeout=int(seconds)) as client:
                # pyipp's own timeout covers the request, not the reading of the answer: this covers both.
                return await asyncio.wait_for(client.execute(operation, message), seconds + 5)
        except asyncio.TimeoutError:
            raise PrinterError(self.name, f"did not answer within {seconds:.0f} s",
                               "check that it is switched on and that the address is right") from None
        except IPPConnectionUpgradeRequired:
            raise PrinterError(self.name, "it asks for an encrypted connection",
                               "use its ipps:// address") from None
        except IPPConnectionError:
            raise PrinterError(self.name, f"cannot be reached (connection refused, or no answer within {seconds:.0f} s)",
                               "check that it is switched on and that the address is right") from None
        except IPPParseError:
            raise PrinterError(self.name, "answered, but not in IPP: no printer at that address",
                               "check the address (it usually ends in /ipp/print)") from None
        except IPPResponseError as error:
            status = (error.args[1] if len(error.args) > 1 else {}).get("status-code", "?")
            raise PrinterError(self.name, f"answered HTTP {status}: not an IPP printer at that address",
                               "check the address (it usually ends in /ipp/print)") from None
        except IPPError as error:
            code = (error.args[1] if len(error.args) > 1 and isinstance(error.args[1], dict) else {}).get(
                "status-code")
            said = _STATUS.get(code, f"it refused the request (IPP status 0x{code or 0:04x})")
            raise PrinterError(self.name, said, "see to the printer, or choose another",
                               busy=code in (0x0507, 0x0509), code=code) from None
        except Exception as error:          # an answer pyipp could not read (an error page not in UTF-8, say)
            raise PrinterError(self.name, f"gave an answer that could not be read ({type(error).__name__})",
                               "check the address (it usually ends in /ipp/print)") from None
