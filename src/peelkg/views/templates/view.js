// Draws one peelkg view with vis-network. All text from the graph arrives as JSON and is put
// into the page with textContent only: tooltips are DOM elements, never HTML strings.
(function () {
  "use strict";
  var started = performance.now();
  var state = window.peelkgView = { settled: false, settleMs: null, network: null };
  var data = JSON.parse(document.getElementById("view-data").textContent);

  function element(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text) { node.textContent = text; }
    return node;
  }

  function tooltip(tip) {
    var box = element("div", "tip");
    box.appendChild(element("div", "tip-title", tip.title));
    if (tip.kind) { box.appendChild(element("div", "tip-kind", tip.kind)); }
    if (tip.also) { box.appendChild(element("div", "tip-also", "Also: " + tip.also)); }
    if (tip.text) { box.appendChild(element("div", "tip-text", tip.text)); }
    if (tip.quote) { box.appendChild(element("blockquote", "tip-quote", tip.quote)); }
    if (tip.source) { box.appendChild(element("div", "tip-source", tip.source)); }
    if (tip.iri) { box.appendChild(element("div", "tip-iri", tip.iri)); }
    return box;
  }

  function withTooltips(items) {
    items.forEach(function (item) {
      if (item.tip) { item.title = tooltip(item.tip); delete item.tip; }
    });
    return items;
  }

  var nodes = new vis.DataSet(withTooltips(data.nodes));
  var edges = new vis.DataSet(withTooltips(data.edges));
  var status = document.getElementById("status");
  var counts = status.textContent;
  var network = new vis.Network(document.getElementById("network"), { nodes: nodes, edges: edges }, data.options);
  state.network = network;

  function settle() {
    if (state.settled) { return; }
    state.settled = true;
    state.settleMs = Math.round(performance.now() - started);
    status.textContent = counts;
    document.body.setAttribute("data-settled", "true");
  }

  if (data.options.physics && data.options.physics.enabled !== false && data.nodes.length > 0) {
    network.on("stabilizationProgress", function (progress) {
      status.textContent = counts + " · laying out " + Math.round(100 * progress.iterations / progress.total) + "%";
    });
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      settle();
    });
  } else {
    network.once("afterDrawing", settle);
    window.setTimeout(function () { network.redraw(); }, 0);
  }

  // Filter: hide or show every node of a kind.
  var hiddenKinds = {};
  function applyFilter() {
    var changes = [];
    nodes.forEach(function (node) {
      var hide = Boolean(hiddenKinds[node.kind]);
      if (Boolean(node.hidden) !== hide) { changes.push({ id: node.id, hidden: hide }); }
    });
    if (changes.length) { nodes.update(changes); }
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[data-kind]"), function (box) {
    box.addEventListener("change", function () {
      hiddenKinds[box.getAttribute("data-kind")] = !box.checked;
      applyFilter();
    });
  });

  // Search: select and zoom to the nodes whose label or alias contains the text.
  var search = document.getElementById("search");
  function find() {
    var wanted = search.value.trim().toLowerCase();
    if (!wanted) { network.unselectAll(); status.textContent = counts; return; }
    var found = nodes.getIds({ filter: function (node) { return !node.hidden && node.search.indexOf(wanted) !== -1; } });
    network.selectNodes(found);
    if (found.length) { network.fit({ nodes: found, animation: false }); }
    status.textContent = counts + " · " + found.length + " found";
  }
  search.addEventListener("change", find);
  search.addEventListener("keydown", function (event) { if (event.key === "Enter") { find(); } });
  document.getElementById("reset").addEventListener("click", function () {
    search.value = "";
    hiddenKinds = {};
    Array.prototype.forEach.call(document.querySelectorAll("input[data-kind]"), function (box) { box.checked = true; });
    applyFilter();
    network.unselectAll();
    network.fit({ animation: false });
    status.textContent = counts;
  });
}());
