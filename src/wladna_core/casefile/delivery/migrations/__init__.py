"""The migrations creating the tables of the services log and the approvals.

A branch of its own (``wladna_casefile_services``), after the core's first revision, that
:func:`wladna_core.storage.upgrade` applies with the core's.
"""
