"use strict";
// The supervisor's dashboard: a snapshot on connect, then pallet / tick messages (see web/views.py).
// How each load was confirmed (handheld scan or RFID passage) is shown by loads.js; the alerts panel by alerts.js;
// each truck's receiving against its advance shipping notices by receiving.js.
const S = {
  tz: "UTC", now: null, dwellRed: 1800, doors: [], trailers: new Map(), flow: new Map(), inbound: {},
  trucks: [], unloaded: [], unloadedShownS: 0, transit: new Map(), loads: new Map(), confirmations: null,
  alerts: [], kpis: null, tiles: new Map(), closed: new Set(), dialogDoor: null,
};
const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function hhmm(iso) {
  return new Intl.DateTimeFormat("en-GB", { timeZone: S.tz, hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}
function span(ms) {
  const s = Math.max(0, Math.floor(Math.abs(ms) / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const p = (n) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${p(m)}:${p(sec)}` : `${m}:${p(sec)}`;
}
function kg(n) { return n >= 1000 ? (n / 1000).toFixed(1) + " t" : Math.round(n) + " kg"; }

// ---- door grid, laid out like the building: doors on the same wall share a row or column ----
function buildDoors() {
  const grid = $("doors");
  const alerts = $("alerts-panel");  // it may sit on the grid's floor: held while the grid is rebuilt
  grid.replaceChildren();
  S.tiles.clear();
  const ys = [...new Set(S.doors.map((d) => d.y))].sort((a, b) => a - b);
  const { cols, colOf } = placeColumns(S.doors, ys);
  grid.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
  for (const d of S.doors) {
    const t = el("div", "tile");
    t.dataset.door = d.id;
    t.style.gridColumn = String(colOf.get(d.id) + 1);
    t.style.gridRow = String(ys.indexOf(d.y) + 1);
    t.innerHTML = `<div class="tile-top"><span class="door-id"></span><span class="state"></span></div>
      <div class="dest"></div><div class="trailer"></div>
      <div class="meter m-pal"><div class="track"><div class="fill"></div></div><span class="fill-pal"></span></div>
      <div class="meter m-kg"><div class="track"><div class="fill"></div></div><span class="fill-kg"></span></div>
      <div class="via" hidden></div>
      <div class="dep"><span class="dep-time"></span><span class="countdown"></span></div>`;
    t.querySelector(".door-id").textContent = d.id;
    t.addEventListener("click", () => openDoorDialog(d));
    grid.appendChild(t);
    S.tiles.set(d.id, t);
  }
  placeAlerts(alerts, grid, ys, cols, colOf);
}

// Columns proportional to the doors' x on the floor plan, as few as keep each wall's doors apart.
function placeColumns(doors, ys) {
  const xs = doors.map((d) => d.x);
  const lo = Math.min(...xs), span = Math.max(...xs) - lo || 1;
  const rows = ys.map((y) => doors.filter((d) => d.y === y).sort((a, b) => a.x - b.x));
  const most = Math.max(...rows.map((r) => r.length));
  for (let cols = Math.max(most, 1); ; cols++) {
    const colOf = new Map();
    let fits = true;
    for (const row of rows) {
      let prev = -1;
      for (const d of row) {
        const col = Math.max(Math.round(((d.x - lo) / span) * (cols - 1)), prev + 1);
        if (col >= cols) fits = false;
        colOf.set(d.id, col);
        prev = col;
      }
    }
    if (fits) return { cols, colOf };
  }
}

function trailersAt(door) {
  return [...S.trailers.values()].filter((t) => t.door === door).sort((a, b) => a.departure.localeCompare(b.departure));
}

function renderTile(d) {
  const t = S.tiles.get(d.id);
  if (!t) return;
  const now = S.now ? Date.parse(S.now) : Date.now();
  const here = trailersAt(d.id);
  const active = here.find((x) => !x.departed);
  const q = (sel) => t.querySelector(sel);
  let state, label;
  if (active) {
    const left = Date.parse(active.departure) - now;
    state = left < 0 ? "late" : "loading";
    label = left < 0 ? "late" : active.pallets ? "loading" : "docked";
    q(".dest").textContent = active.destination_name;
    const next = here.filter((x) => !x.departed).length - 1;  // trailers that left this door are not counted
    q(".trailer").textContent = active.id + (active.reefer ? " · reefer" : "") + (next > 0 ? ` · +${next}` : "");
    setMeter(q(".m-pal"), active.pallets, active.capacity_pallets, `${active.pallets}/${active.capacity_pallets} pal`);
    q(".m-pal").title = `${active.pallets} pallets assigned of ${active.capacity_pallets}, ${active.loaded} confirmed loaded`
      + " (GET /api/v1/trailers: assigned_pallets, loaded_pallets)";
    setMeter(q(".m-kg"), active.kg, active.capacity_kg, `${kg(active.kg)}`);
    q(".dep-time").textContent = "dep " + hhmm(active.departure) + (active.loaded ? ` · ${active.loaded} loaded` : "");
    q(".countdown").textContent = (left < 0 ? "late " : "in ") + span(left);
    renderVia(t, active);
  } else {
    const departed = here.length > 0;
    state = d.role === "inbound" ? "inbound" : departed ? "departed" : "free";
    label = d.role === "inbound" ? "inbound" : departed ? "departed" : "free";
    const n = S.inbound[d.id] || 0;
    q(".dest").textContent = d.role === "outbound" ? (departed ? "departed" : "no trailer") : "";
    q(".trailer").textContent = departed ? here[here.length - 1].id : "";
    for (const m of [q(".m-pal"), q(".m-kg")]) m.style.display = "none";
    renderVia(t, null);
    q(".dep-time").textContent = d.role === "outbound" ? "" : "pallets received";
    q(".countdown").textContent = "";
    if (d.role !== "outbound") {
      let big = q(".big");
      if (!big) { big = el("div", "big"); q(".trailer").after(big); }
      big.textContent = String(n);
    }
  }
  if (active) { const big = q(".big"); if (big) big.remove(); }
  if (S.closed.has(d.id)) { state = "closed"; label = "closed"; }
  t.dataset.state = state;
  q(".state").textContent = label;
}

function setMeter(m, value, cap, text) {
  m.style.display = "";
  const ratio = cap > 0 ? Math.min(1, value / cap) : 0;
  const fill = m.querySelector(".fill");
  fill.style.width = (ratio * 100).toFixed(1) + "%";
  fill.className = "fill" + (ratio >= 1 ? " full" : ratio >= 0.85 ? " hi" : "");
  m.querySelector("span").textContent = text;
}

function flash(door) {
  const t = S.tiles.get(door);
  if (!t) return;
  t.classList.add("flash");
  setTimeout(() => t.classList.remove("flash"), 500);
}

// ---- flow, alerts, KPIs ----
// The lists grow the page rather than scroll inside their panel: each shows its first rows, then how many more.
const FLOW_SHOWN = 12;

function more(ul, hidden, what) {
  if (hidden > 0) ul.appendChild(el("li", "more", `+ ${hidden} more ${what}`));
}

function renderFlow() {
  const now = S.now ? Date.parse(S.now) : Date.now();
  const staged = [], unrouted = [];
  for (const p of S.flow.values()) (p.state === "unrouted" ? unrouted : staged).push(p);
  staged.sort((a, b) => a.updated_at.localeCompare(b.updated_at));
  const list = $("staging");
  list.replaceChildren();
  for (const p of staged.slice(0, FLOW_SHOWN)) {
    const dwell = now - Date.parse(p.updated_at);
    const li = el("li");
    li.dataset.sscc = p.sscc;
    li.append(el("span", "mono", p.sscc), el("span", "dwell" + (dwell > S.dwellRed * 1000 ? " red" : ""), span(dwell)));
    li.append(el("span", "sub", `${p.state === "breakdown" ? "breakdown" : "staging"} ${p.target || "?"} · ${p.destination || "mixed"} · from ${p.inbound_door}${p.temp !== "ambient" ? " · " + p.temp : ""}`));
    addForce(li, p);
    list.appendChild(li);
  }
  more(list, staged.length - FLOW_SHOWN, "waiting");
  if (!staged.length) list.appendChild(el("li", "empty", "nothing waiting"));
  const ul = $("unrouted");
  ul.replaceChildren();
  for (const p of unrouted.slice(0, FLOW_SHOWN)) {
    const li = el("li");
    li.dataset.sscc = p.sscc;
    li.append(el("span", "mono", p.sscc), el("span", "muted", p.inbound_door));
    li.append(el("span", "sub", p.destination ? `no place for ${p.destination}` : "no known destination"));
    addForce(li, p);
    ul.appendChild(li);
  }
  more(ul, unrouted.length - FLOW_SHOWN, "unrouted");
  if (!unrouted.length) ul.appendChild(el("li", "empty", "none"));
  renderTrucks(now);
  renderTransit(now);
  renderLoads();
  $("flow-count").textContent = `${staged.length} waiting · ${unrouted.length} unrouted · ${S.transit.size} in transit`;
}

// Inbound queue: trucks waiting by ETA (countdown, red once late), then those at a door, then the latest
// unloaded ones that advance shipping notices announced (for what they were short of, over, mismatched).
function renderTrucks(now) {
  const ul = $("trucks");
  ul.replaceChildren();
  const waiting = S.trucks.filter((t) => t.state === "waiting").sort((a, b) => Date.parse(a.eta) - Date.parse(b.eta));
  const arrived = S.trucks.filter((t) => t.state === "arrived").sort((a, b) => a.arrived_at.localeCompare(b.arrived_at));
  const unloaded = S.unloaded.filter((t) => now - Date.parse(t.unloaded_at) <= S.unloadedShownS * 1000);
  for (const t of [...waiting, ...arrived, ...unloaded]) {
    const li = el("li");
    li.dataset.truck = t.id;
    li.dataset.state = t.state;
    li.append(el("span", "mono", t.id));
    if (t.state === "waiting") {
      const left = Date.parse(t.eta) - now;
      li.append(el("span", "dwell eta" + (left < 0 ? " red" : ""), (left < 0 ? "late " : "in ") + span(left)));
      // The yard's door, then the plan's suggestion when it differs ("for D1 → D6", or "→ D6" alone).
      const to = t.suggested_door && t.suggested_door !== t.door ? (t.door ? " → " : " · → ") + t.suggested_door : "";
      li.append(el("span", "sub", `ETA ${hhmm(t.eta)} · ${t.pallets} pal${t.carrier ? " · " + t.carrier : ""}${t.door ? " · for " + t.door : ""}${to}`));
    } else if (t.state === "arrived") {
      li.append(el("span", "dwell at-door", t.door));
      li.append(el("span", "sub", `at ${t.door} since ${hhmm(t.arrived_at)} · ${t.pallets} pal${t.carrier ? " · " + t.carrier : ""}`));
    } else {
      li.append(el("span", "dwell unloaded", "unloaded"));
      li.append(el("span", "sub", `unloaded at ${t.door} ${hhmm(t.unloaded_at)} · ${t.pallets} pal${t.carrier ? " · " + t.carrier : ""}`));
    }
    renderReceiving(li, t);
    ul.appendChild(li);
  }
  if (!waiting.length && !arrived.length && !unloaded.length) ul.appendChild(el("li", "empty", "no trucks expected"));
}

// Pallets assigned to a trailer, not yet confirmed loaded: from their inbound door to the trailer's door.
function renderTransit(now) {
  const ul = $("transit");
  ul.replaceChildren();
  const moving = [...S.transit.values()].sort((a, b) => a.updated_at.localeCompare(b.updated_at));
  for (const p of moving.slice(0, FLOW_SHOWN)) {
    const age = now - Date.parse(p.updated_at);
    const li = el("li");
    li.dataset.sscc = p.sscc;
    li.append(el("span", "mono", p.sscc), el("span", "dwell age" + (age > S.dwellRed * 1000 ? " red" : ""), span(age)));
    li.append(el("span", "sub route", `${p.inbound_door} → ${p.door || "?"} · ${p.trailer || "?"}`));
    ul.appendChild(li);
  }
  more(ul, moving.length - FLOW_SHOWN, "in transit");
  if (!moving.length) ul.appendChild(el("li", "empty", "none"));
}

function renderKpis() {
  const k = S.kpis;
  if (!k) return;
  const unit = (v, u) => `${v}<span class="unit">${u}</span>`;
  $("kpi-pph").innerHTML = unit(k.pallets_per_hour, "/h");
  $("kpi-d2d50").innerHTML = k.dock_to_dock_p50_min === null ? "–" : unit(k.dock_to_dock_p50_min, "min");
  $("kpi-d2d90").innerHTML = k.dock_to_dock_p90_min === null ? "–" : unit(k.dock_to_dock_p90_min, "min");
  $("kpi-util").innerHTML = unit(Math.round(k.door_utilisation * 100), `% · ${k.busy_doors}/${k.outbound_doors}`);
  $("kpi-travel").innerHTML = k.travel_m >= 1000 ? unit((k.travel_m / 1000).toFixed(2), "km") : unit(Math.round(k.travel_m), "m");
  $("kpi-loaded").textContent = String(k.loaded);
  $("kpi-stopped").textContent = String(k.wrong_door_scans_stopped);
  $("kpi-misloads").textContent = String(k.portal_misloads);
  $("kpi-misloads").classList.toggle("bad", k.portal_misloads > 0);
  renderSplits();
  $("kpi-ontime").innerHTML = k.on_time_departures === null || k.on_time_departures === undefined ? "–"
    : unit(Math.round(k.on_time_departures * 100), ` % · ${k.departed_on_time}/${k.departed_today}`);
  $("kpi-late-dep").textContent = String(k.late_departures);
  $("kpi-late-dep").classList.toggle("bad", k.late_departures > 0);
  $("kpi-late-pallets").textContent = String(k.late_pallets);
  $("kpi-late-pallets").classList.toggle("bad", k.late_pallets > 0);
  const waiting = k.trucks_waiting ? ` · ${k.trucks_waiting} waiting, longest ${Math.round(k.longest_wait_min)} min` : "";
  $("kpi-truck-wait").innerHTML = k.truck_wait_p90_min === null ? (waiting ? unit("–", waiting) : "–")
    : unit(k.truck_wait_p90_min, `min${waiting}`);
  $("kpi-note").textContent = k.dock_to_dock_basis
    ? `dock-to-dock: first scan → ${k.dock_to_dock_basis} (n=${k.dock_to_dock_count})` : "";
  const svg = $("spark");
  const pts = k.series.length > 1 ? k.series : [k.series[0] || 0, k.series[0] || 0];
  const max = Math.max(1, ...pts);
  const xy = pts.map((v, i) => `${(i / (pts.length - 1)) * 160},${38 - (v / max) * 34}`);
  svg.innerHTML = `<polygon points="0,40 ${xy.join(" ")} 160,40"></polygon><polyline points="${xy.join(" ")}"></polyline>`;
}

function renderClock() {
  if (S.now) $("clock").textContent = new Intl.DateTimeFormat("en-GB", { timeZone: S.tz, hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(new Date(S.now));
}
function renderAll() {
  for (const d of S.doors) renderTile(d);
  renderFlow(); renderAlerts(); renderKpis(); renderClock();
}

function onMessage(msg) {
  if (msg.type === "snapshot") {
    S.tz = msg.timezone; S.now = msg.now; S.dwellRed = msg.dwell_red_s; S.doors = msg.doors; S.inbound = msg.inbound;
    S.trailers = new Map(msg.trailers.map((t) => [t.id, t]));
    S.flow = new Map(msg.flow.map((p) => [p.sscc, p]));
    S.transit = new Map((msg.transit || []).map((p) => [p.sscc, p]));
    S.trucks = msg.trucks || [];
    S.unloaded = msg.unloaded_trucks || [];
    S.unloadedShownS = msg.unloaded_shown_s || 0;
    S.alerts = msg.alerts; S.kpis = msg.kpis; S.closed = new Set(msg.closed || []);
    S.confirmations = msg.confirmations || null;
    takeRecentLoads(msg);
    $("site").textContent = msg.site;
    document.title = `xdock · ${msg.site}`;
    buildDoors();
    renderAll();
  } else if (msg.type === "pallet") {
    const p = msg.pallet;
    if (["staged", "breakdown", "unrouted"].includes(p.state)) S.flow.set(p.sscc, p); else S.flow.delete(p.sscc);
    if (p.state === "assigned" && !p.loaded) S.transit.set(p.sscc, p); else S.transit.delete(p.sscc);
    noteLoad(p);
    Object.assign(S.inbound, msg.inbound);
    const doors = new Set([p.inbound_door]);
    for (const t of msg.trailers) {
      const old = S.trailers.get(t.id);
      if (old) doors.add(old.door);
      S.trailers.set(t.id, t);
      doors.add(t.door);
    }
    for (const id of doors) {
      const d = S.doors.find((x) => x.id === id);
      if (d) { renderTile(d); flash(id); }
    }
    renderFlow();
  } else if (msg.type === "receiving") {
    takeReceiving(msg);
    renderTrucks(S.now ? Date.parse(S.now) : Date.now());
  } else if (msg.type === "tick") {
    S.now = msg.now;
    if (msg.kpis) S.kpis = msg.kpis;
    if (msg.confirmations) S.confirmations = msg.confirmations;
    if (msg.alerts) S.alerts = msg.alerts;
    renderAll();
  }
}

// The header's link state: the live feed's ("connecting", "live", "down"), unless the sign-in stopped
// holding (token forgotten, the sign-in form up): then "signed out", never "reconnecting…".
const LINK_TEXT = { connecting: "connecting…", live: "live", down: "reconnecting…" };
const link = { state: "connecting", connects: 0 };
function renderLink() {
  const c = $("conn");
  const out = Session.enabled() && Session.user() === null;
  c.dataset.state = out ? "signed-out" : link.state;
  c.dataset.connects = String(link.connects);
  c.textContent = out ? "signed out" : LINK_TEXT[link.state];
}

Session.onChange(() => { renderLink(); if (S.doors.length) renderAlerts(); });
Session.onSignedOut(renderLink);
// The feed starts once every script of the page has run: its messages call into alerts.js, overrides.js
// and the others, which load after this file (a quick sign-in check must not outrun them).
document.addEventListener("DOMContentLoaded", () => Session.start().then(() => openLive("/api/v1/live", {
  message: onMessage,
  status(state, connects) {
    link.state = state;
    link.connects = connects;
    renderLink();
  },
})));
