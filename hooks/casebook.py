"""MkDocs hooks: hand the site planned by `clinicase` to MkDocs, nothing more.

MkDocs puts this folder on sys.path while it loads the hook, so the sibling
package is imported here, at module top. `mkdocs serve` never re-imports
hooks, so the plan is loaded again on every build (from the build cache when
no input changed, see clinicase/plan.py). Kept across builds: the last good
plan (while serving, a broken save shows the last good site with the errors
on every page instead of stopping the server), and what `--dirty` rebuilds
need to stay whole (see _start_dirty_build). A build that must plan makes its
decks and pictures in a worker process meanwhile (clinicase/worker.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.utils import clean_directory

from clinicase.cache import Cache, keep_between_builds
from clinicase.errors import ContentError, Location, Problem, relative_name
from clinicase.files import refused
from clinicase.glossary import carry_usage
from clinicase.markup import restore_code_text
from clinicase.plan import CACHE_DIR, GLOSSARY_PAGE, SitePlan, bibliography_check, load_plan
from clinicase.worker import Worker

log = logging.getLogger("mkdocs.hooks.casebook")  # under "mkdocs", so --strict counts its warnings
_plan: SitePlan | None = None
_last_good: SitePlan | None = None
_serving = False
_worker: Worker | None = None  # making this build's missing decks and PNGs while MkDocs renders the pages
_late: dict[str, Path] = {}  # where in the site -> cache file the worker makes, copied once it is done
# `--dirty` (make serve): MkDocs renders only pages whose source is newer than their output. What the last
# build showed besides each page's own text (_shell), its files and its glossary usage make that safe.
_dirty = False
_shell = ""
_copied: dict[str, tuple | None] = {}  # site file -> the version of its source copied last
_rendered: set[str] = set()
_usage: dict[str, list[tuple[str, str]]] = {}


def on_startup(command, dirty):
    global _serving, _dirty
    _serving, _dirty = command == "serve", dirty
    keep_between_builds(_serving)
    if dirty:  # its warning ("inaccurate navigation") is what on_files prevents: a changed shell rebuilds everything
        logging.getLogger("mkdocs.commands.build").addFilter(
            lambda record: not record.getMessage().startswith("A 'dirty' build is being performed"))


def on_files(files, config):
    """Plan the site from content/ and bibliography.bib, and add its pages in memory."""
    global _plan, _last_good
    root = Path(config.config_file_path).parent
    docs = Path(config.docs_dir).absolute()  # the author's files (theme files come from the installed theme)
    authored = [Path(f.abs_src_path).absolute() for f in files if f.abs_src_path]
    unreadable = refused({relative_name(p, root): p for p in authored if p.is_relative_to(docs)}, root)  # before a byte is read
    if unreadable:
        raise PluginError(ContentError(unreadable).report())
    handwritten, undecodable = {}, []
    for file in files.documentation_pages():
        try:
            handwritten[file.src_uri] = file.content_string
        except UnicodeDecodeError:
            undecodable.append(Problem(Location(relative_name(Path(file.abs_src_path), root)), "file is not UTF-8 text",
                                       "save it as UTF-8 in your editor (Save with encoding → UTF-8)"))
    if undecodable:
        raise PluginError(ContentError(undecodable).report())
    try:
        _plan = _last_good = load_plan(
            root, use_directory_urls=config.use_directory_urls, handwritten=handwritten,
            site_name=config.site_name, site_url=config.site_url or "", defer=True, on_miss=lambda: _start_worker(root))
    except ContentError as error:
        _stop_worker()
        if not (_serving and _last_good):
            raise PluginError(error.report()) from None
        log.error("%s\nStill serving the last good version; save a fix and the site rebuilds.", error.report())
        _plan = dataclasses.replace(_last_good, stale=error.report())
    for warning in _plan.warnings:
        log.warning(warning)
    if unsafe := _plan.unsafe_markup("".join(_plan.glossary.tips.values()), GLOSSARY_PAGE):  # previews go on every page
        raise PluginError(f"a glossary preview would hold markup that can run script ({unsafe!r}); please report "
                          "this as a bug, with the content that caused it")
    if _dirty:
        _start_dirty_build(config, files)
    _add_pages(files, config, root)
    if _worker:
        _worker.give({path: make for path, make in _plan.pending.items() if not path.is_file()})
        _plan.pending = {}  # handed over: the decks' data need not stay in memory
    if not (_worker and _plan.bib_check in _worker.jobs):
        _log_uncited()
    _add_assets(files, config)
    for uri, content in _plan.downloads.items():
        files.append(File.generated(config, uri, content=content))
    config.nav = _plan.nav
    return files


def _add_pages(files, config, root: Path) -> None:
    """Generated pages in memory; for a dirty build, as files whose modification time says whether they changed
    (the Glossary, which lists where terms are used, always renders)."""
    sources = _plan.page_files(root) if _dirty else {}
    for page in _plan.pages:
        if existing := files.get_file_from_path(page.src_uri):
            files.remove(existing)
        if page.src_uri in sources and page.src_uri != GLOSSARY_PAGE:
            files.append(File.generated(config, page.src_uri, abs_src_path=str(sources[page.src_uri])))
        else:
            files.append(File.generated(config, page.src_uri, content=page.markdown))


def _add_assets(files, config) -> None:
    """Images, decks and pictures, copied from where they are; one the worker is still making gets an empty
    stand-in (links to it check out) and is copied in at the end. In a dirty build MkDocs copies a file only
    when it is newer than the copy: when a site file's source is not what was copied last time (an edit undone
    brings back an older cached deck; an image replaced by an older file), the copy is removed so that it is
    made again. An author's file is never touched."""
    _late.clear()
    for uri, source in _plan.assets.items():
        late = _worker and source in _worker.jobs
        file = File.generated(config, uri, content=b"") if late else File.generated(config, uri, abs_src_path=str(source))
        if late:
            _late[file.abs_dest_path] = source
        now = None if late else _version(source)
        if _dirty and _copied.get(uri) != now:
            Path(file.abs_dest_path).unlink(missing_ok=True)
        _copied[uri] = now
        files.append(file)


def _settings_version(config) -> str:
    """mkdocs.yml and the theme's templates (serve reloads both on every build): every page shows them."""
    digest = hashlib.sha256(Path(config.config_file_path).read_bytes())
    custom = config.theme.custom_dir
    for path in sorted(Path(custom).rglob("*")) if custom else []:
        digest.update(repr(_version(path)).encode())
    return digest.hexdigest()


def _version(path: Path) -> tuple | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return path, stat.st_size, stat.st_mtime_ns


def _start_dirty_build(config, files) -> None:
    """Pages render only when their source changed; when what they all show changed, all of them do. The
    hand-written pages always render: MkDocs learns their titles, which every page's navigation shows, only
    by reading them."""
    global _shell
    _rendered.clear()
    shell = _plan.shell() + _settings_version(config)
    if shell != _shell:
        clean_directory(config.site_dir)
        _shell = shell
    for page in files.documentation_pages():
        Path(page.abs_dest_path).unlink(missing_ok=True)


def _start_worker(root: Path) -> None:
    """Before planning: the worker imports python-pptx and checks the whole .bib meanwhile."""
    global _worker
    _stop_worker()
    _worker = Worker()
    early = Cache(root / CACHE_DIR, defer=True)
    bibliography_check(root, early)
    _worker.give(early.pending)


def _stop_worker() -> None:
    global _worker
    if _worker:
        _worker.stop()
    _worker = None


def on_post_build(config):
    """The decks and PNGs the worker made, in place of their stand-ins."""
    global _worker
    if not _worker:
        return
    worker, _worker = _worker, None
    if problem := worker.finish():
        log.debug(problem)
        raise PluginError("Making the slides and pictures failed; please report this as a bug, with the content "
                          f"that caused it: {problem.splitlines()[-1]}")
    for destination, source in _late.items():
        shutil.copyfile(source, destination)
    if _plan.bib_check in worker.jobs:
        _log_uncited()  # still before MkDocs counts warnings for --strict


def _log_uncited() -> None:
    for warning in _plan.uncited_warnings():
        log.warning(warning)


def on_build_error(error):
    _stop_worker()


def on_page_markdown(markdown, page, config, files):
    """Hand-written pages get their citations resolved like generated ones."""
    return _plan.handwritten.get(page.file.src_uri, markdown) if _plan else markdown


def on_page_content(html, page, config, files):
    """Link glossary terms in the finished HTML, where headings, links and code are known."""
    if not _plan:
        return html
    _rendered.add(page.file.src_uri)
    html = restore_code_text(html)  # code's < and & from YAML travel as placeholders (markup.md)
    html = _plan.link_terms(html, page.file.src_uri, page.title)
    unsafe = _plan.unsafe_markup(html, page.file.src_uri)  # the glossary previews included
    if unsafe:  # never expected: escaping and the URL rule stop data first. Refuse rather than publish it.
        raise PluginError(f"{page.file.src_uri}: the generated page would hold markup that can run script "
                          f"({unsafe!r}); please report this as a bug, with the content that caused it")
    return _plan.stale_notice() + html


def on_page_context(context, page, config, nav):
    """The footer notice a page's licences ask for (non-commercial use), read by overrides/partials/copyright.html."""
    if _plan and (notice := _plan.licence_notice(page.file.src_uri)):
        page.meta["cb_licence_notice"] = notice
    return context


def on_env(env, config, files):
    """Every page is converted by now, so the Glossary can list where each term is used."""
    global _usage
    glossary = files.get_file_from_path(GLOSSARY_PAGE)
    if _plan and _dirty:
        carry_usage(_plan.glossary, _usage, _rendered, [f.src_uri for f in files.documentation_pages()])
        _usage = {term: list(pages) for term, pages in _plan.glossary.used_on.items()}
    if _plan and glossary and glossary.page:
        glossary.page.content = _plan.glossary_with_usage(glossary.page.content)
    return env


def on_post_page(output, page, config):
    return _name_search_dialog(output)


def on_post_template(output_content, template_name, config):
    return _name_search_dialog(output_content)  # 404.html is a template, not a page


def _name_search_dialog(html: str) -> str:
    """Material's search dialog has no accessible name (axe: aria-dialog-name); give it one."""
    return html.replace('class="md-search" data-md-component="search" role="dialog">',
                        'class="md-search" data-md-component="search" role="dialog" aria-label="Search">', 1)
