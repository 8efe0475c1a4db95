"""Testing helpers of wladna_core."""
