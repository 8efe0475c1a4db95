"""The migrations creating the tables of the training kinds (:mod:`wladna_core.training.kinds`).

A branch of its own (``wladna_training``), after the core's first revision, that
:func:`wladna_core.storage.upgrade` applies with the core's.
"""
