"""The site builds the same with ProperDocs, the maintained fork of MkDocs 1.x (README: Engines)."""

import os
import re
import subprocess
import sys

from conftest import REPO

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def test_properdocs_builds_the_same_site_apart_from_the_generator_tag(real_site, tmp_path):
    env = {**{k: v for k, v in os.environ.items() if k != "SITE_URL"}, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "properdocs", "build", "--strict", "-f", "mkdocs.yml", "-d",
                             str(tmp_path / "site")], cwd=REPO, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr

    def files(site):
        return {p.relative_to(site).as_posix(): GENERATOR.sub(b"", p.read_bytes()) for p in site.rglob("*") if p.is_file()}

    mkdocs, properdocs = files(real_site.site), files(tmp_path / "site")
    assert sorted(properdocs) == sorted(mkdocs)
    assert [name for name in mkdocs if mkdocs[name] != properdocs[name]] == []
    assert b"ProperDocs" in (tmp_path / "site" / "index.html").read_bytes()


def test_the_package_imports_no_engine():
    """Only hooks/*.py know MkDocs: the content model, renderers, decks, exports and import move to another
    engine unchanged (README: Engines)."""
    engine = re.compile(r"^\s*(?:from|import)\s+(?:mkdocs|material|properdocs|zensical)\b", re.M)
    found = [p.relative_to(REPO).as_posix() for p in (REPO / "hooks" / "clinicase").rglob("*.py")
             if engine.search(p.read_text(encoding="utf-8"))]
    assert found == []
