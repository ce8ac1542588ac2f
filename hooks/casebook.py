"""MkDocs hooks: hand the site planned by `clinicase` to MkDocs, nothing more.

MkDocs puts this folder on sys.path while it loads the hook, so the sibling
package is imported here, at module top. `mkdocs serve` never re-imports
hooks, so the plan is recomputed on every build, never kept across builds.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from clinicase.errors import ContentError
from clinicase.site import SitePlan, plan_site

_plan: SitePlan | None = None


def on_files(files, config):
    """Plan the site from content/ and bibliography.bib, and add its pages in memory."""
    global _plan
    handwritten = {f.src_uri: f.content_string for f in files.documentation_pages()}
    try:
        _plan = plan_site(Path(config.config_file_path).parent, use_directory_urls=config.use_directory_urls,
                          handwritten=handwritten)
    except ContentError as error:
        raise PluginError(error.report()) from None
    for page in _plan.pages:
        if existing := files.get_file_from_path(page.src_uri):
            files.remove(existing)
        files.append(File.generated(config, page.src_uri, content=page.markdown))
    for uri, source in _plan.assets.items():
        files.append(File.generated(config, uri, abs_src_path=str(source)))
    config.nav = _plan.nav
    return files


def on_page_markdown(markdown, page, config, files):
    """Hand-written pages get their citations resolved like generated ones."""
    return _plan.handwritten.get(page.file.src_uri, markdown) if _plan else markdown
