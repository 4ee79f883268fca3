// The zoomable timeline (vis-timeline); the server-rendered list below it works without JavaScript.
(function () {
  "use strict";
  const rows = JSON.parse(document.getElementById("timeline-data").textContent);
  const groups = [...new Set(rows.map((r) => r.group))].sort().map((g) => ({ id: g, content: g || "—" }));
  const items = new vis.DataSet(rows.map((r) => ({
    id: r.id, start: r.start, end: r.end || undefined, group: r.group, href: r.href, text: r.content, title: r.title,
    type: r.end ? "range" : "box",
  })));
  // Open on the busy period (10th–98th percentile of dates), not on the outliers (1945, 1954).
  const dates = rows.map((r) => new Date(r.start).getTime()).sort((a, b) => a - b);
  const day = 1000 * 60 * 60 * 24;
  const pick = (q) => dates[Math.min(dates.length - 1, Math.floor(q * dates.length))];
  const window_ = dates.length ? { start: new Date(pick(0.1) - 7 * day), end: new Date(pick(0.98) + 7 * day) } : {};
  const timeline = new vis.Timeline(document.getElementById("timeline-chart"), items, new vis.DataSet(groups), {
    stack: true, zoomMin: 1000 * 60 * 60 * 24 * 2, zoomMax: 1000 * 60 * 60 * 24 * 365 * 12, orientation: "top",
    margin: { item: 6 }, ...window_, maxHeight: "34rem", tooltip: { followMouse: true },
    locale: document.documentElement.lang === "ja" ? "ja" : "en",
    // Build item content as DOM nodes: labels are text, never HTML.
    template: (item) => { const span = document.createElement("span"); span.textContent = item.text; return span; },
  });
  timeline.on("click", (props) => {
    const item = props.item !== null && items.get(props.item);
    if (item && item.href) location.href = item.href;
  });
  document.getElementById("zoom-in").addEventListener("click", () => timeline.zoomIn(0.5));
  document.getElementById("zoom-out").addEventListener("click", () => timeline.zoomOut(0.5));
  document.getElementById("zoom-fit").addEventListener("click", () => timeline.fit());
  window.kgTimeline = { timeline: timeline, items: items };
})();
