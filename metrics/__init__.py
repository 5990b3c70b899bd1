"""Figures over the warehouse, each defined once in `registry`. Read-only but for the summary tables it keeps fresh
(`summary_tables`) and the audit row of an export (`file_export`); nothing here imports streamlit."""
