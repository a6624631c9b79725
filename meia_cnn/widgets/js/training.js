// @ts-check
// training.js: loss and accuracy curves per epoch (grown in place while training) and the first-layer kernels.

import { Draw } from "./draw.js";

/**
 * The scene Python sends (meia_cnn/explain/training.py, training_scene); picture: kernels_png.  The trait "history"
 * (curves_scene) changes once per epoch (only the curves are redrawn): {loss, accuracy, val_loss, val_accuracy:
 * [[epoch, value]], xrange, xticks, loss_range, loss_ticks, acc_range, acc_ticks, live}.
 * @typedef {object} Scene
 * @property {number} epochs
 * @property {Record<"loss" | "acc" | "epoch" | "train" | "test", string>} titles
 * @property {Record<"loss" | "acc", string>} labels
 * @property {Record<"train" | "test" | "grey", string>} colours
 * @property {PicturePart | null} kernels
 * @property {string} kernels_empty
 * @property {boolean} stale
 */
/** @typedef {import("./draw.js").Ctx<Scene>} Ctx */
/** @typedef {import("./draw.js").GridPart} GridPart */
/** @typedef {import("./draw.js").PicturePart} PicturePart */
/** @typedef {import("./draw.js").Cell} Cell */

/** @param {Ctx} ctx */
function curvesInto(ctx, svg, which, w, h) {
  const { scene, model, font } = ctx;
  const hist = model.get("history") || {};
  Draw.clear(svg);
  const label = scene.labels[which];
  svg.setAttribute("aria-label", label);
  Draw.el("title", {}, svg).textContent = label;
  const loss = which === "loss";
  const title = loss ? scene.titles.loss : scene.titles.acc;
  Draw.text(svg, 2, font + 2, title, { size: font, weight: "bold" });
  const c = scene.colours;
  const series = [
    { points: hist[loss ? "loss" : "accuracy"] || [], colour: c.train },
    { points: hist[loss ? "val_loss" : "val_accuracy"] || [], colour: c.test, dash: "6 4" },
  ];
  const yrange = hist[loss ? "loss_range" : "acc_range"] || [0, 1];
  const plot = Draw.curve(svg, {
    x: 2, y: font + 8, width: w - 4, height: h - font - 10, series,
    xrange: hist.xrange || [0.5, scene.epochs + 0.5], yrange,
    xticks: hist.xticks || [], yticks: hist[loss ? "loss_ticks" : "acc_ticks"] || [],
    xlabel: scene.titles.epoch, size: font,
  });
  for (const s of series) {
    for (const [a, b] of s.points) {
      Draw.el("circle", { cx: plot.px(a), cy: plot.py(b), r: 3, fill: s.colour }, svg);
    }
  }
  if (!loss) {
    Draw.el("line", { x1: plot.px(hist.xrange ? hist.xrange[0] : 0.5), x2: plot.px(hist.xrange ? hist.xrange[1] : 1),
      y1: plot.py(0.97), y2: plot.py(0.97), stroke: c.grey, "stroke-dasharray": "2 3" }, svg);
    // the key, bottom right
    Draw.text(svg, w - 8, h - font * 2 - 36, scene.titles.train, { size: font, anchor: "end", fill: Draw.textColour(c.train), weight: "bold" });
    Draw.text(svg, w - 8, h - font * 2 - 18, scene.titles.test, { size: font, anchor: "end", fill: Draw.textColour(c.test), weight: "bold" });
  }
  if (scene.stale) svg.style.opacity = "0.45";
}

/** @param {Ctx} ctx */
function drawCurves(ctx) {
  const { parts } = ctx;
  if (!parts.loss) return;
  curvesInto(ctx, parts.loss, "loss", parts.w, parts.h);
  curvesInto(ctx, parts.acc, "acc", parts.w, parts.h);
  const live = (ctx.model.get("history") || {}).live || "";
  parts.live.textContent = live;
  parts.live.style.display = live ? "block" : "none";
}

/** @param {Ctx} ctx */
function draw(ctx) {
  const { scene, width, narrow, font, model } = ctx;
  const kernelsW = narrow ? width - 4 : Math.min(220, Math.floor(width * 0.22));
  const w = narrow ? width - 4 : Math.floor((width - kernelsW - 2 * 20 - 8) / 2);
  const h = Math.max(180, Math.min(240, Math.floor(w * 0.7)));
  const loss = Draw.panel(ctx.figure, { width: w, height: h, label: scene.labels.loss });
  const acc = Draw.panel(ctx.figure, { width: w, height: h, label: scene.labels.acc });
  const k = scene.kernels;
  const kLabel = k ? k.label : scene.kernels_empty;
  const ksvg = Draw.panel(ctx.figure, { width: kernelsW, height: h, label: kLabel });
  const lines = (k ? k.title : scene.kernels_empty).split(": ");
  lines.forEach((line, i) => Draw.text(ksvg, 2, (i + 1) * (font + 4), line + (i === 0 && lines.length > 1 ? ":" : ""),
    { size: font, weight: i ? "normal" : "bold" }));
  if (k) {
    const top = lines.length * (font + 4) + 8;
    const s = Math.max(2, Math.min(16, Math.floor(Math.min(kernelsW - 8, (h - top - 4) * k.cols / k.rows) / k.cols)));
    Draw.image(ksvg, { x: 2, y: top, width: k.cols * s, height: k.rows * s, png: model.get("kernels_png"),
      label: k.label, owner: ctx.root });
  }
  const live = Draw.html("div", "meia-live", ctx.figure);
  live.setAttribute("aria-live", "polite");
  Object.assign(live.style, { width: "100%", fontSize: `${font}px` });
  ctx.parts = { loss, acc, live, w, h };
  drawCurves(ctx);
}

/** @param {import("./draw.js").RenderProps} props */
function render({ model, el }) {
  let current = null;
  const stop = Draw.view({
    model, el,
    draw: (ctx) => {
      current = ctx;
      draw(ctx);
    },
  });
  // an epoch: only the curves and the live line change
  const onHistory = () => {
    if (!current || model.get("notice")) return;
    drawCurves(current);
    Draw.done(current.root, model);
  };
  model.on("change:history", onHistory);
  return () => {
    model.off("change:history", onHistory);
    stop();
  };
}

export default { render };
