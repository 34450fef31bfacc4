import sys

from draaiboek.cli.entry import main

sys.exit(main())
