"""`python3 -m tickwire AAPL MSFT ...`: the command-line subscriber (cli.py)."""
import sys

from .cli import main

sys.exit(main())
