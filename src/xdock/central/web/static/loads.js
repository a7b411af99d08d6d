"use strict";
// How each load was confirmed, on the dashboard (uses dashboard.js's state S and helpers): by a
// worker's handheld scan at the outbound door, or by an RFID portal passage. The Pallets loaded KPI
// splits the loads (`confirmations` of the snapshot and of a tick with KPIs), a door
// tile and the door dialog split its trailer's loads (the trailer's `loaded_by`), and the flow panel
// lists the latest loads with a scan / RFID tag: the snapshot's `recent_loads` (newest first), then
// each `pallet` message of a loaded pallet (one already listed keeps its place).
const VIA = { scan: "scan", rfid: "RFID" };
const LOADS_SHOWN = 12;

function splitText(counts) {
  return `${counts.scan || 0} ${VIA.scan} · ${counts.rfid || 0} ${VIA.rfid}`;
}

// "9 scan · 3 RFID" beside the Pallets loaded KPI; nothing while both are 0.
function renderSplits() {
  const counts = S.confirmations && S.confirmations.loaded;
  const any = counts && (counts.scan || 0) + (counts.rfid || 0) > 0;
  $("kpi-loaded-by").textContent = any ? splitText(counts) : "";
}

// Chips of a trailer's loads, one per way that confirmed any ("2 scan", "1 RFID"), and their title.
function viaChips(by) {
  const ways = Object.keys(VIA).filter((w) => (by[w] || 0) > 0);
  const chips = ways.map((w) => {
    const chip = el("span", "via-chip", `${by[w]} ${VIA[w]}`);
    chip.dataset.via = w;
    return chip;
  });
  return { chips, title: ways.length ? `loads confirmed: ${splitText(by)}` : "" };
}

// A door tile's split of its trailer's loads (the door dialog's too, while it is open on this door).
function renderVia(tile, trailer) {
  const box = tile.querySelector(".via");
  const { chips, title } = viaChips((trailer && trailer.loaded_by) || {});
  box.hidden = chips.length === 0;
  tile.classList.toggle("has-loads", chips.length > 0);
  box.replaceChildren(...chips);
  box.title = title;
  if (S.dialogDoor === tile.dataset.door) renderDialogVia(trailer);
}

// The door dialog's line of its trailer's loads: "Loads confirmed [1 scan] [1 RFID]" (or "none yet");
// hidden without a trailer.
function renderDialogVia(trailer) {
  const box = $("dlg-via");
  box.hidden = !trailer;
  if (!trailer) { box.replaceChildren(); return; }
  const { chips, title } = viaChips(trailer.loaded_by || {});
  box.replaceChildren(el("span", "dlg-via-label", "Loads confirmed"), ...(chips.length ? chips : [el("span", "muted", "none yet")]));
  box.title = title;
}

function loadedAt(p) { return p.loaded_at || p.updated_at; }

// A snapshot: its latest loads (newest first) replace the list, kept newest last.
function takeRecentLoads(msg) {
  S.loads = new Map((msg.recent_loads || []).slice().reverse().map((p) => [p.sscc, p]));
}

// A pallet message: a newly loaded pallet joins the latest loads (one already there keeps its place), a
// pallet no longer loaded leaves them; past LOADS_SHOWN the one loaded longest ago goes.
function noteLoad(p) {
  if (!p.loaded || !p.confirmed_by) { S.loads.delete(p.sscc); return; }
  S.loads.set(p.sscc, p);
  while (S.loads.size > LOADS_SHOWN) {
    const oldest = [...S.loads.values()].reduce((a, b) => (Date.parse(loadedAt(b)) < Date.parse(loadedAt(a)) ? b : a));
    S.loads.delete(oldest.sscc);
  }
}

// Newest first: by load time, then the later listed first.
function renderLoads() {
  const ul = $("loaded");
  ul.replaceChildren();
  const shown = [...S.loads.values()].reverse().sort((a, b) => Date.parse(loadedAt(b)) - Date.parse(loadedAt(a)));
  for (const p of shown) {
    const li = el("li");
    li.dataset.sscc = p.sscc;
    const tag = el("span", "via-tag", VIA[p.confirmed_by] || p.confirmed_by);
    tag.dataset.via = p.confirmed_by;
    li.append(el("span", "mono", p.sscc), tag);
    li.append(el("span", "sub route", `${p.inbound_door} → ${p.door || "?"} · ${p.trailer || "?"} · ${hhmm(loadedAt(p))}`));
    ul.appendChild(li);
  }
  if (!S.loads.size) ul.appendChild(el("li", "empty", "no loads yet"));
}
