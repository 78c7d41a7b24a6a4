"""appraise: risk-of-bias appraisal of published studies, and the claims that rest on them."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("appraise")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
