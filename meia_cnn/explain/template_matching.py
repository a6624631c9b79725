"""Template matching: an object in a picture, its matching map and its feature map.

:func:`template_scene` builds what the template-matching explorer shows for
one choice of object: the template (a coin cut from scikit-image's ``coins``,
a handwritten digit, or a grey array of one's own), a picture background at
the template's border level with faint smooth texture, and a second object
(another coin, a 7) that scores lower.  :func:`template_matching_state`
pastes the object at a position and computes both maps and their peaks:
scikit-image's :func:`skimage.feature.match_template` (normalised
cross-correlation, 1 at a perfect match) and :func:`meia_cnn.ops.conv2d`
with the zero-mean template as its kernel.

Moving the object moves both peaks by exactly the same shift and keeps their
values: the feature map is translation *equivariant*.  Invariance to the
position comes later (pooling, the classifier).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import data, ops
from .._image import gaussian_filter, match_template, resize
from .._validation import as_float_array, as_pair, as_seed, check_elements
from ..errors import KitValueError
from ..i18n import TranslatedText, option_label, register_option_labels
from ..i18n import gettext_noop as N_
from ._frozen import frozen
from ._render import format_number, png_bytes

__all__ = [
    "TemplateMatchingScene",
    "template_matching_scene",
    "template_matching_pictures",
    "PICTURE_SHAPE",
    "TEMPLATES",
    "TemplateScene",
    "TemplateMatchingState",
    "template_scene",
    "template_from_image",
    "template_matching_state",
]

#: Size of the picture the object moves in, (height, width).
PICTURE_SHAPE = (56, 84)
#: The built-in objects.
TEMPLATES = ("coin", "digit")
# What the explorer's menu shows for each built-in object.
register_option_labels({"coin": N_("coin"), "digit": N_("digit")})
#: Smallest and largest side of a template of one's own.
TEMPLATE_SIDES = (3, 24)


def _smooth_noise(shape: tuple[int, int], seed: int, amplitude: float) -> NDArray:
    """Seeded, slightly smooth noise of standard deviation ``amplitude`` (a textured background)."""
    rng = np.random.default_rng(as_seed(seed))
    noise = gaussian_filter(rng.standard_normal(shape), 1.5)
    return np.asarray(amplitude * noise / noise.std())


@lru_cache(maxsize=4)
def _coins() -> tuple[NDArray, NDArray]:
    coins = data.sample_image("coins")

    def cut(r0: int, r1: int, c0: int, c1: int) -> NDArray:
        return np.asarray(resize(coins[r0:r1, c0:c1], (18, 20), anti_aliasing=True), dtype=np.float32)

    # the coin of scikit-image's match_template example, and a different coin
    return cut(170, 220, 75, 130), cut(28, 78, 128, 183)


@lru_cache(maxsize=4)
def _digits() -> tuple[NDArray, NDArray]:
    images, labels = data.digits()

    def first(label: int) -> NDArray:
        return np.kron(images[np.flatnonzero(labels == label)[0], :, :, 0], np.ones((2, 2))).astype(np.float32)

    return first(3), first(7)


def template_from_image(image: ArrayLike, shape: tuple[int, int]) -> NDArray[np.float32]:
    """A grey float32 template of ``shape`` from a grey image: its centre, resized, levels stretched.

    The largest centred region of the template's aspect ratio is resized to
    ``shape`` (anti-aliased), then its levels are stretched to [0, 1] so the
    object stands out from the picture's faint background texture.

    Parameters
    ----------
    image : (M, N) array
        A grey image.
    shape : (int, int)
        ``(h, w)`` of the template.

    Returns
    -------
    (h, w) array of float32

    Raises
    ------
    ValueError
        When the centre of the image is constant (it would match everything equally).

    Examples
    --------
    >>> t = template_from_image(np.outer(np.linspace(0, 0.5, 30), np.ones(60)), (18, 20))
    >>> t.shape, t.dtype, float(t.min()), float(t.max())
    ((18, 20), dtype('float32'), 0.0, 1.0)
    """
    grey: NDArray = as_float_array(image, "image", ndim=2)
    th, tw = as_pair(shape, "shape")  # (0, 0) divided by zero
    check_elements((th, tw), name="shape", what="the template")
    h, w = grey.shape
    if h * tw > w * th:  # taller than the template: keep the middle rows
        rows, cols = max(1, round(w * th / tw)), w
    else:
        rows, cols = h, max(1, round(h * tw / th))
    r0, c0 = (h - rows) // 2, (w - cols) // 2
    cut = grey[r0 : r0 + rows, c0 : c0 + cols]
    small = resize(cut, (th, tw), anti_aliasing=rows > th or cols > tw)
    low, high = float(small.min()), float(small.max())
    if high - low < 1e-6:
        raise KitValueError(
            "the image is constant where it is cut to a template: a constant template matches everything equally",
            code="template_constant",
        )
    return np.asarray((small - low) / (high - low), dtype=np.float32)


@dataclass(frozen=True, eq=False)
class TemplateScene:
    """An object to move and the picture it moves in.

    Attributes
    ----------
    name : str
    template : (h, w) array of float32
    background : PICTURE_SHAPE array of float32
        The template's border level plus faint smooth noise.
    distractor : (h2, w2) array of float32 or None
        A different object, on the same background level.
    corner : (int, int) or None
        ``(row, col)`` of the distractor's top-left corner.

    Examples
    --------
    >>> scene = template_scene("coin")
    >>> scene.name, scene.template.shape, scene.room
    ('coin', (18, 20), (38, 64))
    """

    name: str
    template: NDArray[np.float32]
    background: NDArray[np.float32]
    distractor: NDArray[np.float32] | None
    corner: tuple[int, int] | None

    @property
    def room(self) -> tuple[int, int]:
        """``(rows, cols)``: the largest row and column of the object's top-left corner."""
        th, tw = self.template.shape
        return (PICTURE_SHAPE[0] - th, PICTURE_SHAPE[1] - tw)


def template_scene(name: str, template: ArrayLike | None = None, *, seed: int = 0) -> TemplateScene:
    """The template, the picture's background and a distractor for one choice of object.

    Parameters
    ----------
    name : str
        ``'coin'`` (18x20, from scikit-image's ``coins``), ``'digit'`` (a 3 of
        scikit-learn's digits, 16x16), or any other name with ``template``.
    template : (h, w) array, optional
        One's own grey template (3 to 24 pixels a side, not constant);
        required for a name that is not built in, ignored otherwise.
    seed : int
        Seed of the background's texture.

    Returns
    -------
    TemplateScene

    Examples
    --------
    >>> scene = template_scene("coin")
    >>> scene.template.shape, scene.background.shape, scene.corner
    ((18, 20), (56, 84), (34, 58))
    >>> template_scene("mine", np.eye(4)).distractor is None
    True
    """
    other: NDArray | None
    if name == "coin":
        tpl, other = _coins()
    elif name == "digit":
        tpl, other = _digits()
    else:
        if template is None:
            raise ValueError(f"`name` must be one of {', '.join(TEMPLATES)}, or give `template`; got {name!r}")
        tpl = as_float_array(template, "template", ndim=2).astype(np.float32)
        lo, hi = TEMPLATE_SIDES
        for side, what in zip(tpl.shape, ("height", "width")):
            if not lo <= side <= hi:
                raise ValueError(
                    f"`template` {what} must be between {lo} and {hi} pixels "
                    f"(it moves inside a {PICTURE_SHAPE[0]}x{PICTURE_SHAPE[1]} picture), got {side}"
                )
        if float(np.ptp(tpl)) == 0.0:
            raise KitValueError(
                "`template` must not be constant: a constant template matches everything equally",
                code="template_constant",
            )
        other = None
    h, w = PICTURE_SHAPE

    def border_level(a: NDArray) -> float:
        return float(np.median(np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])))

    level = border_level(tpl)
    background = np.clip(level + _smooth_noise((h, w), seed, 0.03), 0.0, 1.0).astype(np.float32)
    corner = None
    if other is not None:  # the other object on the same background level (no visible patch)
        other = np.clip(other - border_level(other) + level, 0.0, 1.0).astype(np.float32)
        corner = (h - other.shape[0] - 4, w - other.shape[1] - 6)
    return TemplateScene(
        name=name,
        template=frozen(tpl, dtype=np.float32),
        background=frozen(background, dtype=np.float32),
        distractor=None if other is None else frozen(other, dtype=np.float32),
        corner=corner,
    )


@dataclass(frozen=True, eq=False)
class TemplateMatchingState:
    """The picture with the object at a position, both maps and their peaks.

    Attributes
    ----------
    scene : TemplateScene
    position : (int, int)
        ``(row, col)`` of the object's top-left corner.
    home : (int, int)
        Where the object started (the shift is measured from there).
    kernel : (h, w) array of float32
        The template minus its mean: the convolution's kernel.
    picture : PICTURE_SHAPE array of float32
    response : (H - h + 1, W - w + 1) array
        ``match_template(picture, template)``.
    feature : (H - h + 1, W - w + 1) array
        ``conv2d(picture, kernel)``.
    response_peak, feature_peak : ((int, int), float)
        ``((row, col), value)`` of each map's largest value.
    best : float
        The feature map's value with the object under the kernel: ``sum(kernel * template)``.

    Examples
    --------
    >>> state = template_matching_state(template_scene("coin"), column=8, row=10)
    >>> state.position, state.template.shape, state.response.shape
    ((10, 8), (18, 20), (39, 65))
    >>> bool(np.isclose(state.feature[10, 8], state.best))
    True
    """

    scene: TemplateScene
    position: tuple[int, int]
    home: tuple[int, int]
    kernel: NDArray[np.float32]
    picture: NDArray[np.float32]
    response: NDArray
    feature: NDArray
    response_peak: tuple[tuple[int, int], float]
    feature_peak: tuple[tuple[int, int], float]
    best: float

    @property
    def template(self) -> NDArray[np.float32]:
        """The object, ``(h, w)``."""
        return self.scene.template

    @property
    def shift(self) -> tuple[int, int]:
        """``(rows, cols)`` the object moved from ``home``."""
        return (self.position[0] - self.home[0], self.position[1] - self.home[1])


def _peak(values: NDArray) -> tuple[tuple[int, int], float]:
    idx = np.unravel_index(int(np.argmax(values)), values.shape)
    return (int(idx[0]), int(idx[1])), float(values[idx])


def template_matching_state(
    scene: TemplateScene, *, column: int, row: int, home: tuple[int, int] | None = None
) -> TemplateMatchingState:
    """The object pasted at ``(row, column)``, both maps and their peaks.

    Parameters
    ----------
    scene : TemplateScene
        From :func:`template_scene`.
    column, row : int
        The object's top-left corner, inside the picture.
    home : (int, int), optional
        ``(row, col)`` the shift is measured from (default: the position).

    Returns
    -------
    TemplateMatchingState

    Raises
    ------
    ValueError
        When the object would leave the picture.

    Examples
    --------
    >>> state = template_matching_state(template_scene("coin"), column=8, row=10)
    >>> state.response_peak[0], round(state.response_peak[1], 4)
    ((10, 8), 1.0)
    >>> moved = template_matching_state(template_scene("coin"), column=30, row=2, home=(10, 8))
    >>> moved.feature_peak[0], moved.shift, moved.feature_peak[1] == state.feature_peak[1]
    ((2, 30), (-8, 22), True)
    """
    rows, cols = scene.room
    for value, name, hi in ((column, "column", cols), (row, "row", rows)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"`{name}` must be an int, got {value!r}")
        if not 0 <= value <= hi:
            raise ValueError(f"`{name}` must be between 0 and {hi} (the object stays in the picture), got {value}")
    y, x = int(row), int(column)
    template = scene.template
    th, tw = template.shape
    picture = np.array(scene.background, dtype=np.float32)
    if scene.distractor is not None and scene.corner is not None:
        r0, c0 = scene.corner
        dh, dw = scene.distractor.shape
        picture[r0 : r0 + dh, c0 : c0 + dw] = scene.distractor
    picture[y : y + th, x : x + tw] = template
    kernel = (template - template.mean()).astype(np.float32)
    response = match_template(picture, template)
    feature = ops.conv2d(picture, kernel)
    home_rc = (y, x) if home is None else (min(int(home[0]), rows), min(int(home[1]), cols))
    return TemplateMatchingState(
        scene=scene,
        position=(y, x),
        home=home_rc,
        kernel=frozen(kernel, dtype=np.float32),
        picture=frozen(picture, dtype=np.float32),
        response=frozen(response),
        feature=frozen(feature),
        response_peak=_peak(response),
        feature_peak=_peak(feature),
        best=float(np.sum(kernel * template)),
    )


# -- the scene: everything the page draws and writes ---------------------------------------------


SCENE_TEXT = TranslatedText(
    {
        "template_title": N_("template {h}×{w}"),
        "picture_title": N_("picture: object at row {row}, col {col}"),
        "response_title": N_("match_template: peak {value}"),
        "feature_title": N_("conv2d feature map: peak {value}"),
        "peak_at": N_("at row {row}, col {col}"),
        "template_label": N_("The template, {h} by {w} pixels."),
        "picture_label": N_(
            "The picture, {H} by {W} pixels, with the object framed in orange at row {row}, "
            "column {col}; where it started is framed in dashed blue."
        ),
        "response_label": N_(
            "The matching map of match_template, {h} by {w}; its peak, marked with a cross, "
            "is at row {row}, column {col}."
        ),
        "feature_label": N_(
            "The feature map of conv2d with the zero-mean template as kernel, {h} by {w}; its peak, "
            "marked with a cross, is at row {row}, column {col}."
        ),
        "object_line": N_(
            "<div><b>Object</b> ({name}, {h}×{w}) at row {row}, col {col}: moved by "
            "({dr}, {dc}) from row {hr}, col {hc}.</div>"
        ),
        "response_line": N_(
            "<div><b>match_template</b> (normalised cross-correlation): peak <b>{value}</b> at "
            "row {row}, col {col}: moved by ({dr}, {dc}).</div>"
        ),
        "feature_line": N_(
            "<div><b>Convolution feature map</b> (conv2d, kernel = template − its mean {mean}): "
            "peak <b>{value}</b> at row {row}, col {col}: moved by ({dr}, {dc}).</div>"
        ),
        "equivariant": N_(
            "<div>The same kernel is applied at every position, so the peak moves with the object, "
            "by the same shift, and keeps the same value: the feature map is "
            "<b>translation-equivariant</b> (it moves with the object), not invariant. Invariance to "
            "the position comes later, when pooling and the classifier keep the peak's value and "
            "forget where it was.</div>"
        ),
    }
)


class TemplateMatchingScene(TypedDict):
    """The JSON the page draws and writes (read by the explorer's file in :file:`widgets/js`).

    Parameters
    ----------
    template : dict[str, Any]
    picture : dict[str, Any]
    maps : list[dict[str, Any]]
    readout : str

    Examples
    --------
    >>> "readout" in TemplateMatchingScene.__annotations__
    True
    """

    template: dict[str, Any]
    picture: dict[str, Any]
    maps: list[dict[str, Any]]
    readout: str


def template_matching_scene(state: TemplateMatchingState) -> TemplateMatchingScene:
    """What the explorer draws and writes for ``state`` (JSON; see :class:`TemplateMatchingScene`).

    Parameters
    ----------
    state : TemplateMatchingState

    Returns
    -------
    TemplateMatchingScene

    Examples
    --------
    >>> scene = template_matching_scene(template_matching_state(template_scene("coin"), column=8, row=10))
    >>> scene["maps"][0]["title"]
    ['match_template: peak 1.000', 'at row 10, col 8']
    """
    name = state.scene.name
    th, tw = state.template.shape
    H, W = PICTURE_SHAPE
    y, x = state.position
    hy, hx = state.home
    (rr, rc), rv = state.response_peak
    (fr, fc), fv = state.feature_peak
    mh, mw = state.response.shape
    home = None if (hy, hx) == (y, x) else [hy, hx]
    shown = html.escape(option_label(name))
    scene: TemplateMatchingScene = {
        "template": {
            "rows": th,
            "cols": tw,
            "title": SCENE_TEXT["template_title"].format(h=th, w=tw),
            "label": SCENE_TEXT["template_label"].format(h=th, w=tw),
        },
        "picture": {
            "rows": H,
            "cols": W,
            "object": [y, x, th, tw],
            "home": home,
            "title": [SCENE_TEXT["picture_title"].format(row=y, col=x)],
            "label": SCENE_TEXT["picture_label"].format(H=H, W=W, row=y, col=x),
        },
        "maps": [
            {
                "key": "response",
                "rows": mh,
                "cols": mw,
                "peak": [rr, rc],
                "home": home,
                "title": [
                    SCENE_TEXT["response_title"].format(value=_score(rv)),
                    SCENE_TEXT["peak_at"].format(row=rr, col=rc),
                ],
                "label": SCENE_TEXT["response_label"].format(h=mh, w=mw, row=rr, col=rc),
            },
            {
                "key": "feature",
                "rows": mh,
                "cols": mw,
                "peak": [fr, fc],
                "home": home,
                "title": [
                    SCENE_TEXT["feature_title"].format(value=format_number(fv, 5)),
                    SCENE_TEXT["peak_at"].format(row=fr, col=fc),
                ],
                "label": SCENE_TEXT["feature_label"].format(h=mh, w=mw, row=fr, col=fc),
            },
        ],
        "readout": "".join(
            [
                SCENE_TEXT["object_line"].format(
                    name=shown, h=th, w=tw, row=y, col=x, dr=_signed(y - hy), dc=_signed(x - hx), hr=hy, hc=hx
                ),
                SCENE_TEXT["response_line"].format(
                    value=_score(rv), row=rr, col=rc, dr=_signed(rr - hy), dc=_signed(rc - hx)
                ),
                SCENE_TEXT["feature_line"].format(
                    mean=format_number(float(state.template.mean())),
                    value=format_number(fv, 5),
                    row=fr,
                    col=fc,
                    dr=_signed(fr - hy),
                    dc=_signed(fc - hx),
                ),
                SCENE_TEXT["equivariant"],
            ]
        ),
    }
    return scene


def template_matching_pictures(state: TemplateMatchingState) -> dict[str, bytes]:
    """The template, the picture (grey) and the two maps (purple to orange, white at zero), as PNG.

    The matching map spans −1 to 1; the feature map ± its peak.

    Parameters
    ----------
    state : TemplateMatchingState

    Returns
    -------
    dict of str to bytes
        ``template_png``, ``picture_png``, ``response_png``, ``feature_png``.

    Examples
    --------
    >>> pictures = template_matching_pictures(template_matching_state(template_scene("coin"), column=8, row=10))
    >>> sorted(pictures), pictures["feature_png"][:4]
    (['feature_png', 'picture_png', 'response_png', 'template_png'], b'\\x89PNG')
    """
    return {
        "template_png": png_bytes(state.template, vmin=0.0, vmax=1.0),
        "picture_png": png_bytes(state.picture, vmin=0.0, vmax=1.0),
        "response_png": png_bytes(state.response, cmap="PuOr_r", vmin=-1.0, vmax=1.0),
        "feature_png": png_bytes(state.feature, cmap="PuOr_r", vmin=-state.best, vmax=state.best),
    }


def _signed(n: int) -> str:
    return f"{n:+d}".replace("-", "−")


def _score(value: float) -> str:
    """A match_template score as written: three decimals."""
    return f"{value:.3f}".replace("-", "−")
