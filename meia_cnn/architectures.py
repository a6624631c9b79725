"""The classic CNNs of the lecture's presentations, as exact summary tables.

LeNet-5, AlexNet, VGG-16, VGG-19 and GoogLeNet are written down here as
layer specifications (the numbers the papers give: kernel sizes, strides,
filter counts).  Everything else (each layer's output shape, its
parameters and its multiply-adds) is *computed* with
:mod:`meia_cnn.arithmetic`, the same functions the slides' equations (3)
and (4) live in.  ``tests/core/test_architectures.py`` then checks the computed
tables against the figures printed in the papers.

Sources, layer by layer:

* **LeNet-5** -- LeCun, Bottou, Bengio & Haffner (1998), "Gradient-based
  learning applied to document recognition", Section II.B and Fig. 2;
  C3's partial connections are the paper's Table I
  (:data:`LENET5_C3_TABLE`).  Also the fully connected variant of modern
  courses (max pooling, C3 reading every S2 map, a 10-unit output layer):
  61,706 parameters.
* **AlexNet** -- Krizhevsky, Sutskever & Hinton (2012), "ImageNet
  classification with deep convolutional neural networks", Section 3.5
  and Figure 2 (the paper has no layer table).  The input is 227x227: with
  the 224x224 the paper states, ``(224 - 11) / 4 + 1`` is not a whole
  number and conv1 could not give 55x55.  ``"alexnet"`` keeps the two GPU
  towers (conv2, conv4 and conv5 see only their own tower's 48 or 192 input
  maps, i.e. two groups); ``"alexnet_single"`` is the one-tower form of
  most modern code.
* **VGG-16 / VGG-19** -- Simonyan & Zisserman (2014, ICLR 2015), "Very deep
  convolutional networks for large-scale image recognition", Table 1
  (configurations D and E) and Table 2 (parameters: 138 and 144 million).
* **GoogLeNet** -- Szegedy et al. (2014, CVPR 2015), "Going deeper with
  convolutions", Table 1, row by row (output sizes, depth, the
  #1x1 / #3x3 reduce / #3x3 / #5x5 reduce / #5x5 / pool proj columns).
  Its "params" column counts weights in units of K = 1024 and its "ops"
  column multiply-adds in M = 10**6 (``to_text(columns=s.paper_columns)``
  prints both).  Computed from the table's own filter columns, most rows
  agree with the printed figures to within one unit; a few do not (conv1's
  2.7K is 7x7x3x64 = 9,408 weights; inception (4c) prints 463K for 509,440
  weights = 497.5K; (5a) prints 54M for 51.1M multiply-adds).
  ``tests/core/test_architectures.py`` lists every such row.

Counting conventions (one place for all of them):

* ``params`` counts weights and biases; ``weights`` leaves the biases out
  (GoogLeNet's Table 1 counts weights only).
* ``macs`` are multiply-adds (one per weight per output position):
  :func:`~meia_cnn.arithmetic.conv_macs` and
  :func:`~meia_cnn.arithmetic.dense_macs`.  Pooling, response
  normalisation, dropout and softmax count 0 (they have no weights; see
  :func:`~meia_cnn.arithmetic.pool_macs`), except LeNet-5's trainable
  subsampling, which multiplies each 2x2 sum by its coefficient: one
  multiply-add per output.
* ``connections`` follows LeCun et al.: the links into every output unit,
  its bias included (for a convolution ``macs + outputs``).

Examples
--------
>>> names()
('lenet5', 'lenet5_fc', 'alexnet', 'alexnet_single', 'vgg16', 'vgg19', 'googlenet')

The totals (parameters with biases, multiply-adds):

>>> for key in names():
...     s = summary(key)
...     print(f"{key:15s}{s.total_params:>13,}{s.total_macs:>17,}")
lenet5                60,840          328,096
lenet5_fc             61,706          416,520
alexnet           60,965,224      724,406,816
alexnet_single    62,378,344    1,135,256,096
vgg16            138,357,544   15,470,264,320
vgg19            143,667,240   19,632,062,464
googlenet          6,998,552    1,582,671,872

LeNet-5's 60,840 include the 840 fixed RBF centres (60,000 are trained).

>>> s = summary("vgg16")
>>> s.total_params
138357544
>>> s["fc6"].output_shape, s["fc6"].params
((1, 1, 4096), 102764544)
>>> print(summary("lenet5"))  # doctest: +NORMALIZE_WHITESPACE
LeNet-5 (LeCun et al. 1998)
layer   kernel/stride  output H×W×D  parameters  multiply-adds
input                  32×32×1
C1      5×5/1          28×28×6              156        117,600
S2      2×2/2          14×14×6               12          1,176
C3      5×5/1          10×10×16           1,516        150,000
S4      2×2/2          5×5×16                32            400
C5      5×5/1          1×1×120           48,120         48,000
F6                     1×1×84            10,164         10,080
output  RBF            1×1×10               840            840
total                                    60,840        328,096
trainable parameters: 60,000 (the output layer's 840 RBF centres are fixed by hand)
"""

from __future__ import annotations

import html as _html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any

from . import arithmetic as _ar
from ._validation import shape_text
from .i18n import LazyString, lazy_gettext, register_option_labels
from .i18n import gettext as _
from .i18n import gettext_noop as N_

__all__ = [
    "Layer",
    "Row",
    "Summary",
    "LENET5_C3_TABLE",
    "names",
    "titles",
    "layers",
    "summary",
]

_INCEPTION_KEYS = ("n1x1", "n3x3_reduce", "n3x3", "n5x5_reduce", "n5x5", "pool_proj")


@dataclass(frozen=True)
class Layer:
    """One layer as a paper specifies it (nothing computed).

    Attributes
    ----------
    kind : str
        ``'conv'``, ``'subsample'`` (LeNet-5's trainable average),
        ``'maxpool'``, ``'avgpool'``, ``'lrn'`` (response normalisation),
        ``'dense'``, ``'rbf'`` (LeNet-5's output), ``'inception'``,
        ``'dropout'`` or ``'softmax'``.
    name : str
        The paper's name for it (``'C1'``, ``'conv3_2'``, ``'inception (3a)'``).
    units : int
        Filters of a convolution, units of a dense or RBF layer.
    size, stride : int
        Kernel or window size and stride (square).
    padding : str or int
        As in :func:`meia_cnn.arithmetic.output_size`.
    groups : int
        Input groups of a convolution (AlexNet's two towers: 2).
    reduce : int
        GoogLeNet: filters of the 1x1 reduction before the convolution (0: none).
    table : tuple of tuple of int
        LeNet-5's C3: for each output map, the input maps it reads.
    inception : tuple of 6 int
        ``(n1x1, n3x3_reduce, n3x3, n5x5_reduce, n5x5, pool_proj)``.
    trainable : bool
        False for LeNet-5's output layer, whose centres are fixed by hand.
    note : str
        A remark printed with the table.

    Examples
    --------
    >>> Layer("conv", "C1", units=6, size=5)
    Layer(kind='conv', name='C1', units=6, size=5, stride=1, padding='valid', groups=1, reduce=0, table=(), inception=(), trainable=True, note='')
    """

    kind: str
    name: str
    units: int = 0
    size: int = 0
    stride: int = 1
    padding: str | int = "valid"
    groups: int = 1
    reduce: int = 0
    table: tuple[tuple[int, ...], ...] = ()
    inception: tuple[int, ...] = ()
    trainable: bool = True
    note: str = ""


@dataclass(frozen=True)
class Row:
    """One computed line of a :class:`Summary`.

    Attributes
    ----------
    name, kind : str
        As in the :class:`Layer`.
    kernel : str
        ``'5×5/1'`` (kernel or window / stride), ``'5×5/1, 2 groups'``, or
        ``''`` for layers without a sliding window.
    input_shape, output_shape : (int, int, int)
        ``(H, W, D)``; dense layers give ``(1, 1, units)``.
    params, weights, macs, connections : int
        Parameters (with biases), weights (without), multiply-adds, and
        LeCun's connections (see the module's conventions).
    depth : int
        Layers with weights along the row (GoogLeNet's "depth" column).
    trainable : bool
    config : mapping
        Extra numbers of the row: an inception module's six filter counts,
        a reduced convolution's ``n3x3_reduce`` and ``n3x3``.

    Examples
    --------
    >>> row = summary("lenet5")["C1"]
    >>> row.output_shape, row.params, row.shape_text
    ((28, 28, 6), 156, '28×28×6')
    """

    name: str
    kind: str
    kernel: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    params: int
    weights: int
    macs: int
    connections: int
    depth: int
    trainable: bool = True
    config: MappingProxyType[str, int] = field(default_factory=lambda: MappingProxyType({}), compare=False)
    note: str = ""

    @property
    def shape_text(self) -> str:
        """``'28×28×6'``."""
        return shape_text(self.output_shape)


def _window_text(layer: Layer) -> str:
    text = f"{layer.size}×{layer.size}/{layer.stride}"
    if layer.groups > 1:
        text += f", {layer.groups} groups"
    return text


# ---------------------------------------------------------------------------
# computing one row
# ---------------------------------------------------------------------------
def _row(layer: Layer, shape: tuple[int, ...]) -> Row:
    """Apply ``layer`` to an input of ``shape`` (H, W, D) and cost it."""
    h, w, c = shape
    kind = layer.kind
    common: dict[str, Any] = dict(
        name=layer.name, kind=kind, input_shape=shape, trainable=layer.trainable, note=layer.note
    )
    if kind == "conv":
        k, s, pad, f = layer.size, layer.stride, layer.padding, layer.units
        oh, ow = _ar.output_size((h, w), k, stride=s, padding=pad)
        config = {}
        params = weights = macs = biases = 0
        depth = 1
        if layer.table:  # LeNet-5's C3: output map j reads len(table[j]) input maps
            for inputs in layer.table:
                n_in = len(inputs)
                params += _ar.conv_params(n_in, 1, k)
                weights += _ar.conv_params(n_in, 1, k, bias=False)
                macs += _ar.conv_macs((h, w, n_in), 1, k, stride=s, padding=pad)
            biases = len(layer.table)
        else:
            cin = c
            if layer.reduce:  # GoogLeNet: a 1x1 reduction first (Table 1, "#3x3 reduce")
                r = layer.reduce
                params += _ar.conv1x1_params(c, r)
                weights += _ar.conv1x1_params(c, r, bias=False)
                macs += _ar.conv1x1_macs((h, w, c), r)
                biases += r
                cin = r
                depth = 2
                config = {"n3x3_reduce": r, "n3x3": f}
            if cin % layer.groups or f % layer.groups:
                raise ValueError(  # pragma: no cover - a defect in a specification
                    f"layer {layer.name}: groups={layer.groups} must divide the input depth {cin} and the filters {f}"
                )
            per_group = cin // layer.groups  # each filter sees its own tower's maps only
            params += _ar.conv_params(per_group, f, k)
            weights += _ar.conv_params(per_group, f, k, bias=False)
            macs += _ar.conv_macs((h, w, per_group), f, k, stride=s, padding=pad)
            biases += f
        out = (oh, ow, f)
        return Row(
            kernel=_window_text(layer),
            output_shape=out,
            params=params,
            weights=weights,
            macs=macs,
            connections=macs + oh * ow * biases,
            depth=depth,
            config=MappingProxyType(config),
            **common,
        )
    if kind in ("subsample", "maxpool", "avgpool"):
        k, s = layer.size, layer.stride
        oh, ow = _ar.pool_output_size((h, w), k, stride=s, padding=layer.padding)
        outputs = oh * ow * c
        if kind == "subsample":
            # LeNet-5 S2/S4: (sum of a 2x2 window) x trainable coefficient + trainable bias
            params, weights, macs = 2 * c, c, outputs
            connections = outputs * (k * k + 1)
        else:
            params = weights = _ar.pool_params(k)
            macs = _ar.pool_macs(shape, k, stride=s, padding=layer.padding)
            connections = outputs * k * k
        return Row(
            kernel=_window_text(layer),
            output_shape=(oh, ow, c),
            params=params,
            weights=weights,
            macs=macs,
            connections=connections,
            depth=int(kind == "subsample"),
            **common,
        )
    if kind in ("dense", "rbf"):
        n_in, n_out = h * w * c, layer.units
        bias = kind == "dense"
        params = _ar.dense_params(n_in, n_out, bias=bias)
        weights = _ar.dense_params(n_in, n_out, bias=False)
        macs = _ar.dense_macs(n_in, n_out)  # RBF: one (x - w)^2 per weight
        return Row(
            kernel="RBF" if kind == "rbf" else "",
            output_shape=(1, 1, n_out),
            params=params,
            weights=weights,
            macs=macs,
            connections=params,
            depth=1,
            **common,
        )
    if kind == "inception":
        counts: dict[str, Any] = dict(zip(_INCEPTION_KEYS, layer.inception))
        cost = _ar.inception_cost((h, w, c), **counts)
        biases = sum(layer.inception)  # one per filter of the module's six convolutions
        return Row(
            kernel="",
            output_shape=cost["output_shape"],
            params=cost["params"],
            weights=cost["params"] - biases,
            macs=cost["macs"],
            connections=cost["macs"] + h * w * biases,
            depth=2,
            config=MappingProxyType(counts),
            **common,
        )
    # lrn, dropout, softmax: same shape, no weights
    return Row(kernel="", output_shape=shape, params=0, weights=0, macs=0, connections=0, depth=0, **common)


# ---------------------------------------------------------------------------
# the specifications
# ---------------------------------------------------------------------------
def _lenet5_c3_table() -> tuple[tuple[bool, ...], ...]:
    """Table I of LeCun et al. (1998): which S2 maps (rows) each C3 map (columns) reads."""
    marks = (
        "X   XXX  XXXX XX",
        "XX   XXX  XXXX X",
        "XXX   XXX  X XXX",
        " XXX  XXXX  X XX",
        "  XXX  XXXX XX X",
        "   XXX  XXXX XXX",
    )
    return tuple(tuple(row[j] == "X" for j in range(16)) for row in marks)


#: LeNet-5's C3 connection scheme, LeCun et al. (1998), Table I: ``[i][j]`` is
#: True when C3 feature map ``j`` (0..15) reads S2 feature map ``i`` (0..5).
LENET5_C3_TABLE = _lenet5_c3_table()


def _lenet5() -> tuple[tuple[int, int, int], tuple[Layer, ...]]:
    inputs = tuple(tuple(i for i in range(6) if LENET5_C3_TABLE[i][j]) for j in range(16))
    return (32, 32, 1), (
        Layer("conv", "C1", units=6, size=5),
        Layer("subsample", "S2", size=2, stride=2),
        Layer("conv", "C3", units=16, size=5, table=inputs, note="partial connections, Table I"),
        Layer("subsample", "S4", size=2, stride=2),
        Layer("conv", "C5", units=120, size=5),
        Layer("dense", "F6", units=84),
        Layer("rbf", "output", units=10, trainable=False, note="Euclidean RBF units with fixed centres"),
    )


def _lenet5_fc() -> tuple[tuple[int, int, int], tuple[Layer, ...]]:
    return (32, 32, 1), (
        Layer("conv", "conv1", units=6, size=5),
        Layer("maxpool", "pool1", size=2, stride=2),
        Layer("conv", "conv2", units=16, size=5),
        Layer("maxpool", "pool2", size=2, stride=2),
        Layer("dense", "fc1", units=120),
        Layer("dense", "fc2", units=84),
        Layer("dense", "fc3", units=10),
    )


def _alexnet(groups: int) -> tuple[tuple[int, int, int], tuple[Layer, ...]]:
    # Krizhevsky et al. (2012), Section 3.5 and Figure 2: 96 kernels 11x11x3 with
    # stride 4; 256 of 5x5x48; 384 of 3x3x256; 384 of 3x3x192; 256 of 3x3x192;
    # overlapping 3x3/2 max pooling (Section 3.4); 4096, 4096, 1000 units.
    return (227, 227, 3), (
        Layer("conv", "conv1", units=96, size=11, stride=4),
        Layer("lrn", "norm1"),
        Layer("maxpool", "pool1", size=3, stride=2),
        Layer("conv", "conv2", units=256, size=5, padding=2, groups=groups),
        Layer("lrn", "norm2"),
        Layer("maxpool", "pool2", size=3, stride=2),
        Layer("conv", "conv3", units=384, size=3, padding=1),
        Layer("conv", "conv4", units=384, size=3, padding=1, groups=groups),
        Layer("conv", "conv5", units=256, size=3, padding=1, groups=groups),
        Layer("maxpool", "pool5", size=3, stride=2),
        Layer("dense", "fc6", units=4096),
        Layer("dense", "fc7", units=4096),
        Layer("dense", "fc8", units=1000),
    )


def _vgg(blocks: Any) -> tuple[tuple[int, int, int], tuple[Layer, ...]]:
    # Simonyan & Zisserman (2014), Table 1: 3x3 convolutions with stride 1 and
    # padding 1, 2x2 max pooling with stride 2, then FC-4096, FC-4096, FC-1000.
    spec = []
    for b, (n_convs, filters) in enumerate(zip(blocks, (64, 128, 256, 512, 512)), start=1):
        for i in range(1, n_convs + 1):
            spec.append(Layer("conv", f"conv{b}_{i}", units=filters, size=3, padding=1))
        spec.append(Layer("maxpool", f"pool{b}", size=2, stride=2))
    spec += [Layer("dense", "fc6", units=4096), Layer("dense", "fc7", units=4096), Layer("dense", "fc8", units=1000)]
    return (224, 224, 3), tuple(spec)


def _googlenet() -> tuple[tuple[int, int, int], tuple[Layer, ...]]:
    # Szegedy et al. (2014), Table 1, one Layer per row of the table.  The
    # stride-2 layers use 'same' padding, which gives the table's output sizes.
    def inc(name: str, *counts: int) -> Layer:
        return Layer("inception", f"inception ({name})", inception=counts)

    return (224, 224, 3), (
        Layer("conv", "conv1", units=64, size=7, stride=2, padding="same"),
        Layer("maxpool", "pool1", size=3, stride=2, padding="same"),
        Layer("conv", "conv2", units=192, size=3, padding="same", reduce=64),
        Layer("maxpool", "pool2", size=3, stride=2, padding="same"),
        inc("3a", 64, 96, 128, 16, 32, 32),
        inc("3b", 128, 128, 192, 32, 96, 64),
        Layer("maxpool", "pool3", size=3, stride=2, padding="same"),
        inc("4a", 192, 96, 208, 16, 48, 64),
        inc("4b", 160, 112, 224, 24, 64, 64),
        inc("4c", 128, 128, 256, 24, 64, 64),
        inc("4d", 112, 144, 288, 32, 64, 64),
        inc("4e", 256, 160, 320, 32, 128, 128),
        Layer("maxpool", "pool4", size=3, stride=2, padding="same"),
        inc("5a", 256, 160, 320, 32, 128, 128),
        inc("5b", 384, 192, 384, 48, 128, 128),
        Layer("avgpool", "avg pool", size=7, stride=1),
        Layer("dropout", "dropout (40%)"),
        Layer("dense", "linear", units=1000),
        Layer("softmax", "softmax"),
    )


_PAPER_GOOGLENET = ("layer", "kernel", "output", "depth", *_INCEPTION_KEYS, "params_k", "ops_m")

_NETWORKS = {
    # title and source are shown translated (the titles as the menu's option labels, below)
    "lenet5": (
        N_("LeNet-5 (LeCun et al. 1998)"),
        N_("LeCun et al. (1998), Section II.B, Fig. 2 and Table I"),
        _lenet5,
        ("layer", "kernel", "output", "params", "connections", "macs"),
    ),
    "lenet5_fc": (
        N_("LeNet-5, fully connected variant"),
        N_("the common course variant of LeCun et al. (1998): max pooling, full C3, dense output"),
        _lenet5_fc,
        None,
    ),
    "alexnet": (
        N_("AlexNet (Krizhevsky et al. 2012), two towers"),
        N_("Krizhevsky et al. (2012), Section 3.5 and Figure 2 (227×227 input)"),
        lambda: _alexnet(2),
        None,
    ),
    "alexnet_single": (
        N_("AlexNet, single tower"),
        N_("Krizhevsky et al. (2012) without the split across two GPUs"),
        lambda: _alexnet(1),
        None,
    ),
    "vgg16": (
        N_("VGG-16 (Simonyan & Zisserman 2014, configuration D)"),
        N_("Simonyan & Zisserman (2014), Table 1 column D; Table 2: 138 million"),
        lambda: _vgg((2, 2, 3, 3, 3)),
        None,
    ),
    "vgg19": (
        N_("VGG-19 (Simonyan & Zisserman 2014, configuration E)"),
        N_("Simonyan & Zisserman (2014), Table 1 column E; Table 2: 144 million"),
        lambda: _vgg((2, 2, 4, 4, 4)),
        None,
    ),
    "googlenet": (
        N_("GoogLeNet (Szegedy et al. 2014)"),
        N_("Szegedy et al. (2014), Table 1"),
        _googlenet,
        _PAPER_GOOGLENET,
    ),
}


def _key(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "").replace(" ", "")


_ALIASES = {_key(k): k for k in _NETWORKS}


def names() -> tuple[str, ...]:
    """The networks available, as keys for :func:`summary`.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> names()[:2]
    ('lenet5', 'lenet5_fc')
    """
    return tuple(_NETWORKS)


def titles() -> dict[str, str]:
    """``{key: title}`` for every network (the explorer's menu).

    Returns
    -------
    dict of str to str

    Examples
    --------
    >>> titles()["vgg19"]
    'VGG-19 (Simonyan & Zisserman 2014, configuration E)'
    """
    return {key: value[0] for key, value in _NETWORKS.items()}


# What the explorer's menu shows for each network: its title, translated.
register_option_labels(titles())


def _resolve(name: Any) -> str:
    if not isinstance(name, str):
        raise TypeError(f"`name` must be a string, one of {', '.join(_NETWORKS)}; got {name!r}")
    key = _ALIASES.get(_key(name))
    if key is None:
        raise ValueError(f"`name` must be one of {', '.join(_NETWORKS)}; got {name!r}")
    return key


def layers(name: str) -> tuple[tuple[int, int, int], tuple[Layer, ...]]:
    """The layer specification of a network: ``(input_shape, layers)``.

    Parameters
    ----------
    name : str
        One of :func:`names` (case, ``-`` and ``_`` are ignored: ``'VGG-16'`` works).

    Returns
    -------
    input_shape : (int, int, int)
    layers : tuple of Layer

    Examples
    --------
    >>> shape, spec = layers("AlexNet")
    >>> shape, spec[0]
    ((227, 227, 3), Layer(kind='conv', name='conv1', units=96, size=11, stride=4, padding='valid', groups=1, reduce=0, table=(), inception=(), trainable=True, note=''))
    """
    return _NETWORKS[_resolve(name)][2]()


@cache
def _summary(key: str) -> Summary:
    title, source, build, paper = _NETWORKS[key]
    input_shape, spec = build()
    rows: list[Row] = []
    shape: tuple[int, ...] = input_shape
    for layer in spec:
        row = _row(layer, shape)
        rows.append(row)
        shape = row.output_shape
    return Summary(key, title, source, input_shape, tuple(rows), paper_columns=paper)


def summary(name: str) -> Summary:
    """The computed table of a network: one :class:`Row` per layer, plus totals.

    Parameters
    ----------
    name : str
        One of :func:`names`.

    Returns
    -------
    Summary
        Printable (``print(s)``, ``s.to_text()``), displayable as HTML in a
        notebook (``s.to_html()``), indexable by position or layer name.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the known ones).

    Examples
    --------
    >>> s = summary("alexnet_single")
    >>> [r.shape_text for r in s if r.kind == "conv"]
    ['55×55×96', '27×27×256', '13×13×384', '13×13×384', '13×13×256']
    >>> s.total_params, summary("alexnet").total_params
    (62378344, 60965224)
    >>> summary("googlenet")["inception (3a)"].output_shape
    (28, 28, 256)
    """
    return _summary(_resolve(name))


# ---------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------
def _round_half_up(x: float) -> int:
    return int(x + 0.5)


def _params_k(weights: int) -> str:
    # GoogLeNet's Table 1 "params": weights without biases, K = 1024, cut to a
    # whole number (conv 3x3 with its reduction: 114,688 weights = 112K;
    # inception (3a): 163,328 = 159.5K, printed 159K; linear: 1,024,000 = 1000K).
    if not weights:
        return ""
    k = weights / 1024
    return f"{k:.1f}K" if k < 10 else f"{int(k)}K"


def _ops_m(macs: int) -> str:
    # Table 1 "ops": multiply-adds, M = 10**6, to the nearest whole number.
    return f"{_round_half_up(macs / 1e6)}M" if macs else ""


def _count(value: int) -> str:
    return f"{value:,}"


#: Layer names of the papers' tables that are English words, shown translated (lookups keep the English).
_SHOWN_NAMES = {
    "output": lazy_gettext("output"),
    "linear": lazy_gettext("linear"),
    "avg pool": lazy_gettext("avg pool"),
}


def _name_cell(row: Any) -> str:
    return str(_SHOWN_NAMES.get(row.name, row.name))


def _kernel_cell(row: Any) -> str:
    # Row.kernel is computed once (summaries are cached): its ", N groups" is translated when shown
    window, sep, groups = row.kernel.partition(", ")
    if not sep:
        return row.kernel
    return _("{window}, {n} groups").format(window=window, n=groups.split()[0])


_COLUMNS: dict[str, tuple[str | LazyString, Callable[[Any], str], Callable[[Any], str], bool]] = {
    # key: (header, value of a row, value in the totals line, right-aligned)
    # (headers and the totals line are translated when the table is rendered)
    "layer": (lazy_gettext("layer"), _name_cell, lambda s: _("total"), False),
    "kernel": (lazy_gettext("kernel/stride"), _kernel_cell, lambda s: "", False),
    "output": (lazy_gettext("output H×W×D"), lambda r: r.shape_text, lambda s: "", False),
    "params": (lazy_gettext("parameters"), lambda r: _count(r.params), lambda s: _count(s.total_params), True),
    "weights": (lazy_gettext("weights"), lambda r: _count(r.weights), lambda s: _count(s.total_weights), True),
    "macs": (lazy_gettext("multiply-adds"), lambda r: _count(r.macs), lambda s: _count(s.total_macs), True),
    "connections": (
        lazy_gettext("connections"),
        lambda r: _count(r.connections),
        lambda s: _count(s.total_connections),
        True,
    ),
    "depth": (lazy_gettext("depth"), lambda r: str(r.depth), lambda s: str(s.depth), True),
    "params_k": (lazy_gettext("params"), lambda r: _params_k(r.weights), lambda s: _params_k(s.total_weights), True),
    "ops_m": (lazy_gettext("ops"), lambda r: _ops_m(r.macs), lambda s: _ops_m(s.total_macs), True),
}
_HEADERS: dict[str, str | LazyString] = {
    "n1x1": "#1×1",
    "n3x3_reduce": lazy_gettext("#3×3 reduce"),
    "n3x3": "#3×3",
    "n5x5_reduce": lazy_gettext("#5×5 reduce"),
    "n5x5": "#5×5",
    "pool_proj": lazy_gettext("pool proj"),
}
for _name, _header in _HEADERS.items():
    _COLUMNS[_name] = (_header, (lambda key: lambda r: str(r.config.get(key, "")))(_name), lambda s: "", True)

#: Columns of :meth:`Summary.to_text` and :meth:`Summary.to_html` by default.
DEFAULT_COLUMNS = ("layer", "kernel", "output", "params", "macs")


class Summary:
    """A network's computed table: rows, totals, text and HTML renderings.

    Attributes
    ----------
    key, title, source : str
        The network's key in :func:`names`, its title, and the paper table
        the specification comes from (in the language of
        :func:`meia_cnn.set_language`).
    input_shape : (int, int, int)
    rows : tuple of Row
    paper_columns : tuple of str
        The columns that reproduce the paper's own table layout
        (``to_text(columns=s.paper_columns)``).

    Examples
    --------
    >>> s = summary("vgg16")
    >>> len(s), s.total_params, s.output_shape
    (21, 138357544, (1, 1, 1000))
    """

    __slots__ = ("_key", "_title", "_source", "_input_shape", "_rows", "_paper_columns")

    def __init__(
        self,
        key: str,
        title: str,
        source: str,
        input_shape: tuple[int, ...],
        rows: tuple[Row, ...],
        *,
        paper_columns: tuple[str, ...] | None = None,
    ) -> None:
        """Hold a computed table (built by :func:`summary`, which caches it).

        Parameters
        ----------
        key, title, source : str
            As the attributes.
        input_shape : (int, int, int)
            The network's input.
        rows : tuple of Row
            One per layer, input to output.
        paper_columns : tuple of str, optional
            The columns of the paper's own table; default :data:`DEFAULT_COLUMNS`.
        """
        self._key = key
        self._title = title
        self._source = source
        self._input_shape = tuple(input_shape)
        self._rows = tuple(rows)
        self._paper_columns = tuple(paper_columns or DEFAULT_COLUMNS)

    # read-only: summaries are cached and shared
    key = property(lambda self: self._key)
    title = property(lambda self: _(self._title))
    source = property(lambda self: _(self._source))
    input_shape = property(lambda self: self._input_shape)
    rows = property(lambda self: self._rows)
    paper_columns = property(lambda self: self._paper_columns)

    # -- totals -------------------------------------------------------------
    @property
    def total_params(self) -> int:
        """Parameters, biases included."""
        return sum(r.params for r in self.rows)

    @property
    def trainable_params(self) -> int:
        """Parameters that training changes (LeNet-5's fixed RBF centres excluded)."""
        return sum(r.params for r in self.rows if r.trainable)

    @property
    def total_weights(self) -> int:
        """Weights, biases excluded."""
        return sum(r.weights for r in self.rows)

    @property
    def total_macs(self) -> int:
        """Multiply-adds."""
        return sum(r.macs for r in self.rows)

    @property
    def total_connections(self) -> int:
        """Connections, as LeCun et al. count them."""
        return sum(r.connections for r in self.rows)

    @property
    def depth(self) -> int:
        """Layers with weights on the longest path (GoogLeNet: 22)."""
        return sum(r.depth for r in self.rows)

    @property
    def output_shape(self) -> tuple[int, ...]:
        """The last row's output shape."""
        return self.rows[-1].output_shape

    @property
    def largest(self) -> Row:
        """The row holding the most parameters."""
        return max(self.rows, key=lambda r: r.params)

    # -- access -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __getitem__(self, item: int | str) -> Row:
        if isinstance(item, str):
            for row in self.rows:
                if row.name == item:
                    return row
            raise KeyError(f"{self.key} has no layer {item!r}; its layers are {', '.join(r.name for r in self.rows)}")
        return self.rows[item]

    def __repr__(self) -> str:
        return (
            f"<Summary {self.key}: {len(self.rows)} layers, {self.total_params:,} parameters, "
            f"{self.total_macs:,} multiply-adds>"
        )

    # -- rendering ----------------------------------------------------------
    def _check_columns(self, columns: Any) -> tuple[str, ...]:
        columns = DEFAULT_COLUMNS if columns is None else tuple(columns)
        unknown = [c for c in columns if c not in _COLUMNS]
        if unknown or not columns:
            raise ValueError(f"`columns` must be names from {', '.join(_COLUMNS)}; got {columns!r}")
        return columns

    def _cells(self, columns: tuple[str, ...]) -> tuple[list[str], list[str], list[list[str]], list[str]]:
        header = [str(_COLUMNS[c][0]) for c in columns]
        first = [
            (_("input") if c == "layer" else shape_text(self.input_shape) if c == "output" else "") for c in columns
        ]
        body = [[_COLUMNS[c][1](r) for c in columns] for r in self.rows]
        total = [_COLUMNS[c][2](self) for c in columns]
        return header, first, body, total

    def _footnote(self) -> str:
        if self.trainable_params != self.total_params:
            fixed = self.total_params - self.trainable_params
            return _(
                "trainable parameters: {trainable} (the output layer's {fixed} RBF centres are fixed by hand)"
            ).format(trainable=_count(self.trainable_params), fixed=_count(fixed))
        return ""

    def to_text(self, columns: Sequence[str] | None = None) -> str:
        """The table as aligned plain text (what ``print(summary)`` shows).

        Parameters
        ----------
        columns : sequence of str, optional
            Which columns, from ``layer, kernel, output, params, weights,
            macs, connections, depth, n1x1, n3x3_reduce, n3x3, n5x5_reduce,
            n5x5, pool_proj, params_k, ops_m``; default :data:`DEFAULT_COLUMNS`.
            ``params_k`` and ``ops_m`` print GoogLeNet's Table 1 units.

        Returns
        -------
        str

        Examples
        --------
        >>> s = summary("googlenet")
        >>> text = s.to_text(["layer", "output", "depth", "params_k", "ops_m"])
        >>> for line in text.splitlines()[:3] + text.splitlines()[7:9]:
        ...     print(line)
        GoogLeNet (Szegedy et al. 2014)
        layer           output H×W×D  depth  params    ops
        input           224×224×3
        inception (3a)  28×28×256         2    159K   128M
        inception (3b)  28×28×480         2    379K   304M
        """
        columns = self._check_columns(columns)
        header, first, body, total = self._cells(columns)
        table = [header, first, *body, total]
        widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
        right = [_COLUMNS[c][3] for c in columns]

        def fmt(line: list[str]) -> str:
            cells = [cell.rjust(w) if r else cell.ljust(w) for cell, w, r in zip(line, widths, right)]
            return "  ".join(cells).rstrip()

        lines = [self.title, *(fmt(line) for line in table)]
        note = self._footnote()
        if note:
            lines.append(note)
        return "\n".join(lines)

    __str__ = to_text

    def to_html(self, columns: Sequence[str] | None = None) -> str:
        """The table as an HTML ``<table>`` (for a notebook or an HTML widget).

        Parameters
        ----------
        columns : sequence of str, optional
            As in :meth:`to_text`.

        Returns
        -------
        str
        """
        columns = self._check_columns(columns)
        header, first, body, total = self._cells(columns)
        right = [_COLUMNS[c][3] for c in columns]
        esc = _html.escape

        def tr(cells: list[str], tag: str = "td", style: str = "") -> str:
            out = []
            for cell, r in zip(cells, right):
                align = "right" if r else "left"
                out.append(f'<{tag} style="text-align:{align};padding:1px 8px;{style}">{esc(cell)}</{tag}>')
            return "<tr>" + "".join(out) + "</tr>"

        parts = [
            '<table class="meia-architecture" style="border-collapse:collapse;font-variant-numeric:tabular-nums">',
            f'<caption style="text-align:left;font-weight:bold">{esc(self.title)}'
            f'<br><span style="font-weight:normal;font-size:smaller">{esc(self.source)}</span></caption>',
            "<thead>" + tr(header, "th", "border-bottom:1px solid #999") + "</thead>",
            "<tbody>" + tr(first, style="color:#555") + "".join(tr(b) for b in body) + "</tbody>",
            "<tfoot>" + tr(total, "th", "border-top:1px solid #999") + "</tfoot>",
            "</table>",
        ]
        note = self._footnote()
        if note:
            parts.append(f"<p>{esc(note)}</p>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()
