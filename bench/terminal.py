"""Running a program in a pseudo-terminal and waiting for text on its screen.

The start-up and memory scenarios launch the real `dealer` command this
way, as a user's terminal would, at 80 columns by 24 lines.  What the
program writes is kept with the terminal's control sequences taken out,
so that a word drawn on the screen can be waited for.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

COLUMNS, LINES = 80, 24
# Control sequences: CSI (cursor moves, colours), OSC (titles) and the
# two-character escapes; what is left is the text drawn.
_CONTROL = re.compile(
    rb"\x1b\[[0-9;?<=>!]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]"
)


class ScreenTimeout(RuntimeError):
    """The text never appeared on the screen."""


class Terminal:
    """A program running in its own pseudo-terminal."""

    def __init__(
        self, argv: Sequence[str], env: Mapping[str, str], cwd: Path | None = None
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(
            slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0)
        )
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self._master = master
        self._raw = bytearray()
        self.text = ""
        self._seen = 0

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self._master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self._master, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            raise ScreenTimeout("the program closed its terminal")
        self._raw += chunk
        self.text = _CONTROL.sub(b"", bytes(self._raw)).decode("utf-8", "replace")
        return True

    def wait_for(self, words: str, timeout: float = 60.0) -> float:
        """Wait until the words appear after what was waited for last.

        Returns the seconds since the program was launched.
        """
        deadline = time.perf_counter() + timeout
        while True:
            found = self.text.find(words, self._seen)
            if found >= 0:
                self._seen = found + len(words)
                return time.perf_counter() - self.started
            left = deadline - time.perf_counter()
            if left <= 0 or self.process.poll() is not None:
                tail = self.text[-400:].replace("\n", " ")
                raise ScreenTimeout(f"'{words}' never appeared; last seen: {tail}")
            self._read(min(left, 0.5))

    def settle(self, quiet: float = 0.3, timeout: float = 30.0) -> None:
        """Wait until the program has drawn what the last keys asked for.

        That is, until it has written something and then nothing for
        `quiet` seconds.
        """
        deadline = time.perf_counter() + timeout
        drawn = False
        while time.perf_counter() < deadline:
            if self._read(quiet):
                drawn = True
            elif drawn:
                return

    def type(self, keys: str) -> None:
        """Send keys as typed; '\\r' is Enter."""
        os.write(self._master, keys.encode())

    def resident_kib(self) -> tuple[int, int]:
        """The program's resident memory now and at its peak, in KiB."""
        found = {}
        status = Path(f"/proc/{self.pid}/status").read_text()
        for line in status.splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(value.split()[0])
        return found["VmRSS"], found["VmHWM"]

    def close(self) -> None:
        """End the program this terminal started, and the terminal."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        os.close(self._master)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
