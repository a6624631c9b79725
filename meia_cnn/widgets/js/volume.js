// volume.js: the input's three channels, one kernel's three slices, its feature map and the stack of maps.
// Scene (from meia_cnn/widgets/volume.py):
//   head:     the shapes in one line ("128×128×3 ∗ 3 kernels 3×3×3 → 126×126×3")
//   channels: {numbers, rows, cols, label, grids: [{title, ink, colours?, labels?}] x3}
//             (numbers false: the channels are the PNG traits ch0, ch1, ch2)
//   kernel:   {size, note: [lines], label, slices: [{title, colours, labels}] x3}
//   map:      {numbers, rows, cols, title, label, colours?, labels?} (else the PNG trait fmap)
//   deck:     {rows, cols (px of the PNG trait deck), card: [h, w], offset, count, shown, title, label}

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
    Draw.text(inSvg, x, font + 2, g.title, { size: font, weight: "bold", fill: g.ink });
    if (ch.numbers) {
      const cell = chW / ch.cols;
      Draw.grid(inSvg, { x, y: titleH, cell, rows: ch.rows, cols: ch.cols, colours: g.colours,
        labels: cell >= 18 ? g.labels : null, size: Math.max(12, Math.min(font, Math.floor(cell * 0.5))) });
    } else {
      Draw.image(inSvg, { x, y: titleH, width: chW, height: chH, png: model.get(`ch${i}`), label: g.title,
        owner: ctx.root });
    }
  });

  // the kernel shown, slice by slice, with its weights
  const k = scene.kernel;
  const kRoom = narrow ? width - 8 : Math.min(400, (width - 3 * gap) * 0.3);
  // the weights are always written: cells of 26 px or more (the panel wraps to its own row if need be)
  const kCell = Math.min(Draw.cellSize((kRoom - 16) / 3, k.size, { lo: 26, hi: 30 }),
    Math.floor((width - 24) / (3 * k.size)));
  const kW = k.size * kCell;
  const noteH = k.note.length * (font + 4) + 4;
  const kSvg = Draw.panel(ctx.figure, {
    width: Math.min(width - 4, Math.max(3 * kW + 20, 3 * 7 * font * 0.6 + 16,
      Math.max(...k.note.map((s) => s.length)) * font * 0.6 + 4)),
    height: titleH + kW + 8 + noteH, label: k.label,
  });
  const sliceW = Math.max(kW, 7 * font * 0.6);
  k.slices.forEach((s, i) => {
    const x = 2 + i * (sliceW + 8);
    Draw.text(kSvg, x, font + 2, s.title, { size: font, weight: "bold" });
    Draw.grid(kSvg, { x, y: titleH, cell: kCell, rows: k.size, cols: k.size, colours: s.colours,
      labels: kCell >= 20 ? s.labels : null, size: Math.max(12, Math.min(font, Math.floor(kCell * 0.55))) });
  });
  k.note.forEach((line, i) => {
    Draw.text(kSvg, 2, titleH + kW + 8 + (i + 1) * (font + 4) - 4, line, { size: font, italic: i > 0 });
  });

  // its feature map, then the stack of maps
  const m = scene.map;
  const mRoom = narrow ? Math.min(width - 8, 260)
    : Math.max(m.numbers ? m.cols * 28 : 0, Math.min(230, (width - 3 * gap) * 0.17));
  const mScale = Math.max(8, mRoom) / Math.max(m.rows, m.cols);
  const mW = m.cols * mScale, mH = m.rows * mScale;
  // the panel is drawn first at its picture's width; the title decides its height
  const mSvg = Draw.panel(ctx.figure, { width: Math.min(width - 4, mW + 4), height: mH + 4, label: m.label });
  const mTitle = title(mSvg, m.title, Math.max(mW, narrow ? width - 8 : 0), font);
  fitPanel(mSvg, Math.min(width - 4, Math.max(mW + 4, mTitle.width)), mH + mTitle.height + 4);
  if (m.numbers) {
    const cell = mW / m.cols;
    Draw.grid(mSvg, { x: 2, y: mTitle.height, cell, rows: m.rows, cols: m.cols, colours: m.colours,
      labels: cell >= 20 ? m.labels : null, size: Math.max(12, Math.min(font, Math.floor(cell * 0.5))) });
  } else {
    Draw.image(mSvg, { x: 2, y: mTitle.height, width: mW, height: mH, png: model.get("fmap"), label: m.label,
      owner: ctx.root });
  }

  const dk = scene.deck;
  const dRoom = narrow ? Math.min(width - 8, 260) : Math.min(230, (width - 3 * gap) * 0.17);
  const dScale = Math.max(8, dRoom) / Math.max(dk.rows, dk.cols);
  const dW = dk.cols * dScale, dH = dk.rows * dScale;
  const dSvg = Draw.panel(ctx.figure, { width: Math.min(width - 4, dW + 4), height: dH + 4, label: dk.label });
  const dTitle = title(dSvg, dk.title, Math.max(dW, narrow ? width - 8 : 0), font);
  fitPanel(dSvg, Math.min(width - 4, Math.max(dW + 4, dTitle.width)), dH + dTitle.height + 4);
  Draw.image(dSvg, { x: 2, y: dTitle.height, width: dW, height: dH, png: model.get("deck"),
    label: dk.label, owner: ctx.root });
  const [cardH, cardW] = dk.card;
  Draw.highlight(dSvg, {
    x: 2 + dk.shown * dk.offset * dScale, y: dTitle.height + (dk.count - 1 - dk.shown) * dk.offset * dScale,
    width: cardW * dScale, height: cardH * dScale, colour: Draw.PALETTE.orange, stroke: 3,
  });
}

// Resize a panel made by Draw.panel (its size and viewBox).
function fitPanel(svg, width, height) {
  const w = Math.ceil(width), h = Math.ceil(height);
  svg.setAttribute("width", w);
  svg.setAttribute("height", h);
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
}

function render({ model, el }) {
  return Draw.view({ model, el, draw });
}

export default { render };
