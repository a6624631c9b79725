// @ts-check
// pooling.js: the input grid with its windows and maxima, the output filling in, a photo before and after.

import { Draw, Sweep } from "./draw.js";

/**
 * The scene Python sends (meia_cnn/widgets/pooling.py); pictures: the traits photo and pooled.
 * @typedef {object} Scene
 * @property {GridPart} input
 * @property {GridPart} output
 * @property {number} size the window W (cells)
 * @property {Cell[]} maxima every window's maximum (empty for average pooling)
 * @property {PicturePart} photo
 * @property {PicturePart} pooled
 * @property {{origin: Cell, cell: Cell, best: Cell | null, readout: string}[]} steps
 */
/** @typedef {import("./draw.js").Ctx<Scene>} Ctx */
/** @typedef {import("./draw.js").GridPart} GridPart */
/** @typedef {import("./draw.js").PicturePart} PicturePart */
/** @typedef {import("./draw.js").Cell} Cell */

// A title longer than its estimate (a bold title, a longer language) widens its panel, up to the room.
function fitTitle(svg, node, ctx) {
  const need = Math.ceil((node.getComputedTextLength ? node.getComputedTextLength() : 0) + 6);
  const have = Number(svg.getAttribute("width"));
  if (need <= have) return;
  const w = Math.min(ctx.width - 4, need);
  svg.setAttribute("width", w);
  svg.setAttribute("viewBox", `0 0 ${w} ${svg.getAttribute("height")}`);
}

/** @param {Ctx} ctx */
function gridPanel(ctx, part, cell) {
  const titleH = ctx.font + 10;
  const textWidth = part.title.length * ctx.font * 0.6 + 4;
  const w = Math.min(ctx.width - 4, Math.max(part.cols * cell + 4, textWidth));
  const svg = Draw.panel(ctx.figure, { width: w, height: part.rows * cell + titleH + 4, label: part.label });
  const titleNode = Draw.text(svg, 2, ctx.font + 2, part.title, { size: ctx.font, weight: "bold" });
  fitTitle(svg, titleNode, ctx);
  const box = Draw.grid(svg, {
    x: 2, y: titleH, cell, rows: part.rows, cols: part.cols, colours: part.colours,
    labels: cell >= 20 ? part.labels : null,
  });
  return { svg, box, titleNode };
}

/** @param {Ctx} ctx */
function photoPanel(ctx, part, png, side) {
  const titleH = ctx.font + 10;
  // the longest side of the photo is `side` px; the pooled photo is drawn at the same size
  const scale = side / Math.max(part.rows, part.cols);
  const w = part.cols * scale, h = part.rows * scale;
  const textWidth = part.title.length * ctx.font * 0.6 + 4;
  const width = Math.min(ctx.width - 4, Math.max(w + 4, textWidth));
  const svg = Draw.panel(ctx.figure, { width, height: h + titleH + 4, label: part.label });
  fitTitle(svg, Draw.text(svg, 2, ctx.font + 2, part.title, { size: ctx.font, weight: "bold" }), ctx);
  Draw.image(svg, { x: 2, y: titleH, width: w, height: h, png, label: part.label, owner: ctx.root });
  return svg;
}

/** @param {Ctx} ctx */
function draw(ctx) {
  const { scene, width, narrow, model } = ctx;
  const gap = 20;
  const cols = scene.input.cols + scene.output.cols;
  // wide: both grids on one row with room left for the photos; narrow: one grid a row
  const cell = narrow ? Draw.cellSize(width - 8, scene.input.cols, { lo: 14, hi: 36 })
    : Draw.cellSize(Math.min(width * 0.5, 560) - gap - 8, cols, { lo: 14, hi: 36 });
  const outCell = narrow ? Draw.cellSize(width - 8, Math.max(scene.output.cols, 4), { lo: 14, hi: 36 }) : cell;
  const input = gridPanel(ctx, scene.input, cell);
  const output = gridPanel(ctx, scene.output, outCell);
  const used = input.box.width + output.box.width + 2 * gap + 16;
  let side = Math.floor((width - used - gap - 8) / 2);
  if (side < 150) side = Math.floor((width - gap - 12) / 2); // the photos wrap to their own row
  side = Math.max(120, Math.min(side, 256, width - 8));
  if (narrow) side = Math.min(width - 8, 256);
  photoPanel(ctx, scene.photo, model.get("photo"), side);
  photoPanel(ctx, scene.pooled, model.get("pooled"), side);

  const inset = cell * 0.1;
  for (const [r, c] of scene.maxima) {
    Draw.highlight(input.svg, {
      x: input.box.x + c * cell + inset, y: input.box.y + r * cell + inset,
      width: cell - 2 * inset, height: cell - 2 * inset, colour: Draw.PALETTE.orange, stroke: 2.5,
    });
  }
  const best = Draw.highlight(input.svg, {
    x: 0, y: 0, width: cell - 2 * inset, height: cell - 2 * inset, colour: Draw.PALETTE.yellow, stroke: 3,
  });
  const windowBox = Draw.highlight(input.svg, {
    x: 0, y: 0, width: scene.size * cell, height: scene.size * cell, colour: Draw.PALETTE.vermillion, stroke: 3.5,
  });
  // the output cells after the current step are covered, the current one framed
  const { covers, current } = Sweep.outputMarks(output.svg, output.box, scene.output, outCell);
  ctx.parts = { input, output, best, windowBox, covers, current, cell, outCell, inset };
  step(ctx);
}

/** @param {Ctx} ctx */
function step(ctx) {
  const { scene, parts } = ctx;
  const here = scene.steps[ctx.step];
  if (!here || !parts.input) return;
  const { cell, input, inset } = parts;
  const [r0, c0] = here.origin;
  parts.windowBox.setAttribute("x", input.box.x + c0 * cell);
  parts.windowBox.setAttribute("y", input.box.y + r0 * cell);
  if (here.best) {
    parts.best.style.display = "";
    parts.best.setAttribute("x", input.box.x + here.best[1] * cell + inset);
    parts.best.setAttribute("y", input.box.y + here.best[0] * cell + inset);
  } else {
    parts.best.style.display = "none";
  }
  Sweep.showOutput(parts, parts.output.box, parts.outCell, ctx.step, here.cell);
}

/** @param {import("./draw.js").RenderProps} props */
function render({ model, el }) {
  return Draw.view({ model, el, draw, step });
}

export default { render };
