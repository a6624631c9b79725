"""The inception module: four branches side by side, concatenated along depth.

"Why choose between different operations? Let's make all!" (the slides).
GoogLeNet's module runs a 1x1, a 3x3 and a 5x5 convolution and a 3x3 max
pooling on the same input, each with stride 1 and 'same' padding, and stacks
their outputs.  The 1x1 convolutions placed before the 3x3 and 5x5 ones (and
after the pooling) reduce the depth those expensive kernels see: the
explorer shows the module as a diagram with every shape, and its parameters
and multiply-adds with and without these reductions.  Every number comes
from :func:`meia_cnn.explain.inception.inception_state`; the scene is drawn
by :file:`js/inception.js`.
"""

from __future__ import annotations

import ipywidgets as widgets

from .._validation import as_int
from ..explain.inception import COUNTS, InceptionState, inception_scene, inception_state
from ..i18n import TranslatedText
from ..i18n import gettext_noop as N_
from ._assets import esm
from ._controls import Control
from ._explorer import Explorer, View

__all__ = ["InceptionExplorer"]

#: Slider ranges (GoogLeNet's largest module, 5b, has 832 input channels and 384 filters).
MAX_SIZE = 112
MAX_DEPTH = 1024
MAX_FILTERS = 512

# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText(
    {
        "title": N_("Inception module: four branches concatenated along depth, with their costs"),
    }
)
#: The filter counts' labels, named as :data:`~meia_cnn.explain.inception.COUNTS`.
COUNT_LABELS = {
    "n1x1": "1×1",
    "n3x3_reduce": N_("3×3 reduce"),
    "n3x3": "3×3",
    "n5x5_reduce": N_("5×5 reduce"),
    "n5x5": "5×5",
    "pool_proj": N_("pool proj"),
}


class InceptionView(View):
    """The drawing of :class:`InceptionExplorer` (all SVG)."""

    _esm = esm("inception.js")


class InceptionExplorer(Explorer):
    """GoogLeNet's inception module with its shapes and its costs.

    Parameters
    ----------
    input_shape : (int, int, int)
        ``(H, W, C)`` of the previous layer; square (``H == W``), as in
        GoogLeNet.  Default: inception (3a)'s input, 28x28x192.
    n1x1 : int
        Filters of the 1x1 branch.
    n3x3_reduce, n3x3 : int
        Filters of the 1x1 reduction before the 3x3 convolution, and of the
        3x3 convolution.
    n5x5_reduce, n5x5 : int
        The same for the 5x5 branch.
    pool_proj : int
        Filters of the 1x1 projection after the 3x3 max pooling.

    Attributes
    ----------
    controls : dict
        ``"input_size"`` (H = W), ``"input_depth"`` (C) and one IntSlider per
        filter count, named as the arguments.

    Notes
    -----
    The default numbers are inception (3a) of Szegedy et al. (2014), Table 1:
    output depth 64 + 128 + 32 + 32 = 256 and 128 million multiply-adds (the
    table's "128M ops").  "Without reductions" is the paper's naive module
    (its Figure 2(a)): the 3x3 and 5x5 convolutions see all ``C`` input
    channels and the pooled input is concatenated as it is, so the output is
    deeper (``C`` instead of ``pool_proj`` channels from that branch).

    Examples
    --------
    >>> viz = InceptionExplorer()
    >>> viz.state.output_shape
    (28, 28, 256)
    >>> viz.state.cost["params"], viz.state.naive["params"]
    (163696, 387296)
    >>> viz.controls["n5x5"].value = 64
    >>> viz.state.output_shape
    (28, 28, 288)
    >>> viz.close()
    """

    view_class = InceptionView
    title = TEXT.english("title")
    spec = (
        Control("input_size", "int", N_("input H = W"), range=(1, MAX_SIZE)),
        Control("input_depth", "int", N_("input depth C"), range=(1, MAX_DEPTH)),
        *(Control(name, "int", COUNT_LABELS[name], range=(1, MAX_FILTERS)) for name in COUNTS),
    )

    def __init__(
        self,
        input_shape: tuple[int, int, int] = (28, 28, 192),
        n1x1: int = 64,
        n3x3_reduce: int = 96,
        n3x3: int = 128,
        n5x5_reduce: int = 16,
        n5x5: int = 32,
        pool_proj: int = 32,
    ) -> None:
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
            raise ValueError(f"`input_shape` must be (H, W, C), got {input_shape!r}")
        h, w, c = (as_int(v, "input_shape") for v in input_shape)
        if h != w:
            raise ValueError(f"`input_shape` must be square (H == W) in this explorer, got {tuple(input_shape)}")
        for value, what, top in ((h, "height", MAX_SIZE), (c, "depth", MAX_DEPTH)):
            if value > top:
                raise ValueError(f"`input_shape {what}` must be between 1 and {top}, got {value}")
        counts = self._check(
            n1x1=n1x1, n3x3_reduce=n3x3_reduce, n3x3=n3x3, n5x5_reduce=n5x5_reduce, n5x5=n5x5, pool_proj=pool_proj
        )
        super().__init__()
        self._build({"input_size": h, "input_depth": c, **counts})
        ctl = self.controls
        self._layout(
            widgets.HBox([ctl["input_size"], ctl["input_depth"], ctl["n1x1"]]),
            widgets.HBox([ctl["n3x3_reduce"], ctl["n3x3"], ctl["pool_proj"]]),
            widgets.HBox([ctl["n5x5_reduce"], ctl["n5x5"]]),
        )
        self._listen()

    # -- controls -> state ---------------------------------------------------------
    def _compute(self) -> InceptionState:
        values = self._read()
        size, depth = values.pop("input_size"), values.pop("input_depth")
        return inception_state((size, size, depth), **values)

    # -- state -> scene --------------------------------------------------------------
    def _scene(self, state: InceptionState) -> tuple[dict, dict]:
        return dict(inception_scene(state)), {}
