"""Template matching and position invariance.

The lecture opens with template matching: slide a template over a picture
and score every position.  Move the object and the best score moves with it,
by exactly the same shift, and keeps exactly the same value: the score at a
position depends only on what is under the template there.  A convolution
layer does the same thing with a learned kernel, shared by every position;
that is why its features are position invariant.

The explorer pastes an object (a coin cut from scikit-image's ``coins``, or
a handwritten digit) into a picture, lets the student move it with the
sliders ``column`` and ``row``, and shows two maps: scikit-image's
:func:`skimage.feature.match_template` (normalised cross-correlation, 1 at
a perfect match) and the feature map of :func:`meia_cnn.ops.conv2d` with the
zero-mean template as its kernel.

A student can upload a picture of their own object (control ``"upload"``):
it becomes a choice of the ``"template"`` dropdown (``"upload: <name>"``),
cut to the current template's shape and resized to its size, and its peak
follows it in the same way.
"""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle
from skimage.feature import match_template

from .. import data, ops
from .._validation import as_float_array
from ._base import (
    CMAP_IMAGE,
    CMAP_SIGNED,
    FONT,
    PALETTE,
    Explorer,
    FastText,
    RangeSync,
    check_range,
)
from ._base import format_number as number

__all__ = ["TemplateMatchingExplorer"]

#: Size of the picture the object moves in, (height, width).
PICTURE_SHAPE = (56, 84)
TEMPLATES = ("coin", "digit")
#: Longest side an uploaded image is decoded at, before it is cut to the template's shape.
UPLOAD_SIZE = 128


def _smooth_noise(shape, seed, amplitude):
    """Seeded, slightly smooth noise of standard deviation ``amplitude`` (a textured background)."""
    from skimage.filters import gaussian

    rng = np.random.default_rng(seed)
    noise = gaussian(rng.standard_normal(shape), sigma=1.5)
    return amplitude * noise / noise.std()


@lru_cache(maxsize=4)
def _coins():
    from skimage.transform import resize

    coins = data.sample_image("coins")

    def cut(r0, r1, c0, c1):
        return resize(coins[r0:r1, c0:c1], (18, 20), anti_aliasing=True).astype(np.float32)

    # the coin of scikit-image's match_template example, and a different coin
    return cut(170, 220, 75, 130), cut(28, 78, 128, 183)


@lru_cache(maxsize=4)
def _digits():
    images, labels = data.digits()

    def first(label):
        return np.kron(images[np.flatnonzero(labels == label)[0], :, :, 0], np.ones((2, 2))).astype(np.float32)

    return first(3), first(7)


def template_from_image(image, shape):
    """A grey float32 template of ``shape`` from a grey image: its centre, resized, levels stretched.

    The largest centred region of the template's aspect ratio is resized to
    ``shape`` (anti-aliased), then its levels are stretched to [0, 1] so the
    object stands out from the picture's faint background texture.

    >>> t = template_from_image(np.outer(np.linspace(0, 0.5, 30), np.ones(60)), (18, 20))
    >>> t.shape, t.dtype, float(t.min()), float(t.max())
    ((18, 20), dtype('float32'), 0.0, 1.0)
    """
    from skimage.transform import resize

    image = as_float_array(image, "image", ndim=2)
    th, tw = shape
    h, w = image.shape
    if h * tw > w * th:  # taller than the template: keep the middle rows
        rows, cols = max(1, round(w * th / tw)), w
    else:
        rows, cols = h, max(1, round(h * tw / th))
    r0, c0 = (h - rows) // 2, (w - cols) // 2
    cut = image[r0:r0 + rows, c0:c0 + cols]
    small = resize(cut, (th, tw), anti_aliasing=rows > th or cols > tw, preserve_range=True)
    low, high = float(small.min()), float(small.max())
    if high - low < 1e-6:
        raise ValueError("the image is constant where it is cut to a template: "
                         "a constant template matches everything equally")
    return ((small - low) / (high - low)).astype(np.float32)


def make_scene(name, template=None, *, seed=0):
    """The template, the picture's background and a distractor for one choice.

    Returns
    -------
    template : ndarray of shape (h, w)
    background : ndarray of shape PICTURE_SHAPE
        A level close to the template's border plus faint smooth noise.
    distractor : ndarray or None, and its (row, col) corner
    """
    if name == "coin":
        template, other = _coins()
    elif name == "digit":
        template, other = _digits()
    else:
        other = None
    h, w = PICTURE_SHAPE

    def border_level(a):
        return float(np.median(np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])))

    level = border_level(template)
    background = np.clip(level + _smooth_noise((h, w), seed, 0.03), 0.0, 1.0).astype(np.float32)
    if other is not None:  # the other object on the same background level (no visible patch)
        other = np.clip(other - border_level(other) + level, 0.0, 1.0).astype(np.float32)
    corner = None if other is None else (h - other.shape[0] - 4, w - other.shape[1] - 6)
    return template, background, other, corner


class TemplateMatchingExplorer(RangeSync, Explorer):
    """Move an object in a picture; the matching peak follows it, unchanged.

    Parameters
    ----------
    template : {'coin', 'digit'} or array_like of shape (h, w)
        The object: a coin cut from scikit-image's ``coins`` photo (18x20
        pixels), a handwritten 3 from scikit-learn's digits (enlarged to
        16x16), or your own small grey array (3 to 24 pixels a side, not
        constant).
    column, row : int, optional
        Where the object's top-left corner starts (column, row).
    seed : int
        Seed of the picture's faint background texture.

    Attributes
    ----------
    controls : dict
        ``"column"`` and ``"row"`` (IntSliders: the object's position),
        ``"template"`` (Dropdown), ``"upload"`` (FileUpload: an image of
        your own becomes the template ``"upload: <name>"``, cut and resized
        to the current template's size; choosing another template brings it
        back).

    Notes
    -----
    The picture and the template are float32 (the maps are computed in
    float32, as in a CNN).  Both maps are indexed by the template's top-left corner (``'valid'``
    positions), so the peak sits at exactly ``(y, x)``: the value there is
    computed from the object alone, so it is the same wherever the object
    is.  The picture also holds a different object (another coin, a 7) that
    scores lower.

    Examples
    --------
    >>> viz = TemplateMatchingExplorer()
    >>> (row, col), value = viz.response_peak
    >>> (row, col) == (viz.controls["row"].value, viz.controls["column"].value), round(value, 6)
    (True, 1.0)
    >>> before = viz.feature_peak[1]
    >>> viz.controls["column"].value += 10
    >>> viz.feature_peak[0][1] == viz.controls["column"].value, viz.feature_peak[1] == before
    (True, True)
    >>> viz.close()
    """

    def __init__(self, template="coin", *, column=None, row=None, seed=0):
        super().__init__()
        self._seed = seed
        self._scenes = {}
        options = list(TEMPLATES)
        if isinstance(template, str):
            if template not in TEMPLATES:
                raise ValueError(f"`template` must be one of {', '.join(TEMPLATES)} or a 2-D array, got {template!r}")
            start = template
        else:
            custom = as_float_array(template, "template", ndim=2)
            check_range(custom.shape[0], "template height", 3, 24, "it moves inside a 56x84 picture")
            check_range(custom.shape[1], "template width", 3, 24, "it moves inside a 56x84 picture")
            if np.ptp(custom) == 0:
                raise ValueError("`template` must not be constant: a constant template matches everything equally")
            self._scenes["custom"] = self._scene("custom", np.array(custom, dtype=np.float32))
            options.append("custom")
            start = "custom"
        tpl = self._get_scene(start)[0]
        x_max, y_max = PICTURE_SHAPE[1] - tpl.shape[1], PICTURE_SHAPE[0] - tpl.shape[0]
        x = 8 if column is None else check_range(column, "column", 0, x_max, "the object must stay in the picture")
        y = 10 if row is None else check_range(row, "row", 0, y_max, "the object must stay in the picture")
        self._home = (y, x)

        def slider(value, hi, description):
            return widgets.IntSlider(value=value, min=0, max=hi, description=description,
                                     continuous_update=True, style={"description_width": "initial"},
                                     layout=widgets.Layout(width="300px"))

        self.controls = {
            "column": slider(x, x_max, "object column"),
            "row": slider(y, y_max, "object row"),
            "template": widgets.Dropdown(options=options, value=start, description="template",
                                         layout=widgets.Layout(width="200px")),
            "upload": self._make_upload(self._on_upload, description="Upload template", grey=True,
                                        size=UPLOAD_SIZE),
        }
        self._state = {}
        self._build_figure()
        c = self.controls
        self._layout(widgets.HBox([c["template"], c["upload"], c["column"], c["row"]]))
        self._connect()

    def _scene(self, name, template=None):
        template, background, other, corner = make_scene(name, template, seed=self._seed)
        kernel = template - template.mean()
        # the best possible score of the unnormalised map: the object itself under the kernel
        best = float(np.sum(kernel * template))
        return template, background, other, corner, kernel, best

    def _get_scene(self, name):
        if name not in self._scenes:
            self._scenes[name] = self._scene(name)
        return self._scenes[name]

    def _on_upload(self, image, name):
        """An uploaded image becomes the template (shaped like the one shown); the picture is redrawn after."""
        shape = self._state["template"].shape
        template = template_from_image(image, shape)  # a ValueError here keeps everything as it was
        label = f"{self.UPLOAD_LABEL}{name}"
        scene = self._scene(label, template)
        for key in [k for k in self._scenes if k.startswith(self.UPLOAD_LABEL)]:
            del self._scenes[key]  # one upload at a time, as in the dropdown
        self._scenes[label] = scene
        self._choose_upload(self.controls["template"], name)

    # -- figure ------------------------------------------------------------
    def _build_figure(self):
        fig = self._make_figure((10, 3.2))
        overlay = fig.add_axes((0, 0, 1, 1))
        overlay.set_axis_off()
        self._titles = FastText(overlay, FONT["label"], transform=overlay.transAxes)
        h, w = PICTURE_SHAPE
        boxes = {"template": (0.01, 0.12, 0.1, 0.62), "picture": (0.13, 0.02, 0.28, 0.74),
                 "response": (0.43, 0.02, 0.27, 0.74), "feature": (0.72, 0.02, 0.27, 0.74)}
        self._axes = {}
        for key, rect in boxes.items():
            ax = fig.add_axes(rect)
            ax.set_axis_off()
            self._axes[key] = ax
        self._images = {
            "template": self._axes["template"].imshow(np.zeros((2, 2)), cmap=CMAP_IMAGE, vmin=0, vmax=1,
                                                      interpolation="nearest"),
            "picture": self._axes["picture"].imshow(np.zeros((h, w)), cmap=CMAP_IMAGE, vmin=0, vmax=1,
                                                    interpolation="nearest"),
            "response": self._axes["response"].imshow(np.zeros((2, 2)), cmap=CMAP_SIGNED, vmin=-1, vmax=1,
                                                      interpolation="nearest"),
            "feature": self._axes["feature"].imshow(np.zeros((2, 2)), cmap=CMAP_SIGNED, vmin=-1, vmax=1,
                                                    interpolation="nearest"),
        }
        self._object_box = Rectangle((0, 0), 1, 1, fill=False, edgecolor=PALETTE["orange"], linewidth=2.5)
        self._axes["picture"].add_patch(self._object_box)
        self._home_box = Rectangle((0, 0), 1, 1, fill=False, edgecolor=PALETTE["sky"], linewidth=1.5,
                                   linestyle="--")
        self._axes["picture"].add_patch(self._home_box)
        self._peaks, self._homes = {}, {}
        for key in ("response", "feature"):
            ax = self._axes[key]
            (self._homes[key],) = ax.plot([0], [0], linestyle="none", marker="o", markersize=14,
                                          markerfacecolor="none", markeredgecolor=PALETTE["sky"],
                                          markeredgewidth=1.5)
            (self._peaks[key],) = ax.plot([0], [0], linestyle="none", marker="+", markersize=18,
                                          markeredgecolor=PALETTE["vermillion"], markeredgewidth=2.5)
        self._axes["picture"].set_xlim(-0.5, w - 0.5)
        self._axes["picture"].set_ylim(h - 0.5, -0.5)

    # -- updates -----------------------------------------------------------
    def _update(self):
        name = self.controls["template"].value
        template, background, other, corner, kernel, best = self._get_scene(name)
        th, tw = template.shape
        ph, pw = PICTURE_SHAPE
        self._set_range("column", 0, pw - tw)
        self._set_range("row", 0, ph - th)
        x, y = self.controls["column"].value, self.controls["row"].value
        picture = background.copy()
        if other is not None:
            r0, c0 = corner
            picture[r0:r0 + other.shape[0], c0:c0 + other.shape[1]] = other
        picture[y:y + th, x:x + tw] = template
        response = match_template(picture, template)
        feature = ops.conv2d(picture, kernel)
        peaks = {}
        for key, values in (("response", response), ("feature", feature)):
            idx = np.unravel_index(int(np.argmax(values)), values.shape)
            peaks[key] = ((int(idx[0]), int(idx[1])), float(values[idx]))
        home = (min(self._home[0], ph - th), min(self._home[1], pw - tw))
        self._state = dict(name=name, template=template, kernel=kernel, picture=picture, response=response,
                           feature=feature, peaks=peaks, position=(y, x), home=home, best=best)
        self._draw()

    def _draw(self):
        s = self._state
        th, tw = s["template"].shape
        y, x = s["position"]
        hy, hx = s["home"]
        self._images["template"].set_data(s["template"])
        self._images["template"].set_extent((-0.5, tw - 0.5, th - 0.5, -0.5))
        self._axes["template"].set_xlim(-0.5, tw - 0.5)
        self._axes["template"].set_ylim(th - 0.5, -0.5)
        self._images["picture"].set_data(s["picture"])
        self._object_box.set_bounds(x - 0.5, y - 0.5, tw, th)
        self._home_box.set_bounds(hx - 0.5, hy - 0.5, tw, th)
        self._home_box.set_visible((hy, hx) != (y, x))
        for key in ("response", "feature"):
            values = s[key]
            mh, mw = values.shape
            image = self._images[key]
            image.set_data(values)
            image.set_extent((-0.5, mw - 0.5, mh - 0.5, -0.5))
            if key == "feature":
                image.set_clim(-s["best"], s["best"])
            ax = self._axes[key]
            ax.set_xlim(-0.5, mw - 0.5)
            ax.set_ylim(mh - 0.5, -0.5)
            (pr, pc), _ = s["peaks"][key]
            self._peaks[key].set_data([pc], [pr])
            self._homes[key].set_data([hx], [hy])
            self._homes[key].set_visible((hy, hx) != (pr, pc))
        (rr, rc), rv = s["peaks"]["response"]
        (fr, fc), fv = s["peaks"]["feature"]
        top = {"va": "bottom"}
        self._titles.set([
            (0.06, 0.8, f"template\n{th}×{tw}", top),
            (0.27, 0.83, f"picture: object at\nrow {y}, col {x}", top),
            (0.565, 0.83, f"match_template: peak {rv:.3f}\nat row {rr}, col {rc}", top),
            (0.855, 0.83, f"conv2d, zero-mean kernel:\npeak {number(fv, 5)} at row {fr}, col {fc}", top),
        ])
        self.readout.value = self._readout_html()

    def _readout_html(self):
        s = self._state
        y, x = s["position"]
        hy, hx = s["home"]
        (rr, rc), rv = s["peaks"]["response"]
        (fr, fc), fv = s["peaks"]["feature"]
        th, tw = s["template"].shape
        return "<br>".join([
            f"<b>Object</b> ({s['name']}, {th}×{tw}) at row {y}, col {x}: moved by "
            f"({y - hy:+d}, {x - hx:+d}) from row {hy}, col {hx}.",
            f"<b>match_template</b> (normalised cross-correlation): peak <b>{rv:.3f}</b> at row {rr}, col {rc}: "
            f"moved by ({rr - hy:+d}, {rc - hx:+d}).",
            f"<b>Convolution feature map</b> (conv2d, kernel = template − its mean {number(s['template'].mean())}): "
            f"peak <b>{number(fv, 6)}</b> at row {fr}, col {fc}: moved by ({fr - hy:+d}, {fc - hx:+d}).",
            "The same kernel is applied at every position, so the peak follows the object by the same shift "
            "and keeps the same value: the feature is position invariant.",
        ])

    # -- what is drawn -----------------------------------------------------
    @property
    def template(self):
        """The template, shape (h, w)."""
        return self._state["template"].copy()

    @property
    def kernel(self):
        """The zero-mean template used as the convolution kernel, shape (h, w)."""
        return self._state["kernel"].copy()

    @property
    def picture(self):
        """The picture with the object at ``(y, x)``, shape PICTURE_SHAPE."""
        return self._state["picture"].copy()

    @property
    def object_position(self):
        """``(row, col)`` of the object's top-left corner."""
        return self._state["position"]

    @property
    def response(self):
        """``match_template(picture, template)``, shape (H - h + 1, W - w + 1)."""
        return self._state["response"].copy()

    @property
    def feature_map(self):
        """``conv2d(picture, kernel)``, shape (H - h + 1, W - w + 1)."""
        return self._state["feature"].copy()

    @property
    def response_peak(self):
        """``((row, col), value)`` of the largest matching score."""
        return self._state["peaks"]["response"]

    @property
    def feature_peak(self):
        """``((row, col), value)`` of the largest value of the feature map."""
        return self._state["peaks"]["feature"]

    @property
    def titles(self):
        """The four panel titles as written on the figure."""
        return self._titles.strings
