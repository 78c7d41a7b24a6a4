"""Outputs for manuscripts: tables, figures, robvis CSV in and out, bibliographic export and the
one-command report. Everything starts from one :class:`~appraise.outputs.matrix.Matrix` (which
appraisal speaks for each study, in a stable order); writers and figure builders are pure
functions of it, and I/O happens at the edges."""
