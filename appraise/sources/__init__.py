"""Study records from Crossref, OpenAlex, Europe PMC and PubMed, merged with provenance.

``fetch_records`` / ``fetch_record`` are the entry points; ``http`` is the one place that talks
to the network; each source module holds a pure parser; ``merge`` combines their fields.
"""

from appraise.sources.fetch import Failure, FetchReport, Saved, fetch_record, fetch_records

__all__ = ["Failure", "FetchReport", "Saved", "fetch_record", "fetch_records"]
