"""Domain errors of qpvkg; they know nothing of HTTP or exit codes."""

from __future__ import annotations

from typing import Any


class QpvkgError(Exception):
    """Base of every error qpvkg raises on purpose."""

    code = "error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BadInputError(QpvkgError):
    """Input that cannot be read or parsed (malformed RDF, JSON-LD, YAML, bad options)."""

    code = "bad_input"


class UnreadableSourceError(BadInputError):
    """A path that does not exist or cannot be read."""

    code = "unreadable_source"


class SourceSyntaxError(BadInputError):
    """A source file whose syntax is invalid."""

    code = "syntax_error"


class ValidationFailedError(QpvkgError):
    """Data that does not conform to the shapes; ``report`` holds the SHACL report text."""

    code = "validation_failed"

    def __init__(
        self, message: str, report: str, results: list[dict[str, Any]], **counts: Any
    ) -> None:
        """``results`` are the listed ones (the first of the report); ``counts`` say how many
        there are in all (``total``, ``violations``, ``listed``, ``truncated``)."""
        counts = {
            "total": len(results),
            "violations": sum(1 for r in results if r.get("severity") == "Violation"),
            "listed": len(results),
            "truncated": False,
            **counts,
        }
        super().__init__(message, report=report, results=results, **counts)
        self.report = report
        self.results = results
        self.counts = counts


class UnknownResourceError(QpvkgError):
    """A named query, resource or graph that does not exist."""

    code = "not_found"


class QueryDefinitionError(QpvkgError):
    """A named query whose ``#+`` header or text is invalid (fails the build and the tests)."""

    code = "query_definition"


class ParameterError(BadInputError):
    """A query parameter that is missing, unknown or not of its declared type."""

    code = "bad_parameter"

    def __init__(self, message: str, parameter: str) -> None:
        super().__init__(message)
        self.details["parameter"] = parameter
        self.parameter = parameter


class QuerySyntaxError(BadInputError):
    """A SPARQL query that does not parse."""

    code = "query_syntax"


class QualityCheckError(QpvkgError):
    """Quality-check queries that returned rows."""

    code = "quality_check"


class NotAcceptableError(QpvkgError):
    """No representation the client accepts can be produced."""

    code = "not_acceptable"


class PayloadTooLargeError(BadInputError):
    """A request body over the size limit."""

    code = "payload_too_large"


class LiteralTooLargeError(PayloadTooLargeError):
    """A literal (or IRI) of a contribution larger than the literal size limit."""

    code = "literal_too_large"


class TokenTooLargeError(PayloadTooLargeError):
    """A single JSON string larger than the token limit."""

    code = "token_too_large"


class TooManySubjectsError(PayloadTooLargeError):
    """A write whose graph would describe more subjects than one write may validate."""

    code = "too_many_subjects"


class DocumentTooDeepError(BadInputError):
    """A JSON document nested deeper than the limit."""

    code = "too_deep"


class XmlDeclarationError(BadInputError):
    """RDF/XML whose document type declares entities or points to an external DTD."""

    code = "xml_entities_refused"


class EmptyContributionError(BadInputError):
    """A write whose body holds no triple (or a JSON-LD document that is not a node)."""

    code = "empty_contribution"


class UnacceptableDataError(QpvkgError):
    """Data that parses but that the store will not hold as sent (it would lose or change
    facts): a malformed language tag, a ``null`` JSON-LD context, a shared blank node."""

    code = "unacceptable_data"


class LanguageTagError(UnacceptableDataError):
    """A language tag that is not well-formed BCP 47."""

    code = "bad_language_tag"


class NullContextError(UnacceptableDataError):
    """A ``null`` JSON-LD context (it would lift the protection of the project's terms)."""

    code = "null_context"


class BlankNodeShapeError(UnacceptableDataError):
    """Blank nodes that are shared (object of several triples) or form a cycle."""

    code = "shared_blank_node"


class UnsupportedMediaTypeError(BadInputError):
    """A request body of a media type the operation does not read."""

    code = "unsupported_media_type"


class MethodNotAllowedError(BadInputError):
    """An HTTP method the resource does not support."""

    code = "method_not_allowed"


class ReadOnlyReplicaError(MethodNotAllowedError):
    """A write sent to a read replica (writes go to the writer)."""

    code = "read_only_replica"


class QueryRefusedError(BadInputError):
    """A query the endpoint will not run (an update, or SERVICE to a non-allowed endpoint)."""

    code = "query_refused"


class RangeNotSatisfiableError(QpvkgError):
    """A byte range that a file cannot give (past its end, or malformed); ``size`` is the
    file's size in bytes."""

    code = "range_not_satisfiable"


class QueryLimitError(QpvkgError):
    """A query stopped for going over a limit (time or memory); the server goes on."""

    code = "query_limit"


class QueryTimeoutError(QueryLimitError):
    """A query that ran past its time limit."""

    code = "query_timeout"


class QueryMemoryError(QueryLimitError):
    """A query that used more memory than its limit."""

    code = "query_memory"


class ServiceUnavailableError(QpvkgError):
    """The query service cannot answer now (starting, stopping, or its worker died)."""

    code = "unavailable"


class UnauthorizedError(QpvkgError):
    """A write without a valid partner token."""

    code = "unauthorized"


class ForbiddenError(QpvkgError):
    """A write the partner may not make (another partner's graph, ontology terms)."""

    code = "forbidden"


class ConflictError(QpvkgError):
    """A write that clashes with the graph's state (a concurrent write, a stale version)."""

    code = "conflict"


class RemoteStoreError(ServiceUnavailableError):
    """The external SPARQL store failed or could not be reached."""

    code = "store_unavailable"


class TooManyQueriesError(QpvkgError):
    """A client with more queries running or waiting than its share of the server."""

    code = "too_many_queries"


class RequestTimeoutError(BadInputError):
    """A client too slow to send its request (headers or body)."""

    code = "request_timeout"
