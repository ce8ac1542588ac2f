"""Make the costly files of a build (PowerPoint decks, PNG pictures) in a second process, while MkDocs renders
the pages in the first: a cold build uses both cores instead of waiting for python-pptx and resvg.

A build that must plan starts `python -m clinicase.worker` first, with the check of the whole .bib (which
needs no plan), so that the child imports python-pptx and checks the .bib while the site is planned. The
planner leaves what the cache lacks in `plan.pending` (cache path -> a picklable way to make it, cache.Call);
`Worker.give` hands that over through a pipe, and the child makes each file and stores it in the cache (cache.store: written beside, then renamed, so no half file is ever seen). The hooks wait for it before
the build ends. A subprocess rather than multiprocessing: it needs no fork of a threaded `mkdocs serve`, and
works the same on every platform.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
import traceback
from pathlib import Path
from typing import Callable

from .cache import Call, store

Jobs = dict[Path, Callable[[], bytes]]  # cache path -> how to make it
HOOKS = Path(__file__).resolve().parents[1]  # the folder that holds this package, for the child's sys.path


class Worker:
    """One child process: started when a build must plan (it imports python-pptx while the site is planned),
    handed the jobs once they are known; `finish()` waits for it and says what went wrong, if anything."""

    def __init__(self):
        self.jobs: dict[Path, None] = {}  # every path handed over, in order
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HOOKS), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
        self.process = subprocess.Popen([sys.executable, "-m", "clinicase.worker"], stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        # A pipe holds 64 kB: written from the build's own thread, a deck's data would wait there until the child
        # had made the deck before it, and the build with it. A thread of its own feeds the pipe instead.
        self._outbox: queue.Queue[bytes | None] = queue.Queue()
        self._feeder = threading.Thread(target=self._feed, daemon=True)
        self._feeder.start()

    def _feed(self) -> None:
        try:
            while (data := self._outbox.get()) is not None:
                self.process.stdin.write(data)
            self.process.stdin.close()  # no more jobs: the child ends once it has made them
        except OSError:
            pass  # the child died: finish() reports what it printed

    def give(self, jobs: Jobs) -> None:
        """More jobs: the child makes them one by one as they arrive. A job that cannot be handed over (a
        lambda does not pickle: tests/test_worker.py keeps the site's jobs picklable) is made here instead.
        Only the paths are kept: the jobs' data leaves memory as it goes."""
        for path, job in jobs.items():
            if path in self.jobs:
                continue
            self.jobs[path] = None
            try:
                self._outbox.put(pickle.dumps((path, job), protocol=pickle.HIGHEST_PROTOCOL))
            except (pickle.PicklingError, AttributeError, TypeError):
                make({path: job})

    def finish(self) -> str:
        """'' once every file is in the cache; else what went wrong, in words."""
        self._outbox.put(None)
        errors = self.process.stderr.read().decode("utf-8", "replace").strip()
        self._feeder.join()
        self.process.wait()
        missing = [path for path in self.jobs if not path.is_file()]
        if self.process.returncode == 0 and not missing:
            return ""
        return errors or f"the worker process stopped (exit code {self.process.returncode}) before making {len(missing)} files"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._outbox.put(None)  # the feeder ends (its writes fail on the dead pipe)


def make(jobs: Jobs) -> None:
    for path, job in jobs.items():
        if path.is_file():  # made by an earlier job (a deck renders the drawings that are also downloads)
            continue
        if not store(path, lambda handle, job=job: handle.write(job())):
            raise OSError(f"could not write {path}")


def main() -> int:
    from . import pptx_deck  # noqa: F401 — imported while the parent plans: most of a deck's cost is imports

    while True:
        try:
            path, job = pickle.load(sys.stdin.buffer)
        except EOFError:
            return 0
        try:
            make({path: job})
        except Exception as error:  # noqa: BLE001 — said in words to the parent, which reports it as one build error
            what = f"{job.module}.{job.name}" if isinstance(job, Call) else path.parent.name
            sys.stderr.write(f"{traceback.format_exc()}{type(error).__name__}: {error} (while making {what})\n")
            return 1


if __name__ == "__main__":
    sys.exit(main())
