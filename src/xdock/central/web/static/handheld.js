"use strict";
// The dock worker's handheld. One scan field fed by a keyboard-wedge scanner (typing + Enter):
//  - a pallet label (human-readable "(00)…(420)…" or raw GS1) asks central where the pallet goes;
//  - a door or trailer id ("D12", "T-LYON-1") confirms loading the current pallet there: STOP when wrong.
// Each label scan carries this handheld's id and its own scan number, kept in localStorage; a retry
// sends the same number again, so central applies the scan once.
// The page has two modes, a tab each: scanning at a door (this file) and the breakdown station
// (`?mode=breakdown`, breakdown.js), which splits mixed pallets.
const $ = (id) => document.getElementById(id);
const MODE = new URLSearchParams(location.search).get("mode") === "breakdown" ? "breakdown" : "scan";
document.body.dataset.mode = MODE;
$("mode-" + MODE).setAttribute("aria-current", "page");
const store = window.localStorage;
if (!store.getItem("xdock.device")) {
  store.setItem("xdock.device", "hh-" + Math.random().toString(36).slice(2, 10));
  store.setItem("xdock.seq", "0");
}
const device = store.getItem("xdock.device");
let pallet = null;

function show(kind, headline, door, line, reason) {
  const r = $("result");
  r.dataset.kind = kind;
  $("headline").textContent = headline;
  $("door-big").textContent = door || "";
  $("line").textContent = line || "";
  $("reason").textContent = reason || "";
}
function net(state, text) { $("net").dataset.state = state; $("net").textContent = text; }
// While the sign-in form is up (token refused), the header says "signed out", not "sending…"; once signed in
// again it says what it said before (the scan that was refused then goes through by itself).
let beforeSignOut = null;
Session.onSignedOut(() => {
  if (beforeSignOut === null) beforeSignOut = [$("net").dataset.state || "ok", $("net").textContent];
  net("signed-out", "signed out");
});
Session.onChange(() => {
  if (beforeSignOut === null) return;
  net(...beforeSignOut);
  beforeSignOut = null;
});
function setPallet(sscc) { pallet = sscc; $("pallet").textContent = sscc ? "pallet " + sscc : "no pallet"; }

async function post(path, body) {
  for (let attempt = 0; ; attempt++) {
    try {
      net("busy", "sending…");
      const { ok, data } = await callApi("POST", path, body);
      net("ok", "ready");
      return { ok, data };
    } catch (err) {
      net("error", "no network, retrying");
      if (attempt >= 5) throw err;
      await new Promise((done) => setTimeout(done, 500 * 2 ** attempt));
    }
  }
}

async function scanLabel(text) {
  const seq = Number(store.getItem("xdock.seq") || "0") + 1;
  store.setItem("xdock.seq", String(seq));
  const { ok, data } = await post("/api/v1/handheld/scan", { device, seq, door: $("door").value, label: text });
  if (!ok) { setPallet(null); show("rejected", "Error", "", "Label not accepted", data.detail); return; }
  setPallet(data.sscc);
  if (data.outcome === "assigned") {
    show("assigned", "Go to", data.door, `${data.destination_name || data.destination} · ${data.trailer} · dep ${data.departure_local || ""}`, data.reason);
  } else if (data.outcome === "staged" || data.outcome === "breakdown") {
    show("staged", data.outcome === "staged" ? "Staging" : "Breakdown", data.area, data.display, data.reason);
  } else {
    setPallet(null);
    show("rejected", "Error", "", data.display, data.reason);
  }
}

async function confirmLoad(at) {
  if (!pallet) { show("rejected", "Scan pallet first", "", `Door ${at} scanned`, "Scan the pallet label, then the door."); return; }
  const { ok, data } = await post("/api/v1/handheld/load", { device, sscc: pallet, at });
  if (!ok) { show("rejected", "Cannot load", "", "", data.detail); return; }
  if (data.ok) {
    show("loaded", "✓ Loaded", data.door, data.message, `pallet ${data.sscc}`);
    setPallet(null);
  } else {
    show("stop", "STOP", data.door, `Wrong door: you are at ${data.at_door}`, `Take pallet ${data.sscc} to ${data.door}`);
  }
}

$("scan-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const input = $("scan");
  const text = input.value.trim();
  input.value = "";
  input.focus();
  if (!text) return;
  const isPlace = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(text) && !text.startsWith("]");
  try {
    await (isPlace ? confirmLoad(text) : scanLabel(text));
  } catch (err) {
    show("rejected", "No network", "", "Not sent: scan again", String(err));
  }
});
$("clear").addEventListener("click", () => { setPallet(null); show("idle", "SCAN", "", "Scan a pallet label to see where it goes.", ""); $("scan").focus(); });
$("door").addEventListener("change", () => { store.setItem("xdock.door", $("door").value); $("scan").focus(); });
document.addEventListener("click", (ev) => {
  if (MODE === "scan" && ev.target.tagName !== "SELECT" && !ev.target.closest("#signin, .modes")) $("scan").focus();
});

async function startScanning() {
  $("scan").focus();
  const { data: doors } = await callApi("GET", "/api/v1/doors");
  const sel = $("door");
  for (const d of doors.filter((x) => x.role !== "outbound")) sel.add(new Option(d.id, d.id));
  const saved = new URLSearchParams(location.search).get("door") || store.getItem("xdock.door");
  if (saved && [...sel.options].some((o) => o.value === saved)) sel.value = saved;
}

// Every script of the page has run by then (breakdown.js loads after this file).
document.addEventListener("DOMContentLoaded", () => Session.start().then(
  () => (MODE === "breakdown" ? Breakdown.start() : startScanning())));
