import sys

from draaiboek.cli.main import main

sys.exit(main())
