"""``python -m xdock`` runs the ``xdock`` command."""

import sys

from xdock.cli import main

sys.exit(main())
