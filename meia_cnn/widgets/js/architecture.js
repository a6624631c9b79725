// @ts-check
// architecture.js: a network's volumes to scale, left to right (or top to bottom on a narrow screen).

import { Draw } from "./draw.js";

/**
 * The scene Python sends (meia_cnn/widgets/architecture.py).
 * @typedef {object} Scene
 * @property {string} title
 * @property {string} label
 * @property {{colour: string, text: string}[]} legend
 * @property {number} extent the diagram's width in its units
 * @property {number} tallest the tallest box's height in the same units
 * @property {{label: string, shape: string, colour: string, x: number, width: number, height: number}[]} boxes
 *   x and width along the diagram, height proportional to H
 */
/** @typedef {import("./draw.js").Ctx<Scene>} Ctx */
/** @typedef {import("./draw.js").GridPart} GridPart */
/** @typedef {import("./draw.js").PicturePart} PicturePart */
/** @typedef {import("./draw.js").Cell} Cell */

/** @param {Ctx} ctx */
function legend(ctx) {
  const { scene, font } = ctx;
  const row = Draw.html("div", "meia-legend", ctx.figure);
  Object.assign(row.style, { flexBasis: "100%", display: "flex", flexWrap: "wrap", gap: "4px 16px",
    fontSize: `${font}px` });
  for (const item of scene.legend) {
    const entry = Draw.html("span", "", row);
    const swatch = Draw.html("span", "", entry);
    Object.assign(swatch.style, { display: "inline-block", width: "1.8em", height: "0.8em",
      background: item.colour, border: `1px solid ${Draw.INK.line}`, marginRight: "0.4em", verticalAlign: "middle" });
    Draw.html("span", "", entry, item.text);
  }
}

/** @param {Ctx} ctx */
function across(ctx) {
  // left to right: names above the boxes and shapes below, both written upwards
  const { scene, width, font } = ctx;
  const size = font;
  const room = width - 8;
  const sx = room / scene.extent;
  const longestLabel = Math.max(...scene.boxes.map((b) => b.label.length));
  const longestShape = Math.max(...scene.boxes.map((b) => b.shape.length));
  const above = longestLabel * size * 0.62 + 8;
  const below = longestShape * size * 0.62 + 8;
  const tall = Math.min(160, Math.max(80, width * 0.12));
  const sy = tall / scene.tallest;
  const titleH = font + 10;
  const mid = titleH + above + tall / 2;
  const svg = Draw.panel(ctx.figure, { width: room + 4, height: titleH + above + tall + below + 4, label: scene.label });
  Draw.text(svg, 2, font + 2, scene.title, { size: font, weight: "bold" });
  for (const b of scene.boxes) {
    const x = 4 + b.x * sx, w = Math.max(2, b.width * sx), h = Math.max(2, b.height * sy);
    Draw.el("rect", { x, y: mid - h / 2, width: w, height: h, fill: b.colour, stroke: Draw.INK.line,
      "stroke-width": 0.8 }, svg);
    const cx = x + w / 2;
    const top = Draw.text(svg, cx, mid - h / 2 - 4, b.label, { size, baseline: "central" });
    top.setAttribute("transform", `rotate(-90 ${cx} ${mid - h / 2 - 4})`);
    const bottom = Draw.text(svg, cx, mid + h / 2 + 4, b.shape, { size, anchor: "end", baseline: "central" });
    bottom.setAttribute("transform", `rotate(-90 ${cx} ${mid + h / 2 + 4})`);
  }
}

/** @param {Ctx} ctx */
function down(ctx) {
  // top to bottom: one row per volume, the box turned on its side (length ∝ H, thickness ∝ log₂ D)
  const { scene, width, font } = ctx;
  const size = font;
  const labelW = Math.max(...scene.boxes.map((b) => b.label.length)) * size * 0.6 + 8;
  const shapeW = Math.max(...scene.boxes.map((b) => b.shape.length)) * size * 0.6 + 8;
  const room = Math.max(30, width - 8 - labelW - shapeW);
  const longest = Math.max(...scene.boxes.map((b) => b.width));
  const rowH = 22;
  const titleH = 2 * (font + 4) + 6;
  const svg = Draw.panel(ctx.figure, { width: width - 4, height: titleH + scene.boxes.length * rowH + 4,
    label: scene.label });
  // the title may be long: break it at the colon
  const parts = scene.title.split(": ");
  Draw.text(svg, 2, font + 2, parts[0], { size: font, weight: "bold" });
  if (parts[1]) Draw.text(svg, 2, 2 * font + 6, parts.slice(1).join(": "), { size: font });
  scene.boxes.forEach((b, i) => {
    const y = titleH + i * rowH + rowH / 2;
    const len = Math.max(2, (b.height / scene.tallest) * room);
    const thick = 4 + (rowH - 8) * (b.width / longest);
    Draw.text(svg, labelW - 6, y, b.label, { size, anchor: "end", baseline: "central" });
    Draw.el("rect", { x: labelW, y: y - thick / 2, width: len, height: thick, fill: b.colour,
      stroke: Draw.INK.line, "stroke-width": 0.8 }, svg);
    Draw.text(svg, labelW + len + 6, y, b.shape, { size, baseline: "central" });
  });
}

/** @param {Ctx} ctx */
function draw(ctx) {
  legend(ctx);
  const sx = (ctx.width - 8) / ctx.scene.extent;
  // side by side only when the names (12 px, written upwards) have room between the boxes
  if (sx * 0.6 >= ctx.font + 3) across(ctx);
  else down(ctx);
}

/** @param {import("./draw.js").RenderProps} props */
function render({ model, el }) {
  return Draw.view({ model, el, draw });
}

export default { render };
