"""The export sources' registry: each source module declares one ExportSpec and registers it here."""

from __future__ import annotations

from dataclasses import dataclass

from campaign import Campaign


@dataclass(frozen=True)
class ExportSpec:
    """What one export source's fields are, beyond the header synonyms in the campaign file."""

    kind: str
    table: str  # complaint_versions | hit_versions
    sql: str  # prefix of its named SQL in loaders/exports/sql/: <sql>_insert, <sql>_duplicates_quarantine, <sql>_duplicates_delete
    dates: tuple[str, ...]  # datetime fields; the source's date_field must be among them
    amounts: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()  # yes/no fields
    free_text: tuple[str, ...] = ()  # masked
    categories: tuple[str, ...] = ()  # classification into focus areas reads these
    region_fallback: tuple[str, ...] = ()  # where the unit comes from when the region is empty (inferred)
    online: bool = False  # store an online flag (from online_mode and/or platform)
    online_mode: str | None = None  # the consumption-mode field, when the source has one
    columns: tuple[str, ...] = ()  # text fields stored as written (trimmed)


# Registered by the source modules: kind → spec (used to tell a wrong kind from a right one).
SPECS: dict[str, ExportSpec] = {}


def all_specs(c: Campaign) -> dict[str, ExportSpec]:
    import importlib

    for kind in c.export_kinds:
        importlib.import_module(f"loaders.exports.{kind}")
    return SPECS


def register(spec: ExportSpec) -> ExportSpec:
    SPECS[spec.kind] = spec
    return spec


def spec_id_column(spec: ExportSpec) -> str:
    return "hit_id" if spec.table == "hit_versions" else "record_id"


def stored_columns(spec: ExportSpec) -> list[str]:
    """The typed columns a spec writes into its versions table (besides source, row_no, batch_id)."""
    out = [spec_id_column(spec), *spec.dates, *spec.amounts, *spec.flags, *spec.columns, *spec.free_text]
    out += ["merchant_uscc", "uscc_valid", "merchant_name", "merchant_key", "platform", "platform_raw", "region"]
    out += ["unit", "unit_inferred", "focus_key"] + (["online"] if spec.online else [])
    return list(dict.fromkeys(out))
