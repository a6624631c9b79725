"""The numbers each explorer shows, as pure functions of the core.

One module per lecture topic.  Each function takes the explorer's settings
and returns a frozen dataclass holding every number drawn or written (its
arrays read-only); nothing here imports ipywidgets or draws anything, so the
explorers, the tests and a script all get the same answers.

* :mod:`meia_cnn.explain.stride_padding` -- equation (3) at work: padding,
  stride, dilation, every position of the kernel;
* :mod:`meia_cnn.explain.convolution` -- equation (1) step by step: windows,
  products, sums, the output map;
* :mod:`meia_cnn.explain.pooling` -- max and average pooling window by window (equation (4));
* :mod:`meia_cnn.explain.volume` -- volumes, kernels as deep as the input, the stacked feature map;
* :mod:`meia_cnn.explain.one_by_one` -- the 1x1 convolution and what it costs;
* :mod:`meia_cnn.explain.inception` -- the inception module's branches and costs;
* :mod:`meia_cnn.explain.architecture` -- the classic networks' volumes to scale;
* :mod:`meia_cnn.explain.template_matching` -- an object in a picture, its matching and feature maps, their peaks;
* :mod:`meia_cnn.explain.sharing` -- a convolution against a dense layer: parameters, multiply-adds, matrices;
* :mod:`meia_cnn.explain.feature_maps` -- every layer's output for one image, and how any one unit was computed;
* :mod:`meia_cnn.explain.training` -- the reference CNN a setting gives, and the axes of its training curves;
* :mod:`meia_cnn.explain.transposed` -- transposed convolution as the guide draws it: the stretched input, every step;
* :mod:`meia_cnn.explain.learn_kernel` -- a kernel learned by gradient descent, step by step.
"""
