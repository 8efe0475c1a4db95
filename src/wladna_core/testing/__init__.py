"""Test support for code built on wladna_core.

- :mod:`wladna_core.testing.strategies`: Hypothesis strategies for every record of the domain,
  valid by default, with knobs that fix a field or ask for a specific invalid shape.
- :mod:`wladna_core.testing.pytest_plugin`: the pytest plug-in, registered under the ``pytest11``
  entry point ``wladna``; it chooses a Hypothesis settings profile (``dev``, ``ci`` or ``fast``)
  for the run and names it in the report header.

Both need the ``testing`` extra (``pip install "wladna-core[testing]"``), which brings Hypothesis
and pytest.  Importing this package alone needs neither.
"""
