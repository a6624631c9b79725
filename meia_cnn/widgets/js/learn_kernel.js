// @ts-check
// learn_kernel.js: the kernel's numbers at each step beside Sobel's, the loss curve, the filtered image.

import { Draw } from "./draw.js";

/**
 * The scene Python sends (meia_cnn/explain/learn_kernel.py).  Pictures (Bytes traits): outputs, a PNG
 * strip of every step's filtered image stacked top to bottom (rows x cols each); target, the image
 * filtered with Sobel.
 * @typedef {object} Scene
 * @property {{size: number, title: string, true_title: string, true_labels: string[][],
 *   true_colours: string[][], label: string}} kernel
 * @property {{points: number[][], xrange: number[], yrange: number[], xticks: any[], yticks: any[],
 *   title: string, label: string, colour: string}} loss points: [[t, log10 L], ...]
 * @property {PicturePart} pictures
 * @property {{labels: string[][], colours: string[][], point: number[], readout: string}[]} steps
 */
/** @typedef {import("./draw.js").Ctx<Scene>} Ctx */
/** @typedef {import("./draw.js").GridPart} GridPart */
/** @typedef {import("./draw.js").PicturePart} PicturePart */
/** @typedef {import("./draw.js").Cell} Cell */

/** @param {Ctx} ctx */
function draw(ctx) {
  const { scene, width, narrow, font } = ctx;
  const titleH = font + 10;
  const k = scene.kernel.size;
  // kernels: two k x k grids with numbers (at least 12 px text: cells of 40 px or more)
  const kCell = Math.max(40, Math.min(56, Math.floor((width - 30) / (2 * k))));
  const gap = kCell * 0.5;
  const kernelW = Math.min(width - 4, Math.max(2 * k * kCell + gap + 4,
    (scene.kernel.title.length + scene.kernel.true_title.length + 3) * font * 0.6));
  const kSvg = Draw.panel(ctx.figure, { width: kernelW, height: k * kCell + titleH + 4, label: scene.kernel.label });
  const x2 = Math.max(k * kCell + gap, (scene.kernel.title.length + 2) * font * 0.6);
  Draw.text(kSvg, 2, font + 2, scene.kernel.title, { size: font, weight: "bold" });
  Draw.text(kSvg, x2, font + 2, scene.kernel.true_title, { size: font, weight: "bold" });
  const kernelGroup = Draw.el("g", {}, kSvg);
  Draw.grid(kSvg, {
    x: x2, y: titleH, cell: kCell, rows: k, cols: k,
    colours: scene.kernel.true_colours, labels: scene.kernel.true_labels,
  });
  // the loss curve, with a dot at the current step
  const lossW = narrow ? width - 4 : Math.max(260, Math.min(420, width - kernelW - 40));
  const lossH = Math.max(180, k * kCell + titleH);
  const lSvg = Draw.panel(ctx.figure, { width: lossW, height: lossH, label: scene.loss.label });
  Draw.text(lSvg, 2, font + 2, scene.loss.title, { size: font, weight: "bold" });
  const axes = Draw.curve(lSvg, {
    x: 0, y: titleH, width: lossW, height: lossH - titleH, size: font,
    series: [{ points: scene.loss.points, colour: scene.loss.colour }],
    xrange: scene.loss.xrange, yrange: scene.loss.yrange,
    xticks: scene.loss.xticks, yticks: scene.loss.yticks,
  });
  const dot = Draw.el("circle", {
    r: 6, fill: Draw.PALETTE.vermillion, stroke: "#ffffff", "stroke-width": 1.5,
  }, lSvg);
  // the first image filtered with the current kernel, beside the Sobel output
  const pic = scene.pictures;
  const pCell = Math.max(4, Math.min(12, Math.floor((width - 30) / (2 * pic.cols))));
  const picW = Math.min(width - 4, Math.max(2 * pic.cols * pCell + 16, pic.title.length * font * 0.6));
  const pSvg = Draw.panel(ctx.figure, { width: picW, height: pic.rows * pCell + titleH + 4, label: pic.label });
  Draw.text(pSvg, 2, font + 2, pic.title, { size: font, weight: "bold" });
  const w = pic.cols * pCell, h = pic.rows * pCell;
  // a window onto the strip: its viewBox shows the current step's image
  const strip = Draw.el("svg", {
    x: 2, y: titleH, width: w, height: h, viewBox: `0 0 ${pic.cols} ${pic.rows}`, preserveAspectRatio: "none",
  }, pSvg);
  Draw.image(strip, {
    x: 0, y: 0, width: pic.cols, height: pic.rows * scene.steps.length, png: ctx.model.get("outputs"),
    owner: ctx.root,
  });
  Draw.image(pSvg, { x: w + 14, y: titleH, width: w, height: h, png: ctx.model.get("target"), owner: ctx.root });
  for (const x of [2, w + 14]) {
    Draw.highlight(pSvg, { x, y: titleH, width: w, height: h, colour: Draw.PALETTE.grey, stroke: 1 });
  }
  ctx.parts = { kernelGroup, kCell, titleH, axes, dot, strip, pic };
  step(ctx);
}

/** @param {Ctx} ctx */
function step(ctx) {
  const { scene, parts } = ctx;
  const here = scene.steps[ctx.step];
  if (!here || !parts.kernelGroup) return;
  const k = scene.kernel.size;
  Draw.clear(parts.kernelGroup);
  Draw.grid(parts.kernelGroup, {
    x: 2, y: parts.titleH, cell: parts.kCell, rows: k, cols: k, colours: here.colours, labels: here.labels,
  });
  parts.strip.setAttribute("viewBox", `0 ${ctx.step * parts.pic.rows} ${parts.pic.cols} ${parts.pic.rows}`);
  const [t, v] = here.point;
  parts.dot.setAttribute("cx", parts.axes.px(t).toFixed(1));
  parts.dot.setAttribute("cy", parts.axes.py(v).toFixed(1));
}

/** @param {import("./draw.js").RenderProps} props */
function render({ model, el }) {
  return Draw.view({ model, el, draw, step });
}

export default { render };
