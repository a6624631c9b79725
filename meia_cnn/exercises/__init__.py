"""Exercises checked on the spot: see :mod:`meia_cnn.exercises._model`."""

from . import _model

globals().update({name: value for name, value in vars(_model).items() if not name.startswith("__")})
__all__ = _model.__all__
__doc__ = _model.__doc__
