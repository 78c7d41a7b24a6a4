"""`python -m appraise` runs the command line, like the `appraise` script."""

from appraise.cli.main import run

run()
