"""Use cases: one function per command, returning a result the CLI renders as text or JSON.

The CLI parses arguments, calls one function here and renders what it returns; these functions
open and check the corpus, choose the default rubric, find or fetch a study and read its one
document, and never print.
"""
