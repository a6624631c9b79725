// @ts-check
// convolution.js: input grid with the window, K and K', the products and their sum,
// the output map filling in, and the photo with its filtered version.

import { Draw, Sweep, Pictures } from "./draw.js";

/**
 * The scene Python sends (meia_cnn/explain/convolution.py); pictures: the traits photo and filtered.
 * @typedef {object} Scene
 * @property {GridPart} input
 * @property {{size: number, labels: string[][], colours: string[][], title: string, label: string}} kernel
 * @property {{labels: string[][], colours: string[][], title: string, label: string}} applied K flipped
 * @property {{label: string}} products
 * @property {GridPart} output
 * @property {PicturePart & {filtered_title: string, filtered_label: string}} photo
 * @property {{cell: Cell, products: string[][], product_colours: string[][], products_title: string,
 *   sum: string, readout: string}[]} steps
 */
/** @typedef {import("./draw.js").Ctx<Scene>} Ctx */
/** @typedef {import("./draw.js").GridPart} GridPart */
/** @typedef {import("./draw.js").PicturePart} PicturePart */
/** @typedef {import("./draw.js").Cell} Cell */

/** @param {Ctx} ctx */
function sizes(ctx) {
  const { width, narrow, scene } = ctx;
  const cell = narrow
    ? Draw.cellSize(width - 4, scene.input.cols, { lo: 20, hi: 36 })
    : Math.max(20, Math.min(36, Math.floor(width / 30)));
  const kcell = Math.max(22, Math.min(cell, 30));
  // wide screens: both photos on the row of the grids; otherwise a row of their own
  const photo = width >= 1100 ? Math.floor(width * 0.12) : Math.min(200, Math.floor((width - 24) / 2));
  return { cell, kcell, photo, title: ctx.font + 10 };
}

/** @param {Ctx} ctx */
function titled(ctx, w, h, label, title, extraChars = 0) {
  const textWidth = (title.length + extraChars) * ctx.font * 0.62;
  const width = Math.min(ctx.width - 4, Math.max(w + 4, textWidth));
  const svg = Draw.panel(ctx.figure, { width, height: h, label });
  const node = Draw.text(svg, 2, ctx.font + 2, title, { size: ctx.font, weight: "bold" });
  return { svg, node };
}

/** @param {Ctx} ctx */
function draw(ctx) {
  const { scene, font } = ctx;
  const { cell, kcell, photo, title } = sizes(ctx);
  const k = scene.kernel.size;
  const parts = {};

  // the input with the window
  const inp = titled(ctx, scene.input.cols * cell, scene.input.rows * cell + title + 4,
    scene.input.label, scene.input.title);
  parts.inBox = Draw.grid(inp.svg, { x: 2, y: title, cell, rows: scene.input.rows, cols: scene.input.cols,
    labels: scene.input.labels, colours: scene.input.colours });
  parts.window = Draw.highlight(inp.svg, { x: 0, y: 0, width: k * cell, height: k * cell,
    colour: Draw.PALETTE.orange, stroke: 4 });

  // K as typed, and K' as applied, one above the other
  const kw = k * kcell;
  const kTitle = Math.max(scene.kernel.title.length, scene.applied.title.length) * font * 0.62;
  const kernels = Draw.panel(ctx.figure, { width: Math.min(ctx.width - 4, Math.max(kw + 4, kTitle)),
    height: 2 * (k * kcell + title) + 8, label: `${scene.kernel.label} ${scene.applied.label}` });
  Draw.text(kernels, 2, font + 2, scene.kernel.title, { size: font, weight: "bold" });
  Draw.grid(kernels, { x: 2, y: title, cell: kcell, rows: k, cols: k,
    labels: scene.kernel.labels, colours: scene.kernel.colours });
  const y2 = title + k * kcell + 8;
  Draw.text(kernels, 2, y2 + font + 2, scene.applied.title, { size: font, weight: "bold" });
  Draw.grid(kernels, { x: 2, y: y2 + title, cell: kcell, rows: k, cols: k,
    labels: scene.applied.labels, colours: scene.applied.colours });

  // the products and their sum (redrawn at each step)
  const prods = titled(ctx, kw, k * kcell + title + font * 2 + 16, scene.products.label,
    "window × K′ = 1/256 ×");
  parts.prodTitle = prods.node;
  parts.prodGrid = Draw.el("g", {}, prods.svg);
  parts.prodY = title;
  parts.kcell = kcell;
  parts.sum = Draw.text(prods.svg, 2, title + k * kcell + font + 10, "", {
    size: font + 2, weight: "bold", fill: Draw.textColour(Draw.PALETTE.vermillion) });

  // the output map, covered after the current step
  const out = titled(ctx, scene.output.cols * cell, scene.output.rows * cell + title + 4,
    scene.output.label, scene.output.title);
  parts.outBox = Draw.grid(out.svg, { x: 2, y: title, cell, rows: scene.output.rows, cols: scene.output.cols,
    labels: scene.output.labels, colours: scene.output.colours });
  Object.assign(parts, Sweep.outputMarks(out.svg, parts.outBox, scene.output, cell,
    { colour: Draw.PALETTE.orange, stroke: 4 }));
  parts.cell = cell;

  // the photo and the filtered photo (PNG bytes from Python)
  const ph = scene.photo;
  const scale = photo / Math.max(ph.rows, ph.cols);
  const pw = Math.round(ph.cols * scale), phh = Math.round(ph.rows * scale);
  // wide enough for the second title too (longer in some languages than the picture is wide)
  const second = Math.max(pw, ph.filtered_title.length * font * 0.62);
  const both = Draw.panel(ctx.figure, { width: Math.min(ctx.width - 4, pw + 16 + second),
    height: phh + title + 4, label: `${ph.label} ${ph.filtered_label}` });
  [["photo", ph.label, ph.title], ["filtered", ph.filtered_label, ph.filtered_title]].forEach(([key, label, name], n) => {
    const x = 2 + n * (pw + 12);
    Draw.text(both, x, font + 2, name, { size: font, weight: "bold" });
    // the photo keeps its picture from draw to draw (it changes only with the photo chosen)
    const picture = key === "photo" ? Pictures.image : Pictures.inline;
    picture(both, { x, y: title, width: pw, height: phh, png: ctx.model.get(key), label, owner: ctx.root, name: key });
    Draw.el("rect", { x, y: title, width: pw, height: phh, fill: "none", stroke: Draw.PALETTE.grey }, both);
  });
  ctx.parts = parts;
  step(ctx);
}

/** @param {Ctx} ctx */
function step(ctx) {
  const { scene, parts } = ctx;
  const here = scene.steps[ctx.step];
  if (!here || !parts.window) return;
  const [i, j] = here.cell;
  const { cell, kcell } = parts;
  const k = scene.kernel.size;
  parts.window.setAttribute("x", parts.inBox.x + j * cell);
  parts.window.setAttribute("y", parts.inBox.y + i * cell);
  Draw.clear(parts.prodGrid);
  Draw.grid(parts.prodGrid, { x: 2, y: parts.prodY, cell: kcell, rows: k, cols: k,
    labels: here.products, colours: here.product_colours });
  parts.prodTitle.textContent = here.products_title;
  parts.sum.textContent = here.sum;
  Sweep.showOutput(parts, parts.outBox, cell, ctx.step, here.cell);
}

/** @param {import("./draw.js").RenderProps} props */
function render({ model, el }) {
  const stop = Draw.view({ model, el, draw, step });
  return () => {
    stop();
    Pictures.release(el.querySelector(".meia-view"));
  };
}

export default { render };
