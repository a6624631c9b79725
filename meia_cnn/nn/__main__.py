"""Retrain the reference CNN and rewrite the shipped weights: ``python -m meia_cnn.nn``."""

import sys

from .reference import main

if __name__ == "__main__":
    sys.exit(main())
