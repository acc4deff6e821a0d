"""`python -m bot` is the same as the `newsbot` console script."""

from bot.cli import main

raise SystemExit(main())
