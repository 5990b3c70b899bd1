"""The parts pages share, none of them a page: the warehouse, user and as-of date of a run (common), charts,
metric tiles, and the two upload sections of 数据上报 (upload_stats, upload_exports)."""
