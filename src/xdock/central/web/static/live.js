"use strict";
// A WebSocket to central's /api/v1/live that reconnects by itself with back-off (0.5 s doubling to
// 10 s, with jitter). Every (re)connection starts with a full snapshot, so the screen resynchronises.
// A frame is one message, or an array of messages sent together. When access control is on the token
// goes as the first message (never in the URL); a close refusing it (4401, 4403: see Session.liveClosed)
// asks for a token, then reconnects.

function openLive(path, handlers) {
  let attempt = 0;
  let connects = 0;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(scheme + "://" + location.host + path);
    ws.onopen = () => {
      if (Session.enabled()) ws.send(JSON.stringify({ type: "auth", token: Session.token() || "" }));
    };
    ws.onmessage = (ev) => {
      if (!ws.counted) {
        ws.counted = true;
        attempt = 0;
        connects += 1;
        handlers.status("live", connects);
      }
      const data = JSON.parse(ev.data);
      for (const msg of Array.isArray(data) ? data : [data]) handlers.message(msg);
    };
    ws.onclose = (ev) => {
      handlers.status("down", connects);
      const signedIn = Session.liveClosed(ev.code, ev.reason);
      if (signedIn) {
        signedIn.then(connect);
        return;
      }
      const delay = Math.min(10000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      attempt = Math.min(attempt + 1, 5);
      setTimeout(connect, delay);
    };
    ws.onerror = () => ws.close();
  }
  connect();
}

// A JSON call to central's API with the signed-in user's token (see session.js).
function callApi(method, path, body) {
  return Session.call(method, path, body);
}
