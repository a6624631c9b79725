// The class view: draws /api/summary (or /api/detail) and waits for the next change (long poll).
// Every text goes in through textContent: nothing from the server is parsed as HTML.
const body = document.body;
const mode = body.dataset.mode;
const lang = body.dataset.lang;
const app = document.getElementById("app");
let section = body.dataset.section || "";
let version = 0;
let labels = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("data-")) node.setAttribute(k, String(v));
    else node[k] = v;
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function query(extra = {}) {
  const params = new URLSearchParams({ lang, ...extra });
  if (section) params.set("section", section);
  return params.toString();
}

function header(data) {
  const L = data.labels;
  labels = L;
  const status = el("span", { class: "status", id: "status" }, L.live);
  const nav = el("nav", {});
  if (mode !== "projector") {
    const select = el("select", { id: "section", title: L.section });
    for (const s of data.sections) {
      const option = el("option", { value: s }, `${L.section} ${s}`);
      option.selected = s === data.section;
      select.append(option);
    }
    select.addEventListener("change", () => { section = select.value; version = 0; refresh(); });
    nav.append(select,
      el("a", { href: `./?projector=1&${query()}` }, L.projector),
      el("a", { href: `detail?${query()}` }, L.detail),
      el("a", { href: "export.csv" }, L.export));
  }
  return el("header", {}, el("h1", {}, `${L.title} · ${L.section} ${data.section}`), nav, status);
}

function card(ex, L) {
  const share = ex.tried ? ex.solved / ex.tried : 0;
  const bar = el("div", { class: "bar", role: "img", "aria-label": `${ex.solved} / ${ex.tried} ${L.solved}` },
    el("div", { class: "fill" }));
  bar.firstChild.style.width = `${Math.round(100 * share)}%`;
  const node = el("section", { class: "exercise", "data-exercise": ex.id, "data-tried": ex.tried,
                               "data-solved": ex.solved },
    el("h2", {}, el("span", { class: "id" }, ex.id), " ", ex.title),
    el("p", { class: "counts" },
      el("span", { class: "unit" }, el("b", { class: "tried" }, ex.tried), ` ${L.tried}`), " · ",
      el("span", { class: "unit" }, el("b", { class: "solved" }, ex.solved), ` ${L.solved}`), " · ",
      el("span", { class: "unit" }, el("span", { class: "attempts" }, ex.attempts), ` ${L.attempts}`)),
    bar);
  if (!ex.tried) { node.append(el("p", { class: "quiet" }, L.none_yet)); return node; }
  const list = el("ol", { class: "mistakes" });
  const most = Math.max(1, ...ex.mistakes.map((m) => m.students));
  for (const m of ex.mistakes) {
    const item = el("li", { "data-mistake": m.key },
      el("span", { class: "name" }, m.name), el("span", { class: "n" }, m.students),
      el("div", { class: "mbar" }));
    item.lastChild.style.width = `${Math.round(100 * m.students / Math.max(most, ex.tried))}%`;
    list.append(item);
  }
  if (!ex.mistakes.length) list.append(el("li", { class: "quiet" }, L.no_mistakes));
  node.append(el("h3", {}, L.mistakes), list);
  return node;
}

function drawSummary(data) {
  const L = data.labels;
  const grid = el("div", { class: "grid" });
  const shown = mode === "projector" ? data.exercises.filter((e) => e.section === data.section) : data.exercises;
  for (const ex of shown) grid.append(card(ex, L));
  app.replaceChildren(header(data), grid);
  body.dataset.version = data.version;
  body.dataset.drawn = String(performance.now());
}

function drawDetail(data, summary) {
  const L = data.labels;
  const table = el("table", { class: "detail" },
    el("thead", {}, el("tr", {}, ...[L.student, L.exercise, L.attempts, L.solved, L.last_mistake]
      .map((h) => el("th", {}, h)))));
  const tbody = el("tbody");
  for (const row of data.students) {
    tbody.append(el("tr", { "data-user": row.user, "data-exercise": row.exercise },
      el("td", {}, row.user), el("td", {}, row.exercise), el("td", {}, row.attempts),
      el("td", {}, row.solved ? L.yes : L.no), el("td", {}, row.last_mistake_name)));
  }
  table.append(tbody);
  app.replaceChildren(header(summary), table);
  body.dataset.version = summary.version;
}

async function getJSON(url) {
  // the hub's OAuth cookie needs the XSRF token on script requests
  const response = await fetch(url, { credentials: "same-origin",
                                      headers: { Accept: "application/json", "X-XSRFToken": body.dataset.xsrf } });
  if (!response.ok) throw new Error(`${response.status}`);
  return response.json();
}

let running = false;
async function refresh() {
  const summary = await getJSON(`api/summary?${query(version ? { since: String(version) } : {})}`);
  version = summary.version;
  section = section || "";
  if (mode === "detail") drawDetail(await getJSON(`api/detail?${query()}`), summary);
  else drawSummary(summary);
}

async function loop() {
  if (running) return;
  running = true;
  let wait = 500;
  for (;;) {
    try {
      await refresh();
      wait = 500;
      const status = document.getElementById("status");
      if (status) status.classList.remove("off");
    } catch (error) {
      const status = document.getElementById("status");
      if (status) { status.classList.add("off"); if (labels) status.textContent = labels.offline; }
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 10000);
    }
  }
}

loop();
