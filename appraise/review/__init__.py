"""The reviewer's workflow: appraise a study, keep the appraisal safe, compare reviewers,
build the consensus, check a corpus and describe the methods."""

from appraise.corpus import AppraisalFile, ConflictError
from appraise.review.agreement import AgreementReport, agreement, pair_statistics
from appraise.review.check import Problem, check_corpus
from appraise.review.consensus import consensus_session
from appraise.review.methods import methods_paragraph
from appraise.review.session import AssessSession, DomainSummary, Step

__all__ = [
    "AgreementReport",
    "AppraisalFile",
    "AssessSession",
    "ConflictError",
    "DomainSummary",
    "Problem",
    "Step",
    "agreement",
    "check_corpus",
    "consensus_session",
    "methods_paragraph",
    "pair_statistics",
]
