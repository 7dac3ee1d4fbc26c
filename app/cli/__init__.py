"""The ``spaceops`` command line (``main``) and its ``scenario`` and ``tasking`` sub-commands."""
