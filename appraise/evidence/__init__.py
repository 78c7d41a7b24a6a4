"""Evidence: a study's text, and proposed answers to signalling questions with their quotes."""

from appraise.evidence.document import DocSection, Document, Sentence
from appraise.evidence.instruments import InstrumentMatch, classify, find_instruments
from appraise.evidence.proposals import DETECTORS, Proposal, ProposalSet, propose
from appraise.evidence.record_document import document_from_record, document_with_record

__all__ = [
    "DETECTORS",
    "DocSection",
    "Document",
    "InstrumentMatch",
    "Proposal",
    "ProposalSet",
    "Sentence",
    "classify",
    "document_from_record",
    "document_with_record",
    "find_instruments",
    "propose",
]
