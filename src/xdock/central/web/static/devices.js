"use strict";
// Devices panel: each edge (door, online, outbox backlog, seconds since its last status) with its devices
// under it (and what the broker refuses the edge, if anything): kind, online, for readers and scanners their read rate over the last 15 minutes as a sparkline
// with the current rate, and the error counters that matter, marked when they rose in those 15 minutes.
// Offline edges and devices come first, in red. MQTT sensor nodes (their own pseudo-edges, `kind`
// "sensor_node" in /api/v1/edges) are devices, listed together after the edges, each with its own status,
// when it was last heard and the sensors whose latest reading came through it (from /api/v1/sensors).
// Polled from /api/v1/edges and /api/v1/telemetry (read_rate and device_health points) every few seconds;
// hidden while central knows no edge or node.
const DEVICE_POLL_MS = 3000;
const DEVICE_WINDOW_MS = 15 * 60 * 1000;
const RATE_W = 200, RATE_H = 22;
const KIND_TEXT = {
  serial_scanner: "scanner", rfid_reader: "RFID reader", modbus_sensor: "Modbus probe", sensor_node: "sensor node",
};
// Per kind: how its rate reads (per second, or per minute for hand scans), and its error counters.
const RATE_UNIT = { rfid_reader: ["reads/s", 1], serial_scanner: ["scans/min", 60] };
const WATCHED = {
  rfid_reader: ["bad_frames", "reconnects", "clock_rebased"],
  modbus_sensor: ["timeouts", "crc_errors"],
  serial_scanner: ["bad_lines"],
};
const COUNTER_TEXT = {
  bad_frames: "bad frames", reconnects: "reconnects", clock_rebased: "clock rebased", timeouts: "timeouts",
  crc_errors: "CRC errors", bad_lines: "bad lines",
};

const Devices = (() => {
  // The points of one measurement in the window, by "edge/device", oldest first (none when unavailable).
  async function series(measurement, since) {
    const q = new URLSearchParams({ measurement, since, limit: "5000" });
    const got = await Session.call("GET", "/api/v1/telemetry?" + q);
    const by = new Map();
    if (!got.ok) return by;
    for (const p of got.data) {
      const key = `${p.tags.edge}/${p.tags.device}`;
      if (!by.has(key)) by.set(key, []);
      by.get(key).push(p);
    }
    return by;
  }

  async function refresh() {
    const listed = await Session.call("GET", "/api/v1/edges");
    if (!listed.ok) { $("device-note").textContent = listed.data.detail || "devices unavailable"; return; }
    const edges = listed.data;
    $("devices-panel").hidden = edges.length === 0;
    if (!edges.length) return;
    const now = siteNowMs();
    const since = new Date(now - DEVICE_WINDOW_MS).toISOString();
    const nodes = edges.some((e) => e.kind === "sensor_node");
    const [rates, health, sensors] = await Promise.all([
      series("read_rate", since), series("device_health", since), nodes ? sensorsBy() : new Map()]);
    render(edges, rates, health, sensors, now);
  }

  // The configured sensors by the id that reported their latest reading (none when unavailable).
  async function sensorsBy() {
    const got = await Session.call("GET", "/api/v1/sensors");
    const by = new Map();
    if (!got.ok) return by;
    for (const s of got.data) {
      if (!s.edge) continue;
      if (!by.has(s.edge)) by.set(s.edge, []);
      by.get(s.edge).push(s);
    }
    return by;
  }

  // Offline first, then not yet known, then online; each by door and id.
  const rank = (online) => (online === false ? 0 : online === null ? 1 : 2);
  const byState = (a, b) => rank(a.online) - rank(b.online) || (a.door || "").localeCompare(b.door || "")
    || a.id.localeCompare(b.id);

  function render(listed, rates, health, sensors, now) {
    const ul = $("edges");
    ul.replaceChildren();
    const edges = listed.filter((e) => e.kind !== "sensor_node");
    const nodes = listed.filter((e) => e.kind === "sensor_node").sort(byState);
    for (const e of [...edges].sort(byState)) ul.appendChild(edgeItem(e, rates, health, now));
    if (nodes.length) ul.appendChild(nodesItem(nodes, sensors, now));
    // Every device counts once: the edges' devices and the sensor nodes; an edge without a status of its
    // own yet is not "online".
    const devices = edges.reduce((n, e) => n + e.devices.length, 0) + nodes.length;
    const down = edges.filter((e) => e.online === false).length + nodes.filter((n) => !n.online).length
      + edges.reduce((n, e) => n + e.devices.filter((d) => !d.online).length, 0);
    const unknown = edges.filter((e) => e.online === null).length;
    const states = [down ? `${down} offline` : "", unknown ? `${unknown} no status` : ""].filter(Boolean);
    $("device-note").textContent = `${plural(edges.length, "edge")} · ${plural(devices, "device")} · `
      + (states.length ? states.join(" · ") : "all online");
  }

  // The sensor nodes, offline first: each a device with its state, when last heard and its sensors.
  function nodesItem(nodes, sensors, now) {
    const li = el("li", "edge nodes");
    li.dataset.online = String(nodes.some((n) => n.online));  // the group is red only when every node is down
    const head = el("div", "edge-head");
    head.append(el("span", "edge-door", "sensor nodes"), el("span", "edge-id", "straight to the broker"));
    const list = el("ul", "devices");
    for (const n of nodes) list.appendChild(nodeItem(n, sensors.get(n.id) || [], now));
    li.append(head, list);
    return li;
  }

  // A sensor's latest value as its chip shows it: "3.2 °C", "76.6 %RH", "open" / "closed", "present" / "none".
  function sensorText(s) {
    if (s.value === null) return "–";
    if (s.kind === "door_contact") return s.value ? "open" : "closed";
    if (s.kind === "trailer_presence") return s.value ? "present" : "none";
    return `${s.value.toFixed(1)} ${UNIT_TEXT[s.unit] || s.unit}`;
  }

  // A node says it is online once, when it connects (its Last Will says when it is gone): while online, its
  // latest reading tells best when it was last heard.
  function nodeItem(n, sensors, now) {
    const li = el("li", "device node");
    li.dataset.device = n.id;
    li.dataset.kind = "sensor_node";
    li.dataset.online = String(n.online);
    const head = el("div", "device-head");
    head.append(el("span", "device-kind", KIND_TEXT.sensor_node), el("span", "mono device-id", n.id));
    li.append(head, el("span", "dev-state", n.online ? "online" : "offline"));
    const [device] = n.devices;
    const sub = [];
    if (!n.online && device && device.detail) sub.push(device.detail);
    const read = Math.max(...sensors.filter((s) => s.at).map((s) => Date.parse(s.at)));
    if (n.online && Number.isFinite(read)) sub.push("last reading " + ago(Math.max(0, (now - read) / 1000)));
    else sub.push(n.seen_ago_s === null ? "never seen online" : (n.online ? "status " : "last seen ") + ago(n.seen_ago_s));
    li.append(el("span", "sub device-sub", sub.join(" · ")));
    if (sensors.length) {
      const box = el("div", "node-sensors");
      for (const s of [...sensors].sort((a, b) => a.id.localeCompare(b.id))) {
        const chip = el("span", "counter node-sensor", `${s.id} ${sensorText(s)}`);
        chip.dataset.sensor = s.id;
        box.append(chip);
      }
      li.append(box);
    }
    return li;
  }

  function plural(n, word) { return `${n} ${word}${n === 1 ? "" : "s"}`; }

  function ago(seconds) {
    if (seconds < 90) return `${Math.round(seconds)} s ago`;
    if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
    return `${(seconds / 3600).toFixed(1)} h ago`;
  }

  function stateText(online) { return online === false ? "offline" : online === null ? "no status" : "online"; }

  function edgeItem(e, rates, health, now) {
    const li = el("li", "edge");
    li.dataset.edge = e.id;
    li.dataset.online = String(e.online);
    const head = el("div", "edge-head");
    head.append(el("span", "edge-door", e.door ? `door ${e.door}` : "no door"), el("span", "mono edge-id", e.id),
      el("span", "dev-state", stateText(e.online)));
    const sub = el("div", "edge-sub");
    const backlog = el("span", "edge-backlog", e.backlog === null ? "backlog ?" : `backlog ${e.backlog}`);
    backlog.dataset.waiting = String(e.backlog !== null && e.backlog > 0);
    const seen = e.seen_ago_s === null ? "never seen" : (e.online === false ? "last seen " : "status ")
      + ago(e.seen_ago_s);
    sub.append(backlog, el("span", "edge-seen", seen));
    if (e.version) sub.append(el("span", "edge-version", `v${e.version}`));
    // What the broker refuses this edge (its scans wait in the outbox meanwhile).
    if (e.problem) sub.append(el("span", "edge-problem", e.problem));
    const devices = el("ul", "devices");
    for (const d of [...e.devices].sort(byState)) {
      const key = `${e.id}/${d.id}`;
      devices.appendChild(deviceItem(d, rates.get(key) || [], health.get(key) || [], now));
    }
    if (!e.devices.length) devices.appendChild(el("li", "empty", "no devices reported"));
    li.append(head, sub, devices);
    return li;
  }

  function deviceItem(d, rates, health, now) {
    const li = el("li", "device");
    li.dataset.device = d.id;
    li.dataset.kind = d.kind;
    li.dataset.online = String(d.online);
    const head = el("div", "device-head");
    head.append(el("span", "device-kind", KIND_TEXT[d.kind] || d.kind), el("span", "mono device-id", d.id));
    li.append(head);
    const unit = RATE_UNIT[d.kind];
    if (unit) {
      const points = rates.map((p) => [Date.parse(p.time), p.fields.per_s * unit[1]]);
      const last = points.length ? points[points.length - 1][1] : null;
      li.append(spark(points, now), el("span", "device-rate", d.online && last !== null
        ? `${last.toFixed(1)} ${unit[0]}` : `– ${unit[0]}`));
    }
    li.append(el("span", "dev-state", d.online ? "online" : "offline"));
    const watched = (WATCHED[d.kind] || []).filter((name) => d.counters && name in d.counters);
    if (watched.length) {
      const box = el("div", "counters");
      for (const name of watched) box.append(counter(name, d.counters[name], health));
      li.append(box);
    }
    const sub = [];
    if (d.detail) sub.push(d.detail);
    if (!d.online) sub.push(d.seen_ago_s === null ? "never seen online" : "last seen " + ago(d.seen_ago_s));
    if (sub.length) li.append(el("span", "sub device-sub", sub.join(" · ")));
    return li;
  }

  // A counter with how much it rose over the window's health points and its current value (a drop is a
  // driver restart: what it counts since then is new).
  function counter(name, value, health) {
    const values = health.map((p) => p.fields[name]).filter((v) => typeof v === "number").concat([value]);
    let rose = 0;
    for (let i = 1; i < values.length; i++) {
      rose += values[i] >= values[i - 1] ? values[i] - values[i - 1] : values[i];
    }
    const chip = el("span", "counter", `${COUNTER_TEXT[name] || name} ${value}` + (rose ? ` +${rose}` : ""));
    chip.dataset.counter = name;
    chip.dataset.rose = String(rose > 0);
    chip.title = rose ? `${name}: ${value}, up ${rose} in the last 15 min` : `${name}: ${value}, steady for 15 min`;
    return chip;
  }

  // The window's rates, each held back to the point before (a rate covers the period up to its point).
  function spark(points, now) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "device-spark");
    svg.setAttribute("viewBox", `0 0 ${RATE_W} ${RATE_H}`);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.dataset.points = String(points.length);
    if (!points.length) return svg;
    const start = now - DEVICE_WINDOW_MS;
    const hi = Math.max(...points.map((p) => p[1])) * 1.15 || 1;
    const x = (t) => Math.max(0, Math.min(RATE_W, ((t - start) / DEVICE_WINDOW_MS) * RATE_W)).toFixed(1);
    const y = (v) => (RATE_H - 1 - (v / hi) * (RATE_H - 2)).toFixed(1);
    const xy = [];
    points.forEach(([t, v], i) => {
      const from = i ? x(points[i - 1][0]) : Math.max(0, x(t) - 3).toFixed(1);
      xy.push(`${from},${y(v)}`, `${x(t)},${y(v)}`);
    });
    const line = xy.join(" ");
    const first = xy[0].split(",")[0], end = x(points[points.length - 1][0]);
    svg.innerHTML = `<polygon points="${first},${RATE_H} ${line} ${end},${RATE_H}"></polygon>`
      + `<polyline points="${line}"></polyline>`;
    return svg;
  }

  return panelPoller(DEVICE_POLL_MS, refresh, "device-note", "devices");
})();

Devices.start();
