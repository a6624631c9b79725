// transposed.js: the stretched input with the flipped kernel's taps, the kernel, and the output filling in.
// Scene (from meia_cnn/widgets/transposed.py):
//   stretched: {rows, cols, colours, labels|null, title, label}
//   kernel:    {size, span, offsets: [[dr, dc], ...], colours, labels, flipped_colours,
//               flipped_labels, title, flipped_title, label}
//   output:    {rows, cols, colours, labels|null, title, label}
//   steps:     [{origin: [r, c], cell: [r, c], readout}]

// Widths (px) of the three panels for a cell size, as gridPanel and kernelPanel draw them.
function kernelSizes(ctx, kCell) {
  const kern = ctx.scene.kernel;
  const k = kern.size;
  const x2 = Math.max((k + 1) * kCell + 2, (kern.title.length + 2) * ctx.font * 0.6);
  const width = x2 + Math.max(k * kCell, kern.flipped_title.length * ctx.font * 0.62) + 8;
  return { x2, width };
}

function panelWidth(ctx, part, cell, extraChars = 0) {
  return Math.max(part.cols * cell + 4, (part.title.length + extraChars) * ctx.font * 0.6);
}

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
  const total = (c) => panelWidth(ctx, scene.stretched, c) + kernel.width
      + panelWidth(ctx, scene.output, c, 20) + 2 * gap + 4;
  while (cell > 8 && total(cell) > width) cell -= 1;
  return { cell, outCell: cell, kCell, kernel, title };
}

function gridPanel(ctx, part, cell, titleH, extraChars = 0) {
  const w = Math.min(ctx.width - 4, panelWidth(ctx, part, cell, extraChars));
  const svg = Draw.panel(ctx.figure, { width: w, height: part.rows * cell + titleH + 4, label: part.label });
  const titleNode = Draw.text(svg, 2, ctx.font + 2, part.title, { size: ctx.font, weight: "bold" });
  const labels = cell >= 20 ? part.labels : null; // numbers only where 12 px text fits
  const box = Draw.grid(svg, {
    x: 2, y: titleH, cell, rows: part.rows, cols: part.cols, colours: part.colours, labels,
  });
  return { svg, box, titleNode };
}

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

function draw(ctx) {
  const { scene } = ctx;
  const { cell, outCell, kCell, kernel, title } = layout(ctx);
  const input = gridPanel(ctx, scene.stretched, cell, title);
  kernelPanel(ctx, kCell, kernel, title);
  const output = gridPanel(ctx, scene.output, outCell, title, 20);
  // the flipped kernel's taps (d cells apart) and the span they cover, moved at each step
  const taps = Draw.el("g", { class: "meia-taps" }, input.svg);
  const tapRects = scene.kernel.offsets.map(() => Draw.el("rect", {
    width: cell * 0.9, height: cell * 0.9, fill: Draw.PALETTE.orange, "fill-opacity": 0.55,
    stroke: Draw.PALETTE.vermillion, "stroke-width": 1.5,
  }, taps));
  const span = Draw.highlight(input.svg, {
    x: 0, y: 0, width: scene.kernel.span * cell, height: scene.kernel.span * cell,
    colour: Draw.PALETTE.vermillion, stroke: 2.5, dash: "6 4",
  });
  // the output cells after the current step are covered, the current one framed
  const covers = [];
  const og = Draw.el("g", { class: "meia-covers" }, output.svg);
  for (let r = 0; r < scene.output.rows; r++) {
    for (let c = 0; c < scene.output.cols; c++) {
      covers.push(Draw.el("rect", {
        x: output.box.x + c * outCell, y: output.box.y + r * outCell, width: outCell, height: outCell,
        fill: "#ffffff", stroke: Draw.PALETTE.grey, "stroke-width": 0.75,
      }, og));
    }
  }
  const current = Draw.highlight(output.svg, {
    x: 0, y: 0, width: outCell, height: outCell, colour: Draw.PALETTE.vermillion, stroke: 3.5,
  });
  ctx.parts = { input, output, tapRects, span, covers, current, cell, outCell };
  step(ctx);
}

function step(ctx) {
  const { scene, parts } = ctx;
  const here = scene.steps[ctx.step];
  if (!here || !parts.input) return;
  const { cell, outCell, input, output } = parts;
  const [r0, c0] = here.origin;
  scene.kernel.offsets.forEach(([dr, dc], n) => {
    parts.tapRects[n].setAttribute("x", input.box.x + (c0 + dc) * cell + cell * 0.05);
    parts.tapRects[n].setAttribute("y", input.box.y + (r0 + dr) * cell + cell * 0.05);
  });
  parts.span.setAttribute("x", input.box.x + c0 * cell);
  parts.span.setAttribute("y", input.box.y + r0 * cell);
  const [i, j] = here.cell;
  parts.covers.forEach((rect, n) => {
    rect.style.display = n <= ctx.step ? "none" : "";
  });
  parts.current.setAttribute("x", output.box.x + j * outCell);
  parts.current.setAttribute("y", output.box.y + i * outCell);
  output.titleNode.textContent = (scene.output.step_title || "{title}").replace("{title}", scene.output.title)
    .replace("{n}", String(ctx.step + 1)).replace("{total}", String(scene.steps.length));
}

function render({ model, el }) {
  return Draw.view({ model, el, draw, step });
}

export default { render };
