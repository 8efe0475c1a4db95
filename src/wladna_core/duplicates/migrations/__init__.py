"""The migration creating the table of :data:`wladna_core.duplicates.DUPLICATE_PAIR`."""
