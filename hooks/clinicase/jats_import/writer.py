"""Writing the draft: YAML an author can read, and a change to the project that happens whole or not at all.

The case folder is written in a staging folder beside the project's files and renamed into content/cases/
in one step; the .bib is rewritten last, through a temporary file renamed over it. An existing case folder
or .bib entry is never overwritten, and a failure on the way leaves the project as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import yaml

from ..errors import ContentError, Location, Problem

SCHEMA_LINE = "# yaml-language-server: $schema=../../../hooks/clinicase/schemas/{name}.schema.json\n"


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):  # lists indented under their key, as authors write them
        return super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else ">" if len(value) > 90 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def yaml_text(name: str, data: dict, header: str) -> str:
    """The file's text: the schema line (editors complete and check fields), a note, the data."""
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    if yaml.safe_load(text) != data:  # PyYAML chose a style that reads back differently: a bug to see at once
        raise AssertionError(f"{name}.yml does not read back as written")
    return SCHEMA_LINE.format(name=name) + header + text


def position(text: str, path: tuple) -> tuple[int, int]:
    """(line, column), 1-based, where the value at `path` starts in a YAML text this module wrote."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    for part in path:
        node = node.value[part] if isinstance(node, yaml.SequenceNode) else next(v for k, v in node.value if k.value == part)
    return node.start_mark.line + 1, node.start_mark.column + 1


def replaced(text: str, at: tuple[int, int], old: str, new: str) -> str:
    """The text with `old` at (line, column) replaced by `new` (the rest of the file keeps its positions)."""
    lines = text.split("\n")
    line, column = at[0] - 1, at[1] - 1
    if lines[line][column:column + len(old)] != old:
        raise AssertionError(f"expected {old!r} at {at}")
    lines[line] = lines[line][:column] + new + lines[line][column + len(old):]
    return "\n".join(lines)


def with_comments(text: str, above: dict[int, str], after: dict[int, str]) -> str:
    """Comment lines above some lines (1-based), and comments at the end of others (single-line values only)."""
    lines = text.split("\n")
    out = []
    for number, line in enumerate(lines, start=1):
        if number in above:
            indent = line[: len(line) - len(line.lstrip(" "))]
            out.append(f"{indent}# {above[number]}")
        out.append(f"{line}  # {after[number]}" if number in after else line)
    return "\n".join(out)


def install(root: Path, slug: str, files: dict[str, str], images: dict[str, Path], bib: Path, bib_before: bytes,
            bib_addition: str) -> None:
    """Put the case folder in place and append to the .bib, or change nothing and raise a ContentError."""
    cases = root / "content" / "cases"
    destination = cases / slug
    staging = Path(tempfile.mkdtemp(prefix=".clinicase-import-", dir=root))  # same file system: rename is atomic
    try:
        folder = staging / slug
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        for name, source in images.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, folder / name)
        if os.path.lexists(destination):
            raise ContentError([Problem(Location(f"content/cases/{slug}"), "the case folder already exists",
                                        "nothing was changed; choose another name with CASE=...")])
        os.rename(folder, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    try:
        _append(bib, bib_before, bib_addition)
    except BaseException:
        shutil.rmtree(destination, ignore_errors=True)
        raise


def appended(before: bytes, addition: str) -> str:
    """The .bib's text, byte for byte (a byte-order mark too), with the new entries after it."""
    text = before.decode("utf-8")
    return text + ("\n" if text and not text.endswith("\n") else "") + addition


def _append(bib: Path, before: bytes, addition: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".bibliography-import-", dir=bib.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            if bib.read_bytes() != before:
                raise ContentError([Problem(Location(bib.name), "the file changed while the article was imported",
                                            "nothing was changed; import again")])
            out.write(appended(before, addition).encode("utf-8"))
        shutil.copymode(bib, temporary)
        os.replace(temporary, bib)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
