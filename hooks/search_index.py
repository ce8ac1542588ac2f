"""Material's search index, whole and current in `mkdocs serve --dirty` builds (what `make serve` runs).

A dirty build renders only the pages an edit changed, and Material's search plugin then merges its last
index with the new entries of the first rendered page only (material/plugins/search/plugin.py,
generate_search_index): an edit that changes a page, its handout and the Glossary left stale entries behind.
This hook keeps each page's entries as Material made them when it last rendered the page, and writes the
index in site order, as a full build writes it. Only Material's search is concerned: a plain build, or a
theme without `search_index.entries`, is left as it is.
"""

from __future__ import annotations

import json
import os

_dirty = False
_by_page: dict[str, list[dict]] = {}  # page source (src_uri) -> its entries, as Material made them when it last rendered it
_seen = 0  # entries of this build's index already assigned to a page
_order: list[str] = []  # page sources in site order


def on_startup(command, dirty):
    global _dirty
    _dirty = dirty


def on_pre_build(config):
    global _seen
    _seen = 0


def on_env(env, config, files):
    global _order
    _order = [file.src_uri for file in files.documentation_pages()]
    return env


def on_page_context(context, page, config, nav):
    """Material has just indexed this page (plugins run before hooks): its entries are the new ones."""
    global _seen
    entries = _entries(config)
    if _dirty and entries is not None:
        _by_page[page.file.src_uri] = entries[_seen:]
        _seen = len(entries)
    return context


def on_post_build(config):
    path = os.path.join(config.site_dir, "search", "search_index.json")
    if not (_dirty and _entries(config) is not None and os.path.isfile(path)):
        return
    with open(path, encoding="utf-8") as handle:
        index = json.load(handle)
    index["docs"] = [entry for uri in _order for entry in _by_page.get(uri, [])]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(index, separators=(",", ":"), default=str))  # as Material writes it


def _entries(config) -> list[dict] | None:
    search = config.plugins.get("material/search")
    return getattr(getattr(search, "search_index", None), "entries", None)
