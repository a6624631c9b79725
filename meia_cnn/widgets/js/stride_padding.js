// stride_padding.js: the padded input with the kernel's taps, and the output filling in.
// Scene (from meia_cnn/widgets/stride_padding.py):
//   input:  {rows, cols, colours, labels|null, title, label}
//   output: {rows, cols, colours, labels|null, title, label}
//   kernel: {size, span, offsets: [[dr, dc], ...]}
//   steps:  [{origin: [r, c], cell: [i, j], readout}]

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

function gridPanel(ctx, part, cell, titleH, extraChars = 0) {
  const textWidth = (part.title.length + extraChars) * ctx.font * 0.6;
  const w = Math.min(ctx.width - 4, Math.max(part.cols * cell + 4, textWidth));
  const svg = Draw.panel(ctx.figure, { width: w, height: part.rows * cell + titleH + 4, label: part.label });
  const titleNode = Draw.text(svg, 2, ctx.font + 2, part.title, { size: ctx.font, weight: "bold" });
  // numbers only where they can be read (12 px text in the cell)
  const labels = cell >= 20 ? part.labels : null;
  const box = Draw.grid(svg, {
    x: 2, y: titleH, cell, rows: part.rows, cols: part.cols, colours: part.colours, labels,
  });
  return { svg, box, titleNode };
}

function draw(ctx) {
  const { scene } = ctx;
  const { cell, outCell, title } = layout(ctx);
  const input = gridPanel(ctx, scene.input, cell, title);
  const output = gridPanel(ctx, scene.output, outCell, title, 20);
  // the taps and the span of the (dilated) kernel, moved at each step
  const taps = Draw.el("g", { class: "meia-taps" }, input.svg);
  const tapRects = scene.kernel.offsets.map(() => Draw.el("rect", {
    width: cell * 0.9, height: cell * 0.9, fill: Draw.PALETTE.orange, "fill-opacity": 0.4,
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
