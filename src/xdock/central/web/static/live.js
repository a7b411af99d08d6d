"use strict";
// A WebSocket to central's /api/v1/live that reconnects by itself with back-off (0.5 s doubling to
// 10 s, with jitter). Every (re)connection starts with a full snapshot, so the screen resynchronises.
// A frame is one message, or an array of messages sent together.
function openLive(path, handlers) {
  let attempt = 0;
  let connects = 0;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(scheme + "://" + location.host + path);
    ws.onopen = () => {
      attempt = 0;
      connects += 1;
      handlers.status("live", connects);
    };
    ws.onmessage = (ev) => {
      const data = JSON.parse(ev.data);
      for (const msg of Array.isArray(data) ? data : [data]) handlers.message(msg);
    };
    ws.onclose = () => {
      handlers.status("down", connects);
      const delay = Math.min(10000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      attempt = Math.min(attempt + 1, 5);
      setTimeout(connect, delay);
    };
    ws.onerror = () => ws.close();
  }
  connect();
}

// A JSON call to central's API with the bearer token kept in localStorage ("xdock.token"); when
// access control refuses it (401), ask for a token once and try again.
async function callApi(method, path, body) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const headers = { "Content-Type": "application/json" };
    const token = localStorage.getItem("xdock.token");
    if (token) headers.Authorization = "Bearer " + token;
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = await res.json().catch(() => ({ detail: res.statusText }));
    if (res.status === 401 && attempt === 0) {
      const entered = window.prompt("Access token (" + (data.detail || "required") + ")");
      if (entered) { localStorage.setItem("xdock.token", entered.trim()); continue; }
    }
    return { ok: res.ok, status: res.status, data };
  }
  return { ok: false, status: 401, data: { detail: "no access token" } };
}
