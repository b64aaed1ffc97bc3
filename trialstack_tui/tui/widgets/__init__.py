"""Reusable widgets: tables, charts, metric cards and dialogs."""
