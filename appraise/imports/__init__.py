"""Review databases brought into a corpus (Metapsy databases; robvis CSVs are read by
appraise.outputs.robvis)."""
