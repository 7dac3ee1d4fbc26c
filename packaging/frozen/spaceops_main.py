"""Entry point of the frozen build (PyInstaller runs this file; installs use the
``spaceops`` console script, which calls the same ``main``)."""

import sys

from app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
