"""The command line: thin modules that parse arguments, call one use case (appraise.app) and
render its result as text or JSON.

Every module here other than ``main`` and ``common`` defines ``register(app)``; ``main`` lists
and registers them explicitly, in the order `appraise --help` shows their commands.
"""
