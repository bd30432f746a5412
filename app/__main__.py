"""``python -m app`` runs the ``glyphic`` command line."""

import sys

from app.cli import main

sys.exit(main())
