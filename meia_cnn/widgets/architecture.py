"""The classic networks side by side: their tables and their volumes to scale.

For the lecture's closing presentations (LeNet-5, AlexNet, GoogLeNet, VGG):
choose a network and see its summary table (from
:func:`meia_cnn.architectures.summary`) and a diagram of the volumes it
computes, one box per layer output, drawn to scale: the box's height is
proportional to the feature map's side ``H``, its width to ``log2`` of the
depth ``D``, and its label gives ``H×W×D``.  The readout gives the totals.

Every number comes from :func:`meia_cnn.explain.architecture.architecture_state`;
:file:`js/architecture.js` draws the diagram (turned on its side on a narrow
screen).  "The paper's columns" is offered only for the networks whose paper
has a table layout of its own (LeNet-5 and GoogLeNet).
"""

from __future__ import annotations

import ipywidgets as widgets

from .. import architectures
from ..explain.architecture import GAP as _GAP
from ..explain.architecture import MAX_WIDTH as _MAX_WIDTH
from ..explain.architecture import MIN_HEIGHT as _MIN_HEIGHT
from ..explain.architecture import MIN_WIDTH as _MIN_WIDTH
from ..explain.architecture import TALLEST as _TALLEST
from ..explain.architecture import ArchitectureState, architecture_scene, architecture_state, layout, volumes
from ..i18n import TranslatedText
from ..i18n import gettext_noop as N_
from ._assets import esm
from ._controls import Control
from ._explorer import Explorer, View

__all__ = ["ArchitectureExplorer", "layout", "volumes"]
#: The diagram's proportions (see :func:`~meia_cnn.explain.architecture.layout`).
PROPORTIONS = (_TALLEST, _GAP, _MIN_WIDTH, _MAX_WIDTH, _MIN_HEIGHT)

# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText(
    {
        "title": N_("Architectures: a classic network's volumes drawn to scale, with its table"),
        "choose_network": N_("Choose one of the networks in the list."),
        "choose_detail": N_("Tick or untick the paper's columns."),
        "detail": N_("the paper's columns"),
    }
)


class ArchitectureView(View):
    """The drawing of :class:`ArchitectureExplorer` (all SVG)."""

    _esm = esm("architecture.js")


class ArchitectureExplorer(Explorer):
    """Choose a classic CNN; see its summary table and its volumes to scale.

    Parameters
    ----------
    name : str
        A network of :func:`meia_cnn.architectures.names` (``'lenet5'``,
        ``'lenet5_fc'``, ``'alexnet'``, ``'alexnet_single'``, ``'vgg16'``,
        ``'vgg19'``, ``'googlenet'``).
    detail : bool
        Show the paper's own columns in the table (LeNet-5's connections,
        GoogLeNet's Table 1 layout) instead of the common ones.  The box is
        shown only for the networks whose paper has such a layout.

    Attributes
    ----------
    controls : dict
        ``"name"`` (Dropdown of the networks) and ``"detail"`` (Checkbox).
    table : ipywidgets.HTML
        The summary table (CSS class ``meia-architecture``).
    state : ArchitectureState
        What is drawn, from :func:`meia_cnn.explain.architecture.architecture_state`:
        the network's summary and its volumes (``state.volumes``) to scale.

    Examples
    --------
    >>> viz = ArchitectureExplorer()
    >>> viz.state.summary.total_params, viz.state.summary.trainable_params
    (60840, 60000)
    >>> [v.label for v in viz.state.volumes][:3]
    ['input', 'C1', 'S2']
    >>> viz.controls["name"].value = "vgg16"
    >>> len(viz.state.volumes), viz.state.volumes[-1].shape
    (22, (1, 1, 1000))
    >>> viz.close()
    """

    view_class = ArchitectureView
    title = TEXT.english("title")
    spec = (
        Control(
            "name",
            "menu",
            N_("network"),
            options=architectures.names(),
            width="30em",
            refusal=TEXT.english("choose_network"),
        ),
        Control("detail", "check", TEXT.english("detail"), refusal=TEXT.english("choose_detail")),
    )

    def __init__(self, name: str = "lenet5", *, detail: bool = False) -> None:
        key = architectures.summary(name).key  # an unknown name is a ValueError here; aliases are welcome
        given = self._check(name=key, detail=detail)
        super().__init__()
        self._build(given)
        self.table = widgets.HTML(layout=widgets.Layout(overflow="auto", max_width="100%"))
        self.table.add_class("meia-architecture")
        self._layout(widgets.HBox([self.controls["name"], self.controls["detail"]]))
        self.children = [*self.children, self.table]
        self._listen()

    # -- controls -> state ---------------------------------------------------------
    def _compute(self) -> ArchitectureState:
        values = self._read()
        return architecture_state(values["name"], detail=values["detail"])

    # -- state -> scene --------------------------------------------------------------
    def _scene(self, state: ArchitectureState) -> tuple[dict, dict]:
        return dict(architecture_scene(state)), {}

    def _after_publish(self) -> None:
        """The table, and "the paper's columns" offered only where the paper has a layout of its own."""
        state: ArchitectureState = self.state
        detail = self.controls["detail"]
        detail.layout.display = None if state.has_paper_columns else "none"
        detail.disabled = not state.has_paper_columns
        self.table.value = state.table
