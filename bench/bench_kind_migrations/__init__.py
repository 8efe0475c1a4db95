"""The migration creating the table of the benchmark's plug-in kind (``bench_training.py``)."""
