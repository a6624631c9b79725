// @ts-check
// feature_maps.js: the input, every layer's feature maps (click a unit), the prediction, and the unit's detail.

import { Draw, Pictures } from "./draw.js";

/**
 * The scene Python sends (feature_map_scene in meia_cnn/explain/feature_maps.py); pictures: input_png and maps[i].
 * @typedef {object} Scene
 * @property {PicturePart & {field: number[]}} input field: [r0, r1, c0, c1]
 * @property {{name: string, title: string, label: string, vector: boolean, tile: number[], tiles: number[],
 *   rows: number, cols: number}[]} layers
 * @property {{layer: number, unit: number[]}} selected unit: [r, c, ch] or [k]
 * @property {{kind: string, title: string, grids: {title: string, rows: number, cols: number,
 *   labels: string[][], colours: string[][], mark: any}[], lines: string[], equation: string,
 *   bars: {title: string, labels: string[], values: number[], texts: string[], selected: number} | null}} detail
 * @property {{title: string, label: string, labels: string[], values: number[], texts: string[],
 *   colours: string[]}} probs
 */
/** @typedef {import("./draw.js").Ctx<Scene>} Ctx */
/** @typedef {import("./draw.js").GridPart} GridPart */
/** @typedef {import("./draw.js").PicturePart} PicturePart */
/** @typedef {import("./draw.js").Cell} Cell */

/** @param {Ctx} ctx */
function mapScale(ctx, layer) {
  // pixels per cell: maps about a quarter of the width (narrow: 2 a row), large enough to click a unit
  const room = ctx.narrow ? (ctx.width - 24) / 2 : Math.min(260, Math.max(130, (ctx.width - 80) / 4));
  return Math.max(3, Math.min(16, Math.floor(room / layer.cols), Math.floor(160 / layer.rows)));
}

/** @param {Ctx} ctx */
function titleLines(ctx, text, width) {
  return Draw.wrap(text, Math.max(8, Math.floor(width / (ctx.font * 0.62))));
}

function writeLines(svg, ctx, lines, opts = {}) {
  lines.forEach((line, i) => Draw.text(svg, 2, (i + 1) * (ctx.font + 4), line, { size: ctx.font, ...opts }));
  return lines.length * (ctx.font + 4) + 6;
}

/** @param {Ctx} ctx */
function inputPanel(ctx) {
  const { scene, model } = ctx;
  const inp = scene.input;
  const s = Math.max(4, Math.min(20, Math.floor((ctx.narrow ? ctx.width - 8 : 150) / inp.cols)));
  const w = inp.cols * s, h = inp.rows * s;
  const width = Math.min(ctx.width - 4, Math.max(w + 4, 120));
  const lines = titleLines(ctx, inp.title, width);
  const top = lines.length * (ctx.font + 4) + 6;
  const svg = Draw.panel(ctx.figure, { width, height: h + top + 4, label: inp.label });
  writeLines(svg, ctx, lines, { weight: "bold" });
  Pictures.inline(svg, { x: 2, y: top, width: w, height: h, png: model.get("input_png"), label: inp.label, owner: ctx.root });
  const [r0, r1, c0, c1] = inp.field;
  Draw.highlight(svg, { x: 2 + c0 * s, y: top + r0 * s, width: (c1 - c0) * s, height: (r1 - r0) * s,
    colour: Draw.PALETTE.orange, stroke: 3 });
}

function unitBox(layer, unit) {
  // [row, col] of the unit in the mosaic
  if (layer.vector) return [Math.floor(unit[0] / layer.cols), unit[0] % layer.cols];
  const [th, tw] = layer.tile, [, ncols] = layer.tiles;
  const [r, c, ch] = unit;
  return [Math.floor(ch / ncols) * (th + 1) + r, (ch % ncols) * (tw + 1) + c];
}

function pickAt(layer, row, col) {
  // the unit under mosaic cell (row, col), or null in a gap
  if (layer.vector) {
    const k = row * layer.cols + col;
    return k >= 0 ? [0, 0, k] : null;
  }
  const [th, tw] = layer.tile, [, ncols] = layer.tiles;
  const tr = Math.floor(row / (th + 1)), r = row % (th + 1);
  const tc = Math.floor(col / (tw + 1)), c = col % (tw + 1);
  if (r >= th || c >= tw) return null;
  return [r, c, tr * ncols + tc];
}

/** @param {Ctx} ctx */
function layerPanel(ctx, layer, i) {
  const { scene, model } = ctx;
  const s = mapScale(ctx, layer);
  const w = layer.cols * s, h = layer.rows * s;
  const width = Math.min(ctx.width - 4, Math.max(w + 4, 110));
  const lines = titleLines(ctx, layer.title, width);
  const top = lines.length * (ctx.font + 4) + 6;
  const svg = Draw.panel(ctx.figure, { width, height: h + top + 4, label: layer.label });
  svg.classList.add("meia-layer");
  svg.dataset.layer = String(i);
  writeLines(svg, ctx, lines, { weight: scene.selected.layer === i ? "bold" : "normal" });
  const png = (model.get("maps") || [])[i];
  const img = Pictures.inline(svg, { x: 2, y: top, width: w, height: h, png, label: layer.label, owner: ctx.root });
  if (img) img.style.cursor = "pointer";
  if (scene.selected.layer === i) {
    const [br, bc] = unitBox(layer, scene.selected.unit);
    Draw.highlight(svg, { x: 2 + bc * s - 1, y: top + br * s - 1, width: s + 2, height: s + 2,
      colour: Draw.PALETTE.vermillion, stroke: 2.5 });
  }
  svg.addEventListener("click", (event) => {
    const box = svg.getBoundingClientRect();
    const col = Math.floor((event.clientX - box.left - 2) / s);
    const row = Math.floor((event.clientY - box.top - top) / s);
    if (row < 0 || col < 0 || row >= layer.rows || col >= layer.cols) return;
    const unit = pickAt(layer, row, col);
    if (!unit) return;
    const [r, c, ch] = unit;
    model.send({ pick: [i, r, c, ch] });
  });
}

/** @param {Ctx} ctx */
function gridPanel(ctx, grid) {
  // cells wide enough for "−0.123" in the body's text size
  const least = ctx.font >= 14 ? 56 : 48;
  const cell = Math.max(least, Math.min(64, Math.floor((ctx.narrow ? ctx.width - 8 : 260) / grid.cols)));
  const w = grid.cols * cell;
  const width = Math.min(ctx.width - 4, Math.max(w + 4, 120));
  const lines = titleLines(ctx, grid.title, width / 1.1);
  const top = lines.length * (ctx.font + 4) + 6;
  const svg = Draw.panel(ctx.figure, { width, height: grid.rows * cell + top + 4, label: grid.title });
  writeLines(svg, ctx, lines, { weight: "bold" });
  Draw.grid(svg, { x: 2, y: top, cell, rows: grid.rows, cols: grid.cols, colours: grid.colours,
    labels: grid.labels, size: ctx.font });
  if (grid.mark) {
    const [r, c] = grid.mark;
    Draw.highlight(svg, { x: 2 + c * cell, y: top + r * cell, width: cell, height: cell,
      colour: Draw.PALETTE.vermillion, stroke: 3 });
  }
}

/** @param {Ctx} ctx */
function textPanel(ctx, lines, label, opts = {}) {
  const width = ctx.width - 4;
  const all = lines.flatMap((line) => titleLines(ctx, line, width));
  const svg = Draw.panel(ctx.figure, { width, height: all.length * (ctx.font + 4) + 8, label });
  writeLines(svg, ctx, all, opts);
}

/** @param {Ctx} ctx */
function barsPanel(ctx, bars, label, colours) {
  const width = ctx.narrow ? ctx.width - 4 : Math.min(ctx.width - 4, 420);
  const size = ctx.font;
  const top = size + 10;
  const height = top + bars.values.length * (size + 8 + 6) + 4;
  const svg = Draw.panel(ctx.figure, { width, height, label });
  Draw.text(svg, 2, size + 2, bars.title, { size, weight: "bold" });
  Draw.bars(svg, { x: 2, y: top, width: width - 4, values: bars.values, labels: bars.labels,
    texts: bars.texts, colours, max: 1, size, textWidth: Math.max(...bars.texts.map((t) => t.length)) * size * 0.56 + 8 });
}

/** @param {Ctx} ctx */
function draw(ctx) {
  const { scene } = ctx;
  inputPanel(ctx);
  scene.layers.forEach((layer, i) => layerPanel(ctx, layer, i));
  const probs = scene.probs;
  barsPanel(ctx, { title: probs.title, values: probs.values, labels: probs.labels, texts: probs.texts },
    probs.label, probs.colours);
  const d = scene.detail;
  const rule = Draw.html("div", "meia-detail-title", ctx.figure, d.title);
  Object.assign(rule.style, { width: "100%", fontWeight: "bold", fontSize: `${ctx.font + 1}px`,
    borderTop: `2px solid ${Draw.PALETTE.grey}`, paddingTop: "6px" });
  for (const grid of d.grids) gridPanel(ctx, grid);
  if (d.bars) {
    const colours = d.bars.values.map((_, j) => (j === d.bars.selected ? Draw.PALETTE.orange : Draw.PALETTE.sky));
    barsPanel(ctx, d.bars, d.bars.title, colours);
  }
  textPanel(ctx, [...d.lines, d.equation], d.title);
}

/** @param {import("./draw.js").RenderProps} props */
function render({ model, el }) {
  return Draw.view({ model, el, draw });
}

export default { render };
