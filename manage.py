#!/usr/bin/env python
"""Django's command-line utility; the installed `stoa` command does the same."""

from stoa.__main__ import main

if __name__ == "__main__":
    main()
