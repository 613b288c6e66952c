"""The ``toxplan`` command line."""
