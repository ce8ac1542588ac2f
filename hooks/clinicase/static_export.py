"""The site as plain Markdown for an engine that runs no hooks (Zensical, MkDocs 2.0): the way off MkDocs 1.x.

    make export OUT=site-markdown     # or: PYTHONPATH=hooks python -m clinicase.static_export site-markdown

writes OUT/docs/ (every page the hooks generate, the hand-written pages with their citations resolved, case
images, decks, pictures and reading lists) and OUT/mkdocs.yml (the project's settings with the navigation
written in, and no `hooks:`), which any engine reading mkdocs.yml can build as it is. What only the hooks do
is missing there: glossary links and previews in the finished HTML, the Glossary's "Used on" lists, the
non-commercial notice in the footer of each page that reuses such a source, the last check for markup that
could run script, and the banner that `make serve` shows over a broken save. The benchmark's baseline is
this export. Plain Python: nothing here imports an engine.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

from .errors import ContentError, relative_name
from .files import refused
from .markup import restore_code_text
from .site import plan_site
from .yaml_source import read_text

MAX_PAGE_BYTES = 5_000_000  # a hand-written page or mkdocs.yml larger than this is not one


def export(project: Path, out: Path) -> Path:
    """Write the export into `out` (which must not exist yet); `out`. The hand-written pages follow the file
    rule the build applies (files.py): a link out of the project, a pipe or a device is refused, not copied."""
    docs = project / "docs"
    authored = {relative_name(p, project): p for p in sorted(docs.rglob("*")) if p.is_symlink() or not p.is_dir()}
    if problems := refused(authored, project):
        raise ContentError(problems)
    handwritten = {}
    for name, path in authored.items():
        if path.suffix == ".md":
            text, problems = read_text(path, name, MAX_PAGE_BYTES, root=project)
            if problems:
                raise ContentError(problems)
            handwritten[path.relative_to(docs).as_posix()] = text
    config, problems = read_text(project / "mkdocs.yml", "mkdocs.yml", MAX_PAGE_BYTES, root=project)
    if problems:
        raise ContentError(problems)
    site_name = re.search(r"^site_name:\s*(.+?)\s*$", config, flags=re.M)
    plan = plan_site(project, handwritten=handwritten, site_name=site_name.group(1) if site_name else "")
    shutil.copytree(docs, out / "docs")
    if (project / "hooks" / "overrides").is_dir():  # the theme's custom_dir: templates, not hooks
        shutil.copytree(project / "hooks" / "overrides", out / "hooks" / "overrides")
    # Code's < & { from YAML travel as placeholders that only the hooks put back (markup.md): here they are
    # written as entities, which any Markdown shows as the characters outside code (and as entities inside it).
    pages = {page.src_uri: restore_code_text(page.markdown) for page in plan.pages}
    files = {**pages, **plan.handwritten, **plan.downloads}
    for uri, content in files.items():
        path = out / "docs" / uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    for uri, source in plan.assets.items():
        (out / "docs" / uri).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, out / "docs" / uri)
    config = re.sub(r"^(hooks|watch):\n(  .*\n)+", "", config, flags=re.M)  # no hooks to run, no content/ to watch
    config += "\nnav:\n" + "".join(f"  - {json.dumps(item, ensure_ascii=False)}\n" for item in plan.nav)
    (out / "mkdocs.yml").write_text(config, encoding="utf-8")
    return out


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "site-markdown")
    if out.exists():
        print(f"{out} already exists: give a new folder (the export never writes over anything)", file=sys.stderr)
        return 2
    try:
        export(Path.cwd(), out)
    except ContentError as error:
        print(error.report(), file=sys.stderr)
        return 1
    print(f"Wrote {out}/: build it with `mkdocs build -f {out}/mkdocs.yml` or `zensical build -f {out}/mkdocs.yml`")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
