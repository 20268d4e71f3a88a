"""The rebuild's writer process (重建写入进程): decodes and applies what the reader has checked.

In one Python process, reading EVENTS (the NATS client) and decoding and applying the events
(pydantic, the projectors, SQLite) take turns on one core, whatever the machine has. A rebuild
into a store another process can open (a SQLite file, PostgreSQL) therefore splits the work:
the rebuilding process reads the stream and checks each message's place and seal; a writer
process decodes the bodies and applies them to the new generation, a batch at a time, while the
next batch is read. One batch is applied while the next waits; a failure in the writer (an
undecodable event, a full disk) ends the rebuild with the writer's own error.

The writer's commits do not copy SQLite's write-ahead log into the database file (a
checkpoint): after each batch it has committed, the rebuilding process does, in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import signal
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import NoReturn

from projections.engine.bulk import bulk_work
from projections.engine.catalog import projectors
from projections.engine.projector import apply_batch
from projections.engine.reading import recorded
from projections.engine.rows import KeptRows
from projections.engine.store import StoreOpener

log = logging.getLogger(__name__)
STOP_SECONDS = 10.0


@dataclass(frozen=True)
class _Failed:
    """What the writer sends back instead of a position when a batch failed."""

    error: BaseException
    trace: str


class WriterFailedError(RuntimeError):
    """The writer process ended without saying why (killed, out of memory)."""

    def __init__(self, exitcode: int | None) -> None:
        super().__init__(f"重建写入进程意外退出，退出码 {exitcode}"
                         f" (the rebuild's writer process ended, exit code {exitcode})")


def _serve(connection: Connection, opener: StoreOpener, names: Sequence[str],
           generation: int) -> None:
    """The writer's loop: a batch in (first position, bodies), its last position out. It ends
    when told, or quietly when the rebuilding process is gone (the pipe closed)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the rebuilding process's to handle
    try:
        store = opener()
    except Exception as error:  # PostgreSQL unreachable, say
        _report(connection, error)
        return
    models, kept = projectors(names), KeptRows()
    try:
        with bulk_work(), contextlib.suppress(EOFError):
            while (work := connection.recv()) is not None:
                first, bodies = work
                sequences = range(first, first + len(bodies))
                try:
                    apply_batch(store, models, recorded(sequences, bodies), generation, kept)
                except Exception as error:
                    _report(connection, error)
                    return
                connection.send(sequences[-1])
    finally:
        store.close()


def _report(connection: Connection, error: Exception) -> None:
    trace = traceback.format_exc()
    try:
        connection.send(_Failed(error, trace))
    except Exception:  # the error does not pickle: its text does
        connection.send(_Failed(RuntimeError(f"{type(error).__name__}: {error}"), trace))


class WriterProcess:
    """A writer process for one generation of ``names`` (every read model by default);
    ``checkpoint`` is called, in a thread, after each batch it has committed (one at a time)."""

    def __init__(self, opener: StoreOpener, generation: int,
                 names: Sequence[str] | None = None,
                 checkpoint: Callable[[], None] | None = None) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, theirs = context.Pipe()
        self._process = context.Process(
            target=_serve, name=f"rectify-rebuild-writer-g{generation}", daemon=True,
            args=(theirs, opener, list(names or [p.name for p in projectors()]), generation))
        self._process.start()
        theirs.close()
        self._waiting = 0
        self._checkpoint = checkpoint
        self._checkpointing: asyncio.Task[None] | None = None

    async def write(self, first: int, bodies: list[bytes]) -> int | None:
        """Hand the writer the events at ``first`` on; the position the batch before reached
        (None: there was none). Returns once the writer has taken the batch."""
        await self._send((first, bodies))
        self._waiting += 1
        return await self._reached() if self._waiting > 1 else None

    async def finish(self) -> int | None:
        """Wait for the last batch and end the writer; the position it reached."""
        reached = await self._reached() if self._waiting else None
        await self._send(None)
        await asyncio.to_thread(self._process.join, STOP_SECONDS)
        if self._checkpointing is not None:
            await self._checkpointing
        self.stop()
        return reached

    async def _send(self, work: tuple[int, list[bytes]] | None) -> None:
        try:
            await asyncio.to_thread(self._connection.send, work)
        except OSError:  # the writer is gone (broken pipe, connection reset)
            await self._ended()

    async def _reached(self) -> int:
        try:
            answer = await asyncio.to_thread(self._connection.recv)
        except (EOFError, OSError):
            await self._ended()
        self._waiting -= 1
        if isinstance(answer, _Failed):
            self._raise(answer)
        self._checkpoint_soon()
        return int(answer)

    def _checkpoint_soon(self) -> None:
        """Start a checkpoint of what the writer committed, unless one is still running."""
        if self._checkpoint is None:
            return
        if self._checkpointing is not None:
            if not self._checkpointing.done():
                return
            self._checkpointing.result()  # a failed one fails the rebuild
        self._checkpointing = asyncio.create_task(asyncio.to_thread(self._checkpoint))

    async def _ended(self) -> NoReturn:
        """The pipe broke: raise what the writer said before it ended, or that it ended."""
        await asyncio.to_thread(self._process.join, STOP_SECONDS)
        said: object = None
        with contextlib.suppress(EOFError, OSError):
            while self._connection.poll():
                said = self._connection.recv()
        if isinstance(said, _Failed):
            self._raise(said)
        raise WriterFailedError(self._process.exitcode) from None

    @staticmethod
    def _raise(failed: _Failed) -> NoReturn:
        log.error("rebuild writer failed:\n%s", failed.trace)
        raise failed.error

    def stop(self) -> None:
        """End the writer now, whatever it is doing (the rebuild is abandoned or done)."""
        if self._checkpointing is not None:
            self._checkpointing.cancel()  # its thread finishes on its own
        if self._process.is_alive():
            self._process.kill()
        self._process.join(STOP_SECONDS)
        self._connection.close()
