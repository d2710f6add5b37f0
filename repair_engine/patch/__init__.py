"""Patch: a repaired IR model written back into the text of its file.

One writer per format, each keeping the file's formatting (edits at the spans
the frontend recorded): `python` (Python sources), `notebook` (the cells of a
notebook, after the Python writer), `keras_json` (Keras configs) with
`json_values` (value-only edits) as its fallback, `exais_spec` (ExAIS specs).
`diffs` turns a new text into a unified diff and GitHub suggestion edits.
"""
