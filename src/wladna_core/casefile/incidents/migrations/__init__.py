"""The migrations creating the tables of incidents and care arrangements.

A branch of its own (``wladna_casefile_incidents``), after the core's first revision, that
:func:`wladna_core.storage.upgrade` applies with the core's.
"""
