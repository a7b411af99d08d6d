"use strict";
// Dashboard panels that follow the API by polling rather than the live socket (sensors, devices): one
// refresh per period while someone may call the API, a failure shown in the panel's note, and the next
// refresh scheduled whatever happened.

// The site's time as the live socket last told it (milliseconds), else the browser's.
function siteNowMs() {
  return typeof S !== "undefined" && S.now ? Date.parse(S.now) : Date.now();
}

// A poller calling ``refresh`` every ``periodMs``; ``start()`` begins it once.
function panelPoller(periodMs, refresh, noteId, what) {
  let timer = null;
  async function poll() {
    timer = null;
    try {
      if (Session.user() !== null) await refresh();
    } catch (err) {
      $(noteId).textContent = what + " unavailable: " + err.message;
    } finally {
      timer = setTimeout(poll, periodMs);
    }
  }
  return { start() { if (timer === null) poll(); } };
}
