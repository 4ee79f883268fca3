// The query page: YASGUI wired to this server's /sparql, the example catalogue, and permalinks.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("kg-config").textContent);
  const Yasgui = window.Yasgui.default || window.Yasgui;
  const endpoint = location.origin + "/sparql";
  // Class and property completion asks lov.linkeddata.es: nothing may leave this machine.
  Yasgui.Yasqe.defaults.autocompleters = Yasgui.Yasqe.defaults.autocompleters
    .filter((name) => name !== "class" && name !== "property");

  /** Declare every predeclared prefix the query uses but does not declare. */
  function withPrefixes(query) {
    const declared = new Set([...query.matchAll(/PREFIX\s+([\w-]*):/gi)].map((m) => m[1]));
    const needed = Object.keys(config.prefixes).filter(
      (p) => !declared.has(p) && new RegExp(`(^|[\\s(/^|,;.\\[{])${p}:`, "m").test(query.replace(/<[^>]*>/g, "")));
    const lines = needed.map((p) => `PREFIX ${p}: <${config.prefixes[p]}>`);
    return lines.length ? lines.join("\n") + "\n" + query : query;
  }

  const starter = "PREFIX ka: <" + config.prefixes.ka + ">\nPREFIX rdfs: <" + config.prefixes.rdfs + ">\n\nSELECT ?event ?date ?label WHERE {\n  ?event a ka:Event ; ka:date ?date ; rdfs:label ?label .\n" +
    "  FILTER(LANG(?label) = \"" + (document.documentElement.lang || "en") + "\")\n} ORDER BY ?date LIMIT 100\n";

  const inference = document.getElementById("inference");
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: {
      endpoint: endpoint, method: "POST",
      // The project's prefixes are predeclared: a query may use ka:, person:, doc: … without PREFIX lines.
      adjustQueryBeforeRequest: (yasqe) => withPrefixes(yasqe.getValue()),
    },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    persistenceId: "kg-korea1953",
    yasqe: { value: starter, editorHeight: "360px", resizeable: true },
    yasr: { prefixes: config.prefixes },
  });

  function tab() { return yasgui.getTab(); }
  const permalink = document.getElementById("permalink");
  function updatePermalink() {
    const query = tab().getYasqe().getValue();
    permalink.value = location.origin + "/?query=" + encodeURIComponent(query) + (inference.checked ? "&inference=true" : "");
  }

  function load(query, run) {
    const t = tab();
    t.setEndpoint(endpoint);
    t.getYasqe().setValue(withPrefixes(query.trim()) + "\n");
    updatePermalink();
    if (run) t.getYasqe().query();
  }

  document.querySelectorAll("#example-list button.load").forEach((button) => {
    button.addEventListener("click", () => {
      const slug = button.dataset.slug;
      document.querySelectorAll("#example-list li").forEach((li) => li.classList.toggle("active", li.dataset.slug === slug));
      load(config.examples[slug], true);
    });
  });
  const params = new URLSearchParams(location.search);
  if (params.get("inference") === "true") inference.checked = true;
  applyInference();
  if (config.preset) load(config.preset, true);
  tab().setEndpoint(endpoint);
  yasgui.on("tabChange", updatePermalink);
  yasgui.on("tabSelect", () => setTimeout(updatePermalink, 0));
  tab().getYasqe().on("change", updatePermalink);
  /** The inference switch is a request parameter of the current tab (YASGUI merges arrays, not functions). */
  function applyInference() {
    tab().setRequestConfig({ args: inference.checked ? [{ name: "inference", value: "true" }] : [] });
    updatePermalink();
  }
  inference.addEventListener("change", applyInference);
  updatePermalink();
  document.getElementById("copy-permalink").addEventListener("click", () => {
    permalink.select();
    navigator.clipboard ? navigator.clipboard.writeText(permalink.value) : document.execCommand("copy");
  });
  // Result links to our IRIs open their page on this server (the w3id.org redirect may be out of reach).
  document.getElementById("yasgui").addEventListener("click", (event) => {
    const a = event.target.closest("a[href]");
    if (a && a.href.startsWith(config.base + "id/")) {
      event.preventDefault();
      location.href = "/" + a.href.slice(config.base.length);
    }
  }, true);
  window.kgYasgui = yasgui; // for the browser tests and the curious
})();
