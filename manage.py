#!/usr/bin/env python
"""Django's manage.py; `casework` (installed by `make`) is the same command."""

from casework.cli import main

if __name__ == "__main__":
    main()
