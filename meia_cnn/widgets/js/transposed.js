// @ts-check
// transposed.js: the stretched input with the flipped kernel's taps, the kernel, and the output filling in.

import { Draw, Sweep } from "./draw.js";

/**
 * The scene Python sends (meia_cnn/widgets/transposed.py); the grids, the taps and the output filling
 * in are drawn by Sweep (draw.js).
 * @typedef {object} Scene
 * @property {GridPart} stretched
 * @property {{size: number, span: number, offsets: Cell[], colours: string[][], labels: string[][],
 *   flipped_colours: string[][], flipped_labels: string[][], title: string, flipped_title: string,
 *   label: string}} kernel
 * @property {GridPart} output
 * @property {{origin: Cell, cell: Cell, readout: string}[]} steps
 */
/** @typedef {import("./draw.js").Ctx<Scene>} Ctx */
/** @typedef {import("./draw.js").GridPart} GridPart */
/** @typedef {import("./draw.js").PicturePart} PicturePart */
/** @typedef {import("./draw.js").Cell} Cell */

// Widths (px) of the three panels for a cell size, as gridPanel and kernelPanel draw them.
/** @param {Ctx} ctx */
function kernelSizes(ctx, kCell) {
  const kern = ctx.scene.kernel;
  const k = kern.size;
  const x2 = Math.max((k + 1) * kCell + 2, (kern.title.length + 2) * ctx.font * 0.6);
  const width = x2 + Math.max(k * kCell, kern.flipped_title.length * ctx.font * 0.62) + 8;
  return { x2, width };
}

/** @param {Ctx} ctx */
function layout(ctx) {
  const { scene, width, narrow, font } = ctx;
  const gap = 20; // the figure's column gap
  const title = font + 10;
  const k = scene.kernel.size;
  const kCell = Math.max(20, Math.min(30, Math.floor((width - 40) / (2 * k + 1))));
  const kernel = kernelSizes(ctx, kCell);
  if (narrow) {
    // one panel per row: each as large as the width allows
    return {
      cell: Draw.cellSize(width - 4, scene.stretched.cols, { lo: 8, hi: 32 }),
      outCell: Draw.cellSize(width - 4, scene.output.cols, { lo: 8, hi: 32 }),
      kCell, kernel, title,
    };
  }
  // wide: the largest cell (at most 36 px, and the grids at most ~400 px tall) for which the three
  // panels fit side by side; when none does, they wrap as on a narrow screen
  const tallest = Math.max(scene.stretched.rows, scene.output.rows);
  let cell = Math.max(8, Math.min(36, Math.floor(400 / tallest)));
  const total = (c) => Sweep.panelWidth(ctx, scene.stretched, c) + kernel.width
      + Sweep.panelWidth(ctx, scene.output, c, 20) + 2 * gap + 4;
  while (cell > 8 && total(cell) > width) cell -= 1;
  return { cell, outCell: cell, kCell, kernel, title };
}

/** @param {Ctx} ctx */
function kernelPanel(ctx, kCell, sizes, titleH) {
  const kern = ctx.scene.kernel;
  const k = kern.size;
  const { x2 } = sizes;
  const w = Math.min(ctx.width - 4, sizes.width);
  const svg = Draw.panel(ctx.figure, { width: w, height: k * kCell + titleH + 4, label: kern.label });
  Draw.text(svg, 2, ctx.font + 2, kern.title, { size: ctx.font, weight: "bold" });
  Draw.text(svg, x2, ctx.font + 2, kern.flipped_title, { size: ctx.font, weight: "bold" });
  Draw.grid(svg, { x: 2, y: titleH, cell: kCell, rows: k, cols: k, colours: kern.colours, labels: kern.labels });
  const flipped = Draw.grid(svg, {
    x: x2, y: titleH, cell: kCell, rows: k, cols: k, colours: kern.flipped_colours, labels: kern.flipped_labels,
  });
  Draw.highlight(svg, {
    x: flipped.x, y: flipped.y, width: flipped.width, height: flipped.height,
    colour: Draw.PALETTE.vermillion, stroke: 2.5,
  });
  return svg;
}

/** @param {Ctx} ctx */
function draw(ctx) {
  const { scene } = ctx;
  const { cell, outCell, kCell, kernel, title } = layout(ctx);
  const input = Sweep.gridPanel(ctx, scene.stretched, cell, title);
  kernelPanel(ctx, kCell, kernel, title);
  const output = Sweep.gridPanel(ctx, scene.output, outCell, title, 20);
  // the flipped kernel's taps (d cells apart), the span they cover and the output filling in
  Sweep.marks(ctx, input, output, cell, outCell, { tapOpacity: 0.55 });
}

/** @param {import("./draw.js").RenderProps} props */
function render({ model, el }) {
  return Draw.view({ model, el, draw, step: Sweep.step });
}

export default { render };
