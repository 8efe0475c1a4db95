"""The version of wladna_core."""

__version__ = "0.1.0.dev0"
