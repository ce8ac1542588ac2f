"""Build-time benchmark: this project against a plain MkDocs build of the very same pages.

    python benchmarks/run.py            # full run (about 50 minutes on 2 cores)
    python benchmarks/run.py --quick    # 1 and 10 cases, 2 runs each: a smoke test

It generates synthetic casebooks in a temporary folder (N copies of the real case, a bibliography of M
entries with accents, macros and many fields, every case citing about 20 of them, and 150 more with the
3,000-entry library), then measures with public tools only (time.perf_counter, os.wait4's peak memory):

- (a) `mkdocs build` of the casebook, and (b) the baseline: the Markdown pages our hooks produce, written
  out as static files and built with the same mkdocs.yml without hooks. (a)/(b) is what the hooks cost.
  Wall time is the median of --runs builds (three times as many for one case, whose builds take about a
  second and are noisier) after one warm-up build, the two projects' builds taking turns. "Cold" is a build with
  an empty .cache/ (site plan, slides and PNGs made from scratch), as in a fresh clone or CI: the median of
  three (one for 100 cases), against the baseline's warm median. Peak memory is the largest of all builds,
  the cold ones included.
- the `mkdocs serve` rebuild: time from writing a YAML edit to the rebuilt page being served, with
  `mkdocs serve --dirty` as `make serve` runs it, against MkDocs' own rebuild of the baseline after the same
  edit of its Markdown page (plain `mkdocs serve`, which renders every page again).
- the ProperDocs build of the one-case casebook (warm), against the MkDocs build of it.

It prints a table and writes benchmarks/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL_CASE = ROOT / "content" / "cases" / "calcinosis-cutis-jssc"
sys.path.insert(0, str(ROOT / "hooks"))

from clinicase.static_export import export  # noqa: E402  (the hooks' own code, to write the baseline's pages)

# As on an author's machine: Python writes bytecode for the hooks' package once (some sandboxes turn that off).
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "NO_MKDOCS_2_WARNING": "1"}
TARGETS = {"ratio_real": 1.15, "ratio_3000": 1.3, "cold_ratio_real": 1.25, "cold_ratio_3000": 1.4,
           "serve_ratio_1": 1.1, "serve_ratio_10": 1.1, "serve_100_s": 10.0, "growth_10_to_100": 11.0,
           "peak_mb_100": 400}
EXTRA_CITATIONS = {3000: 150}  # each case of a casebook with this library also cites this many of its entries


# --- synthetic casebooks --------------------------------------------------------------

def synthetic_entries(count: int) -> str:
    """BibTeX as Zotero exports it: accents, @string macros, months, DOIs, PMIDs, abstracts."""
    rng = random.Random(2026)
    last = ["M{\\\"u}ller", "Garc{\\'\\i}a", "Nguy{\\~e}n", "Smith", "O'Brien", "{\\O}stergaard", "Dvo{\\v r}{\\'a}k",
            "Lefèvre", "Kowalski", "van der Berg"]
    first = ["Anna B.", "Jos{\\'e}", "Li", "Mar{\\'\\i}a", "Karl", "Søren", "Jean-Pierre", "A.", "Ewa", "Pieter"]
    out = ['@string{jrheum = "J Rheumatol"}', '@string{ard = "Ann Rheum Dis"}', '@string{jaad = "J Am Acad Dermatol"}']
    for i in range(count):
        authors = " and ".join(f"{rng.choice(last)}, {rng.choice(first)}" for _ in range(rng.randint(1, 9)))
        page = rng.randint(1, 2000)
        out.append(f"""@article{{synth{i:04d},
  author   = {{{authors}}},
  title    = {{Calcinosis in {{CREST}} syndrome: cohort {i} and the r{{\\^o}}le of \\emph{{in vitro}} markers}},
  journal  = {rng.choice(["jrheum", "ard", "jaad"])},
  year     = {{{rng.randint(1980, 2024)}}},
  month    = {rng.choice(["jan", "feb", "mar", "apr", "may", "jun"])},
  volume   = {{{rng.randint(1, 90)}}},
  number   = {{{rng.randint(1, 12)}}},
  pages    = {{{page}--{page + rng.randint(2, 15)}}},
  doi      = {{10.{rng.randint(1000, 9999)}/synth.{i}}},
  pmid     = {{{30000000 + i}}},
  keywords = {{calcinosis; systemic sclerosis; synthetic}},
  abstract = {{A synthetic abstract, long enough to give the parser realistic work: background, methods,
              results and conclusions about calcinosis cutis in systemic sclerosis, none of it real.}}
}}""")
    return "\n\n".join(out) + "\n"


def make_casebook(folder: Path, cases: int, entries: int) -> Path:
    project = folder / f"casebook-{cases}x{entries}"
    extra = EXTRA_CITATIONS.get(entries, 0)
    for name in ["hooks", "docs"]:
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    (project / "content" / "cases").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "glossary.yml", project / "content" / "glossary.yml")
    real_bib = (ROOT / "bibliography.bib").read_text(encoding="utf-8")
    synthetic = max(0, entries - 20)
    cited = sorted({k for p in REAL_CASE.glob("*.yml") for k in re.findall(r"@([a-z]+\d{4}[a-z]*)\b", p.read_text())
                    if k != "mahipathy2020"})
    for n in range(cases):
        target = project / "content" / "cases" / (REAL_CASE.name if n == 0 else f"{REAL_CASE.name}-{n + 1:03d}")
        shutil.copytree(REAL_CASE, target)
        if extra:  # a reading-list section citing `extra` entries of the library, five to a sentence
            keys = [f"synth{(n * extra + i) % (entries - 20):04d}" for i in range(extra)]
            sentences = " ".join(f"Further reading [@{'; @'.join(keys[i:i + 5])}]." for i in range(0, extra, 5))
            section = f"  - id: sec-benchmark-reading\n    title: Further reading\n    body: >-\n      {sentences}\n"
            discussion = target / "discussion.yml"
            text = discussion.read_text(encoding="utf-8")  # the last item of `sections:`, before `key_points:`
            discussion.write_text(text.replace("\nkey_points:", f"\n{section}key_points:", 1) if "\nkey_points:" in text
                                  else text + section, encoding="utf-8")
        if n == 0:
            continue
        case = target / "case.yml"
        case.write_text(re.sub(r"^title: (.*)$", rf"title: \1 (copy {n + 1})", case.read_text(), count=1, flags=re.M))
        if synthetic:  # each copy cites its own ~20 entries of the large library
            mapping = {key: f"synth{(n * len(cited) + i) % synthetic:04d}" for i, key in enumerate(cited)}
            for path in target.glob("*.yml"):
                text = re.sub(r"@([a-z]+\d{4}[a-z]*)\b", lambda m: "@" + mapping.get(m.group(1), m.group(1)), path.read_text())
                path.write_text(text)
    (project / "bibliography.bib").write_text(real_bib + "\n" + synthetic_entries(synthetic), encoding="utf-8")
    return project


def make_baseline(project: Path) -> Path:
    """The pages our hooks generate, as plain files, with the same configuration minus the hooks: the static
    export (clinicase/static_export.py, `make export`)."""
    return export(project, project.with_name(project.name + "-baseline"))


# --- measuring ------------------------------------------------------------------------

# A small interpreter starts the build and reports its peak memory: forking this (large) process directly
# would count our own pages in the child's peak.
_PEAK = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)")


def build_once(project: Path) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one `mkdocs build`."""
    site = Path(tempfile.mkdtemp())
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _PEAK, sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)],
                            cwd=project, env=ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    shutil.rmtree(site)
    if result.returncode != 0:
        raise SystemExit(f"build failed in {project}:\n{result.stderr}")
    return elapsed, int(result.stdout.split()[-1]) / 1024


def measure(projects: list[Path], runs: int, cold_runs: int) -> list[dict]:
    """Each project built cold (the last cold build is also the warm-up), then warm builds taking turns, so
    that a machine that speeds up or slows down during the run affects every project alike."""
    def cold_build(project: Path) -> tuple[float, float]:
        shutil.rmtree(project / ".cache", ignore_errors=True)
        return build_once(project)

    cold = [[cold_build(project) for project in projects] for _ in range(cold_runs)]
    warm = [[build_once(project) for project in projects] for _ in range(runs)]
    results = []
    for i in range(len(projects)):
        cold_times, cold_peaks = zip(*(turn[i] for turn in cold))
        times, peaks = zip(*(turn[i] for turn in warm))
        results.append({"cold_s": round(statistics.median(cold_times), 3), "median_s": round(statistics.median(times), 3),
                        "peak_mb": round(max(*cold_peaks, *peaks), 1)})
    return results


def properdocs_ratio(project: Path, runs: int) -> tuple[float, float]:
    """Median warm build time of `properdocs build` and of `mkdocs build` of the same project, taking turns."""
    times: dict[str, list[float]] = {"properdocs": [], "mkdocs": []}
    for _ in range(runs):
        for engine in times:
            site = Path(tempfile.mkdtemp())
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", engine, "build", "-q", "-f", "mkdocs.yml", "-d", str(site)], cwd=project,
                           env=ENV, check=True, capture_output=True)
            times[engine].append(time.perf_counter() - start)
            shutil.rmtree(site)
    return round(statistics.median(times["properdocs"]), 3), round(statistics.median(times["mkdocs"]), 3)


def serve_rebuild(project: Path, source: str, edits: int = 3, options: tuple[str, ...] = ()) -> float:
    """Median seconds from writing an edit of `source` (a YAML file, or the baseline's Markdown page) to
    `mkdocs serve` serving the rebuilt page. The file watcher polls every 0.5 s, so this includes ~0.25 s of
    waiting for it on average."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", *options, "-a", f"127.0.0.1:{port}"], cwd=project,
                               env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    path = project / source
    original = path.read_text(encoding="utf-8")
    url = f"http://127.0.0.1:{port}/cases/{REAL_CASE.name}/discussion/"
    try:
        _wait(lambda: any("Serving on" in line for line in lines), 300)
        time.sleep(2)  # the file watcher takes its first snapshot after "Serving on"; an earlier save is never seen
        times = []
        for edit in range(edits):
            marker = f"benchmarkedit{edit}"
            start = time.perf_counter()
            path.write_text(original.replace("Calcinosis cutis is the deposition", f"{marker} Calcinosis cutis is the deposition",
                                             1), encoding="utf-8")
            _wait(lambda: marker in _get(url), 300)
            times.append(time.perf_counter() - start)
            time.sleep(1)
        return round(statistics.median(times), 3)
    finally:
        path.write_text(original, encoding="utf-8")
        process.terminate()
        process.wait(timeout=30)


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def _wait(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for mkdocs serve")
        time.sleep(0.02)


# --- report -----------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1 and 10 cases, 2 runs: a smoke test")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results.json")
    args = parser.parse_args()
    runs, sizes = (2, [1, 10]) if args.quick else (args.runs, [1, 10, 100])
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for entries in [20, 3000]:
            for cases in sizes:
                project = make_casebook(Path(folder), cases, entries)
                baseline = make_baseline(project)
                ours, plain = measure([project, baseline], runs * 3 if cases == 1 else runs,  # 1 s builds: more runs
                                      1 if cases >= 100 else 3)
                row = {"cases": cases, "entries": entries, "casebook": ours, "baseline": plain,
                       "ratio": round(ours["median_s"] / plain["median_s"], 2),
                       "cold_ratio": round(ours["cold_s"] / plain["median_s"], 2)}
                if entries == 20:
                    edits = 5 if cases == 1 else 3 if cases == 10 else 1  # MkDocs rebuilds 100 cases in a minute
                    row["serve_rebuild_s"] = serve_rebuild(project, f"content/cases/{REAL_CASE.name}/discussion.yml", edits,
                                                           ("--dirty",))
                    row["baseline_serve_rebuild_s"] = serve_rebuild(baseline, f"docs/cases/{REAL_CASE.name}/discussion.md", edits)
                    row["serve_ratio"] = round(row["serve_rebuild_s"] / row["baseline_serve_rebuild_s"], 2)
                if (cases, entries) == (1, 20):
                    row["properdocs_s"], row["mkdocs_s"] = properdocs_ratio(project, runs * 3)
                rows.append(row)
                print(_row(row), flush=True)
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
                         f"Python {platform.python_version()}", "runs": runs, "rows": rows, "targets": _targets(rows)}
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(_table(result))


def _row(row: dict) -> str:
    serve = (f" | serve rebuild {row['serve_rebuild_s']} s (baseline {row['baseline_serve_rebuild_s']} s)"
             if "serve_rebuild_s" in row else "")
    serve += f" | ProperDocs {row['properdocs_s']} s, MkDocs {row['mkdocs_s']} s" if "properdocs_s" in row else ""
    return (f"{row['cases']:>4} cases, {row['entries']:>4} entries: casebook {row['casebook']['median_s']} s "
            f"(cold {row['casebook']['cold_s']} s, {row['casebook']['peak_mb']} MB), baseline {row['baseline']['median_s']} s, "
            f"ratio {row['ratio']} (cold {row['cold_ratio']}){serve}")


def _targets(rows: list[dict]) -> dict:
    by = {(r["cases"], r["entries"]): r for r in rows}
    found = {"ratio_real": by[(1, 20)]["ratio"], "ratio_3000": by[(1, 3000)]["ratio"],
             "cold_ratio_real": by[(1, 20)]["cold_ratio"], "cold_ratio_3000": by[(1, 3000)]["cold_ratio"],
             "serve_ratio_1": by[(1, 20)].get("serve_ratio"), "serve_ratio_10": by[(10, 20)].get("serve_ratio")}
    if (100, 20) in by:
        found["serve_100_s"] = by[(100, 20)].get("serve_rebuild_s")
        found["growth_10_to_100"] = round(by[(100, 20)]["casebook"]["median_s"] / by[(10, 20)]["casebook"]["median_s"], 2)
        found["peak_mb_100"] = max(by[(100, e)]["casebook"]["peak_mb"] for e in (20, 3000))
    return {name: {"measured": value, "target": TARGETS[name], "met": value is not None and value <= TARGETS[name]}
            for name, value in found.items()}


def _table(result: dict) -> str:
    lines = [f"Machine: {result['machine']}; median of {result['runs']} builds after a warm-up", "",
             "| cases | entries | casebook (s) | baseline (s) | ratio | cold (s) | cold ratio | peak (MB) | baseline peak (MB) "
             "| serve rebuild (s) | MkDocs' own rebuild (s) | serve ratio |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in result["rows"]:
        lines.append(f"| {r['cases']} | {r['entries']} | {r['casebook']['median_s']} | {r['baseline']['median_s']} | "
                     f"{r['ratio']} | {r['casebook']['cold_s']} | {r['cold_ratio']} | {r['casebook']['peak_mb']} | "
                     f"{r['baseline']['peak_mb']} | "
                     f"{r.get('serve_rebuild_s', '')} | {r.get('baseline_serve_rebuild_s', '')} | {r.get('serve_ratio', '')} |")
    engines = [r for r in result["rows"] if "properdocs_s" in r]
    lines += ["", "| engine | one-case casebook, warm (s) |", "| --- | ---: |"]
    lines += [f"| MkDocs 1.6 | {r['mkdocs_s']} |\n| ProperDocs 1.6 | {r['properdocs_s']} |" for r in engines]
    lines += ["", "| target | measured | goal | met |", "| --- | ---: | ---: | --- |"]
    lines += [f"| {name} | {t['measured']} | ≤ {t['target']} | {'yes' if t['met'] else 'no'} |"
              for name, t in result["targets"].items()]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
