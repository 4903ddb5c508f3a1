"""Errors that qgsym reports to a user as one line (the command line never shows a traceback)."""


class QgsymError(Exception):
    """Base class of every error whose message is meant for the user.

    The message must be one line naming the problem (and, where it applies, the model entry
    or the parameter that caused it).
    """


class ModelError(QgsymError):
    """A model file or model definition is invalid (not Hermitian, ragged, unknown name ...)."""


class ExpressionError(ModelError):
    """A model entry could not be parsed by the whitelist grammar."""


class GapClosingError(QgsymError):
    """A quantity that divides by a band gap met a vanishing gap on the grid."""
