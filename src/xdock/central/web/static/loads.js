"use strict";
// How each load was confirmed, on the dashboard (uses dashboard.js's state S and helpers): by a
// worker's handheld scan at the outbound door, or by an RFID portal passage. The KPI tiles split the
// loads and the mis-loads stopped (`confirmations` of the snapshot and of a tick with KPIs), a door
// tile splits its trailer's loads (the trailer's `loaded_by`), and the flow panel lists the latest
// loads with a scan / RFID tag (the `confirmed_by` of each `pallet` message). The snapshot carries
// no loaded pallets, so that list holds the loads seen since the screen opened.
const VIA = { scan: "scan", rfid: "RFID" };
const LOADS_SHOWN = 12;

function splitText(counts) {
  return `${counts.scan || 0} ${VIA.scan} · ${counts.rfid || 0} ${VIA.rfid}`;
}

// "9 scan · 3 RFID" beside the Loaded and Mis-loads prevented KPIs; nothing while both are 0.
function renderSplits() {
  const c = S.confirmations;
  for (const [id, key] of [["kpi-loaded-by", "loaded"], ["kpi-misloads-by", "misloads"]]) {
    const counts = c && c[key];
    const any = counts && (counts.scan || 0) + (counts.rfid || 0) > 0;
    $(id).textContent = any ? splitText(counts) : "";
  }
}

// A door tile's split of its trailer's loads: one chip per way that confirmed any ("2 scan", "1 RFID").
function renderVia(tile, trailer) {
  const box = tile.querySelector(".via");
  const by = (trailer && trailer.loaded_by) || {};
  const ways = Object.keys(VIA).filter((w) => (by[w] || 0) > 0);
  box.hidden = ways.length === 0;
  tile.classList.toggle("has-loads", ways.length > 0);  // "dep 09:30 · 2 loaded" then needs room
  box.replaceChildren(...ways.map((w) => {
    const chip = el("span", "via-chip", `${by[w]} ${VIA[w]}`);
    chip.dataset.via = w;
    return chip;
  }));
  box.title = ways.length ? `loads confirmed: ${splitText(by)}` : "";
}

// A pallet message: a newly loaded pallet joins the latest loads (newest last; one already there keeps
// its place), a pallet no longer loaded leaves them.
function noteLoad(p) {
  if (!p.loaded || !p.confirmed_by) { S.loads.delete(p.sscc); return; }
  S.loads.set(p.sscc, p);
  while (S.loads.size > LOADS_SHOWN) S.loads.delete(S.loads.keys().next().value);
}

// A snapshot: pallets it shows waiting or in transit are no longer loaded.
function forgetUnloaded(msg) {
  for (const p of [...msg.flow, ...(msg.transit || [])]) S.loads.delete(p.sscc);
}

function renderLoads() {
  const ul = $("loaded");
  ul.replaceChildren();
  for (const p of [...S.loads.values()].reverse()) {
    const li = el("li");
    li.dataset.sscc = p.sscc;
    const tag = el("span", "via-tag", VIA[p.confirmed_by] || p.confirmed_by);
    tag.dataset.via = p.confirmed_by;
    li.append(el("span", "mono", p.sscc), tag);
    li.append(el("span", "sub route", `${p.inbound_door} → ${p.door || "?"} · ${p.trailer || "?"} · ${hhmm(p.updated_at)}`));
    ul.appendChild(li);
  }
  if (!S.loads.size) ul.appendChild(el("li", "empty", "none since this screen opened"));
}
