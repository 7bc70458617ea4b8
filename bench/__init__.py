"""The benchmark harness of ``make bench`` (issue 6): one module per measurement, ``bench/run.py`` runs them.

Not installed with the package: the scripts put the repository root on ``sys.path`` themselves.
"""
