"use strict";
// Signing in to central from the screens. The page asks GET /api/v1/access whether central wants a
// token; if so it asks for one once (a full-screen form), checks it with GET /api/v1/me, keeps it in
// sessionStorage (this tab only, gone when it closes) and sends it as "Authorization: Bearer" on every
// call. A 401 forgets it and asks again; a 403 says which role the user has and that it cannot do this.
// The live feed closes with 4401 (token refused: revoked, expired, user removed) or 4403 (role too low),
// at sign-in or later while open ("signed out: token revoked"): the token is forgotten and the form shown
// with the reason, so the page never reconnects in a loop with a dead token. Pages follow a token forgotten
// (signed out) with onSignedOut, and a user signed in with onChange.
const Session = (() => {
  const KEY = "xdock.token";
  const LIVE_UNAUTHORIZED = 4401;
  const LIVE_FORBIDDEN = 4403;
  const SIGNED_OUT = "signed out: ";
  const listeners = [];
  const signedOut = [];
  let enabled = null;
  let user = null;
  let asking = null;
  localStorage.removeItem(KEY); // tokens are no longer kept beyond the tab's session

  const token = () => sessionStorage.getItem(KEY);

  async function me(candidate) {
    const res = await fetch("/api/v1/me", { headers: { Authorization: "Bearer " + candidate } });
    const data = await res.json().catch(() => ({ detail: res.statusText }));
    return { ok: res.ok, status: res.status, data };
  }

  function form() {
    let box = document.getElementById("signin");
    if (box) return box;
    box = document.createElement("div");
    box.id = "signin";
    box.className = "signin";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "true");
    box.setAttribute("aria-labelledby", "signin-title");
    box.innerHTML = `<form class="signin-card" autocomplete="off">
      <div class="signin-logo">xdock</div>
      <h1 id="signin-title">Sign in</h1>
      <p id="signin-why" class="signin-why"></p>
      <label for="signin-token">Access token</label>
      <input id="signin-token" name="token" type="password" spellcheck="false" autocapitalize="off" placeholder="xdk_…">
      <p class="signin-help">Paste the token printed by <code>xdock central user add</code>
        (or a new one from <code>xdock central user token NAME</code>).</p>
      <p id="signin-error" class="signin-error" role="alert"></p>
      <button type="submit" class="signin-go">Sign in</button>
    </form>`;
    document.body.append(box);
    return box;
  }

  // Show the form until a token that central accepts is entered; resolves with its user.
  function ask(why) {
    if (asking) return asking;
    asking = new Promise((done) => {
      const box = form();
      const input = box.querySelector("#signin-token");
      const error = box.querySelector("#signin-error");
      box.querySelector("#signin-why").textContent = why;
      error.textContent = "";
      input.value = "";
      box.hidden = false;
      input.focus();
      box.querySelector("form").onsubmit = async (ev) => {
        ev.preventDefault();
        const candidate = input.value.trim();
        if (!candidate) { error.textContent = "Paste a token first."; return; }
        error.textContent = "Checking…";
        let answer;
        try { answer = await me(candidate); } catch (err) { error.textContent = "Central does not answer: " + err; return; }
        if (!answer.ok) { error.textContent = `Refused (${answer.status}): ${answer.data.detail || "unknown token"}`; input.select(); return; }
        sessionStorage.setItem(KEY, candidate);
        enabled = true;
        user = answer.data;
        box.hidden = true;
        asking = null;
        render();
        for (const fn of listeners) fn(user);
        done(user);
      };
    });
    return asking;
  }

  function render() {
    const who = document.getElementById("who");
    if (!who) return;
    who.replaceChildren();
    who.hidden = !enabled || !user;
    if (who.hidden) return;
    const name = document.createElement("span");
    name.className = "who-name";
    name.textContent = user.name;
    const role = document.createElement("span");
    role.className = "who-role";
    role.dataset.role = user.role;
    role.textContent = user.role;
    const out = document.createElement("button");
    out.type = "button";
    out.className = "who-out";
    out.textContent = "Sign out";
    out.addEventListener("click", signOut);
    who.append(name, role, out);
  }

  function forget() {
    sessionStorage.removeItem(KEY);
    user = null;
    render();
    for (const fn of signedOut) fn();
  }

  function signOut() { forget(); location.reload(); }

  // Resolves with the user once the page may talk to central ({name: "anonymous", role: "admin"} when open).
  async function start() {
    const res = await fetch("/api/v1/access");
    enabled = (await res.json()).enabled;
    if (!enabled) { user = { name: "anonymous", role: "admin" }; render(); return user; }
    const saved = token();
    if (saved) {
      const answer = await me(saved);
      if (answer.ok) { user = answer.data; render(); return user; }
      forget();
      return ask(`Your token was refused: ${answer.data.detail}. Sign in again.`);
    }
    return ask("Central asks who you are.");
  }

  // The live feed closed with `code` and `reason`: when it was a refusal of the token (4401) or of its
  // user's role (4403), forget the token and resolve once signed in again; otherwise null.
  function liveClosed(code, reason) {
    if (code !== LIVE_UNAUTHORIZED && code !== LIVE_FORBIDDEN) return null;
    forget();
    if (reason.startsWith(SIGNED_OUT)) {
      return ask(`Signed out: ${reason.slice(SIGNED_OUT.length)}. Sign in again.`);
    }
    return ask(`The live feed refused your token: ${reason || "unauthorised"}. Sign in again.`);
  }

  // A JSON call to central's API; a 401 asks for a token and tries once more, a 403 names the role.
  async function call(method, path, body) {
    for (let attempt = 0; ; attempt++) {
      const headers = { "Content-Type": "application/json" };
      const current = token();
      if (current) headers.Authorization = "Bearer " + current;
      const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const data = await res.json().catch(() => ({ detail: res.statusText }));
      if (res.status === 401 && attempt === 0) {
        enabled = true;
        forget();
        await ask(`Your token was refused: ${data.detail || "unauthorised"}. Sign in again.`);
        continue;
      }
      if (res.status === 403) {
        const role = user ? user.role : "unknown";
        data.detail = `Your role (${role}) cannot do this: ${data.detail || "forbidden"}`;
      }
      return { ok: res.ok, status: res.status, data };
    }
  }

  return {
    start, call, ask, forget, liveClosed,
    token,
    enabled: () => enabled === true,
    user: () => user,
    canOverride: () => enabled === false || (user !== null && user.role !== "worker"),
    onChange: (fn) => listeners.push(fn),
    onSignedOut: (fn) => signedOut.push(fn),
  };
})();
