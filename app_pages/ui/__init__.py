"""Shared UI parts of the pages."""
