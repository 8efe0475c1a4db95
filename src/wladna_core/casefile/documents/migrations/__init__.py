"""The migrations creating the tables of the case file's documents group.

The kinds ``participation``, ``concern_detail`` and ``document``, in a branch of their own
(``wladna_casefile_documents``), after the core's first revision, that
:func:`wladna_core.storage.upgrade` applies with the core's.
"""
