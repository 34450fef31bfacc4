"""The input line at a terminal (prompt_toolkit): editing, history, Ctrl-R, and output from
other threads shown above a waiting prompt.

Used only when stdin and stdout are both a terminal (see walkinput.LineSource); imported then,
so that a piped or scripted walk never loads prompt_toolkit. What is typed is kept in memory for
this one process, so for one incident only: history is never written to disk, and an exercise's
answers can never come back in a live incident.

While the prompt waits, `ticking` runs a function once a second in a thread of its own (the
walk's reminders: a deadline passing, a repeat round coming due); whatever it returns to draw,
and whatever another thread hands to `above` (an exercise's injects), is drawn above the prompt
(prompt_toolkit's `run_in_terminal`): the prompt is taken away, the lines are written, the
prompt comes back with what was typed so far.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError as FutureCancelled
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from typing import Any

from prompt_toolkit import PromptSession
from prompt_toolkit.application import run_in_terminal
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys

Draw = Callable[[], None]
TICK = 1.0  # seconds between two looks at what is due while the prompt waits
_HANDED_OVER = 5.0  # seconds to wait for the prompt's loop to draw; then draw here
_SLICE = 0.05


def _bindings() -> KeyBindings:
    """Ours on top of prompt_toolkit's. The walk uses no mouse, and a pasted or typed escape
    sequence that looks like a mouse report ("ESC [ 31 m") must not reach prompt_toolkit's
    mouse handler, which raises on it (its "Unhandled exception" screen): it is ignored here,
    and the line's own check refuses what is left."""
    bindings = KeyBindings()

    @bindings.add(Keys.Vt100MouseEvent)
    def _no_mouse(event: KeyPressEvent) -> None:
        return None

    return bindings


class TerminalInput:
    """One prompt_toolkit session per walk: its history is this walk's answers."""

    def __init__(self) -> None:
        self._answers: PromptSession[str] = PromptSession(
            history=InMemoryHistory(), key_bindings=_bindings()
        )
        self._other: PromptSession[str] | None = None  # a question not to remember (a name)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None  # the waiting prompt's loop
        self.error: BaseException | None = None  # what the ticker's function raised

    def read(self, hint: str, *, default: str = "", remember: bool = True) -> str | None:
        """One line as edited at the prompt `hint > `, `default` already typed; None at end of
        input (Ctrl-D on an empty line). Ctrl-C is the SIGINT it would be without a line
        editor (raised here, so the walk pauses exactly as it did)."""
        session = self._answers if remember else self._names()
        message = FormattedText([("bold", hint), ("", " > ")])
        try:
            return session.prompt(
                message,
                default=default,
                # The walk's own handler stays in charge of SIGINT, SIGTERM and SIGHUP.
                handle_sigint=False,
                pre_run=self._started,
            )
        except EOFError:
            return None
        except KeyboardInterrupt:
            signal.raise_signal(signal.SIGINT)  # the walk's handler decides what Ctrl-C does
            raise  # no handler of ours: as Python would
        finally:
            with self._lock:
                self._loop = None

    def _names(self) -> PromptSession[str]:
        if self._other is None:
            self._other = PromptSession(key_bindings=_bindings())
        return self._other

    def _started(self) -> None:
        with self._lock:
            self._loop = asyncio.get_running_loop()

    def above(self, draw: Draw) -> None:
        """Run `draw` (which writes to the screen) above the waiting prompt, from any thread;
        straight away when no prompt waits. Returns once it has drawn."""
        with self._lock:
            loop = self._loop
        if loop is None or threading.get_ident() == threading.main_thread().ident:
            draw()
            return
        once = threading.Lock()  # drawn by the prompt's loop or, failing that, here: not both

        def guarded() -> None:
            if once.acquire(blocking=False):
                draw()

        async def in_terminal() -> None:
            await run_in_terminal(guarded)

        try:
            future = asyncio.run_coroutine_threadsafe(in_terminal(), loop)
        except RuntimeError:  # the loop closed in between: the prompt is gone
            guarded()
            return
        # Normally drawn within milliseconds. When the prompt ends meanwhile (Enter pressed),
        # its loop may never get to it: then it is drawn here, once.
        waited = 0.0
        while True:
            try:
                future.result(timeout=_SLICE)
                return
            except FutureTimeout:
                waited += _SLICE
                with self._lock:
                    still_waiting = self._loop is loop
                if still_waiting and waited < _HANDED_OVER:
                    continue
            except FutureCancelled:
                pass
            future.cancel()
            guarded()
            return

    @contextmanager
    def ticking(self, due: Callable[[], Draw | None] | None) -> Iterator[None]:
        """While inside, `due()` runs once a second in a thread; what it returns is drawn above
        the prompt. When it raises, it is not called again and the error is kept in `error`
        for the walk to raise after the prompt (the prompt is ended at once)."""
        if due is None:
            yield
            return
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(TICK):
                try:
                    draw = due()
                except BaseException as exc:  # handed to the main thread, raised there
                    self.error = exc
                    self._end_prompt()
                    return
                if draw is not None and not stop.is_set():
                    self.above(draw)

        thread = threading.Thread(target=tick, name="draaiboek-ticker", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def _end_prompt(self) -> None:
        with self._lock:
            loop = self._loop
        if loop is None:
            return
        app: Any = self._answers.app

        def end() -> None:
            if app.is_running:
                app.exit(result="")

        loop.call_soon_threadsafe(end)
