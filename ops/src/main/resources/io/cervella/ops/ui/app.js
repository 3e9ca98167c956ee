// The dashboard: plain DOM and uPlot, no build step. Data comes from /ui/api/overview with the
// session cookie; a 401 shows the sign-in form. Everything shown is set with textContent (no HTML
// from the server is ever parsed).
"use strict";

const $ = (id) => document.getElementById(id);
let charts = [];
let refreshTimer = null;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function badge(state) {
  return el("span", state, "badge " + String(state).toLowerCase());
}

function age(seconds) {
  if (seconds === null || seconds === undefined) return "never";
  if (seconds < 90) return seconds + " s ago";
  if (seconds < 5400) return Math.round(seconds / 60) + " min ago";
  if (seconds < 172800) return Math.round(seconds / 3600) + " h ago";
  return Math.round(seconds / 86400) + " d ago";
}

function usd(x) { const n = Number(x); return "$" + (n > 0 && n < 0.01 ? n.toPrecision(2) : n.toFixed(2)); }
function pct(x) { return x === null || x === undefined ? "–" : (100 * x).toFixed(2) + "%"; }

function fill(tbody, rows) {
  tbody.replaceChildren(...rows.map((cells) => {
    const tr = el("tr");
    for (const c of cells) {
      const td = el("td");
      if (c instanceof Node) td.append(c); else td.textContent = c;
      tr.append(td);
    }
    return tr;
  }));
}

function showSignIn(message) {
  clearTimeout(refreshTimer);
  $("dashboard").hidden = true;
  $("who").hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-error").textContent = message || "";
  $("key").focus();
}

async function load() {
  const range = $("range").value;
  const r = await fetch("/ui/api/overview?range=" + encodeURIComponent(range), { credentials: "same-origin" });
  if (r.status === 401) { showSignIn(); return; }
  if (!r.ok) { $("updated").textContent = "Could not load: HTTP " + r.status; return; }
  render(await r.json());
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(load, 30000);
}

function render(d) {
  $("sign-in").hidden = true;
  $("dashboard").hidden = false;
  $("who").hidden = false;
  $("signed-in-as").textContent = "Signed in as " + d.signed_in_as;

  $("layers").replaceChildren(...d.layers.map((l) => { const li = el("li"); li.append(badge(l.state), l.name + (l.detail ? " — " + l.detail : "")); return li; }));
  $("backends").replaceChildren(...d.backends.map((b) => { const li = el("li"); li.append(badge(b.healthy ? "up" : "down"), b.name + " (" + b.models.join(", ") + ")" + (b.detail ? " — " + b.detail : "")); return li; }));
  if (d.backends.length === 0) $("backends").append(el("li", "No model backends configured."));

  $("alerts-firing").replaceChildren(...d.alerts.firing.map((a) => { const li = el("li"); li.append(badge(a.severity), a.summary); return li; }));
  if (d.alerts.firing.length === 0) $("alerts-firing").append(el("li", "Nothing firing."));
  fill($("alerts-recent").tBodies[0], d.alerts.recent.map((a) => [new Date(a.at).toLocaleString(), a.rule, a.subject, badge(a.state)]));

  drawCharts(d);

  const c = d.cost;
  $("cost-total").textContent = usd(c.total_usd);
  $("cost-budget").textContent = c.budget_usd > 0 ? usd(c.budget_usd) + " budget (" + c.month + ")" : "no budget set";
  $("cost-bar").value = c.budget_usd > 0 ? Math.min(1, c.total_usd / c.budget_usd) : 0;
  for (const [id, lines] of [["cost-model", c.by_model], ["cost-backend", c.by_backend], ["cost-key", c.by_key]]) {
    fill($(id).tBodies[0], lines.map((l) => [l.name || "(none)", usd(l.usd), l.requests + " req", l.tokens + " tok"]));
  }

  fill($("backups").tBodies[0], d.backups.map((b) => [b.target, age(b.age_seconds), badge(b.running ? "running" : b.failed ? "failed" : b.last_success ? "ok" : "unknown")]));
  fill($("devices").tBodies[0], d.devices.map((x) => [x.name || x.key_id, age(x.age_seconds)]));

  $("apps").replaceChildren(...d.apps.map((a) => {
    const box = el("div");
    const h = el("h3"); h.append(badge(a.up ? "up" : "down"), a.name); box.append(h);
    const t = el("table"); const tb = el("tbody"); t.append(tb);
    fill(tb, a.upstreams.map((u) => [u.url, badge(u.healthy ? "up" : "down"), badge(u.circuit), u.in_flight + " in flight"]));
    box.append(t);
    return box;
  }));
  if (d.apps.length === 0) $("apps").append(el("p", "No hosted apps configured.", "note"));

  fill($("probes").tBodies[0], d.probes.map((p) => [p.name, badge(p.up === null ? "unknown" : p.up ? "up" : "down"), pct(p.uptime_24h), pct(p.uptime_7d), pct(p.uptime_30d)]));
  $("disk").textContent = "Data disk " + (100 * d.disk.used_share).toFixed(1) + "% used (" + d.disk.path + ")";
  $("certificates").replaceChildren(...d.certificates.map((x) => { const li = el("li"); li.append(badge(x.days_left < 14 ? "warning" : "ok"), x.name + ": " + x.days_left + " days left"); return li; }));
  renderHosting(d.hosting);
  $("updated").textContent = "Updated " + new Date(d.generated_at).toLocaleTimeString() + " · refreshes every 30 s"
    + (d.ledger_error ? " · " + d.ledger_error : "");
}

// The planner's recommendation (cervella plan, made by the server from planner.workload).
function renderHosting(h) {
  $("panel-hosting").hidden = !h;
  if (!h) return;
  if (h.problem) {
    $("hosting-choice").textContent = h.problem;
    $("hosting-reasons").replaceChildren();
    $("hosting-meta").textContent = "";
    return;
  }
  const choice = $("hosting-choice");
  choice.replaceChildren(badge(h.meets_all_targets ? "ok" : "warning"),
    (h.meets_all_targets ? "Recommended: " : "Best compromise: ") + h.option + " (" + h.architecture + "), " + usd(h.usd_per_month) + " a month");
  $("hosting-reasons").replaceChildren(...h.reasons.concat(h.sensitivity).map((x) => el("li", x)));
  $("hosting-meta").textContent = "Made " + new Date(h.made_at).toLocaleString() + " from " + h.traffic
    + (h.catalog_stale ? " · the price catalog is stale: check its prices" : "");
}

function drawCharts(d) {
  for (const c of charts) c.destroy();
  charts = [];
  const pts = d.traffic.points;
  const t = pts.map((p) => p.t);
  const slo = d.slo.ttft_p95_seconds * 1000;
  $("slo-label").textContent = "(objective " + d.slo.ttft_p95_seconds + " s)";
  const width = (id) => Math.max(280, $(id).clientWidth || 600);
  charts.push(new uPlot({
    width: width("chart-latency"), height: 240,
    series: [{}, { label: "TTFT p95 (ms)", stroke: "#1f6feb", width: 2, spanGaps: false, points: { show: true, size: 6 } },
      { label: "Objective (ms)", stroke: "#b3261e", dash: [6, 4], width: 1.5, points: { show: false } }],
    axes: [{}, { label: "ms" }],
  }, [t, pts.map((p) => p.ttft_p95_ms), pts.map(() => slo)], $("chart-latency")));
  charts.push(new uPlot({
    width: width("chart-traffic"), height: 240,
    series: [{}, { label: "Requests", stroke: "#1b7f3b", width: 2, scale: "req" },
      { label: "Errors", stroke: "#b3261e", width: 1.5, scale: "req" },
      { label: "Tokens", stroke: "#8250df", width: 1.5, scale: "tok" }],
    axes: [{}, { scale: "req", label: "requests" }, { scale: "tok", side: 1, label: "tokens", grid: { show: false } }],
  }, [t, pts.map((p) => p.requests), pts.map((p) => p.errors), pts.map((p) => p.tokens)], $("chart-traffic")));
  const lat = d.latency;
  $("latency-summary").textContent = lat.ttft_p95_ms === null || lat.ttft_p95_ms === undefined ? "No request with a first token in the range."
    : "p95 over the range: " + Math.round(lat.ttft_p95_ms) + " ms from " + lat.with_first_token + " requests"
      + (lat.sampled ? " (the newest 100,000 of them)" : "") + " — objective "
      + (lat.ttft_p95_ms <= slo ? "met" : "missed");
  const total = pts.reduce((a, p) => a + p.requests, 0);
  $("traffic-total").textContent = total + " requests, " + pts.reduce((a, p) => a + p.tokens, 0) + " tokens in the range";
}

$("sign-in").addEventListener("submit", async (e) => {
  e.preventDefault();
  const r = await fetch("/ui/api/session", {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ key: $("key").value }),
  });
  $("key").value = "";
  if (!r.ok) {
    let msg = "Sign-in failed (HTTP " + r.status + ")";
    try { msg = (await r.json()).error.message; } catch (ignored) { /* keep the status */ }
    showSignIn(msg);
    return;
  }
  load();
});

$("sign-out").addEventListener("click", async () => {
  await fetch("/ui/api/session", { method: "DELETE", credentials: "same-origin" });
  showSignIn("Signed out.");
});

$("range").addEventListener("change", load);
window.addEventListener("resize", () => {
  clearTimeout(window.__resize);
  window.__resize = setTimeout(() => {
    for (const c of charts) c.setSize({ width: Math.max(280, c.root.parentElement.clientWidth || 600), height: 240 });
  }, 200);
});
load();
