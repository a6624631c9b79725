// @ts-check
// template_matching.js: the template, the picture with the object framed, and the two maps with their peaks.

import { Draw } from "./draw.js";

/**
 * The scene Python sends (meia_cnn/explain/template_matching.py); pictures: template_png, and
 * "<key>_png" for each map.
 * @typedef {object} Scene
 * @property {PicturePart} template
 * @property {{rows: number, cols: number, object: number[], home: Cell | null, title: string[],
 *   label: string}} picture object: [r, c, h, w]
 * @property {{key: string, rows: number, cols: number, peak: Cell, home: Cell | null, title: string[],
 *   label: string}[]} maps
 */
/** @typedef {import("./draw.js").Ctx<Scene>} Ctx */
/** @typedef {import("./draw.js").GridPart} GridPart */
/** @typedef {import("./draw.js").PicturePart} PicturePart */
/** @typedef {import("./draw.js").Cell} Cell */

/** @param {Ctx} ctx */
function scaleFor(ctx) {
  const { scene, width, narrow } = ctx;
  const t = scene.template, p = scene.picture, m = scene.maps[0];
  if (narrow) return Math.max(1.5, Math.min(6, (width - 8) / p.cols));
  // one row: template, picture and both maps, with the gaps between the panels
  const cells = Math.max(t.cols * 3, 110) / 3 + p.cols + 2 * m.cols;
  return Math.max(1.5, Math.min(6, (width - 3 * 20 - 24) / cells));
}

/** @param {Ctx} ctx */
function titled(ctx, part, w, h, given) {
  // the title wraps to the picture's width (at least 110 px), so panels stay as wide as their pictures
  const { font } = ctx;
  const width = Math.min(ctx.width - 4, Math.max(w + 4, 110));
  const chars = Math.max(6, Math.floor((width - 4) / (font * 0.62)));
  const lines = given.flatMap((line) => Draw.wrap(line, chars));
  const top = lines.length * (font + 4) + 6;
  const svg = Draw.panel(ctx.figure, { width, height: h + top + 4, label: part.label });
  lines.forEach((line, i) => Draw.text(svg, 2, (i + 1) * (font + 4), line, { size: font, weight: i ? "normal" : "bold" }));
  return { svg, x: 2, y: top };
}

/** @param {Ctx} ctx */
function picturePanel(ctx, part, png, s, marks) {
  const w = part.cols * s, h = part.rows * s;
  const p = titled(ctx, part, w, h, Array.isArray(part.title) ? part.title : [part.title]);
  Draw.image(p.svg, { x: p.x, y: p.y, width: w, height: h, png, label: part.label, owner: ctx.root });
  Draw.highlight(p.svg, { x: p.x, y: p.y, width: w, height: h, colour: Draw.PALETTE.grey, stroke: 1 });
  if (marks) marks(p.svg, p.x, p.y);
  return p;
}

function cross(svg, x, y, size, colour) {
  // a white halo under the cross keeps it visible on any colour of the map
  const d = `M${x - size},${y} L${x + size},${y} M${x},${y - size} L${x},${y + size}`;
  Draw.el("path", { d, stroke: "#ffffff", "stroke-width": 6, fill: "none" }, svg);
  Draw.el("path", { d, stroke: colour, "stroke-width": 3, fill: "none" }, svg);
}

/** @param {Ctx} ctx */
function draw(ctx) {
  const { scene, model } = ctx;
  const s = scaleFor(ctx);
  const pal = Draw.PALETTE;
  picturePanel(ctx, scene.template, model.get("template_png"), Math.max(s, 3));
  picturePanel(ctx, scene.picture, model.get("picture_png"), s, (svg, x0, y0) => {
    const [r, c, h, w] = scene.picture.object;
    if (scene.picture.home) {
      const [hr, hc] = scene.picture.home;
      Draw.highlight(svg, { x: x0 + hc * s, y: y0 + hr * s, width: w * s, height: h * s, colour: pal.sky, stroke: 2, dash: "5 3" });
    }
    Draw.highlight(svg, { x: x0 + c * s, y: y0 + r * s, width: w * s, height: h * s, colour: pal.orange, stroke: 3 });
  });
  for (const map of scene.maps) {
    picturePanel(ctx, map, model.get(`${map.key}_png`), s, (svg, x0, y0) => {
      if (map.home) {
        const [hr, hc] = map.home;
        Draw.el("circle", { cx: x0 + (hc + 0.5) * s, cy: y0 + (hr + 0.5) * s, r: Math.max(6, 2.5 * s),
          fill: "none", stroke: pal.sky, "stroke-width": 2 }, svg);
      }
      const [pr, pc] = map.peak;
      cross(svg, x0 + (pc + 0.5) * s, y0 + (pr + 0.5) * s, Math.max(7, 2.5 * s), pal.black);
    });
  }
}

/** @param {import("./draw.js").RenderProps} props */
function render({ model, el }) {
  return Draw.view({ model, el, draw });
}

export default { render };
