"""``python -m optiforge`` runs the CLI."""

import sys

from optiforge.cli import main

sys.exit(main())
