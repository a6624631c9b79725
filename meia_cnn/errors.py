"""Errors a learner can reach, each with a code and the values that explain it.

The message (``str(exc)``) is English, for programmers, and stays as it was.
An explorer shows a learner the sentence its catalogue holds for ``exc.code``,
filled with ``exc.params``, in the learner's language: nothing matches the
English text.  The classes also derive from the builtin they refine, so
``except ValueError`` still catches them.

Codes
-----
``kernel_token_too_long``   row, col, length
``kernel_not_a_number``     row, col, text
``kernel_divides_by_zero``  row, col, text
``kernel_out_of_range``     row, col, text, low, high
``kernel_text_too_long``    length, most
``kernel_row_count``        n
``kernel_row_length``       size, row, n
``image_empty``             name
``image_unreadable``        name
``image_too_large``         name
``image_bad_dimensions``    name, width, height
``image_too_small``         name, width, height, need_width, need_height
``file_unreadable``         name
``template_constant``       (none)
"""

from __future__ import annotations

from typing import Any

__all__ = ["KitError", "KitValueError", "KitTypeError"]


class KitError(Exception):
    """An error with a ``code`` naming its kind and the ``params`` that explain it.

    Parameters
    ----------
    message : str
        The English message, for programmers (``str(exc)``).
    code : str
        The kind of error (see the module's list).
    **params
        The values a translated sentence is filled with.

    Examples
    --------
    >>> exc = KitValueError("the kernel must be 3 rows; got 2 rows", code="kernel_row_count", n=2)
    >>> str(exc), exc.code, exc.params, isinstance(exc, ValueError)
    ('the kernel must be 3 rows; got 2 rows', 'kernel_row_count', {'n': 2}, True)
    """

    def __init__(self, message: str, *, code: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params

    def __reduce__(self) -> Any:  # pickles (and copies) with its code and fields
        return _rebuild, (type(self), str(self), self.code, self.params)


def _rebuild(cls: type[KitError], message: str, code: str, params: dict[str, Any]) -> KitError:
    return cls(message, code=code, **params)


class KitValueError(KitError, ValueError):
    """A value a learner gave cannot be used (a :class:`ValueError` with a code)."""


class KitTypeError(KitError, TypeError):
    """A value of the wrong kind (a :class:`TypeError` with a code)."""
