import sys

from draaiboek.cli import main

sys.exit(main())
