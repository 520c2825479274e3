"""Locale formats Django reads before its own (FORMAT_MODULE_PATH): the input formats only."""
