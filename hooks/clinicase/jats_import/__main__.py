"""`python -m clinicase.jats_import article.xml [--case NAME] [--licence ID]`, run from the casebook's folder
(`make import SOURCE=... CASE=... LICENCE=...` does this). Prints what was written and the review list, or
every problem that stopped the import; never a traceback."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import ContentError
from . import import_article


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make import", description="Import a case report's JATS XML as a draft case.")
    parser.add_argument("source", help="the article's .xml or .nxml file (its figure images may sit beside it)")
    parser.add_argument("--case", default="", help="the case folder's name (default: from the title)")
    parser.add_argument("--licence", default="", help="the article's licence id, when its XML does not name one")
    parser.add_argument("--project", default=".", help="the casebook's folder (default: here)")
    args = parser.parse_args(argv)
    try:
        done = import_article(Path(args.source), Path(args.project), name=args.source, case=args.case, licence=args.licence)
    except ContentError as error:
        count = len(error.problems)
        print(f"The import stopped; nothing was written. {count} problem{'s' if count != 1 else ''}:", file=sys.stderr)
        print("\n".join(f"  {p}" for p in error.problems), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("The import was interrupted; nothing was written.", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - a bug: say so in a line, never a traceback
        print(f"The import failed on an unexpected problem ({type(error).__name__}: {error}); nothing was written. "
              "Please report it with the XML file.", file=sys.stderr)
        return 2
    must = len(done.review.must)
    print(f"Imported '{done.draft.title}' into {done.folder}/ ({', '.join(sorted(done.draft.data))} .yml, REVIEW.md"
          f"{', ' + str(len(done.draft.images)) + ' image(s)' if done.draft.images else ''}) and {done.added} entries "
          f"into bibliography.bib" + (f" ({done.reused} already there)" if done.reused else "") + ".")
    print(f"{must} item(s) must be done before the site builds, {len(done.review.checks)} to check; "
          f"the list is in {done.folder}/REVIEW.md:\n")
    print(done.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
