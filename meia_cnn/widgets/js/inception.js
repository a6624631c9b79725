// @ts-check
// inception.js: the module as a diagram (bottom: previous layer; top: concatenation) and its costs as
// stacked bars, with and without the 1x1 reductions.

import { Draw } from "./draw.js";

/**
 * The scene Python sends (meia_cnn/widgets/inception.py).
 * @typedef {object} Scene
 * @property {string} head
 * @property {Record<"input" | "reduce3" | "reduce5" | "pool" | "conv1" | "conv3" | "conv5" | "proj" | "concat",
 *   string[]>} boxes each box's lines of text
 * @property {string[]} colours the four branches' colours
 * @property {{fraction: number, text: string}[]} segments the concatenated depth, one per branch
 * @property {Record<"params" | "macs", {title: string, rows: {fractions: number[], text: string}[]}>} bars
 * @property {string} diagram_label
 * @property {string} bars_label
 */
/** @typedef {import("./draw.js").Ctx<Scene>} Ctx */
/** @typedef {import("./draw.js").GridPart} GridPart */
/** @typedef {import("./draw.js").PicturePart} PicturePart */
/** @typedef {import("./draw.js").Cell} Cell */

function box(svg, cx, cy, w, h, lines, colour, font, opacity = 1) {
  // opaque (a tint for the reductions), with black or white words, so it reads the same in any theme
  const fill = opacity < 1 ? Draw.tint(colour, opacity) : colour;
  Draw.el("rect", { x: cx - w / 2, y: cy - h / 2, width: w, height: h, rx: 6, fill,
    stroke: Draw.INK.line, "stroke-width": 1.2 }, svg);
  const lh = font + 3;
  lines.forEach((line, i) => {
    Draw.text(svg, cx, cy + (i - (lines.length - 1) / 2) * lh, line,
      { anchor: "middle", baseline: "central", size: font, fill: Draw.ink(fill) });
  });
}

/** The boxes of the four branches (and their reductions), whose texts size the columns. */
const BRANCH_BOXES = ["reduce3", "reduce5", "pool", "conv1", "conv3", "conv5", "proj"];

/** @param {Ctx} ctx */
function diagram(ctx, room) {
  const { scene, font } = ctx;
  const b = scene.boxes;
  const texts = BRANCH_BOXES.map((k) => b[k]).flat();
  const longest = Math.max(...texts.map((s) => s.length));
  // the room given, or more when one word would not fit a column (longer lines wrap at their spaces)
  const word = Math.max(...texts.flatMap((s) => s.split(" ").map((w) => w.length)));
  const width = Math.min(ctx.width - 4, 4 * Math.max(word * font * 0.64 + 20, (room - 8) / 4) + 8);
  // four columns in the width there is; a line wider than its box is broken at its spaces
  const colW = (width - 8) / 4;
  const bw = Math.min(colW - 8, longest * font * 0.62 + 14);
  /** @param {string[]} lines @param {number} w */
  const fit = (lines, w) => lines.flatMap((line) => Draw.wrap(line, Math.max(4, Math.floor((w - 8) / (font * 0.64)))));
  const rows = Math.max(2, ...BRANCH_BOXES.map((k) => fit(b[k], bw).length));
  const bh = rows * (font + 3) + 12;
  const gapY = 30;
  const concat = fit(b.concat, width - 8);
  const concatH = concat.length * (font + 3) + 9;
  const segH = font + 6;
  const yConcat = 4 + concatH / 2;
  const ySeg = 4 + concatH + 4;
  const yConv = ySeg + segH + gapY + bh / 2;
  const yReduce = yConv + bh + gapY;
  const yInput = yReduce + bh / 2 + gapY + bh / 2;
  const height = yInput + bh / 2 + 4;
  const svg = Draw.panel(ctx.figure, { width, height, label: scene.diagram_label });
  const xs = [0, 1, 2, 3].map((i) => 4 + (i + 0.5) * ((width - 8) / 4));
  const mid = width / 2;
  const [c1, c3, c5, cp] = scene.colours;
  // arrows first, boxes on top
  for (let i = 0; i < 4; i++) {
    const fromX = mid + (xs[i] - mid) * 0.45;
    if (i === 0) Draw.arrow(svg, fromX, yInput - bh / 2, xs[0], yConv + bh / 2 + 2);
    else {
      Draw.arrow(svg, fromX, yInput - bh / 2, xs[i], yReduce + bh / 2 + 2);
      Draw.arrow(svg, xs[i], yReduce - bh / 2, xs[i], yConv + bh / 2 + 2);
    }
    Draw.arrow(svg, xs[i], yConv - bh / 2, mid + (xs[i] - mid) * 0.9, ySeg + segH + 2);
  }
  const inputW = Math.min(width - 8, Math.max(bw * 2, 12 * font));
  box(svg, mid, yInput, inputW, bh, fit(b.input, inputW), "#ffffff", font);
  box(svg, xs[1], yReduce, bw, bh, fit(b.reduce3, bw), c3, font, 0.55);
  box(svg, xs[2], yReduce, bw, bh, fit(b.reduce5, bw), c5, font, 0.55);
  box(svg, xs[3], yReduce, bw, bh, fit(b.pool, bw), cp, font, 0.55);
  box(svg, xs[0], yConv, bw, bh, fit(b.conv1, bw), c1, font);
  box(svg, xs[1], yConv, bw, bh, fit(b.conv3, bw), c3, font);
  box(svg, xs[2], yConv, bw, bh, fit(b.conv5, bw), c5, font);
  box(svg, xs[3], yConv, bw, bh, fit(b.proj, bw), cp, font);
  box(svg, mid, yConcat, width - 8, concatH, concat, "#ffffff", font);
  // the concatenated depth: one segment per branch, as wide as its depth
  let left = 4;
  scene.segments.forEach((s, i) => {
    const span = (width - 8) * s.fraction;
    const fill = scene.colours[i];
    Draw.el("rect", { x: left, y: ySeg, width: span, height: segH, fill, stroke: Draw.INK.line,
      "stroke-width": 0.8 }, svg);
    if (span > s.text.length * font * 0.62 + 4) {
      Draw.text(svg, left + span / 2, ySeg + segH / 2, s.text, { anchor: "middle", baseline: "central", size: font,
        fill: Draw.ink(fill) });
    }
    left += span;
  });
}

/** @param {Ctx} ctx */
function costBars(ctx, room) {
  const { scene, font } = ctx;
  const longest = Math.max(...["params", "macs"].flatMap((k) => scene.bars[k].rows.map((r) => r.text.length)));
  const width = Math.min(ctx.width - 4, Math.max(room, longest * font * 0.6 + 8));
  const bar = font + 8;
  const row = font + 8 + bar + 8;
  const group = font + 10 + 2 * row;
  const svg = Draw.panel(ctx.figure, { width, height: 2 * group + 4, label: scene.bars_label });
  ["params", "macs"].forEach((what, g) => {
    const y0 = g * group;
    Draw.text(svg, width / 2, y0 + font + 2, scene.bars[what].title, { anchor: "middle", size: font, weight: "bold" });
    scene.bars[what].rows.forEach((r, k) => {
      const y = y0 + font + 10 + k * row;
      Draw.text(svg, 2, y + font, r.text, { size: font });
      let left = 2;
      r.fractions.forEach((f, i) => {
        const span = (width - 6) * f;
        Draw.el("rect", { x: left, y: y + font + 6, width: span, height: bar, fill: scene.colours[i],
          stroke: Draw.INK.line, "stroke-width": 0.8 }, svg);
        left += span;
      });
    });
  });
}

/** @param {Ctx} ctx */
function draw(ctx) {
  const { scene, width, narrow, font } = ctx;
  const head = Draw.html("div", "meia-head", ctx.figure, scene.head);
  Object.assign(head.style, { flexBasis: "100%", fontWeight: "bold", fontSize: `${font + 1}px` });
  diagram(ctx, narrow ? width - 4 : Math.min(640, width * 0.58));
  costBars(ctx, narrow ? width - 4 : Math.min(420, width * 0.36));
}

/** @param {import("./draw.js").RenderProps} props */
function render({ model, el }) {
  return Draw.view({ model, el, draw });
}

export default { render };
