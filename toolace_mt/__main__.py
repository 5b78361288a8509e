import sys

from toolace_mt.cli import main

sys.exit(main())
