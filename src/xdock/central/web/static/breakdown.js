"use strict";
// The breakdown station on the handheld (/handheld?mode=breakdown; uses handheld.js's $ and net, and callApi).
// Three views, one at a time:
//  - list: the mixed pallets waiting at the breakdown areas (GET /api/v1/breakdown, oldest first, read again
//    every few seconds while shown); tap one, or scan its label;
//  - pallet: its lines grouped by destination, each group one child pallet, and a big Split button
//    (POST /api/v1/breakdown/{sscc}/split: one child per destination);
//  - done: each child's new SSCC and where it goes ("→ D14 · T-PARIS-1"), and whether its labels printed;
//    when they did not, the printer's error as central said it and Print again (POST .../labels/print).
// A refusal is problem+json: its `detail` is shown as it came. A split is never sent twice by itself (a
// second one would be refused: the pallet is split); a network failure says so and the worker taps again.
const Breakdown = (() => {
  const LIST_EVERY_MS = 10000;
  let waiting = [];
  let chosen = null;
  let parent = null;
  let poll = null;

  function make(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function problem(text) {
    $("bd-problem").textContent = text || "";
    $("bd-problem").hidden = !text;
  }

  function view(name) {
    for (const section of document.querySelectorAll(".bd-view")) section.hidden = section.dataset.view !== name;
    clearInterval(poll);
    poll = name === "list" ? setInterval(() => load().catch(() => {}), LIST_EVERY_MS) : null;
    if (name === "list") $("bd-scan").focus();
  }

  // A call to central; a network failure is shown and answered as null.
  async function call(method, path, body) {
    net("busy", "sending…");
    try {
      const answer = await callApi(method, path, body);
      net("ok", "ready");
      return answer;
    } catch (err) {
      net("error", "no network");
      problem(`No network: nothing was sent. Try again. (${err})`);
      return null;
    }
  }

  function refused(answer) {
    problem(answer.data.detail || `Refused (${answer.status})`);
  }

  // ---- list ----
  async function load() {
    const answer = await call("GET", "/api/v1/breakdown");
    if (!answer) return;
    if (!answer.ok) { refused(answer); return; }
    waiting = answer.data;
    renderList();
  }

  function renderList() {
    const ul = $("bd-pallets");
    ul.replaceChildren();
    for (const p of waiting) {
      const li = make("li");
      const button = make("button", "bd-pallet");
      button.type = "button";
      button.dataset.sscc = p.sscc;
      button.append(make("span", "bd-sscc mono", p.sscc),
        make("span", "bd-meta", `${p.area || "?"} · ${p.destinations.join(" + ")}`));
      button.addEventListener("click", () => choose(p));
      li.append(button);
      ul.append(li);
    }
    if (!waiting.length) ul.append(make("li", "bd-empty", "No mixed pallet waiting"));
  }

  // The SSCC of a scanned label ("(00)…", raw GS1 "00…", or the 18 digits alone), or null.
  function ssccOf(text) {
    const t = text.trim().replace(/^\]C1/, "");
    const m = t.match(/^\(00\)(\d{18})/) || t.match(/^00(\d{18})/) || t.match(/^(\d{18})$/);
    return m ? m[1] : null;
  }

  async function scanned(text) {
    const sscc = ssccOf(text);
    if (!sscc) { problem(`Not a pallet label: ${text}`); return; }
    await load();
    const found = waiting.find((p) => p.sscc === sscc);
    if (found) choose(found);
    else problem(`Pallet ${sscc} is not waiting to be split: not mixed, split already, or not scanned in yet.`);
  }

  // ---- one pallet, its lines by destination ----
  function groups(p) {
    const by = new Map();
    for (const line of p.lines) {
      const dest = line.destination || "?";
      if (!by.has(dest)) by.set(dest, []);
      by.get(dest).push(line);
    }
    return [...by.entries()];
  }

  function lineList(lines) {
    const ul = make("ul", "bd-lines");
    for (const line of lines) {
      const li = make("li");
      li.append(make("span", "mono", line.gtin), make("span", "bd-qty", ` × ${line.quantity}`));
      ul.append(li);
    }
    return ul;
  }

  function choose(p) {
    problem("");
    chosen = p;
    $("bd-parent").textContent = p.sscc;
    $("bd-parent-meta").textContent = `at ${p.area || "?"} · ${p.destinations.length} destinations`;
    const ol = $("bd-groups");
    ol.replaceChildren();
    const all = groups(p);
    for (const [dest, lines] of all) {
      const li = make("li", "bd-group");
      li.dataset.destination = dest;
      const items = lines.reduce((n, x) => n + x.quantity, 0);
      const head = make("div", "bd-group-head");
      head.append(make("span", "bd-dest", `→ ${dest}`), make("span", "bd-count", `${items} items`));
      li.append(head, lineList(lines));
      ol.append(li);
    }
    $("bd-split").textContent = `Split into ${all.length} pallets`;
    $("bd-split").disabled = !p.lines.length;
    view("pallet");
  }

  async function split() {
    if (!chosen) return;
    problem("");
    const button = $("bd-split");
    button.disabled = true;
    try {
      const answer = await call("POST", `/api/v1/breakdown/${chosen.sscc}/split`, {});
      if (!answer) return;
      if (!answer.ok) { refused(answer); return; }
      showDone(answer.data);
    } finally {
      button.disabled = false;
    }
  }

  // ---- the children, where each goes, their labels ----
  function where(child) {
    if (child.state === "assigned") return `→ ${child.door} · ${child.trailer}`;
    if (child.state === "staged") return `→ staging ${child.target}`;
    return "→ no place yet: ask the supervisor";
  }

  function showDone(answer) {
    parent = answer.parent;
    $("bd-done-title").textContent = `Split into ${answer.children.length} pallets`;
    const ol = $("bd-children");
    ol.replaceChildren();
    for (const child of answer.children) {
      const li = make("li", "bd-child");
      li.dataset.sscc = child.sscc;
      li.dataset.destination = child.destination;
      li.dataset.state = child.state;
      li.append(make("div", "bd-where", where(child)), make("div", "bd-dest", child.destination),
        make("div", "bd-sscc mono", child.sscc), lineList(child.lines));
      ol.append(li);
    }
    showLabels(answer.labels, answer.children.length);
    view("done");
  }

  function showLabels(labels, count) {
    $("bd-labels").dataset.state = labels.printed ? "ok" : "error";
    $("bd-labels-text").textContent = labels.printed
      ? `✓ ${count} labels printed on ${labels.printer}`
      : `✗ Labels NOT printed: ${labels.error}`;
    $("bd-reprint").hidden = labels.printed;
  }

  async function reprint() {
    if (!parent) return;
    problem("");
    const button = $("bd-reprint");
    button.disabled = true;
    button.textContent = "Printing…";
    try {
      const answer = await call("POST", `/api/v1/breakdown/${parent}/labels/print`);
      if (!answer) return;
      if (!answer.ok) { refused(answer); return; }
      showLabels(answer.data, $("bd-children").children.length);
    } finally {
      button.disabled = false;
      button.textContent = "Print again";
    }
  }

  async function next() {
    problem("");
    chosen = null;
    parent = null;
    view("list");
    await load();
  }

  async function start() {
    $("bd-scan-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const text = $("bd-scan").value;
      $("bd-scan").value = "";
      if (text.trim()) scanned(text);
    });
    $("bd-refresh").addEventListener("click", () => { problem(""); load(); });
    $("bd-back").addEventListener("click", next);
    $("bd-split").addEventListener("click", split);
    $("bd-reprint").addEventListener("click", reprint);
    $("bd-next").addEventListener("click", next);
    await next();
  }

  return { start };
})();
