"use strict";
// Cold chain & sensors panel: each temperature (and humidity) sensor's last hour as a sparkline with its
// limit as a dashed line and its current value coloured by status; door contacts and trailer presence as
// badges per door. Polled from /api/v1/sensors and /api/v1/telemetry every few seconds (not on the live
// socket). Statuses come from central: ok, breach, stale (no report for two periods, or what reports it
// is offline), no_data; a stale sensor's reason shows under its line, or on its door badge's title.
const SENSOR_POLL_MS = 3000;
const SPARK_WINDOW_MS = 3600 * 1000;
const SPARK_W = 160, SPARK_H = 36;
const MEASURED = ["temperature", "humidity"];
const UNIT_TEXT = { C: "°C", "%RH": "%RH" };
const STATUS_TEXT = { ok: "ok", breach: "breach", stale: "stale", no_data: "no data" };

const Sensors = (() => {
  async function refresh() {
    const listed = await Session.call("GET", "/api/v1/sensors");
    if (!listed.ok) { $("sensor-note").textContent = listed.data.detail || "sensors unavailable"; return; }
    const sensors = listed.data;
    $("sensors-panel").hidden = sensors.length === 0;  // a site file without sensors: nothing to watch
    if (!sensors.length) return;
    const now = siteNowMs();
    const since = new Date(now - SPARK_WINDOW_MS).toISOString();
    const series = new Map();
    for (const kind of MEASURED) {
      if (!sensors.some((s) => s.kind === kind)) continue;
      const q = new URLSearchParams({ measurement: "sensor_reading", kind, since, limit: "5000" });
      const got = await Session.call("GET", "/api/v1/telemetry?" + q);
      if (!got.ok) continue;
      for (const p of got.data) {
        const id = p.tags.sensor;
        if (!series.has(id)) series.set(id, []);
        series.get(id).push([Date.parse(p.time), p.fields.value]);
      }
    }
    render(sensors, series, now);
  }

  function render(sensors, series, now) {
    const measured = sensors.filter((s) => MEASURED.includes(s.kind));
    const ul = $("temps");
    ul.replaceChildren();
    for (const s of measured) ul.appendChild(row(s, series.get(s.id) || [], now));
    if (!measured.length) ul.appendChild(el("li", "empty", "no temperature sensors"));
    renderDoors(sensors.filter((s) => !MEASURED.includes(s.kind)));
    const bad = sensors.filter((s) => s.status !== "ok").length;
    const all = `${sensors.length} sensor${sensors.length === 1 ? "" : "s"}`;
    $("sensor-note").textContent = `${all} · ${bad} ${bad === 1 ? "needs" : "need"} a look`;
  }

  function row(s, points, now) {
    const li = el("li", "sensor");
    li.dataset.sensor = s.id;
    li.dataset.status = s.status;
    const unit = UNIT_TEXT[s.unit] || s.unit;
    const head = el("div", "sensor-head");
    head.append(el("span", "mono", s.id), el("span", "sensor-watch", `${s.watches} ${s.target}`));
    const value = el("span", "sensor-value", s.value === null ? "–" : `${s.value.toFixed(1)} ${unit}`);
    value.dataset.status = s.status;
    const status = el("span", "sensor-status", STATUS_TEXT[s.status] || s.status);
    status.dataset.status = s.status;
    const sub = [s.limit_c === null ? "no limit" : `limit ${s.limit_c.toFixed(1)} °C`];
    if (s.at) sub.push(`read ${hhmm(s.at)}`);
    li.append(head, spark(points, s.limit_c, now), value, status, el("span", "sub", sub.join(" · ")));
    if (s.reason) {
      const why = el("span", "sensor-why", s.reason);
      why.title = s.reason;
      li.append(why);
    }
    return li;
  }

  // The last hour, as the value held from one report to the next (edges report on change), up to now.
  function spark(points, limit, now) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "sensor-spark");
    svg.setAttribute("viewBox", `0 0 ${SPARK_W} ${SPARK_H}`);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.dataset.points = String(points.length);
    const start = now - SPARK_WINDOW_MS;
    const values = points.map((p) => p[1]).concat(limit === null ? [] : [limit]);
    if (!values.length) return svg;
    let lo = Math.min(...values), hi = Math.max(...values);
    if (hi - lo < 1) { lo -= 0.5; hi += 0.5; }
    const pad = (hi - lo) * 0.1;
    lo -= pad; hi += pad;
    const x = (t) => (Math.max(0, Math.min(SPARK_W, ((t - start) / SPARK_WINDOW_MS) * SPARK_W))).toFixed(1);
    const y = (v) => (SPARK_H - ((v - lo) / (hi - lo)) * SPARK_H).toFixed(1);
    let body = "";
    if (limit !== null) body += `<line class="limit" x1="0" x2="${SPARK_W}" y1="${y(limit)}" y2="${y(limit)}"></line>`;
    if (points.length) {
      const xy = [];
      points.forEach(([t, v], i) => {
        if (i > 0) xy.push(`${x(t)},${y(points[i - 1][1])}`);
        xy.push(`${x(t)},${y(v)}`);
      });
      xy.push(`${x(now)},${y(points[points.length - 1][1])}`);
      body += `<polyline points="${xy.join(" ")}"></polyline>`;
      if (limit !== null) {
        body += points.filter(([, v]) => v > limit)
          .map(([t, v]) => `<circle class="over" cx="${x(t)}" cy="${y(v)}" r="1.8"></circle>`).join("");
      }
    }
    svg.innerHTML = body;
    return svg;
  }

  function renderDoors(sensors) {
    const box = $("door-sensors");
    box.replaceChildren();
    const doors = [...new Set(sensors.map((s) => s.target))].sort();
    for (const door of doors) {
      const line = el("div", "door-line");
      line.dataset.door = door;
      line.append(el("span", "door-name", door));
      for (const s of sensors.filter((x) => x.target === door)) line.append(badge(s));
      box.appendChild(line);
    }
  }

  function badge(s) {
    const on = s.value === 1;
    let text;
    if (s.kind === "door_contact") text = s.value === null ? "door ?" : on ? "door open" : "door closed";
    else text = s.value === null ? "trailer ?" : on ? "trailer present" : "no trailer";
    if (s.status === "stale") text += " · stale";
    const b = el("span", "badge", text);
    b.dataset.sensor = s.id;
    b.dataset.status = s.status;
    b.dataset.on = String(on);
    const why = s.reason ? " — " + s.reason : "";
    b.title = `${s.id}: ${STATUS_TEXT[s.status] || s.status}${why}${s.at ? " · read " + hhmm(s.at) : ""}`;
    return b;
  }

  return panelPoller(SENSOR_POLL_MS, refresh, "sensor-note", "sensors");
})();

Sensors.start();
