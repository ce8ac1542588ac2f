"""Decks and PNGs made in a second process while MkDocs renders the pages (clinicase.worker)."""

from clinicase import visuals
from clinicase.cache import Call
from clinicase.worker import Worker

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10" fill="#000"/></svg>'


def test_the_worker_makes_each_file_once_and_stores_it(tmp_path):
    jobs = {tmp_path / "png" / "a": Call("clinicase.visuals", "png", (SVG, 40)),
            tmp_path / "png" / "b": Call("clinicase.visuals", "png", (SVG, 80))}
    worker = Worker()
    worker.give(jobs)
    assert worker.finish() == ""
    assert (tmp_path / "png" / "a").read_bytes() == visuals.png(SVG, 40)
    assert (tmp_path / "png" / "b").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_failing_job_is_reported_in_words_and_leaves_no_half_file(tmp_path):
    worker = Worker()
    worker.give({tmp_path / "broken": Call("clinicase.visuals", "png", (12345,))})
    problem = worker.finish()
    assert problem.splitlines()[-1].startswith(("TypeError", "AttributeError", "ValueError"))
    assert problem.splitlines()[-1].endswith("(while making clinicase.visuals.png)")
    assert not (tmp_path / "broken").exists() and list(tmp_path.iterdir()) == []


def test_no_jobs_ends_the_worker_at_once(tmp_path):
    worker = Worker()
    worker.give({})
    assert worker.finish() == "" and worker.process.returncode == 0


def test_every_file_a_cold_build_defers_can_be_handed_to_the_worker(tmp_path):
    """A lambda would be made in the main process instead, and a cold build would lose its second core."""
    import pickle
    import shutil

    from clinicase.plan import load_plan
    from conftest import copy_repository

    project = copy_repository(tmp_path)
    shutil.rmtree(project / ".cache", ignore_errors=True)
    plan = load_plan(project, defer=True)
    assert {path.parent.name for path in plan.pending} >= {"pptx", "png", "apkg"}
    pickle.dumps(plan.pending)
