"""A progress line on stderr for long runs: drawn only on a terminal, after a couple of seconds;
and a one-line note before the first large run's compile of the scoring kernel."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from matcher.api import KERNEL_COMPILE_S

__all__ = ["ProgressLine"]


class ProgressLine:
    """Call with ``(stage, fraction)``; silent when disabled.  The bar is drawn only on a
    terminal; the ``compiling`` stage (a wait with no progress to show) is said at once, as a
    line of its own, on a terminal or not."""

    def __init__(
        self, *, enabled: bool = True, delay_s: float = 2.0, stream: TextIO | None = None
    ) -> None:
        self.stream = stream or sys.stderr
        self.noting = enabled
        self.enabled = enabled and self.stream.isatty()
        self.delay_s = delay_s
        self.started = time.monotonic()
        self._drawn = False
        self._last = 0.0

    def __call__(self, stage: str, fraction: float) -> None:
        if stage == "compiling":
            if self.noting:
                self.done()  # a bar already drawn is cleared first
                self.stream.write(
                    "Compiling the scoring kernel: first large run on this machine only, "
                    f"about {KERNEL_COMPILE_S} s.\n"
                )
                self.stream.flush()
            return
        if not self.enabled:
            return
        now = time.monotonic()
        elapsed = now - self.started
        if elapsed < self.delay_s or (now - self._last < 0.1 and fraction < 1.0):
            return
        self._last = now
        width = 30
        filled = int(width * min(max(fraction, 0.0), 1.0))
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{stage:<11} [{bar}] {fraction:4.0%}  {elapsed:6.1f} s ")
        self.stream.flush()
        self._drawn = True

    def done(self) -> None:
        """Clear the line."""
        if self._drawn:
            self.stream.write("\r" + " " * 70 + "\r")
            self.stream.flush()
            self._drawn = False
