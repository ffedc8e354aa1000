"""Stop requests: while in use, SIGINT and SIGTERM become a question a long run asks between rows or messages."""
from __future__ import annotations

import signal
import threading


class StopSignals:
    """`with StopSignals() as stop: run(..., stop=stop)`: SIGINT (Ctrl-C) and SIGTERM no longer end the
    process at once but make stop() true, so the run can finish what is in progress and say what it did.
    The handlers in place before are put back on leaving. Handlers can only change in the main thread;
    elsewhere this changes nothing and stop() stays false."""

    def __init__(self) -> None:
        self.number: int | None = None        # the first signal received
        self._before: dict[int, object] = {}

    def __enter__(self) -> "StopSignals":
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGINT, signal.SIGTERM):
                self._before[number] = signal.signal(number, self._note)
        return self

    def __exit__(self, *exc: object) -> None:
        for number, handler in self._before.items():
            # None: a handler set outside Python, which cannot be put back; the default is the nearest.
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        self._before.clear()

    def _note(self, number: int, frame: object) -> None:
        # A second signal changes nothing: the run is already finishing the packets in progress, and
        # SIGKILL, which leaves only whole packets behind, is there for one that must end at once.
        if self.number is None:
            self.number = number

    def __call__(self) -> bool:
        return self.number is not None

    @property
    def name(self) -> str:
        return signal.Signals(self.number).name if self.number is not None else ""

    def message(self, written: int, unchanged: int, report: object, print_file_asked: bool) -> str:
        """What a batch stopped by the signal did, and what to do next."""
        packets = "packet" if written == 1 else "packets"
        unprinted = "; no print file was written" if print_file_asked else ""
        return (f"Stopped by {self.name}: {written} {packets} written, {unchanged} unchanged before the stop; "
                f"{report} lists them{unprinted}; run the command again to make the rest")

    def sending_message(self, sent: int, log: object) -> str:
        """What a run of emails stopped by the signal sent, and what to do next."""
        messages = "message" if sent == 1 else "messages"
        listed = f"; {log} lists every message sent" if sent else ""
        return (f"Stopped by {self.name}: {sent} {messages} sent before the stop{listed}; "
                "run the command again to send the rest")

    @property
    def exit_status(self) -> int:
        """128 + the signal's number, as a shell reports a command ended by it: 130 for SIGINT, 143 for SIGTERM."""
        return 128 + (self.number or 0)
