"""The command line: thin modules that parse arguments, call the library and render.

Every module here other than ``main`` and ``common`` defines ``register(app)``; ``main``
finds and registers them, so adding a command group never means editing a shared file.
"""
