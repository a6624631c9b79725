// @ts-check
// draw.js: the SVG primitives every explorer of meia-cnn draws with, an ES module.
//
// Plain browser JavaScript, no dependencies, no build step.  The page loads it
// once, as the module of the one `Library` widget of the kernel
// (meia_cnn/widgets/_explorer.py); its `initialize` returns the exports below,
// which an explorer's module (e.g. stride_padding.js, `import { Draw } from
// "./draw.js"`) receives through anywidget's `host.getWidget`.
//
// Conventions
// - Python computes every number and every data colour; this file only places them.
// - Ink (text, lines, arrows, the paper under a drawing) comes from the page's theme
//   through CSS variables (Draw.INK, set by the views' `_css` from JupyterLab's
//   --jp-* variables, with fallbacks for Voila and static decks): never a fixed black.
// - Sizes are CSS pixels.  An explorer draws for the width it is given by
//   Draw.fit (its container's width) and picks its own narrow layout under
//   Draw.NARROW px.  Text is Draw.font(width) px: 14 at 600 px and wider,
//   never below 12.
// - Every drawing is an <svg role="img"> with an aria-label and a <title>.
// - Ids (SVG markers) are unique in the page: Draw.uid.
// - After each draw the explorer calls Draw.done(root, model): the root gets
//   data-drawn (a counter), data-step and data-version, which tests and the
//   browser benchmark wait on.

/**
 * What an explorer's view gets from anywidget: the model's traits by name.
 * @typedef {{get: (name: string) => any, set: (name: string, value: any) => void,
 *   save_changes: () => void, send: (content: any, callbacks?: any, buffers?: any[]) => void,
 *   on: (name: string, callback: (...args: any[]) => void) => void,
 *   off: (name?: string | null, callback?: ((...args: any[]) => void) | null) => void}} Model
 */

/**
 * The drawing context an explorer's draw(ctx) and step(ctx) receive from Draw.view; S, the type of
 * the explorer's scene.
 * @template [S=any]
 * @typedef {object} Ctx
 * @property {Model} model
 * @property {HTMLElement} root the explorer's view (div.meia-view)
 * @property {HTMLElement} figure where the panels go (emptied before each full draw)
 * @property {HTMLElement} readout
 * @property {S} scene the scene Python sent (each explorer's file types its own)
 * @property {number} step the step shown
 * @property {number} width px
 * @property {boolean} narrow width < Draw.NARROW
 * @property {number} font px
 * @property {Record<string, any>} parts what draw keeps for step
 */

/**
 * What an explorer's render receives from anywidget.
 * @typedef {{model: Model, el: HTMLElement}} RenderProps
 */

/**
 * A grid of a scene: its size in cells, a colour per cell ("#rrggbb"), the number written in each
 * (null: none), its title and its accessible name.
 * @typedef {object} GridPart
 * @property {number} rows
 * @property {number} cols
 * @property {string[][]} colours
 * @property {string[][] | null} labels
 * @property {string} title
 * @property {string} label
 */

/**
 * A picture of a scene (its PNG bytes travel in a trait of their own): its size, title and name.
 * @typedef {{rows: number, cols: number, title: string, label: string}} PicturePart
 */

/** A cell [row, column]. @typedef {[number, number]} Cell */

const Draw = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const PAINT = new Set(["fill", "stroke", "stop-color", "color"]);

  /**
   * Okabe & Ito's colour-blind-safe palette, the data colours: filled in by `initialize` from the
   * Library widget's `palette` trait (PALETTE in meia_cnn/widgets/_explorer.py, the one source).
   * @type {Record<string, string>}
   */
  const PALETTE = {};

  /**
   * The ink of the page's theme, as CSS variables (defined by the views' `_css`): text, lines and
   * arrows, softer text, the paper under a drawing.  Usable as any colour attribute (see el).
   */
  const INK = { text: "var(--meia-ink)", line: "var(--meia-line)", soft: "var(--meia-ink-soft)",
    paper: "var(--meia-paper)", grid: "var(--meia-grid-line)" };

  /**
   * A data colour made readable as text on the page, in either theme: mixed half-way towards the
   * theme's strongest ink (darker on a light page, lighter on a dark one): at least 4.5:1 for
   * every colour of PALETTE on white and on JupyterLab Dark's #212121.
   * @param {string} colour
   * @returns {string}
   */
  function textColour(colour) {
    return `color-mix(in srgb, ${colour} 50%, var(--meia-ink-strong))`;
  }

  // Unique in the page, across every copy of this module (one per kernel) and every view.
  const PREFIX = `meia-${Math.random().toString(36).slice(2, 8)}`;
  let ids = 0;
  /** A new id, unique in the document: uid("arrow") -> "meia-x1y2z3-arrow-7". @param {string} what */
  function uid(what) {
    return `${PREFIX}-${what}-${++ids}`;
  }

  const NARROW = 600; // px: under this width, explorers stack their panels
  const MIN_FONT = 12; // px: no text is ever smaller
  const FONT = 14; // px: body text from NARROW up (and so on a 1280x720 slide)

  /** Font size (px) for a container `width` px wide: 14, or 12 when narrow. */
  function font(width) {
    return width >= NARROW ? FONT : MIN_FONT;
  }

  /** An SVG element `tag` with attributes `attrs`, appended to `parent` if given. */
  function el(tag, attrs = {}, parent = null) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null) continue;
      // a theme colour (var(...), color-mix(...)) is a style: attributes take no CSS functions
      if (PAINT.has(k) && /^(var|color-mix)\(/.test(String(v))) node.style.setProperty(k, String(v));
      else node.setAttribute(k, String(v));
    }
    if (parent) parent.appendChild(node);
    return node;
  }

  /** An HTML element `tag` with a class and optional text, appended to `parent`. */
  function html(tag, className, parent = null, text = null) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== null) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  /**
   * A drawing: <svg role="img"> of `width` x `height` px with an accessible name.
   * panel(parent, {width, height, label}) -> SVGSVGElement
   */
  function panel(parent, { width, height, label }) {
    const svg = el("svg", {
      width: Math.ceil(width), height: Math.ceil(height),
      viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`,
      role: "img", "aria-label": label, class: "meia-panel",
    }, parent);
    el("title", {}, svg).textContent = label;
    return svg;
  }

  /**
   * Text at (x, y).  opts: size (px, at least 12), anchor ("start" | "middle" |
   * "end"), baseline ("auto" | "middle" | "hanging"), weight, fill, italic.
   * text(parent, x, y, str, opts) -> SVGTextElement
   */
  function text(parent, x, y, str, opts = {}) {
    const t = el("text", {
      x, y, "font-size": Math.max(MIN_FONT, opts.size || FONT),
      "text-anchor": opts.anchor || "start",
      "dominant-baseline": opts.baseline || "auto",
      "font-weight": opts.weight || "normal",
      "font-style": opts.italic ? "italic" : null,
      fill: opts.fill || INK.text,
      "font-family": "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif",
    }, parent);
    t.textContent = str;
    return t;
  }

  /**
   * The width (px) a string takes at `size` px, from the advance widths of
   * DejaVu Sans and similar faces (digits 0.64 em, the minus sign 0.84 em):
   * measuring needs the drawing on screen, which a hidden slide is not.
   */
  function textWidth(str, size) {
    let em = 0;
    for (const ch of String(str)) {
      em += ch === "\u2212" || ch === "\u2014" ? 0.84 : /[.,:;'|il]/.test(ch) ? 0.32 : ch === " " ? 0.32 : 0.64;
    }
    return em * size;
  }

  /** `text` cut into lines of at most `chars` characters, at spaces (a longer word has a line of its own). */
  function wrap(text, chars) {
    const lines = [];
    let line = "";
    for (const word of String(text).split(" ")) {
      if (line && (line + " " + word).length > chars) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(line);
    return lines;
  }

  /** WCAG relative luminance of "#rrggbb" (0 black .. 1 white); 1 for anything else. @param {unknown} hex */
  function luminance(hex) {
    if (typeof hex !== "string" || hex[0] !== "#" || hex.length < 7) return 1;
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  /**
   * Black or white, whichever contrasts more with `fill` (always at least 4.58:1, WCAG AA for text).
   * @param {string} fill
   */
  function ink(fill) {
    const l = luminance(fill);
    return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
  }

  /**
   * The opaque colour of "#rrggbb" laid at `opacity` on white (a light tint that reads the same on
   * any page): tint("#0072B2", 0.5) -> "#80b9d9".
   * @param {string} hex
   * @param {number} opacity
   */
  function tint(hex, opacity) {
    const mix = [1, 3, 5].map((i) => Math.round(255 - (255 - parseInt(hex.slice(i, i + 2), 16)) * opacity));
    return `#${mix.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
  }

  /**
   * A grid of cells with per-cell colour and text.
   * grid(parent, {x, y, cell, rows, cols, colours, labels, size, line, hidden})
   *   colours: rows x cols of "#rrggbb" (null: blank cell)
   *   labels:  rows x cols of strings (null or "": no text); may be omitted
   *   size:    font px (default: fitted to the cell, 12..16)
   *   hidden:  rows x cols of booleans: cells left blank
   * -> {x, y, width, height, cell}: the box drawn, to place highlights on.
   */
  function grid(parent, o) {
    const { x = 0, y = 0, cell, rows, cols } = o;
    const g = el("g", { class: "meia-grid" }, parent);
    const size = o.size || Math.max(MIN_FONT, Math.min(16, Math.floor(cell * 0.5)));
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const hidden = o.hidden && o.hidden[r] && o.hidden[r][c];
        const fill = hidden ? INK.paper : (o.colours && o.colours[r] ? o.colours[r][c] : null) || "#ffffff";
        el("rect", {
          x: x + c * cell, y: y + r * cell, width: cell, height: cell,
          fill, stroke: INK.grid, "stroke-width": 0.75,
        }, g);
        const label = !hidden && o.labels && o.labels[r] ? o.labels[r][c] : null;
        if (label) {
          const t = text(g, x + (c + 0.5) * cell, y + (r + 0.5) * cell, label, {
            size, anchor: "middle", baseline: "central", fill: ink(fill),
          });
          // a label wider than its cell (say "−10" in a small cell) is narrowed, never smaller
          const room = cell - 3;
          if (textWidth(label, size) > room) {
            t.setAttribute("textLength", room);
            t.setAttribute("lengthAdjust", "spacingAndGlyphs");
          }
        }
      }
    }
    return { x, y, width: cols * cell, height: rows * cell, cell };
  }

  /**
   * A hollow rectangle marking cells (a window, the current output cell).
   * highlight(parent, {x, y, width, height, colour, stroke, dash, fill, opacity})
   */
  function highlight(parent, o) {
    return el("rect", {
      x: o.x, y: o.y, width: o.width, height: o.height,
      fill: o.fill || "none", "fill-opacity": o.opacity,
      stroke: o.colour || PALETTE.vermillion, "stroke-width": o.stroke || 3,
      "stroke-dasharray": o.dash || null, "pointer-events": "none",
    }, parent);
  }

  /**
   * An arrow from (x1, y1) to (x2, y2).
   * arrow(parent, x1, y1, x2, y2, {colour, width, label, size})
   */
  function arrow(parent, x1, y1, x2, y2, o = {}) {
    const colour = o.colour || INK.line;
    const id = uid("arrow");
    const svg = parent.ownerSVGElement || parent;
    const defs = el("defs", {}, svg);
    const m = el("marker", {
      id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
      orient: "auto-start-reverse",
    }, defs);
    el("path", { d: "M0,0 L10,5 L0,10 z", fill: colour }, m);
    const line = el("line", {
      x1, y1, x2, y2, stroke: colour, "stroke-width": o.width || 2, "marker-end": `url(#${id})`,
    }, parent);
    if (o.label) {
      text(parent, (x1 + x2) / 2, (y1 + y2) / 2 - 6, o.label, { anchor: "middle", size: o.size });
    }
    return line;
  }

  /**
   * A volume as a box in oblique projection: front face w x h px, depth d px
   * drawn up and to the right.  cuboid(parent, {x, y, w, h, d, colour, label,
   * rows, cols, size}); (x, y) is the front face's top-left corner.
   * rows/cols (optional) draw the front face's grid lines.
   */
  function cuboid(parent, o) {
    const { x, y, w, h } = o;
    const d = o.d || 0;
    const dx = d * 0.6, dy = -d * 0.45;
    const colour = o.colour || PALETTE.sky;
    const g = el("g", { class: "meia-cuboid" }, parent);
    const stroke = { stroke: INK.line, "stroke-width": 1.2, "stroke-linejoin": "round" };
    el("polygon", { points: `${x},${y} ${x + dx},${y + dy} ${x + w + dx},${y + dy} ${x + w},${y}`,
      fill: colour, "fill-opacity": 0.55, ...stroke }, g);
    el("polygon", { points: `${x + w},${y} ${x + w + dx},${y + dy} ${x + w + dx},${y + h + dy} ${x + w},${y + h}`,
      fill: colour, "fill-opacity": 0.75, ...stroke }, g);
    el("rect", { x, y, width: w, height: h, fill: colour, "fill-opacity": 0.35, ...stroke }, g);
    if (o.rows && o.cols && o.rows <= 64 && o.cols <= 64) {
      for (let c = 1; c < o.cols; c++) {
        const cx = x + (c * w) / o.cols;
        el("line", { x1: cx, y1: y, x2: cx, y2: y + h, stroke: INK.line, "stroke-opacity": 0.35 }, g);
      }
      for (let r = 1; r < o.rows; r++) {
        const ry = y + (r * h) / o.rows;
        el("line", { x1: x, y1: ry, x2: x + w, y2: ry, stroke: INK.line, "stroke-opacity": 0.35 }, g);
      }
    }
    if (o.label) text(g, x + w / 2, y + h + (o.size || FONT) + 4, o.label, { anchor: "middle", size: o.size });
    return { x, y: y + dy, width: w + dx, height: h - dy };
  }

  /**
   * Horizontal bars.  bars(parent, {x, y, width, values, labels, colours, max,
   * bar, size, texts}) -> {height}.  Each row: its label, a bar of length
   * values[i] / max * (width - label room), and texts[i] (the number, as Python
   * wrote it) after the bar.
   */
  function bars(parent, o) {
    const size = o.size || FONT;
    const bar = o.bar || size + 8;
    const labelRoom = o.labelWidth || Math.max(...o.labels.map((l) => l.length)) * size * 0.6 + 8;
    const textRoom = o.textWidth || size * 7;
    const room = Math.max(10, o.width - labelRoom - textRoom);
    const max = o.max || Math.max(...o.values, 1e-12);
    const g = el("g", { class: "meia-bars" }, parent);
    o.values.forEach((v, i) => {
      const y = o.y + i * (bar + 6);
      text(g, o.x + labelRoom - 6, y + bar / 2, o.labels[i], { anchor: "end", baseline: "central", size });
      const len = Math.max(0, (v / max) * room);
      el("rect", { x: o.x + labelRoom, y, width: len, height: bar,
        fill: (o.colours && o.colours[i]) || PALETTE.blue }, g);
      if (o.texts) text(g, o.x + labelRoom + len + 6, y + bar / 2, o.texts[i], { baseline: "central", size });
    });
    return { height: o.values.length * (bar + 6) };
  }

  /**
   * Curves on axes.  curve(parent, {x, y, width, height, series, xrange,
   * yrange, xlabel, ylabel, size}); series: [{points: [[x, y], ...], colour,
   * label, dash}].  Axis ends are labelled with the range numbers Python gives
   * (xticks/yticks: [[value, "text"], ...]).
   */
  function curve(parent, o) {
    const size = o.size || FONT;
    const g = el("g", { class: "meia-curve" }, parent);
    // under the axis: the ticks' numbers, then the axis' name, 8 px lower than the numbers' line
    const left = o.x + size * 3, bottom = o.y + o.height - size * 2 - 8;
    const w = o.width - size * 3 - 8, h = o.height - size * 2 - 16;
    const [x0, x1] = o.xrange, [y0, y1] = o.yrange;
    const px = (v) => left + ((v - x0) / (x1 - x0 || 1)) * w;
    const py = (v) => bottom - ((v - y0) / (y1 - y0 || 1)) * h;
    el("line", { x1: left, y1: bottom, x2: left + w, y2: bottom, stroke: INK.line }, g);
    el("line", { x1: left, y1: bottom, x2: left, y2: bottom - h, stroke: INK.line }, g);
    for (const [v, t] of o.xticks || []) text(g, px(v), bottom + size + 2, t, { anchor: "middle", size });
    for (const [v, t] of o.yticks || []) text(g, left - 4, py(v), t, { anchor: "end", baseline: "central", size });
    if (o.xlabel) text(g, left + w, bottom + size * 2 + 8, o.xlabel, { anchor: "end", size });
    if (o.ylabel) text(g, left, o.y + size, o.ylabel, { size });
    for (const s of o.series || []) {
      if (!s.points.length) continue;
      el("polyline", {
        points: s.points.map(([a, b]) => `${px(a).toFixed(1)},${py(b).toFixed(1)}`).join(" "),
        fill: "none", stroke: s.colour || PALETTE.blue, "stroke-width": s.width || 2,
        "stroke-dasharray": s.dash || null,
      }, g);
    }
    return { px, py };
  }

  const urls = new WeakMap();
  /** An object URL for PNG bytes (a DataView or ArrayBuffer from a Bytes trait). */
  function pngUrl(bytes) {
    if (!bytes || !bytes.byteLength) return null;
    const blob = new Blob([bytes], { type: "image/png" });
    return URL.createObjectURL(blob);
  }

  /**
   * A picture from PNG bytes, drawn w x h px (pixelated, as numbers are).
   * image(parent, {x, y, width, height, png, label, owner}); `owner` (the
   * explorer's root) keeps the object URLs it made, freed by Draw.release.
   */
  function image(parent, o) {
    const url = pngUrl(o.png);
    if (!url) return null;
    if (o.owner) {
      const list = urls.get(o.owner) || [];
      list.push(url);
      urls.set(o.owner, list);
    }
    const img = el("image", {
      x: o.x, y: o.y, width: o.width, height: o.height, href: url,
      preserveAspectRatio: "none", "image-rendering": "pixelated",
      style: "image-rendering: pixelated",
    }, parent);
    if (o.label) el("title", {}, img).textContent = o.label;
    return img;
  }

  /** Free the object URLs made for `owner`'s pictures (call before a redraw and on cleanup). */
  function release(owner) {
    for (const url of urls.get(owner) || []) URL.revokeObjectURL(url);
    urls.set(owner, []);
  }

  /**
   * Call draw(width) now and whenever `container` changes width (one draw per
   * animation frame at most).  fit(container, draw) -> stop function.
   */
  function fit(container, draw) {
    let last = -1, frame = 0;
    const run = () => {
      frame = 0;
      const width = Math.floor(container.clientWidth);
      if (width <= 0 || width === last) return;
      last = width;
      widths.set(container, width);
      draw(width);
    };
    const observer = new ResizeObserver(() => {
      if (!frame) frame = requestAnimationFrame(run);
    });
    observer.observe(container);
    run();
    return () => {
      observer.disconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }

  /** @type {WeakMap<Element, number>} */
  const widths = new WeakMap();
  /**
   * The container's width (px); while it has none (a hidden tab or slide), the width last given to
   * draw by fit, else 600.
   * @param {Element} container
   */
  function width(container) {
    return Math.floor(container.clientWidth || 0) || widths.get(container) || 600;
  }

  let drawn = 0;
  /** Mark `root` drawn: data-drawn (a counter), data-step, data-version. */
  function done(root, model) {
    root.dataset.drawn = String(++drawn);
    const step = model.get("step");
    if (step !== undefined) root.dataset.step = String(step);
    root.dataset.version = String(model.get("version"));
  }

  /** Remove every child of `node`. */
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  /**
   * The largest cell size (px) in [lo, hi] such that `cells` cells plus `extra`
   * px fit in `room` px.
   */
  function cellSize(room, cells, { lo = 8, hi = 40, extra = 0 } = {}) {
    return Math.max(lo, Math.min(hi, Math.floor((room - extra) / Math.max(1, cells))));
  }

  // The words the page writes itself.  English by default; an explorer sends them in the
  // learner's language (the view's `words` trait, from UI_WORDS in _explorer.py).
  const WORDS = { play: "Play", pause: "Pause", stop: "Stop", repeat: "Repeat", control: "Play control",
    explorer: "explorer" };
  // the Play widget's icons (Font Awesome names) -> the word naming each button
  const SUPPRESS = "data-lm-suppress-shortcuts";
  /** What labelControls starts and unlabelControls stops. @typedef {{disconnect: () => void}} Watcher */
  const PLAY_ICONS = { play: "play", pause: "pause", stop: "stop", retweet: "repeat", repeat: "repeat" };
  /** WORDS with the view's own words (model.get("words")) over them. */
  function words(model) {
    const given = model && model.get ? model.get("words") : null;
    return Object.assign({}, WORDS, given || {});
  }
  /**
   * Give the explorer's ipywidgets controls the accessible names they lack:
   * the Play widget's icon buttons and the slider handles (named after their
   * label), and keep the keys typed in them (see keepKeys).  labelControls(node,
   * names, watchers): node is anywhere inside the explorer; names: the words to
   * use (default WORDS, in English); watchers: the view's list of what is started
   * here (observers, listeners), which unlabelControls stops.  Returns the
   * explorer's box, or null.
   * @param {Element} node
   * @param {Record<string, string>} [names]
   * @param {Watcher[]} [watchers]
   */
  function labelControls(node, names = WORDS, watchers = []) {
    const box = node.closest(".meia-explorer");
    if (!box) return null;
    keepKeys(box, watchers);
    for (const button of box.querySelectorAll(".widget-play button")) {
      if (!(button instanceof HTMLElement)) continue;
      // a name given by someone else stays; ours follows the icon (play <-> pause while playing)
      if (button.getAttribute("aria-label") && !button.dataset.meiaNamed) continue;
      const icon = button.querySelector("i");
      const kind = icon ? [...icon.classList].map((c) => c.replace("fa-", "")).find((c) => PLAY_ICONS[c]) : null;
      const name = (kind && names[PLAY_ICONS[kind]]) || names.control || WORDS.control;
      if (icon && !button.dataset.meiaWatched) {  // the Play widget swaps the icon's class when it starts or stops
        button.dataset.meiaWatched = "1";
        const watcher = new MutationObserver(() => labelControls(button, names, watchers));
        watcher.observe(icon, { attributes: true, attributeFilter: ["class"] });
        watchers.push(watcher);
      }
      if (button.getAttribute("aria-label") === name) continue;
      button.setAttribute("aria-label", name);
      button.title = name;
      button.dataset.meiaNamed = "1";
    }
    for (const slider of box.querySelectorAll(".widget-slider")) {
      const label = slider.querySelector(".widget-label");
      const text = label ? (label.textContent || "").trim() : "";
      for (const handle of slider.querySelectorAll(".noUi-handle")) {
        if (text && !handle.getAttribute("aria-label")) handle.setAttribute("aria-label", text);
      }
    }
    return box;
  }

  /**
   * Keys typed in the explorer's controls stay there: JupyterLab's notebook shortcuts ("m": the cell
   * becomes Markdown; arrows: the next cell) skip a key whose target, or an ancestor met before the
   * shortcut's selector matches, carries data-lm-suppress-shortcuts.  A shortcut's selector ending
   * in ":focus" matches the focused control itself, so the mark goes on the box and on each control
   * as it takes the focus (a control shown later too).
   * @param {Element} box
   * @param {Watcher[]} watchers
   */
  function keepKeys(box, watchers) {
    if (box.hasAttribute(SUPPRESS)) return;
    box.setAttribute(SUPPRESS, "true");
    /** @param {Event} event */
    const mark = (event) => {
      if (event.target instanceof Element && !event.target.hasAttribute(SUPPRESS)) {
        event.target.setAttribute(SUPPRESS, "true");
      }
    };
    box.querySelectorAll("select, input, textarea, button, [tabindex]").forEach((control) => {
      control.setAttribute(SUPPRESS, "true");
    });
    box.addEventListener("focusin", mark);
    watchers.push({ disconnect: () => box.removeEventListener("focusin", mark) });
  }

  /**
   * Undo labelControls when the view goes: stop its observers and listeners, take back the names and
   * marks it put on the Play buttons (the controls may live on in another view of the explorer).
   * @param {Element | null} box
   * @param {Watcher[]} watchers
   */
  function unlabelControls(box, watchers) {
    watchers.forEach((watcher) => watcher.disconnect());
    watchers.length = 0;
    if (!box) return;
    box.removeAttribute(SUPPRESS);  // the controls keep theirs: keys still belong to them
    for (const button of box.querySelectorAll(".widget-play button")) {
      if (!(button instanceof HTMLElement) || !button.dataset.meiaNamed) continue;
      button.removeAttribute("aria-label");
      button.removeAttribute("title");
      delete button.dataset.meiaNamed;
      delete button.dataset.meiaWatched;
    }
  }

  /**
   * The standard render of an explorer view (anywidget's render({model, el})).
   *
   * view({model, el, draw, step}) -> cleanup function (return it from render).
   *   draw(ctx): draws the whole scene into ctx.figure (emptied before), for
   *              ctx.width px; may keep handles in ctx.parts for step().
   *   step(ctx): optional; updates only what depends on ctx.step (the fast
   *              path of the step slider).  Without it, a step redraws all.
   * ctx = {model, root, figure, readout, scene, step, width, narrow, font, parts}
   *
   * The harness draws on change:version (Python's changes, in one message),
   * on change:step and when the width changes; writes the readout
   * (scene.readout + scene.steps[step].readout); shows model.notice in place
   * of the drawing when it is set; and marks the root with Draw.done.
   */
  /**
   * @param {{model: Model, el: HTMLElement, draw: (ctx: Ctx) => void, step?: (ctx: Ctx) => void}} props
   * @returns {() => void} the cleanup
   */
  function view({ model, el, draw, step }) {
    const root = html("div", "meia-view", el);
    root.setAttribute("role", "group");
    const names = words(model);
    root.setAttribute("aria-label", model.get("label") || names.explorer);
    Object.assign(root.style, {
      width: "100%", maxWidth: "100%", boxSizing: "border-box", overflow: "hidden",
      fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif",
      color: INK.text,
    });
    const figure = html("div", "meia-figure", root);
    Object.assign(figure.style, {
      display: "flex", flexWrap: "wrap", gap: "12px 20px", alignItems: "flex-start",
      maxWidth: "100%",
    });
    const notice = html("div", "meia-notice", root);
    notice.setAttribute("role", "alert");
    Object.assign(notice.style, {
      display: "none", padding: "1em", border: `2px dashed ${PALETTE.vermillion}`,
      borderRadius: "6px", color: "#8a3a00", background: "#fff7ef", fontSize: "15px",
    });
    const readout = html("div", "meia-readout", root);
    readout.setAttribute("aria-live", "polite");
    Object.assign(readout.style, { marginTop: "8px", lineHeight: "1.5", overflowWrap: "anywhere" });
    /** @type {Ctx} */
    const ctx = { model, root, figure, readout, scene: {}, step: 0, width: 0, narrow: false,
      font: FONT, parts: {} };
    /** @type {Watcher[]} */
    const watchers = [];
    /** @type {Element | null} */
    let box = null;

    const stepIndex = () => {
      const steps = (ctx.scene.steps || []).length;
      const s = model.get("step") || 0;
      return steps ? Math.max(0, Math.min(s, steps - 1)) : 0;
    };
    const writeReadout = () => {
      const steps = ctx.scene.steps || [];
      const here = steps.length ? steps[ctx.step].readout || "" : "";
      readout.innerHTML = (ctx.scene.readout || "") + here;
      readout.style.fontSize = `${ctx.width >= NARROW ? 15 : 13}px`;
    };
    const full = () => {
      const start = performance.now();
      const text = model.get("notice");
      ctx.scene = model.get("scene") || {};
      ctx.step = stepIndex();
      ctx.width = width(el);
      ctx.narrow = ctx.width < NARROW;
      ctx.font = font(ctx.width);
      if (text) {
        notice.textContent = text;
        notice.style.display = "block";
        figure.style.display = "none";
        readout.style.display = "none";
      } else {
        notice.style.display = "none";
        figure.style.display = "flex";
        readout.style.display = "block";
        release(root);
        clear(figure);
        ctx.parts = {};
        if (ctx.scene && Object.keys(ctx.scene).length) draw(ctx);
        writeReadout();
      }
      box = labelControls(el, names, watchers) || box;
      root.dataset.drawMs = (performance.now() - start).toFixed(1);
      done(root, model);
    };
    const onStep = () => {
      if (model.get("notice")) return;
      ctx.step = stepIndex();
      if (step) step(ctx);
      else {
        release(root);
        clear(figure);
        ctx.parts = {};
        draw(ctx);
      }
      writeReadout();
      done(root, model);
    };
    model.on("change:version", full);
    model.on("change:step", onStep);
    const stop = fit(el, full);
    // the controls may be shown after the view: name them once the page has settled too
    const naming = [0, 500, 2000].map((ms) => setTimeout(() => {
      box = labelControls(el, names, watchers) || box;
    }, ms));
    return () => {
      stop();
      naming.forEach(clearTimeout);
      unlabelControls(box, watchers);
      model.off("change:version", full);
      model.off("change:step", onStep);
      release(root);
    };
  }

  return {
    PALETTE, INK, NARROW, MIN_FONT, FONT, font, el, html, panel, text, wrap, luminance, ink, tint, textColour, uid,
    grid, highlight, arrow, cuboid, bars, curve, image, release, fit, width, done, clear, cellSize, view,
    labelControls, unlabelControls, words, WORDS,
  };
})();

// ---- Sweep: a kernel's taps sweeping a grid while the output grid fills in ----
// Shared by stride_padding.js (the padded input) and transposed.js (the stretched input).
// Scene parts it reads: a grid part {rows, cols, colours, labels|null, title, label}; the
// kernel {span, offsets: [[dr, dc], ...]}; the output {rows, cols, title, step_title?};
// steps [{origin: [r, c], cell: [i, j]}].
const Sweep = (() => {
  /** Width (px) of a grid panel: its cells, or its title with `extraChars` more characters. */
  function panelWidth(ctx, part, cell, extraChars = 0) {
    return Math.max(part.cols * cell + 4, (part.title.length + extraChars) * ctx.font * 0.6);
  }

  /** A titled grid in a panel of its own: {svg, box, titleNode}; numbers only where 12 px text fits. */
  function gridPanel(ctx, part, cell, titleH, extraChars = 0) {
    const w = Math.min(ctx.width - 4, panelWidth(ctx, part, cell, extraChars));
    const svg = Draw.panel(ctx.figure, { width: w, height: part.rows * cell + titleH + 4, label: part.label });
    const titleNode = Draw.text(svg, 2, ctx.font + 2, part.title, { size: ctx.font, weight: "bold" });
    const labels = cell >= 20 ? part.labels : null;
    const box = Draw.grid(svg, {
      x: 2, y: titleH, cell, rows: part.rows, cols: part.cols, colours: part.colours, labels,
    });
    return { svg, box, titleNode };
  }

  /**
   * The kernel's taps and span on the `input` panel, covers on the `output` panel's cells after the
   * current step and a frame on the current one (panels from gridPanel).  Sets ctx.parts and draws
   * the current step.  opts: tapOpacity (the taps' fill opacity).
   */
  function marks(ctx, input, output, cell, outCell, { tapOpacity = 0.4 } = {}) {
    const { scene } = ctx;
    const taps = Draw.el("g", { class: "meia-taps" }, input.svg);
    const tapRects = scene.kernel.offsets.map(() => Draw.el("rect", {
      width: cell * 0.9, height: cell * 0.9, fill: Draw.PALETTE.orange, "fill-opacity": tapOpacity,
      stroke: Draw.PALETTE.vermillion, "stroke-width": 1.5,
    }, taps));
    const span = Draw.highlight(input.svg, {
      x: 0, y: 0, width: scene.kernel.span * cell, height: scene.kernel.span * cell,
      colour: Draw.PALETTE.vermillion, stroke: 2.5, dash: "6 4",
    });
    const { covers, current } = outputMarks(output.svg, output.box, scene.output, outCell);
    ctx.parts = { input, output, tapRects, span, covers, current, cell, outCell };
    step(ctx);
  }

  /**
   * White covers on the cells of the output grid drawn at `box` in `svg` (`part` {rows, cols}) and a
   * frame for the current cell: {covers, current}; showOutput moves them to a step.
   * opts: colour and stroke of the frame.
   */
  function outputMarks(svg, box, part, outCell, { colour = Draw.PALETTE.vermillion, stroke = 3.5 } = {}) {
    const covers = [];
    const og = Draw.el("g", { class: "meia-covers" }, svg);
    for (let r = 0; r < part.rows; r++) {
      for (let c = 0; c < part.cols; c++) {
        covers.push(Draw.el("rect", {
          x: box.x + c * outCell, y: box.y + r * outCell, width: outCell, height: outCell,
          fill: Draw.INK.paper, stroke: Draw.INK.grid, "stroke-width": 0.75,
        }, og));
      }
    }
    const current = Draw.highlight(svg, { x: 0, y: 0, width: outCell, height: outCell, colour, stroke });
    return { covers, current };
  }

  /** The output at `box` filled in up to step `k` (marks.covers lifted) and marks.current on cell [i, j]. */
  function showOutput(marks, box, outCell, k, [i, j]) {
    marks.covers.forEach((rect, n) => {
      rect.style.display = n <= k ? "none" : "";
    });
    marks.current.setAttribute("x", box.x + j * outCell);
    marks.current.setAttribute("y", box.y + i * outCell);
  }

  /** Move the taps, the span, the covers and the frame to ctx.step; write the output's title. */
  function step(ctx) {
    const { scene, parts } = ctx;
    const here = scene.steps[ctx.step];
    if (!here || !parts.input) return;
    const { cell, input, output } = parts;
    const [r0, c0] = here.origin;
    scene.kernel.offsets.forEach(([dr, dc], n) => {
      parts.tapRects[n].setAttribute("x", input.box.x + (c0 + dc) * cell + cell * 0.05);
      parts.tapRects[n].setAttribute("y", input.box.y + (r0 + dr) * cell + cell * 0.05);
    });
    parts.span.setAttribute("x", input.box.x + c0 * cell);
    parts.span.setAttribute("y", input.box.y + r0 * cell);
    showOutput(parts, output.box, parts.outCell, ctx.step, here.cell);
    output.titleNode.textContent = (scene.output.step_title || "{title}").replace("{title}", scene.output.title)
      .replace("{n}", String(ctx.step + 1)).replace("{total}", String(scene.steps.length));
  }

  return { panelWidth, gridPanel, marks, outputMarks, showOutput, step };
})();

// ---- Pictures: a picture kept across full redraws while its PNG bytes stay the same ----
// Draw.image makes a new object URL at every draw; a picture that rarely changes (the photo of the
// convolution explorer) keeps its URL instead (Pictures.image), so a redraw neither copies nor decodes
// it again; a picture that changes at every draw is written into the page (Pictures.inline).
const Pictures = (() => {
  const kept = new WeakMap(); // root -> Map(name -> {png, url})

  /** The object URL of `png` (a Bytes trait) for `name` under `root`, made again only when the bytes change. */
  function keptHref(root, name, png) {
    const mine = kept.get(root) || new Map();
    kept.set(root, mine);
    const hit = mine.get(name);
    if (hit && hit.png === png) return hit.url;
    if (hit && hit.url) URL.revokeObjectURL(hit.url);
    const made = png && png.byteLength ? URL.createObjectURL(new Blob([png], { type: "image/png" })) : null;
    mine.set(name, { png, url: made });
    return made;
  }

  /** The picture as a data: URL (nothing to free; for small pictures a Blob and its URL cost more). */
  function inlineUrl(png) {
    if (!png || !png.byteLength) return null;
    const bytes = png instanceof ArrayBuffer ? new Uint8Array(png)
      : new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return `data:image/png;base64,${btoa(text)}`;
  }

  /** As Draw.image, with the picture written into the page: inline(parent, {x, y, width, height, png, label}). */
  function inline(parent, o) {
    return place(parent, o, inlineUrl(o.png));
  }

  /** As Draw.image, with the URL kept: image(parent, {x, y, width, height, png, label, owner, name}). */
  function image(parent, o) {
    return place(parent, o, keptHref(o.owner, o.name, o.png));
  }

  function place(parent, o, href) {
    if (!href) return null;
    const img = Draw.el("image", {
      x: o.x, y: o.y, width: o.width, height: o.height, href,
      preserveAspectRatio: "none", "image-rendering": "pixelated", style: "image-rendering: pixelated",
    }, parent);
    if (o.label) Draw.el("title", {}, img).textContent = o.label;
    return img;
  }

  /** Free every URL kept for `root` (call from the view's cleanup). */
  function release(root) {
    for (const { url: made } of (kept.get(root) || new Map()).values()) if (made) URL.revokeObjectURL(made);
    kept.delete(root);
  }

  return { keptHref, image, inline, release };
})();

export { Draw, Sweep, Pictures };

/**
 * The module of the Library widget: `initialize` takes the palette from Python and returns the
 * library, which every explorer's view receives (anywidget's host.getWidget(ref).exports).
 */
export default {
  /** @param {{model: Model}} props */
  initialize({ model }) {
    Object.assign(Draw.PALETTE, model.get("palette") || {});
    return { Draw, Sweep, Pictures };
  },
};
