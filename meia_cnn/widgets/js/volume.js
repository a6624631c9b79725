// @ts-check
// volume.js: the input's three channels, one kernel's three slices, its feature map and the stack of maps.

import { Draw, Pictures } from "./draw.js";

/**
 * The scene Python sends (volume_scene in meia_cnn/explain/volume.py).  Pictures: ch0, ch1, ch2 (the channels, when
 * numbers is false), fmaps[n] (the maps), deck.
 * @typedef {object} Scene
 * @property {string} head the shapes in one line ("128×128×3 ∗ 3 kernels 3×3×3 → 126×126×3")
 * @property {{numbers: boolean, rows: number, cols: number, label: string,
 *   grids: {title: string, ink: string, colours?: string[][], labels?: string[][]}[]}} channels
 * @property {{size: number}} kernel
 * @property {{numbers: boolean, rows: number, cols: number}} map
 * @property {{rows: number, cols: number, card: number[], offset: number, count: number, title: string}} deck
 * @property {{kernel: {note: string[], label: string, slices: {title: string, colours: string[][],
 *   labels: string[][]}[]}, map: {title: string, label: string, colours?: string[][], labels?: string[][]},
 *   deck_label: string, readout: string}[]} steps one per kernel, chosen in the page by the "kernel" slider
 */
/** @typedef {import("./draw.js").Ctx<Scene>} Ctx */
/** @typedef {import("./draw.js").GridPart} GridPart */
/** @typedef {import("./draw.js").PicturePart} PicturePart */
/** @typedef {import("./draw.js").Cell} Cell */

// A title on one line, or on two (split after ":" or at a double space) when it is wider than `room` px.
function title(svg, text, room, font) {
  const wide = text.length * font * 0.6 > room;
  const cut = text.indexOf("  ") >= 0 ? text.indexOf("  ") : text.indexOf(": ") + 1;
  if (!wide || cut <= 0) {
    Draw.text(svg, 2, font + 2, text, { size: font, weight: "bold" });
    return { height: font + 10, width: text.length * font * 0.6 + 4 };
  }
  const lines = [text.slice(0, cut).trim(), text.slice(cut).trim()];
  lines.forEach((line, i) => Draw.text(svg, 2, (i + 1) * (font + 4) - 2, line, { size: font, weight: "bold" }));
  return { height: 2 * (font + 4) + 6, width: Math.max(...lines.map((l) => l.length)) * font * 0.6 + 4 };
}

/** @param {Ctx} ctx */
function draw(ctx) {
  const { scene, width, narrow, font, model } = ctx;
  const gap = 20;
  const titleH = font + 10;
  const head = Draw.html("div", "meia-head", ctx.figure, scene.head);
  Object.assign(head.style, { flexBasis: "100%", fontWeight: "bold", fontSize: `${font + 1}px` });

  // the input's channels, side by side
  const ch = scene.channels;
  // numbers need cells of 20 px or more: the array's channels take the room they need
  const chRoom = narrow ? width - 8 : ch.numbers
    ? Math.min(width - 8, Math.max(3 * ch.cols * (narrow ? 24 : 28) + 16, (width - 3 * gap) * 0.31))
    : Math.min(420, (width - 3 * gap) * 0.31);
  const chSide = Math.max(60, Math.floor((chRoom - 16) / 3));
  const chScale = chSide / Math.max(ch.rows, ch.cols);
  const chW = ch.cols * chScale, chH = ch.rows * chScale;
  const inSvg = Draw.panel(ctx.figure, { width: Math.min(width - 4, 3 * chW + 20), height: chH + titleH + 4,
    label: ch.label });
  ch.grids.forEach((g, i) => {
    const x = 2 + i * (chW + 8);
    Draw.text(inSvg, x, font + 2, g.title, { size: font, weight: "bold", fill: Draw.textColour(g.ink) });
    if (ch.numbers) {
      const cell = chW / ch.cols;
      Draw.grid(inSvg, { x, y: titleH, cell, rows: ch.rows, cols: ch.cols, colours: g.colours,
        labels: cell >= 18 ? g.labels : null, size: Math.max(12, Math.min(font, Math.floor(cell * 0.5))) });
    } else {
      // the channels keep their pictures from draw to draw (they change only with the input)
      Pictures.image(inSvg, { x, y: titleH, width: chW, height: chH, png: model.get(`ch${i}`), label: g.title,
        owner: ctx.root, name: `ch${i}` });
    }
  });

  // the kernel shown and its feature map (redrawn when the kernel shown changes), then the stack of maps
  const parts = { kernel: kernelPanel(ctx, ctx.figure), map: mapPanel(ctx, ctx.figure) };
  const dk = scene.deck;
  const dRoom = narrow ? Math.min(width - 8, 260) : Math.min(230, (width - 3 * gap) * 0.17);
  const dScale = Math.max(8, dRoom) / Math.max(dk.rows, dk.cols);
  const dW = dk.cols * dScale, dH = dk.rows * dScale;
  const dSvg = Draw.panel(ctx.figure, { width: Math.min(width - 4, dW + 4), height: dH + 4, label: here(ctx).deck_label });
  const dTitle = title(dSvg, dk.title, Math.max(dW, narrow ? width - 8 : 0), font);
  fitPanel(dSvg, Math.min(width - 4, Math.max(dW + 4, dTitle.width)), dH + dTitle.height + 4);
  Pictures.inline(dSvg, { x: 2, y: dTitle.height, width: dW, height: dH, png: model.get("deck"),
    label: dk.title, owner: ctx.root });
  const [cardH, cardW] = dk.card;
  parts.deck = dSvg;
  parts.deckAt = { scale: dScale, top: dTitle.height };
  parts.frame = Draw.highlight(dSvg, { x: 2, y: dTitle.height, width: cardW * dScale, height: cardH * dScale,
    colour: Draw.PALETTE.orange, stroke: 3 });
  ctx.parts = parts;
  showMap(ctx);
  moveFrame(ctx);
}

// The entry of the kernel shown.
/** @param {Ctx} ctx */
function here(ctx) {
  return ctx.scene.steps[ctx.step];
}

// The kernel shown, slice by slice, with its weights: a panel appended to `parent`.
/** @param {Ctx} ctx */
function kernelPanel(ctx, parent) {
  const { scene, width, narrow, font } = ctx;
  const gap = 20;
  const titleH = font + 10;
  const k = here(ctx).kernel;
  const size = scene.kernel.size;
  const kRoom = narrow ? width - 8 : Math.min(400, (width - 3 * gap) * 0.3);
  // the weights are always written: cells of 26 px or more (the panel wraps to its own row if need be)
  const kCell = Math.min(Draw.cellSize((kRoom - 16) / 3, size, { lo: 26, hi: 30 }),
    Math.floor((width - 24) / (3 * size)));
  const kW = size * kCell;
  const noteH = k.note.length * (font + 4) + 4;
  const kSvg = Draw.panel(parent, {
    width: Math.min(width - 4, Math.max(3 * kW + 20, 3 * 7 * font * 0.6 + 16,
      Math.max(...k.note.map((s) => s.length)) * font * 0.6 + 4)),
    height: titleH + kW + 8 + noteH, label: k.label,
  });
  const sliceW = Math.max(kW, 7 * font * 0.6);
  k.slices.forEach((s, i) => {
    const x = 2 + i * (sliceW + 8);
    Draw.text(kSvg, x, font + 2, s.title, { size: font, weight: "bold" });
    Draw.grid(kSvg, { x, y: titleH, cell: kCell, rows: size, cols: size, colours: s.colours,
      labels: kCell >= 20 ? s.labels : null, size: Math.max(12, Math.min(font, Math.floor(kCell * 0.55))) });
  });
  k.note.forEach((line, i) => {
    Draw.text(kSvg, 2, titleH + kW + 8 + (i + 1) * (font + 4) - 4, line, { size: font, italic: i > 0 });
  });
  return kSvg;
}

// The feature map of the kernel shown: numbers, or its picture (every kernel's picture is placed, the
// one shown is visible).  A panel appended to `parent`; showMap fills in what depends on the kernel.
/** @param {Ctx} ctx */
function mapPanel(ctx, parent) {
  const { scene, width, narrow, font, model } = ctx;
  const gap = 20;
  const m = scene.map;
  const mRoom = narrow ? Math.min(width - 8, 260)
    : Math.max(m.numbers ? m.cols * 28 : 0, Math.min(230, (width - 3 * gap) * 0.17));
  const mScale = Math.max(8, mRoom) / Math.max(m.rows, m.cols);
  const mW = m.cols * mScale, mH = m.rows * mScale;
  // the panel is drawn first at its picture's width; the title decides its height (the same for every kernel)
  const mSvg = Draw.panel(parent, { width: Math.min(width - 4, mW + 4), height: mH + 4, label: here(ctx).map.label });
  const heading = Draw.el("g", {}, mSvg);
  const mTitle = title(heading, here(ctx).map.title, Math.max(mW, narrow ? width - 8 : 0), font);
  fitPanel(mSvg, Math.min(width - 4, Math.max(mW + 4, mTitle.width)), mH + mTitle.height + 4);
  const box = { x: 2, y: mTitle.height, width: mW, height: mH };
  const body = Draw.el("g", {}, mSvg);
  const pictures = m.numbers ? [] : (model.get("fmaps") || []).map((png, n) => Pictures.inline(body, {
    ...box, png, label: scene.steps[n] ? scene.steps[n].map.label : "", owner: ctx.root }));
  return { svg: mSvg, heading, body, box, pictures, room: Math.max(mW, narrow ? width - 8 : 0) };
}

/** @param {Ctx} ctx */
function showMap(ctx) {
  const { scene, font, parts } = ctx;
  const { svg, heading, body, box, pictures, room } = parts.map;
  const shown = here(ctx).map;
  svg.setAttribute("aria-label", shown.label);
  svg.querySelector("title").textContent = shown.label;
  Draw.clear(heading);
  title(heading, shown.title, room, font);
  if (scene.map.numbers) {
    const m = scene.map;
    const cell = box.width / m.cols;
    Draw.clear(body);
    Draw.grid(body, { x: box.x, y: box.y, cell, rows: m.rows, cols: m.cols, colours: shown.colours,
      labels: cell >= 20 ? shown.labels : null, size: Math.max(12, Math.min(font, Math.floor(cell * 0.5))) });
  } else {
    pictures.forEach((img, n) => { if (img) img.style.display = n === ctx.step ? "" : "none"; });
  }
}

// The orange frame on the card of the kernel shown, and the deck's accessible name.
/** @param {Ctx} ctx */
function moveFrame(ctx) {
  const { scene, parts } = ctx;
  const dk = scene.deck;
  const { scale, top } = parts.deckAt;
  parts.frame.setAttribute("x", 2 + ctx.step * dk.offset * scale);
  parts.frame.setAttribute("y", top + (dk.count - 1 - ctx.step) * dk.offset * scale);
  const label = here(ctx).deck_label;
  parts.deck.setAttribute("aria-label", label);
  parts.deck.querySelector("title").textContent = label;
}

// Another kernel shown: its panel is drawn anew in place, its map shown, the deck's frame moved.
/** @param {Ctx} ctx */
function step(ctx) {
  const { parts } = ctx;
  if (!parts.kernel || !here(ctx)) return;
  const panel = kernelPanel(ctx, document.createDocumentFragment());
  parts.kernel.replaceWith(panel);
  parts.kernel = panel;
  showMap(ctx);
  moveFrame(ctx);
}

// Resize a panel made by Draw.panel (its size and viewBox).
function fitPanel(svg, width, height) {
  const w = Math.ceil(width), h = Math.ceil(height);
  svg.setAttribute("width", w);
  svg.setAttribute("height", h);
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
}

/** @param {import("./draw.js").RenderProps} props */
function render({ model, el }) {
  const stop = Draw.view({ model, el, draw, step });
  return () => {
    stop();
    Pictures.release(el.querySelector(".meia-view"));
  };
}

export default { render };
