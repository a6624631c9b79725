// @ts-check
// sharing.js: the two parameter counts as bars on a log scale, and both layers written as matrices.

import { Draw } from "./draw.js";

/**
 * The scene Python sends (meia_cnn/widgets/sharing.py); pictures: conv_png and dense_png.
 * @typedef {object} Scene
 * @property {string} heading
 * @property {{title: string, label: string, decades: number, ticks: [number, string][],
 *   items: {name: string, log: number, text: string, colour: string}[]}} bars
 * @property {{rows: number, cols: number, conv: {title: string, label: string},
 *   dense: {title: string, label: string}, note: string}} matrices
 */
/** @typedef {import("./draw.js").Ctx<Scene>} Ctx */
/** @typedef {import("./draw.js").GridPart} GridPart */
/** @typedef {import("./draw.js").PicturePart} PicturePart */
/** @typedef {import("./draw.js").Cell} Cell */

/** @param {Ctx} ctx */
function barsPanel(ctx, w) {
  const { scene, font } = ctx;
  const b = scene.bars;
  const h = 230;
  const svg = Draw.panel(ctx.figure, { width: w, height: h, label: b.label });
  Draw.text(svg, 2, font + 2, b.title, { size: font, weight: "bold" });
  const left = font * 3, top = font * 3 + 8, bottom = h - font - 10;
  const py = (d) => bottom - (d / b.decades) * (bottom - top);
  for (const [d, t] of b.ticks) {
    Draw.el("line", { x1: left, x2: w - 4, y1: py(d), y2: py(d), stroke: Draw.PALETTE.grey,
      "stroke-dasharray": "2 3", "stroke-width": 0.75 }, svg);
    Draw.text(svg, left - 4, py(d), t, { size: font, anchor: "end", baseline: "central", fill: Draw.INK.soft });
  }
  const slot = (w - left - 4) / b.items.length;
  b.items.forEach((item, n) => {
    const x = left + n * slot + slot * 0.2, bw = slot * 0.6;
    Draw.el("rect", { x, y: py(item.log), width: bw, height: bottom - py(item.log), fill: item.colour,
      stroke: Draw.INK.line }, svg);
    Draw.text(svg, x + bw / 2, py(item.log) - 4, item.text, { size: font, anchor: "middle" });
    Draw.text(svg, x + bw / 2, bottom + font + 4, item.name, { size: font, anchor: "middle", weight: "bold" });
  });
}

/** @param {Ctx} ctx */
function matrixPanel(ctx, part, png, w, rows, cols) {
  const { font } = ctx;
  const mw = Math.max(40, w - 8);
  const mh = Math.min(rows * 10, Math.max(rows * 3, (mw / cols) * rows * 2));
  const lines = Draw.wrap(part.title, Math.max(12, Math.floor(w / (font * 0.62))));
  const top = lines.length * (font + 4) + 6;
  const svg = Draw.panel(ctx.figure, { width: w, height: mh + top + 6, label: part.label });
  lines.forEach((line, i) => Draw.text(svg, 2, (i + 1) * (font + 4), line, { size: font, weight: "bold" }));
  Draw.image(svg, { x: 2, y: top, width: mw, height: mh, png, label: part.label, owner: ctx.root });
  Draw.highlight(svg, { x: 2, y: top, width: mw, height: mh, colour: Draw.INK.line, stroke: 1 });
}

/** @param {Ctx} ctx */
function draw(ctx) {
  const { scene, width, narrow, font, model } = ctx;
  const head = Draw.html("div", "meia-heading", ctx.figure, scene.heading);
  Object.assign(head.style, { width: "100%", fontWeight: "bold", fontSize: `${font + 1}px` });
  const m = scene.matrices;
  const barsW = narrow ? width - 4 : Math.min(300, Math.floor(width * 0.28));
  const matW = narrow ? width - 4 : Math.floor((width - barsW - 2 * 20 - 8) / 2);
  barsPanel(ctx, barsW);
  matrixPanel(ctx, m.conv, model.get("conv_png"), matW, m.rows, m.cols);
  matrixPanel(ctx, m.dense, model.get("dense_png"), matW, m.rows, m.cols);
  const note = Draw.html("div", "meia-note", ctx.figure, m.note);
  Object.assign(note.style, { width: "100%", fontSize: `${font}px`, color: Draw.INK.soft });
}

/** @param {import("./draw.js").RenderProps} props */
function render({ model, el }) {
  return Draw.view({ model, el, draw });
}

export default { render };
