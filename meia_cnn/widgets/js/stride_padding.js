// @ts-check
// stride_padding.js: the padded input with the kernel's taps, and the output filling in.

import { Draw, Sweep } from "./draw.js";

/**
 * The scene Python sends (meia_cnn/widgets/stride_padding.py); the grids, the taps and the output
 * filling in are drawn by Sweep (draw.js).
 * @typedef {object} Scene
 * @property {GridPart} input
 * @property {GridPart} output
 * @property {{size: number, span: number, offsets: Cell[]}} kernel
 * @property {{origin: Cell, cell: Cell, readout: string}[]} steps
 */
/** @typedef {import("./draw.js").Ctx<Scene>} Ctx */
/** @typedef {import("./draw.js").GridPart} GridPart */
/** @typedef {import("./draw.js").PicturePart} PicturePart */
/** @typedef {import("./draw.js").Cell} Cell */

/** @param {Ctx} ctx */
function layout(ctx) {
  const { scene, width, narrow, font } = ctx;
  const gap = 20;
  const title = font + 10;
  // wide: the two grids side by side, sharing the width in proportion to their cells
  const cols = scene.input.cols + scene.output.cols;
  const cellWide = Draw.cellSize(width - gap - 8, cols, { lo: 8, hi: 40 });
  const cell = narrow ? Draw.cellSize(width - 4, scene.input.cols, { lo: 8, hi: 36 }) : cellWide;
  const outCell = narrow ? Draw.cellSize(width - 4, scene.output.cols, { lo: 8, hi: 36 }) : cellWide;
  return { cell, outCell, title };
}

/** @param {Ctx} ctx */
function draw(ctx) {
  const { scene } = ctx;
  const { cell, outCell, title } = layout(ctx);
  const input = Sweep.gridPanel(ctx, scene.input, cell, title);
  const output = Sweep.gridPanel(ctx, scene.output, outCell, title, 20);
  // the taps and the span of the (dilated) kernel and the output filling in, moved at each step
  Sweep.marks(ctx, input, output, cell, outCell, { tapOpacity: 0.4 });
}

/** @param {import("./draw.js").RenderProps} props */
function render({ model, el }) {
  return Draw.view({ model, el, draw, step: Sweep.step });
}

export default { render };
