"""Declaring a procedure: register it, and the kinds of documents only it issues."""

from common import procedures
from documents.kinds import register_kind


def declare(procedure: procedures.Procedure) -> procedures.Procedure:
    for kind in procedure.documents:
        register_kind(kind)
    return procedures.register(procedure)
