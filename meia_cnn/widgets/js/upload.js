// @ts-check
// upload.js: a file button that checks the file's size before sending it to the kernel.
// A file over model.max_bytes is refused here, with a sentence naming the limit
// (the server would drop a message that large without a word).

import { Draw } from "./draw.js";

// The words it writes come from Python (the `words` trait, in the learner's language).
const UPLOAD_WORDS = { sending: "Sending {name}…", bytes: "{n} bytes" };

function sizeText(bytes, said) {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return said.bytes.replace("{n}", String(bytes));
}

/** @param {import("./draw.js").RenderProps} props */
function render({ model, el }) {
  const root = Draw.html("div", "meia-upload", el);
  Object.assign(root.style, { display: "flex", flexWrap: "wrap", alignItems: "center", gap: "6px" });
  const input = document.createElement("input");
  input.type = "file";
  input.style.display = "none";
  const button = Draw.html("button", "jupyter-button widget-button", root);
  // as wide as its words (in any language, at any font size: a deck's is larger than Lab's)
  Object.assign(button.style, { width: "auto", minWidth: "var(--jp-widgets-inline-width-short, 0)",
    whiteSpace: "nowrap" });
  const status = Draw.html("span", "meia-upload-status", root);
  status.setAttribute("role", "status");
  Object.assign(status.style, { fontSize: "13px" });
  root.appendChild(input);

  const sync = () => {
    button.textContent = model.get("description");
    input.accept = model.get("accept");
  };
  sync();
  button.addEventListener("click", () => input.click());

  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    const limit = model.get("max_bytes");
    const said = Object.assign({}, UPLOAD_WORDS, model.get("words") || {});
    if (file.size > limit) {
      const sentence = model.get("too_large")
        .replace("{name}", file.name).replace("{size}", sizeText(file.size, said))
        .replace("{limit}", sizeText(limit, said));
      status.textContent = sentence;
      status.style.color = Draw.textColour(Draw.PALETTE.vermillion);
      model.send({ kind: "refused", name: file.name, size: file.size, sentence });
      root.dataset.refused = String((Number(root.dataset.refused) || 0) + 1);
      return;
    }
    status.textContent = said.sending.replace("{name}", file.name);
    status.style.color = Draw.INK.text;
    const buffer = await file.arrayBuffer();
    model.send({ kind: "file", name: file.name, type: file.type, size: file.size }, undefined, [buffer]);
    status.textContent = "";
  });
  model.on("change:description", sync);
  model.on("change:accept", sync);
  return () => {
    model.off("change:description", sync);
    model.off("change:accept", sync);
  };
}

export default { render };
