"""Make the costly files of a build (PowerPoint decks, PNG pictures) in a second process, while MkDocs renders
the pages in the first: a cold build uses both cores instead of waiting for python-pptx and resvg.

A build that must plan starts `python -m clinicase.worker` first, so that it imports python-pptx while the
site is planned. The planner leaves what the cache lacks in `plan.pending` (cache path -> a picklable way to
make it, cache.Call); `Worker.give` hands that over through a pipe, and the child makes each file and stores it in the
cache (cache.store: written beside, then renamed, so no half file is ever seen). The hooks wait for it before
the build ends. A subprocess rather than multiprocessing: it needs no fork of a threaded `mkdocs serve`, and
works the same on every platform.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Callable

from .cache import store

Jobs = dict[Path, Callable[[], bytes]]
HOOKS = Path(__file__).resolve().parents[1]  # the folder that holds this package, for the child's sys.path


class Worker:
    """One child process: started when a build must plan (it imports python-pptx while the site is planned),
    handed the jobs once they are known; `finish()` waits for it and says what went wrong, if anything."""

    def __init__(self):
        self.jobs: Jobs = {}
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HOOKS), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
        self.process = subprocess.Popen([sys.executable, "-m", "clinicase.worker"], stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)

    def give(self, jobs: Jobs) -> None:
        """The jobs, or none: the child makes them, or ends at once. Jobs that cannot be handed over (a lambda
        does not pickle: tests/test_worker.py keeps the site's jobs picklable) are made here instead."""
        self.jobs = jobs
        try:
            data = pickle.dumps(jobs, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, AttributeError, TypeError):
            make(jobs)
            data = pickle.dumps({})
        try:
            self.process.stdin.write(data)
            self.process.stdin.close()
        except OSError:
            pass  # the child died at once: finish() reports what it printed

    def finish(self) -> str:
        """'' once every file is in the cache; else what went wrong, in words."""
        errors = self.process.stderr.read().decode("utf-8", "replace").strip()  # its stdin is closed already
        self.process.wait()
        missing = [path for path in self.jobs if not path.is_file()]
        if self.process.returncode == 0 and not missing:
            return ""
        return errors or f"the worker process stopped (exit code {self.process.returncode}) before making {len(missing)} files"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def make(jobs: Jobs) -> None:
    for path, job in jobs.items():
        if path.is_file():  # made by an earlier job (a deck renders the drawings that are also downloads)
            continue
        if not store(path, lambda handle, job=job: handle.write(job())):
            raise OSError(f"could not write {path}")


def main() -> int:
    try:
        from . import pptx_deck  # noqa: F401 — imported while the parent plans: most of a deck's cost is imports

        make(pickle.load(sys.stdin.buffer))
    except Exception:  # noqa: BLE001 — said in words to the parent, which reports it as one build error
        sys.stderr.write(traceback.format_exc())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
