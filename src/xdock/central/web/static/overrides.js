"use strict";
// The supervisor's overrides on the dashboard (uses dashboard.js's state S and helpers). A door tile
// opens a dialog (showing its trailer's loads by handheld scan / RFID portal, as the tile does, see
// loads.js) to close/open the door, move its trailer to a free outbound door or mark the trailer
// departed; a pallet waiting in the flow panel can be forced onto an open trailer for its destination.
// Each asks for confirmation, then goes through central's override API; a refusal (the API's
// problem+json detail, e.g. "door D18 is taken by trailer T-LYON-2") is shown in the dialog as it came.

// Confirm, call, and show a refusal; true when central took the override.
async function override(question, path, body) {
  if (!window.confirm(question)) return false;
  const { ok, data } = await callApi("POST", path, body);
  if (!ok) {
    $("dlg-msg").textContent = data.detail || "refused";
    if (!$("door-dialog").open) window.alert(data.detail || "refused");
  }
  return ok;
}

// Fill the shared dialog; read-only (with the reason) for a role that cannot override.
function showDialog(title, info, fill) {
  const dlg = $("door-dialog");
  $("dlg-title").textContent = title;
  $("dlg-info").textContent = info;
  $("dlg-msg").textContent = "";
  S.dialogDoor = null;
  renderDialogVia(null);
  const actions = $("dlg-actions");
  actions.replaceChildren();
  if (!Session.canOverride()) {
    actions.append(el("p", "read-only", `Read-only: your role (${Session.user().role}) cannot override the plan.`));
  } else {
    fill(actions, dlg);
  }
  dlg.showModal();
}

function actionButton(label, cls, onClick) {
  const b = el("button", "act " + cls, label);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

// A labelled select and its button; `choices` are [value, text]; `none` shows when there is no choice.
function picker(id, label, choices, none, button, onPick) {
  const box = el("div", "pick");
  const lab = el("label", "pick-label", label);
  lab.htmlFor = id;
  const sel = el("select", "pick-select");
  sel.id = id;
  for (const [value, text] of choices) sel.append(new Option(text, value));
  const go = el("button", "act pick-go", button);
  go.type = "button";
  if (!choices.length) {
    sel.append(new Option(none, ""));
    sel.disabled = go.disabled = true;
  }
  go.addEventListener("click", () => onPick(sel.value));
  const row = el("div", "pick-row");
  row.append(sel, go);
  box.append(lab, row);
  return box;
}

// Outbound doors a trailer may move to: open, and no trailer still loading there.
function freeDoors(except) {
  const busy = new Set([...S.trailers.values()].filter((t) => !t.departed).map((t) => t.door));
  return S.doors.filter((d) => d.role !== "inbound" && d.id !== except && !busy.has(d.id) && !S.closed.has(d.id));
}

function openDoorDialog(d) {
  const active = trailersAt(d.id).find((x) => !x.departed);
  const closed = S.closed.has(d.id);
  const info = `${d.role}${closed ? " · closed" : ""}` + (active ? ` · ${active.id} to ${active.destination_name}, ${active.pallets}/${active.capacity_pallets} pallets` : "");
  showDialog(`Door ${d.id}`, info, (actions, dlg) => {
    const add = (label, cls, question, path, body) => actions.append(actionButton(label, cls, async () => {
      if (await override(question, path, body)) dlg.close();
    }));
    if (closed) add(`Open door ${d.id}`, "", `Open door ${d.id} again?`, `/api/v1/doors/${d.id}/open`);
    else add(`Close door ${d.id}`, "danger", `Close door ${d.id}? Its trailers take no more pallets; their pallets go to staging.`, `/api/v1/doors/${d.id}/close`);
    if (!active) return;
    const doors = freeDoors(d.id).map((f) => [f.id, f.role === "both" ? `${f.id} · in/out` : f.id]);
    actions.append(picker("dlg-move-door", "Move trailer to door…", doors, "no free outbound door", `Move ${active.id}`,
      async (door) => {
        if (await override(`Move ${active.id} from door ${d.id} to door ${door}? Its pallets follow it.`,
          `/api/v1/trailers/${active.id}/move`, { door })) dlg.close();
      }));
    add(`Mark ${active.id} departed`, "danger", `Mark ${active.id} departed? No pallet goes to it any more.`, `/api/v1/trailers/${active.id}/depart`);
  });
  S.dialogDoor = d.id;  // the trailer's split follows its loads while the dialog is open
  renderDialogVia(active);
}

// Trailers a pallet for `destination` may be forced onto: not departed, not at a closed door.
function openTrailers(destination) {
  return [...S.trailers.values()]
    .filter((t) => t.destination === destination && !t.departed && !S.closed.has(t.door))
    .sort((a, b) => a.departure.localeCompare(b.departure));
}

function openPalletDialog(p) {
  const where = p.state === "unrouted" ? "unrouted" : `${p.state === "breakdown" ? "breakdown" : "staging"} ${p.target || "?"}`;
  showDialog(`Pallet ${p.sscc}`, `${where} · ${p.destination} · from ${p.inbound_door}${p.temp !== "ambient" ? " · " + p.temp : ""}`,
    (actions, dlg) => {
      const trailers = openTrailers(p.destination).map((t) => [t.id,
        `${t.id} · ${t.door} · ${t.pallets}/${t.capacity_pallets}${t.pallets >= t.capacity_pallets ? " full" : ""} · dep ${hhmm(t.departure)}${t.reefer ? " · reefer" : ""}`]);
      actions.append(picker("dlg-force-trailer", "Force to trailer…", trailers, `no open trailer for ${p.destination}`, "Force",
        async (id) => {
          const t = S.trailers.get(id);
          if (await override(`Force pallet ${p.sscc} onto ${id} at door ${t.door}?`,
            `/api/v1/pallets/${p.sscc}/assign`, { trailer: id })) dlg.close();
        }));
    });
}

// The flow panel's "Force to trailer…" button on a waiting pallet with a known destination.
function addForce(li, p) {
  if (!p.destination || !Session.canOverride()) return;
  li.classList.add("has-act");
  const b = el("button", "row-act", "Force to trailer…");
  b.type = "button";
  b.addEventListener("click", () => openPalletDialog(S.flow.get(p.sscc) || p));
  li.append(b);
}

$("door-dialog").addEventListener("close", () => { S.dialogDoor = null; });
