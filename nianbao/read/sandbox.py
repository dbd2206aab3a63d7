"""Converters run in a child process with a memory ceiling and a deadline.

What a file costs to read cannot always be measured beforehand (a PDF's
compressed streams, a parser's worst case), so every PDF, HTML and Word
converter runs in a forked child (:func:`run_limited`): a child that runs
out of memory, is killed or passes the deadline costs only its file.

A build's reading workers keep one child each for all their files
(:func:`keep_child`) instead of forking one per file.  On this project's
machine a fork per file cost 20-45 ms a file, half a generated PDF's or web
page's whole reading time: the fork itself, the pages the child copies as it
touches them, and every cache a library fills on first use (PDFium's,
lxml's, the regular expressions') lost with the child.  The kept child is
bounded file by file as a fresh one is (its address space may grow by the
same ``memory`` over what it maps when the file arrives, its CPU time by the
same seconds, the same deadline), and is let go when it has grown or
failed: a file that ran out of memory or killed it is read again in a fresh
child, whose verdict is the one given, so a file's result never depends on
the files read before it.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from .. import config
from .source import ReadError

Convert = Callable[[bytes], str]
Outcome = tuple[str, Any]  # ("text", str) | ("read", ReadError) | ("memory", str) | ("error", str)

# A kept child that maps this much more than when it started is let go
# after its file (caches and a fragmented heap are not worth keeping).
RETIRE_GROWTH = 512 * 1024 * 1024


def _timeout(seconds: int) -> str:
    return f"读取超过 {seconds} 秒仍未完成，已放弃：文件可能经过特殊构造，或过于复杂"


def _memory(memory: int) -> str:
    return f"读取所需内存超过上限（{memory // 1024 // 1024} MB），已放弃：文件可能是压缩炸弹"


def run_limited(
    convert: Convert,
    data: bytes,
    seconds: int | None = None,
    memory: int | None = None,
    reuse: bool = True,
) -> str:
    """``convert(data)`` in a child process with a memory ceiling and a deadline
    (``memory`` bytes over what the process maps, and ``seconds``; by default
    the build's limits for one reader).

    Where this process keeps a child (:func:`keep_child`) and ``reuse`` is
    true, that child reads the file; otherwise a child is forked for it
    (forking shares the loaded modules, so it costs milliseconds).  Where
    processes cannot be forked (not POSIX) the converter runs in place.
    """
    if not hasattr(os, "fork") or os.environ.get("NIANBAO_NO_SANDBOX"):
        return convert(data)
    seconds = seconds or config.LIMITS.seconds
    memory = memory or config.LIMITS.memory
    if reuse:
        kept = _Kept.here()
        if kept is not None:
            outcome = kept.ask(convert, data, seconds, memory)
            if outcome is not None:
                return _verdict(outcome)
            # The kept child ran out of memory or was killed: perhaps by what
            # the files before left in it, so a fresh child gives the verdict.
    return _verdict(_fresh(convert, data, seconds, memory))


def keep_child() -> None:
    """Let this process read its files in one kept child (a build's reading
    worker: its lifetime is one build's reading).  The child is closed and
    waited for when the worker ends, as a multiprocessing worker does (its
    ``atexit`` does not run), so none is left behind."""
    from multiprocessing import util

    _Kept.wanted = True
    util.Finalize(None, _close_kept, exitpriority=10)


def _close_kept() -> None:
    kept = _Kept.current
    if kept is not None and kept.owner == os.getpid():
        kept.close()


def _verdict(outcome: Outcome) -> str:
    kind, value = outcome
    if kind == "text":
        return value
    if kind == "read":
        raise value if isinstance(value, ReadError) else ReadError(str(value))
    if kind == "memory":
        raise ReadError(value)
    raise RuntimeError(value)  # a bug in a converter: load() names the file and asks for a report


def _outcome(convert: Convert, data: bytes, memory: int) -> Outcome:
    """What ``convert(data)`` gives, as something to send back to the parent."""
    try:
        return ("text", convert(data))
    except ReadError as exc:
        return ("read", exc)  # its kind too (a scan is read again, with OCR)
    except MemoryError:
        return ("memory", _memory(memory))
    except RecursionError:
        return ("read", ReadError("文件结构嵌套过深，无法读取"))
    except BaseException as exc:
        return ("error", f"{type(exc).__name__}: {exc}")


# --- a child for one file -----------------------------------------------------------------


def _fresh(convert: Convert, data: bytes, seconds: int, memory: int) -> Outcome:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        _one_file(convert, data, write_end, seconds, memory)
    os.close(write_end)
    try:
        reply = _receive(read_end, time.monotonic() + seconds)
    except TimeoutError:
        os.kill(pid, signal.SIGKILL)
        raise ReadError(_timeout(seconds)) from None
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    if reply is None:
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) != signal.SIGKILL:
            raise ReadError(f"读取时进程异常终止（信号 {os.WTERMSIG(status)}）")
        raise ReadError(_memory(memory))  # killed by the system: out of memory
    return pickle.loads(reply)


def _one_file(convert: Convert, data: bytes, out: int, seconds: int, memory: int) -> None:
    code = 0
    try:
        import resource

        ceiling = _address_space() + memory  # on top of what the process already maps
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds + 5, seconds + 10))
        _send(out, pickle.dumps(_outcome(convert, data, memory)))
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # never return into the parent's code


# --- a child kept for many files ----------------------------------------------------------


class _Kept:
    """The child this process keeps for its files, and the pipes to it."""

    wanted = False  # set in a build's reading workers (keep_child)
    current: _Kept | None = None

    @classmethod
    def here(cls) -> _Kept | None:
        """This process's kept child, forked on first use; None where none is wanted."""
        if not cls.wanted:
            return None
        kept = cls.current
        if kept is not None and kept.owner != os.getpid():
            # A forked copy of another process's handle: its pipes are let go
            # here, so that child still sees its parent close them.
            os.close(kept.requests)
            os.close(kept.replies)
            kept = None
        if kept is None:
            kept = cls.current = cls()
        return kept

    def __init__(self) -> None:
        to_child, requests = os.pipe()
        replies, from_child = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(requests)
            os.close(replies)
            _serve(to_child, from_child)
        os.close(to_child)
        os.close(from_child)
        self.pid, self.requests, self.replies, self.owner = pid, requests, replies, os.getpid()

    def ask(self, convert: Convert, data: bytes, seconds: int, memory: int) -> Outcome | None:
        """The outcome of ``convert(data)`` in the kept child; None when it must
        be read in a fresh child instead (the converter cannot be sent, or the
        child ran out of memory or died)."""
        try:
            request = pickle.dumps((convert, data, seconds, memory), protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, AttributeError, TypeError):
            return None  # a converter defined in a function (tests): fresh child
        try:
            _send(self.requests, request)
            reply = _receive(self.replies, time.monotonic() + seconds)
        except TimeoutError:
            self.close(kill=True)
            raise ReadError(_timeout(seconds)) from None
        except OSError:  # the child is gone (a broken pipe)
            reply = None
        if reply is None:
            self.close(kill=True)
            return None
        outcome, retiring = pickle.loads(reply)
        if retiring:
            self.close()
        return None if outcome[0] == "memory" else outcome

    def close(self, kill: bool = False) -> None:
        if kill:
            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        for fd in (self.requests, self.replies):
            os.close(fd)
        os.waitpid(self.pid, 0)  # it exits on the closed pipe, if not killed
        if _Kept.current is self:
            _Kept.current = None


def _serve(requests: int, replies: int) -> None:
    """The kept child: read file after file until the parent closes the pipe
    (or dies), each within its own limits."""
    code = 0
    try:
        import resource

        _, space_hard = resource.getrlimit(resource.RLIMIT_AS)
        _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
        started = _address_space()
        while (request := _receive(requests)) is not None:
            convert, data, seconds, memory = pickle.loads(request)
            del request
            resource.setrlimit(
                resource.RLIMIT_AS, (_below(_address_space() + memory, space_hard), space_hard)
            )
            used = resource.getrusage(resource.RUSAGE_SELF)
            spent = int(used.ru_utime + used.ru_stime)
            resource.setrlimit(resource.RLIMIT_CPU, (_below(spent + seconds + 5, cpu_hard), cpu_hard))
            outcome = _outcome(convert, data, memory)
            del data
            resource.setrlimit(resource.RLIMIT_AS, (space_hard, space_hard))
            retiring = outcome[0] in ("memory", "error") or _address_space() > started + RETIRE_GROWTH
            _send(replies, pickle.dumps((outcome, retiring), protocol=pickle.HIGHEST_PROTOCOL))
            if retiring:
                break
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _below(limit: int, hard: int) -> int:
    import resource

    return limit if hard == resource.RLIM_INFINITY else min(limit, hard)


# --- the pipes ----------------------------------------------------------------------------------


def _send(fd: int, payload: bytes) -> None:
    """One message: its length, then its bytes (not joined first: a file's
    bytes go through here, up to 100 MB)."""
    for part in (len(payload).to_bytes(8, "little"), payload):
        view = memoryview(part)
        while view:
            view = view[os.write(fd, view) :]


def _receive(fd: int, deadline: float | None = None) -> bytes | None:
    """One message (length, then bytes); None at the end of the pipe."""
    header = _exactly(fd, 8, deadline)
    if header is None:
        return None
    return _exactly(fd, int.from_bytes(header, "little"), deadline)


def _exactly(fd: int, size: int, deadline: float | None) -> bytes | None:
    chunks: list[bytes] = []
    left = size
    while left:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                continue
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _address_space() -> int:
    """Bytes of address space this process maps now (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


__all__ = ["keep_child", "run_limited"]
