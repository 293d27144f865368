"""Exceptions raised by natoanalysis.

Every error names what was wrong and what is accepted, so that a user sees a
sentence rather than a traceback from inside pandas or openpyxl.
"""

from __future__ import annotations


class NatoAnalysisError(Exception):
    """Base class for all errors raised on purpose by natoanalysis."""


class WorkbookError(NatoAnalysisError):
    """A file could not be opened as an Excel workbook."""


class LayoutError(NatoAnalysisError):
    """A workbook does not have the layout the reader expects.

    Parameters
    ----------
    message : str
        What was found and what was expected.
    sheet : str, optional
        Sheet where the problem was found.
    row : int, optional
        1-based worksheet row of the problem.
    """

    def __init__(self, message: str, *, sheet: str | None = None, row: int | None = None):
        self.sheet = sheet
        self.row = row
        where = ""
        if sheet is not None:
            where = f"sheet {sheet!r}"
            if row is not None:
                where += f", row {row}"
            where += ": "
        super().__init__(where + message)


class ValidationError(NatoAnalysisError):
    """Published figures failed a consistency check that is not on the whitelist."""


class DataNotFoundError(NatoAnalysisError, FileNotFoundError):
    """Bundled or processed data is missing where it was looked for."""


class ArgumentError(NatoAnalysisError, ValueError):
    """An argument of a public function is wrong: the message names it, the value given and what is accepted.

    A ``ValueError`` too, so that ``except ValueError`` written before it existed still catches it.
    """


class UnknownCountryError(ArgumentError):
    """A country name or code is not in the registry."""


ECHO_LIMIT = 60


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """``repr(value)`` for an error message, cut to about ``limit`` characters.

    Messages repeat what the user gave so that they can see what was refused,
    but a value of megabytes (a pasted file, a generated argument) would bury
    the message; the start of it is enough to recognise it.

    Examples
    --------
    >>> echo("POL")
    "'POL'"
    >>> echo("x" * 1000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (1000 characters)"
    """
    text = repr(value) if not isinstance(value, str) else repr(str.__str__(value))
    if len(text) <= limit:
        return text
    size = f" ({len(value)} characters)" if isinstance(value, str) else ""
    return text[:limit] + "…" + size


class DataIntegrityError(NatoAnalysisError):
    """A raw transcription differs from what its provenance record says was written."""


class DataFolderError(NatoAnalysisError):
    """The data folder cannot be written as asked: a link or a file where a folder of the package belongs."""
