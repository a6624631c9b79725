// stride_padding.js: the padded input with the kernel's taps, and the output filling in.
// Scene (from meia_cnn/widgets/stride_padding.py):
//   input:  {rows, cols, colours, labels|null, title, label}
//   output: {rows, cols, colours, labels|null, title, label}
//   kernel: {size, span, offsets: [[dr, dc], ...]}
//   steps:  [{origin: [r, c], cell: [i, j], readout}]
// The grids, the taps and the output filling in are drawn by Sweep (draw.js).

import { Draw, Sweep } from "./draw.js";

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

function draw(ctx) {
  const { scene } = ctx;
  const { cell, outCell, title } = layout(ctx);
  const input = Sweep.gridPanel(ctx, scene.input, cell, title);
  const output = Sweep.gridPanel(ctx, scene.output, outCell, title, 20);
  // the taps and the span of the (dilated) kernel and the output filling in, moved at each step
  Sweep.marks(ctx, input, output, cell, outCell, { tapOpacity: 0.4 });
}

function render({ model, el }) {
  return Draw.view({ model, el, draw, step: Sweep.step });
}

export default { render };
