"""Write the vocabularies of this folder into the JSON Schemas (as enums) and the README (as tables).

Run after editing a vocabulary file:  .venv/bin/python hooks/clinicase/schemas/vocabularies/build_schemas.py
tests/test_content.py fails while a schema file or the README is out of date with these files.
"""

import sys
from pathlib import Path

HOOKS = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(HOOKS))

from clinicase.vocabularies import write  # noqa: E402

if __name__ == "__main__":
    written = write(HOOKS.parent / "README.md")
    print("\n".join(f"wrote {p.relative_to(HOOKS.parent)}" for p in written) or "everything is up to date")
