"use strict";
// The alerts panel (uses dashboard.js's state S and helpers): where it stands, and its list. On a door grid
// with a dock floor (doors on three walls or more) it stands on the floor, beside the doors, its list cut to
// what fits there unless the supervisor asks for all; otherwise under the doors, beside the flow panel. Open
// alerts first, then acknowledged ones, then the latest cleared ones.
const CLEARED_SHOWN = 8;
const FLOOR_ALERTS_SHOWN = 6;

// The alerts panel goes on the dock floor, the empty middle of a door grid with three walls or more (so the
// open alerts sit beside the doors, in the first screenful); on a grid without one, under the doors beside
// the flow panel.
function placeAlerts(panel, grid, ys, cols, colOf) {
  const under = document.querySelector(".under");
  const inner = S.doors.filter((d) => d.y !== ys[0] && d.y !== ys[ys.length - 1]).map((d) => colOf.get(d.id) + 1);
  const last = inner.length ? Math.min(...inner) : cols + 1;
  if (ys.length >= 3 && last > 1) {
    panel.style.gridRow = `2 / ${ys.length}`;
    panel.style.gridColumn = `1 / ${last}`;
    panel.classList.add("on-floor");
    grid.appendChild(panel);
  } else {
    panel.style.gridRow = panel.style.gridColumn = "";
    panel.classList.remove("on-floor");
    under.prepend(panel);
  }
  under.dataset.panels = String(under.children.length);
}

function alertStatus(a) {
  return a.cleared_at ? "cleared" : a.acknowledged_at || a.acknowledged_by ? "acked" : "open";
}

// Open alerts first, then acknowledged ones, each newest first as the server sends them; then the latest
// cleared ones.
function renderAlerts() {
  const ul = $("alerts");
  ul.replaceChildren();
  const rank = { open: 0, acked: 1, cleared: 2 };
  const ordered = S.alerts.map((a, i) => [a, i])
    .sort(([a, i], [b, j]) => rank[alertStatus(a)] - rank[alertStatus(b)] || i - j).map(([a]) => a);
  const open = ordered.filter((a) => !a.cleared_at).length;
  // On the dock floor the list is cut to what fits beside the doors, unless the supervisor asks for all.
  const panel = $("alerts-panel");
  const cut = panel.classList.contains("on-floor") && panel.dataset.all !== "true";
  const shown = cut ? Math.min(ordered.length, FLOOR_ALERTS_SHOWN) : Math.min(ordered.length, open + CLEARED_SHOWN);
  for (const a of ordered.slice(0, shown)) {
    const acked = a.acknowledged_at || a.acknowledged_by;
    const status = alertStatus(a);
    const li = el("li", "alert-" + status);
    li.dataset.alert = String(a.id);
    const tag = el("span", "tag", status);
    if (status === "open" && Session.canOverride()) {
      const ack = el("button", "ack", "Ack");
      ack.addEventListener("click", () => override(`Acknowledge alert: ${a.message}?`, `/api/v1/alerts/${a.id}/acknowledge`));
      tag.append(ack);
    }
    li.append(el("span", "", a.message), tag);
    let sub = `${a.kind} · raised ${hhmm(a.raised_at)}`;
    if (acked) sub += ` · ack ${a.acknowledged_by || ""}${a.acknowledged_at ? " " + hhmm(a.acknowledged_at) : ""}`;
    if (a.cleared_at) sub += ` · cleared ${hhmm(a.cleared_at)}`;
    li.append(el("span", "sub", sub));
    ul.appendChild(li);
  }
  if (cut && shown < ordered.length) {
    const hidden = ordered.slice(shown).filter((a) => !a.cleared_at).length;
    const li = el("li", "more");
    const all = el("button", "show-all", hidden ? `+ ${hidden} more open · show all` : "show cleared");
    all.addEventListener("click", () => { panel.dataset.all = "true"; renderAlerts(); });
    li.append(all);
    ul.appendChild(li);
  } else {
    more(ul, ordered.length - shown, "cleared");
  }
  if (panel.dataset.all === "true" && panel.classList.contains("on-floor")) {
    const li = el("li", "more");
    const fewer = el("button", "show-all", "show fewer");
    fewer.addEventListener("click", () => { panel.dataset.all = "false"; renderAlerts(); });
    li.append(fewer);
    ul.appendChild(li);
  }
  if (!S.alerts.length) ul.appendChild(el("li", "empty", "no alerts"));
  $("alert-count").textContent = `${open} open`;
}
