// The interaction network (vis-network): nodes are persons and organizations, edges weighted by occasions.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("network-data").textContent);
  const colors = { met: "#1f4e8c", wrote: "#8c2f1b", instructed: "#2f6b3a" };
  const nodes = new vis.DataSet(data.nodes.map((n) => ({
    id: n.id, label: n.label, title: n.title, value: n.value, href: n.href,
    shape: n.group === "person" ? "dot" : "square",
    color: n.group === "person" ? { background: "#e9eef8", border: "#1f4e8c" } : { background: "#f6ebe7", border: "#8c2f1b" },
  })));
  const edges = new vis.DataSet(data.edges.map((e, i) => ({
    id: i, from: e.from, to: e.to, value: e.value, title: e.title,
    color: { color: colors[e.kind], opacity: 0.7 }, arrows: e.kind === "met" ? "" : "to",
  })));
  const network = new vis.Network(document.getElementById("network-chart"), { nodes: nodes, edges: edges }, {
    nodes: {
      font: { size: 16, face: "Noto Sans, Noto Sans CJK JP, sans-serif", color: "#1d2433" },
      scaling: { min: 8, max: 34, label: { enabled: true, min: 13, max: 22 } },
    },
    edges: { scaling: { min: 1, max: 9 }, smooth: { type: "continuous" } },
    physics: {
      solver: "forceAtlas2Based", stabilization: { iterations: 400 },
      forceAtlas2Based: { gravitationalConstant: -140, springLength: 170, avoidOverlap: 0.7 },
    },
    interaction: { hover: true, tooltipDelay: 120 },
  });
  network.once("stabilizationIterationsDone", () => { network.setOptions({ physics: false }); network.fit(); });
  network.on("doubleClick", (params) => {
    const node = params.nodes.length && nodes.get(params.nodes[0]);
    if (node && node.href) location.href = node.href;
  });
  window.kgNetwork = { network: network, nodes: nodes, edges: edges };
})();
