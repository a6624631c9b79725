"""Live ipywidgets explorers, one per section of the lecture.

Each explorer is displayable and exposes its controls by name in
``.controls``; the explorers drawn in the browser (built on
:class:`meia_cnn.widgets._explorer.Explorer`) give their current numbers,
computed by the core, as ``.state``::

    from meia_cnn.widgets import StridePaddingExplorer
    viz = StridePaddingExplorer()
    viz                                   # shows it in a notebook
    viz.controls["stride"].value = 2      # an instructor or a test drives it
    viz.state.output_shape                # the numbers drawn, from the core

Explorers are imported on first use, so ``import meia_cnn.widgets`` stays cheap.
They need ipywidgets and anywidget: ``pip install "meia-cnn[widgets]"``.
"""

from importlib import import_module

from .._optional import missing_dependency

_EXPLORERS = {
    "ConvolutionExplorer": "convolution",
    "VolumeExplorer": "volume",
    "StridePaddingExplorer": "stride_padding",
    "PoolingExplorer": "pooling",
    "OneByOneExplorer": "one_by_one",
    "InceptionExplorer": "inception",
    "TemplateMatchingExplorer": "template_matching",
    "ParameterSharingExplorer": "sharing",
    "FeatureMapExplorer": "feature_maps",
    "TrainingExplorer": "training",
    "ArchitectureExplorer": "architecture",
    "TransposedConvExplorer": "transposed",
    "LearnKernelExplorer": "learn_kernel",
}
_OTHERS = {
    "ExerciseWidget": "exercise",
    "ShapeTableExercise": "exercise",
    "SolutionButton": "exercise",
    "PALETTE": "_explorer",
    "Explorer": "_explorer",
}

__all__ = sorted(_EXPLORERS) + sorted(_OTHERS)


def __getattr__(name: str) -> object:
    module = _EXPLORERS.get(name) or _OTHERS.get(name)
    if module is None:
        raise AttributeError(f"module 'meia_cnn.widgets' has no attribute {name!r}")
    try:
        imported = import_module(f".{module}", __name__)
    except ModuleNotFoundError as exc:  # the core alone: the explorers come with meia-cnn[widgets]
        clear = missing_dependency(exc, f"meia_cnn.widgets.{name}")
        if clear is None:
            raise
        raise clear from None
    value = getattr(imported, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
