"""Clinical teaching cases from YAML and BibTeX, with no knowledge of MkDocs.

The hooks in the folder above wire MkDocs events to `site.plan_site` and
`site.resolve_handwritten_page`; everything else here is plain Python.
"""
