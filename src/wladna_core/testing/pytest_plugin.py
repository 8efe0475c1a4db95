"""pytest plug-in of wladna_core (being written)."""
