"""The export sources (12315, 12358, monitoring hits): one small module per source, each only its ExportSpec.

- ``spec``: what an export source's fields are (ExportSpec), and the registry of sources.
- ``sniff``: how much a file looks like a source; refusing a file that is plainly another source.
- ``staging``: one slice of text rows → typed, checked, masked rows and quarantined rows. Pure polars: no
  database, testable on its own.
- ``stream``: the slices cast on worker threads ahead of one streamed INSERT.
- ``load``: one file, one batch, one transaction (batch row, versions, quarantine, counts, audit) and the
  loader-module contract (sniff, load, undo_batch) for a spec.
- ``versions``: which version of a record is current; withdrawal.
- ``privacy``: personal columns dropped, free text masked, phones hashed.
- ``complaints_12315``, ``price_12358``, ``monitoring``: the sources, each its spec.
"""
