"""meia-cnn: a Jupyter-native course kit on convolutional neural networks.

The core is pure numpy and usable from any script:

* :mod:`meia_cnn.arithmetic` -- output sizes (the slides' equations (3) and
  (4), and of a transposed convolution), padding, receptive fields,
  parameter and multiply-add counts;
* :mod:`meia_cnn.ops` -- ``convolve2d`` (equation (1)), ``conv2d``, ``pad``,
  ``max_pool2d``, ``avg_pool2d``, ``conv1x1``, ``conv_transpose2d``;
* :mod:`meia_cnn.data` -- sample images, digits, safe image loading;

and, imported on demand, :mod:`meia_cnn.nn` (a small trainable CNN),
:mod:`meia_cnn.architectures` (LeNet-5, AlexNet, VGG, GoogLeNet),
:mod:`meia_cnn.exercises` and :mod:`meia_cnn.widgets` (the live explorers).
Importing ``meia_cnn`` never imports ipywidgets or matplotlib.  No array the
core allocates exceeds :data:`MAX_ELEMENTS` elements: asking for more is a
``ValueError`` naming the parameter responsible.

>>> import meia_cnn
>>> meia_cnn.feature_map_shape((28, 28, 3), 8, 3)
(26, 26, 8)
"""

from .arithmetic import (
    conv1x1_macs,
    conv1x1_params,
    conv_macs,
    conv_params,
    conv_transpose_output_size,
    dense_macs,
    dense_params,
    feature_map_shape,
    inception_cost,
    output_size,
    padding_amounts,
    pool_comparisons,
    pool_macs,
    pool_output_size,
    pool_params,
    receptive_field,
)
from .i18n import set_language
from .notebooks import check_version
from .ops import (
    MAX_ELEMENTS,
    avg_pool2d,
    conv1x1,
    conv2d,
    conv_transpose2d,
    convolve2d,
    max_pool2d,
    pad,
    sliding_windows,
)

__version__ = "0.1.0"

__all__ = [
    "check_version",
    "output_size",
    "pool_output_size",
    "padding_amounts",
    "feature_map_shape",
    "receptive_field",
    "conv_params",
    "conv_macs",
    "conv1x1_params",
    "conv1x1_macs",
    "pool_params",
    "pool_macs",
    "pool_comparisons",
    "dense_params",
    "dense_macs",
    "inception_cost",
    "pad",
    "sliding_windows",
    "convolve2d",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "conv1x1",
    "conv_transpose2d",
    "conv_transpose_output_size",
    "MAX_ELEMENTS",
    "set_language",
]
