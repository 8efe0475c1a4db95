"""The migrations creating the tables of outreach, tracing and reunification.

A branch of its own (``wladna_casefile_outreach``), after the core's first revision, that
:func:`wladna_core.storage.upgrade` applies with the core's.
"""
