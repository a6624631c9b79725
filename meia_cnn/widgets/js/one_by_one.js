// @ts-check
// one_by_one.js: the input, kernel and output volumes with the pixel's rod, the dot product
// column by column, and the costs of 1x1, 3x3 and 5x5 layers as bars.

import { Draw } from "./draw.js";

/**
 * The scene Python sends (meia_cnn/widgets/one_by_one.py).  The pixel sliders are linked to the view's
 * row and col; the page shows steps[row * cols + col] without asking Python.
 * @typedef {object} Scene
 * @property {string} head
 * @property {string} formula one line with {r}, {col}, {v} for the pixel shown's numbers
 * @property {{rows: number, cols: number, channels: number, filters: number, depth_max: number,
 *   kernel: number, weight_colours: string[], labels: string[], label: string,
 *   colours: Record<"input" | "kernel" | "output" | "rod" | "slab", string>}} volumes
 * @property {{heads: string[], weights: string[], weight_colours: string[]}} columns
 * @property {string} sum with {v}
 * @property {string} columns_label with {r}, {col}
 * @property {Record<"params" | "macs", {title: string, values: number[], texts: string[]}>} bars
 * @property {string} bars_label
 * @property {{pixel: Cell, value: string, x: string[], x_colours: string[], products: string[],
 *   product_colours: string[], readout: string}[]} steps one per pixel, in reading order
 */
/** @typedef {import("./draw.js").Ctx<Scene>} Ctx */
/** @typedef {import("./draw.js").GridPart} GridPart */
/** @typedef {import("./draw.js").PicturePart} PicturePart */
/** @typedef {import("./draw.js").Cell} Cell */

function rod(svg, x0, y0, s, dc, n, fills) {
  // one cell per depth, drawn back to front, each shifted up and to the right
  for (let k = n - 1; k >= 0; k--) {
    Draw.el("rect", {
      x: x0 + k * dc * 0.6, y: y0 - k * dc * 0.45, width: s, height: s, fill: fills[k],
      stroke: Draw.INK.line, "stroke-width": 0.8,
    }, svg);
  }
}

// A sentence of the scene with the pixel shown's numbers.
function fill(template, here) {
  return template.replace(/\{r\}/g, String(here.pixel[0])).replace(/\{col\}/g, String(here.pixel[1]))
    .replace(/\{v\}/g, here.value);
}

/** @param {Ctx} ctx */
function volumes(ctx, room, parent) {
  const { scene, font } = ctx;
  const v = scene.volumes;
  const here = scene.steps[ctx.step];
  const q = Math.min(0.7, 6 / v.depth_max); // depth step, in cells
  const arrowGap = 44;
  const units = 2 * v.cols + 1 + 0.6 * q * (2 * v.channels + v.filters);
  const s = Math.max(6, Math.min(34, (room - 2 * arrowGap - 8) / units));
  const dc = q * s;
  const lift = Math.max(v.channels, v.filters) * dc * 0.45;
  const labelH = font + 8;
  const top = lift + 4;
  const height = top + v.rows * s + labelH + 6;
  const x1 = 2, w1 = v.cols * s + v.channels * dc * 0.6;
  const x2 = x1 + w1 + arrowGap, w2 = s + v.channels * dc * 0.6;
  const x3 = x2 + w2 + arrowGap, w3 = v.cols * s + v.filters * dc * 0.6;
  const width = Math.min(ctx.width - 4, x3 + w3 + 4);
  const svg = Draw.panel(parent, { width, height, label: fill(v.label, here) });
  const midY = top + (v.rows * s) / 2;
  const kernelY = midY - s / 2;
  Draw.cuboid(svg, { x: x1, y: top, w: v.cols * s, h: v.rows * s, d: v.channels * dc, colour: v.colours.input,
    rows: v.rows, cols: v.cols });
  const [r, c] = here.pixel;
  rod(svg, x1 + c * s, top + r * s, s, dc, v.channels, here.x_colours);
  Draw.arrow(svg, x1 + w1 + 4, midY, x2 - 6, midY);
  Draw.cuboid(svg, { x: x2, y: kernelY, w: s, h: s, d: v.channels * dc, colour: v.colours.kernel });
  rod(svg, x2, kernelY, s, dc, v.channels, v.weight_colours);
  Draw.arrow(svg, x2 + w2 + 4, midY, x3 - 6, midY);
  Draw.cuboid(svg, { x: x3, y: top, w: v.cols * s, h: v.rows * s, d: v.filters * dc, colour: v.colours.output,
    rows: v.rows, cols: v.cols });
  const fills = Array.from({ length: v.filters }, (_, k) => (k === v.kernel ? v.colours.slab : v.colours.rod));
  rod(svg, x3 + c * s, top + r * s, s, dc, v.filters, fills);
  const labelY = top + v.rows * s + font + 4;
  Draw.text(svg, x1 + (v.cols * s) / 2, labelY, v.labels[0], { anchor: "middle", size: font });
  Draw.text(svg, x2 + s / 2, labelY, v.labels[1], { anchor: "middle", size: font });
  Draw.text(svg, x3 + (v.cols * s) / 2, labelY, v.labels[2], { anchor: "middle", size: font });
  return svg;
}

/** @param {Ctx} ctx */
function columns(ctx, parent) {
  const { scene, font } = ctx;
  const here = scene.steps[ctx.step];
  const cols = [
    { head: scene.columns.heads[0], texts: here.x, colours: here.x_colours },
    { head: scene.columns.heads[1], texts: scene.columns.weights, colours: scene.columns.weight_colours },
    { head: scene.columns.heads[2], texts: here.products, colours: here.product_colours },
  ];
  const n = cols[0].texts.length;
  const longest = Math.max(...cols.flatMap((col) => col.texts.map((t) => t.length)), 3);
  const size = ctx.narrow ? 12 : font;
  const cw = Math.max(36, longest * size * 0.62 + 8);
  const ch = n <= 8 ? 26 : 20;
  const sep = 16;
  const titleH = font + 8;
  const width = 3 * cw + 2 * sep + 4;
  const svg = Draw.panel(parent, { width: Math.min(ctx.width - 4, width), height: titleH + n * ch + font + 14,
    label: fill(scene.columns_label, here) });
  cols.forEach((col, i) => {
    const x = 2 + i * (cw + sep);
    Draw.text(svg, x + cw / 2, font + 2, col.head, { anchor: "middle", size: font, weight: "bold" });
    col.texts.forEach((t, k) => {
      const fill = col.colours[k] || "#ffffff";
      Draw.el("rect", { x, y: titleH + k * ch, width: cw, height: ch, fill, stroke: Draw.PALETTE.grey,
        "stroke-width": 0.75 }, svg);
      Draw.text(svg, x + cw / 2, titleH + (k + 0.5) * ch, t, { anchor: "middle", baseline: "central", size,
        fill: Draw.ink(fill) });
      if (i < 2) {
        Draw.text(svg, x + cw + sep / 2, titleH + (k + 0.5) * ch, i === 0 ? "·" : "=",
          { anchor: "middle", baseline: "central", size: 14 });
      }
    });
  });
  Draw.text(svg, 2 + 2 * (cw + sep) + cw, titleH + n * ch + font + 8, fill(scene.sum, here),
    { anchor: "end", size: font, weight: "bold", fill: Draw.textColour(Draw.PALETTE.vermillion) });
  return svg;
}

/** @param {Ctx} ctx */
function costBars(ctx, room) {
  const { scene, font } = ctx;
  const longest = Math.max(...["params", "macs"].flatMap((k) => scene.bars[k].texts.map((t) => t.length)));
  const width = Math.min(ctx.width - 4, Math.max(room, longest * font * 0.62 + 140));
  const bar = font + 6;
  const group = 3 * (bar + 6) + font + 10;
  const svg = Draw.panel(ctx.figure, { width, height: 2 * group + 6, label: scene.bars_label });
  const colours = [Draw.PALETTE.orange, Draw.PALETTE.sky, Draw.PALETTE.blue];
  ["params", "macs"].forEach((key, g) => {
    const b = scene.bars[key];
    const y = g * group;
    Draw.text(svg, 2, y + font + 2, b.title, { size: font, weight: "bold" });
    Draw.bars(svg, { x: 2, y: y + font + 8, width: width - 6, values: b.values, labels: ["1×1", "3×3", "5×5"],
      texts: b.texts, colours, bar, size: font, labelWidth: font * 2.6,
      textWidth: longest * font * 0.62 + 10 });
  });
}

/** @param {Ctx} ctx */
function draw(ctx) {
  const { scene, width, narrow, font } = ctx;
  const lines = [scene.head, scene.formula].map((line) => {
    const div = Draw.html("div", "meia-head", ctx.figure, line);
    Object.assign(div.style, { flexBasis: "100%", fontSize: `${font}px` });
    return div;
  });
  lines[0].style.fontWeight = "bold";
  lines[1].style.color = Draw.textColour(Draw.PALETTE.blue);
  const room = narrow ? width - 4 : Math.min(560, width * 0.42);
  ctx.parts = { formula: lines[1], room, volumes: volumes(ctx, room, ctx.figure), columns: columns(ctx, ctx.figure) };
  costBars(ctx, narrow ? width - 4 : Math.min(340, width * 0.26));
  lines[1].textContent = fill(scene.formula, scene.steps[ctx.step]);
}

// Another pixel: the formula, the volumes (the pixel's rod) and the columns drawn anew, in place.
/** @param {Ctx} ctx */
function step(ctx) {
  const { scene, parts } = ctx;
  const here = scene.steps[ctx.step];
  if (!here || !parts.volumes) return;
  parts.formula.textContent = fill(scene.formula, here);
  const spare = document.createDocumentFragment();
  const made = { volumes: volumes(ctx, parts.room, spare), columns: columns(ctx, spare) };
  for (const key of ["volumes", "columns"]) {
    parts[key].replaceWith(made[key]);
    parts[key] = made[key];
  }
}

/** @param {import("./draw.js").RenderProps} props */
function render({ model, el }) {
  // the pixel sliders move the view's row and col (linked in the page); the pixel's entry is the step
  const pick = () => {
    const cols = ((model.get("scene") || {}).volumes || {}).cols || 1;
    model.set("step", model.get("row") * cols + model.get("col"));
  };
  model.on("change:row change:col", pick);
  const stop = Draw.view({ model, el, draw, step });
  return () => {
    model.off("change:row change:col", pick);
    stop();
  };
}

export default { render };
