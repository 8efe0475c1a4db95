"""The migration creating the tables of :data:`wladna_core.testing.kinds.HOME_VISIT`."""
