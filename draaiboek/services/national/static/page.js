// The national overview page: polls overview.json and draws it. Every value from the store is
// put in the page with textContent, never as markup: stations' text cannot inject anything.
"use strict";
(function () {
  const query = document.body.dataset.query || "";
  const POLL_MS = 2000;
  const SILENT_AFTER_S = 120;
  let words = {};

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function clock(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(r).padStart(2, "0");
  }
  // Every time in the zone the text view and the desks show (not the viewer's browser zone),
  // 24-hour, with the zone's abbreviation: the autumn's repeated hour stays unambiguous.
  const STAMP = new Intl.DateTimeFormat(document.documentElement.lang === "en" ? "en-GB" : "nl-NL", {
    timeZone: document.body.dataset.zone, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "short",
  });
  function time(iso) {
    if (!iso) return "—";
    const d = iso instanceof Date ? iso : new Date(iso);
    return isNaN(d) ? String(iso) : STAMP.format(d);
  }
  function row(cells, cls) {
    const tr = el("tr", cls);
    for (const [text, cellCls] of cells) tr.appendChild(el("td", cellCls || "", text));
    return tr;
  }
  function incident(view) {
    const box = el("div", "incident");
    const head = el("div");
    head.appendChild(el("span", "id", view.incident));
    if (view.closed_at) head.appendChild(el("span", "", " (" + words.closed + ": " + (view.outcome || "") + ")"));
    box.appendChild(head);
    box.appendChild(el("div", "", words.runbook + ": " + view.runbook + " " + view.version +
      " · " + words.step + ": " + (view.current_title || view.current_step || "—") +
      " · " + words["t-plus"] + clock(view.t_plus)));
    box.appendChild(el("div", "", words["last-event"] + ": " + view.last_type + " (" +
      words["station-time"] + " " + time(view.last_at) + ") · " + words["silent-for"] + " " +
      clock(view.silent)));
    const late = view.targets.filter(t => ["missed", "late", "due-soon"].includes(t.state));
    if (late.length) {
      const line = el("div", "", words.targets + ": ");
      for (const t of late) {
        line.appendChild(el("span", t.state === "due-soon" ? "soon" : "late",
          t.title + " (" + words["state-" + t.state] + ", " + time(t.due) + ") "));
      }
      box.appendChild(line);
    }
    if (view.open_critical.length) {
      box.appendChild(el("div", "critical", words.critical + ": " + view.open_critical.join("; ")));
    }
    if (view.refused || view.forks) {
      box.appendChild(el("div", "late", words.refusals + ": " + view.refused + " · " + words.fork + " " + view.forks));
    }
    return box;
  }
  function station(view) {
    const silent = view.silent !== null && view.silent > SILENT_AFTER_S &&
      view.live.some(v => !v.closed_at);
    const box = el("article", "station" + (silent ? " silent" : ""));
    box.dataset.station = view.name;
    box.appendChild(el("h2", "", words.station + " " + view.name));
    box.appendChild(el("div", "silence", words["silent-for"] + " " + clock(view.silent) +
      " (" + words.silent + " " + time(view.last_arrival) + ")"));
    const live = el("div", "live");
    live.appendChild(el("h3", "", words.live));
    if (!view.live.length) live.appendChild(el("div", "", words["no-incidents"]));
    for (const v of view.live) live.appendChild(incident(v));
    box.appendChild(live);
    if (view.exercises.length) {
      const ex = el("div", "exercises");
      ex.appendChild(el("h3", "label", words.exercises));
      for (const v of view.exercises) ex.appendChild(incident(v));
      box.appendChild(ex);
    }
    return box;
  }
  function fill(id, rows, empty) {
    const body = document.querySelector("#" + id + " tbody");
    body.replaceChildren();
    if (!rows.length) body.appendChild(row([[empty]]));
    for (const r of rows) body.appendChild(r);
  }
  function draw(data) {
    words = data.labels;
    document.getElementById("now").textContent = words.now + " " + time(data.overview.now);
    document.getElementById("timeline-title").textContent = words.timeline;
    document.getElementById("numbers-title").textContent = words.numbers;
    document.getElementById("refusals-title").textContent = words.refusals;
    const stations = document.getElementById("stations");
    stations.replaceChildren(...data.overview.stations.map(station));
    fill("timeline", data.overview.timeline.map(e => row([[time(e.at)], [e.station],
      [e.mode === "exercise" ? words.exercise : ""], [e.kind], [e.title], [e.answer]])), words["no-timeline"]);
    fill("numbers", data.overview.numbers.map(n => row([[n.text],
      [n.flag ? words["flag-" + n.flag] : words["flag-ok"], "flag"], [n.station], [n.incident],
      [time(n.at)]], n.flag ? "flagged" : "")), words["no-numbers"]);
    fill("refusals", data.overview.refusals.map(r => row([[r.station], [r.incident],
      ["seq " + r.seq], [r.reason], [time(r.received_at)]], "flagged")), words["no-refusals"]);
    const status = document.getElementById("status");
    status.className = "";
    status.textContent = words.updated + " " + time(new Date());
    document.body.dataset.updated = String(Date.now());
  }
  async function poll() {
    try {
      const response = await fetch("overview.json" + query, { cache: "no-store" });
      if (!response.ok) throw new Error(String(response.status));
      draw(await response.json());
    } catch (error) {
      const status = document.getElementById("status");
      status.className = "error";
      status.textContent = words.disconnected || "…";
    }
    setTimeout(poll, POLL_MS);
  }
  poll();
})();
