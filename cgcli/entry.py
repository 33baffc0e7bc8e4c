"""The process's edges: the entry point, Ctrl-C from the first instant, and stdout in whole lines.

`run` is what ``cgcli`` and ``python -m cgcli`` start.  It installs cgcli's
Ctrl-C handler before it imports anything else: click, rich and lark take a
tenth of a second to import, and a Ctrl-C then would otherwise print
Python's traceback.  So this module imports only what Python has already
loaded at start-up, and `cgcli.cli` is imported inside `run`.

SPEC.md asks three things of the process's edges, kept here in one place:

- Ctrl-C: one short message, ``cgcli: interrupted``, exit 130, at any moment.
  The handler raises `Interrupted`, a BaseException that click's own Ctrl-C
  handling (a blank line, then exit 1) never sees; `cgcli.cli.app.main`
  turns it into the message.
- Every record already written is whole.  Standard output goes through
  `WholeLines`, which hands the file descriptor only whole lines while the
  command runs (a full buffer is cut at its last newline, not at 8 KiB), and
  finishes a write it has begun even when Ctrl-C comes in the middle of it:
  the handler then only notes the interrupt, which is raised once the write
  is done.  A second Ctrl-C while a write waits for a reader that does not
  read stops cgcli at once, and may cut that line.
- A reader that goes away (``| head -1``) ends cgcli quietly with exit 0:
  EPIPE becomes `ReaderGone`, which click's own EPIPE handling (exit 1)
  never sees either.
"""

from __future__ import annotations

import io
import os
import signal
import sys

TYPE_CHECKING = False  # NOTE: not typing's, which takes ~10 ms to import before Ctrl-C is handled
if TYPE_CHECKING:
    from typing import NoReturn

INTERRUPTED = 130  # 128 + SIGINT, as shells report a process that Ctrl-C ended


class Interrupted(BaseException):
    """Ctrl-C, raised by cgcli's SIGINT handler (a BaseException, so that no ``except Exception`` takes it)."""


class ReaderGone(BaseException):
    """The reader of standard output went away (EPIPE): cgcli stops, says nothing, exits 0."""


#: a write of whole lines to the file descriptor is under way
_writing = False
#: Ctrl-C was pressed (once is enough: cgcli is on its way out)
_pressed = False


def _on_interrupt(signum: int, frame: object) -> None:
    global _pressed
    first = not _pressed
    _pressed = True
    if first and not _writing:
        raise Interrupted  # the usual case: stop where the program is
    if not first and _writing:
        raise Interrupted  # a second Ctrl-C while a write waits for its reader
    # else the first Ctrl-C during a write (WholeLines raises once its lines are out),
    # or one more while cgcli is already stopping: nothing to add


class WholeLines(io.BufferedIOBase):
    """Standard output's bytes, handed to the file descriptor in whole lines (see the module's docstring).

    Whatever is held when cgcli is interrupted is dropped, never written in
    part.  `flush` writes everything held (click flushes after each echo; a
    picture may not end with a newline), so a caller that flushes writes only
    whole records: every writer in cgcli writes whole lines at a time.
    """

    #: bytes held before a write() sends the whole lines among them
    LIMIT = 1 << 16

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        # NOTE: bytes pieces, not a bytearray: under a small ulimit -v, a bytearray whose copy
        # fails mid-way is freed with its buffer still exported (a SystemError on stderr)
        self._held: list[bytes] = []
        self._size = 0
        self._stopped = False  # the reader went away, a write failed or cgcli was interrupted

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if not self._stopped:
            self._held.append(bytes(data))
            self._size += len(data)
            if self._size >= self.LIMIT:
                self._send(whole_lines=True)
        return len(data)

    def flush(self) -> None:
        if not self._stopped and self._size:
            self._send(whole_lines=False)

    def close(self) -> None:
        try:
            self.flush()
        finally:
            super().close()  # the descriptor stays open: it is the process's stdout

    def stop(self) -> None:
        """Drop what is held and ignore every later write (cgcli is stopping)."""
        self._stopped = True
        self._held, self._size = [], 0

    def _send(self, whole_lines: bool) -> None:
        """Write what is held (up to its last newline, if ``whole_lines``), all of it, even if Ctrl-C comes."""
        global _writing
        data = b"".join(self._held)
        cut = data.rfind(b"\n") + 1 if whole_lines else len(data)
        if not cut:
            return
        rest = data[cut:]
        self._held, self._size = ([rest] if rest else []), len(rest)
        chunk = memoryview(data)[:cut]
        _writing = True
        try:
            while chunk:
                try:
                    chunk = chunk[os.write(self._fd, chunk) :]
                except BlockingIOError:  # a non-blocking stdout (set so by the parent): wait for room
                    import select

                    select.select([], [self._fd], [])
        except BrokenPipeError:
            self.stop()
            raise ReaderGone from None
        except OSError:  # a full disk: main() says so; nothing more is written, even at exit
            self.stop()
            raise
        finally:
            _writing = False
        if _pressed:
            raise Interrupted


def stop_output() -> None:
    """Drop standard output's held bytes (a partial record, perhaps) and ignore later writes."""
    buffer = getattr(sys.stdout, "buffer", None)
    if isinstance(buffer, WholeLines):
        buffer.stop()


def say_interrupted() -> None:
    """SPEC.md's one short message for Ctrl-C, on stderr, after dropping stdout's partial record."""
    stop_output()
    try:
        os.write(2, b"cgcli: interrupted\n")
    except OSError:  # stderr is closed: the exit code still tells
        pass


def _whole_line_stdout() -> None:
    """Put `WholeLines` under sys.stdout, when it is the process's own and nothing is written yet."""
    out = sys.stdout
    if out is None or out is not sys.__stdout__ or not isinstance(out, io.TextIOWrapper):
        return
    try:
        fd = out.fileno()
    except (OSError, ValueError):
        return
    sys.stdout = io.TextIOWrapper(
        WholeLines(fd), encoding=out.encoding, errors=out.errors, line_buffering=out.line_buffering
    )


def run() -> NoReturn:
    """The console script's entry point (also ``python -m cgcli``)."""
    signal.signal(signal.SIGINT, _on_interrupt)  # first of all: see the module's docstring
    # NumPy's OpenBLAS reserves a buffer per core at import, and when a small ulimit -v
    # refuses it, prints its own message and exits 1 (a failed check, to a script); cgcli's
    # array work (--points) is element-wise and never calls BLAS, so one thread costs nothing
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    code = INTERRUPTED
    try:
        _whole_line_stdout()
        from .cli.app import main

        code = main()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # all is written: the exit code stands
    except Interrupted:  # while importing, or between main() and here
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        say_interrupted()
    except MemoryError:  # while importing, under a small ulimit -v: main() has no handler yet
        code = _say(b"cgcli: error: out of memory\n", 2)
    except Exception as e:  # noqa: BLE001 - an installation that cannot import itself: still no traceback
        code = _say(f"cgcli: error: internal error, please report it: {type(e).__name__}: {e}\n".encode(), 70)
    sys.exit(code)


def _say(message: bytes, code: int) -> int:
    try:
        os.write(2, message)
    except OSError:
        pass
    return code
