"use strict";
// Receiving against advance shipping notices, in the flow panel's inbound queue (uses dashboard.js's S, el).
// Each truck a notice announced carries its `receiving` (web/views.py receiving_view): the counts of its
// pallets announced, received, pending, short, over and mismatched, and, when it has any discrepancy, the
// first SSCCs of each kind (`listed`). The snapshot gives it, then a `receiving` message whenever a scan at
// the truck's door or of one of its pallets changed it. Short, over and mismatched stand out in colour and
// in words ("⚠ 2 short"); a truck with any expands to list those pallets ("+ 3 more short" past the list),
// a mismatched one with the fields its label and its notice disagree on.
const RECEIVING_COUNTS = ["announced", "received", "pending", "short", "over", "mismatched"];
const DISCREPANCIES = ["short", "over", "mismatched"];
const receivingOpen = new Set();  // trucks whose pallet list the supervisor opened: kept open across renders

// A `receiving` message: the truck's new receiving, wherever it is listed.
function takeReceiving(msg) {
  const truck = [...S.trucks, ...S.unloaded].find((t) => t.id === msg.truck);
  if (truck) truck.receiving = msg.receiving;
}

// "field: label X, ASN Y" for each field a pallet's label and its notice disagree on.
function mismatchText(fields) {
  return Object.entries(fields).map(([field, [label, asn]]) => `${field}: label ${label ?? "–"}, ASN ${asn ?? "–"}`)
    .join("; ");
}

// The receiving of `truck` under its row in the queue (nothing for a truck no notice announced).
function renderReceiving(li, truck) {
  const r = truck.receiving;
  if (!r) return;
  const bad = DISCREPANCIES.filter((k) => r[k] > 0);
  li.classList.toggle("recv-bad", bad.length > 0);
  const line = el("div", "recv");
  line.setAttribute("aria-label", "Receiving against the advance shipping notices");
  RECEIVING_COUNTS.forEach((kind, i) => {
    if (i) line.append(" · ");
    const alarm = DISCREPANCIES.includes(kind) && r[kind] > 0;
    const count = el("span", "recv-n" + (alarm ? " bad" : ""), `${alarm ? "⚠ " : ""}${r[kind]} ${kind}`);
    count.dataset.kind = kind;
    line.append(count);
  });
  li.append(line);
  if (!bad.length || !r.listed) return;
  const details = el("details", "recv-detail");
  details.open = receivingOpen.has(truck.id);
  details.addEventListener("toggle", () => {
    if (details.open) receivingOpen.add(truck.id); else receivingOpen.delete(truck.id);
  });
  details.append(el("summary", "", `Pallets ${bad.map((k) => `${r[k]} ${k}`).join(" · ")}`));
  const ul = el("ul", "recv-list");
  for (const kind of DISCREPANCIES) {
    const shown = kind === "mismatched" ? r.listed.mismatched : r.listed[kind].map((sscc) => ({ sscc }));
    for (const p of shown) {
      const item = el("li");
      item.dataset.kind = kind;
      item.dataset.sscc = p.sscc;
      item.append(el("span", "tag", kind), el("span", "mono", p.sscc));
      if (p.fields) item.append(el("span", "fields", mismatchText(p.fields)));
      ul.append(item);
    }
    if (r[kind] > shown.length) ul.append(el("li", "more", `+ ${r[kind] - shown.length} more ${kind}`));
  }
  details.append(ul);
  li.append(details);
}
