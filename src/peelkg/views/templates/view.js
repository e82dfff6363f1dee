// Draws one peelkg view with vis-network. All text from the graph arrives as JSON and is put
// into the page with textContent only: tooltips are DOM elements, never HTML strings.
//
// Layout: the page receives each node's column (level) and its order inside the column, both
// computed in Python to cross few edges. Here every node and its label are measured as
// vis-network draws them, the columns are spaced by their widest node, and each column's nodes
// are stacked without overlap, as near as they can be to their neighbours in the columns
// already placed. The page then opens no further out than the zoom where labels are minFont px.
(function () {
  "use strict";
  var started = performance.now();
  var data = JSON.parse(document.getElementById("view-data").textContent);
  var state = window.peelkgView = { settled: false, settleMs: null, network: null, nodes: null, edges: null };
  var COLUMN_GAP = 110, ROW_GAP = 18, BAND_GAP = 30;

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

  var titles = {};
  function withTooltips(items, prefix) {
    items.forEach(function (item) {
      if (item.tip) { titles[prefix + item.id] = item.tip.title; item.title = tooltip(item.tip); delete item.tip; }
    });
    return items;
  }

  var nodes = new vis.DataSet(withTooltips(data.nodes, "n"));
  var edges = new vis.DataSet(withTooltips(data.edges, "e"));
  var container = document.getElementById("network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  state.network = network;
  state.nodes = nodes;
  state.edges = edges;
  var status = document.getElementById("status");
  var byId = {};
  data.nodes.forEach(function (node) { byId[node.id] = node; });

  // ---- filters: kinds in the legend, and the score threshold of candidate links

  var hiddenKinds = {};
  var slider = document.getElementById("threshold");
  var sliderValue = document.getElementById("threshold-value");

  function edgeShown(edge) {
    if (hiddenKinds[byId[edge.from].kind] || hiddenKinds[byId[edge.to].kind]) { return false; }
    if (edge.candidate && slider) { return edge.score >= parseFloat(slider.value) - 1e-9; }
    return true;
  }

  function applyFilter() {
    var shownEdges = {}, linked = {}, nodeChanges = [], edgeChanges = [];
    edges.forEach(function (edge) {
      var shown = edgeShown(edge);
      shownEdges[edge.id] = shown;
      if (shown) { linked[edge.from] = true; linked[edge.to] = true; }
      if (Boolean(edge.hidden) !== !shown) { edgeChanges.push({ id: edge.id, hidden: !shown }); }
    });
    var perKind = {}, visible = 0;
    nodes.forEach(function (node) {
      var hide = Boolean(hiddenKinds[node.kind]) || Boolean(node.loose && !linked[node.id]);
      if (!hide) { visible += 1; perKind[node.kind] = (perKind[node.kind] || 0) + 1; }
      if (Boolean(node.hidden) !== hide) { nodeChanges.push({ id: node.id, hidden: hide }); }
    });
    if (nodeChanges.length) { nodes.update(nodeChanges); }
    if (edgeChanges.length) { edges.update(edgeChanges); }
    var visibleEdges = 0;
    edges.forEach(function (edge) {
      if (shownEdges[edge.id] && !nodes.get(edge.from).hidden && !nodes.get(edge.to).hidden) { visibleEdges += 1; }
    });
    Array.prototype.forEach.call(document.querySelectorAll(".legend [data-count]"), function (count) {
      var kind = count.getAttribute("data-count");
      count.textContent = String(perKind[kind] || 0);
    });
    function counted(shown, all, noun) {
      return (shown === all ? String(all) : shown + " of " + all) + " " + noun + (all === 1 ? "" : "s");
    }
    var counts = counted(visible, data.nodes.length, "node") + " · " + counted(visibleEdges, data.edges.length, "edge");
    if (visible !== data.nodes.length || visibleEdges !== data.edges.length) { counts += " shown"; }
    state.counts = counts;
    status.textContent = counts;
    if (sliderValue && slider) { sliderValue.textContent = parseFloat(slider.value).toFixed(2); }
  }

  // ---- layout from measured boxes

  function measure() {
    var ctx = network.canvas.getContext();
    var boxes = {};
    network.moveTo({ scale: 1, animation: false });
    nodes.forEach(function (node) {
      if (node.hidden) { return; }
      var body = network.body.nodes[node.id];
      body.draw(ctx);
      var box = body.shape.boundingBox;
      boxes[node.id] = { left: body.x - box.left, right: box.right - body.x, up: body.y - box.top, down: box.bottom - body.y };
    });
    return boxes;
  }

  function relayout() {
    var boxes = measure();
    var columns = {}, levels = [];
    data.nodes.forEach(function (node) {       // data.nodes is in column order
      if (!boxes[node.id]) { return; }
      if (!columns[node.level]) { columns[node.level] = []; levels.push(node.level); }
      columns[node.level].push(node.id);
    });
    levels.sort(function (a, b) { return a - b; });
    var x = {}, y = {}, left = 0;
    levels.forEach(function (level) {
      var wide = 0, over = 0;
      columns[level].forEach(function (id) { wide = Math.max(wide, boxes[id].left); over = Math.max(over, boxes[id].right); });
      columns[level].forEach(function (id) { x[id] = left + wide; });
      left += wide + over + COLUMN_GAP;
    });
    var neighbours = {};
    edges.forEach(function (edge) {
      if (edge.hidden || !boxes[edge.from] || !boxes[edge.to]) { return; }
      (neighbours[edge.from] = neighbours[edge.from] || []).push(edge.to);
      (neighbours[edge.to] = neighbours[edge.to] || []).push(edge.from);
    });
    function place(ids, ideal) {
      var bottom = -Infinity, shift = 0, counted = 0, previous = null;
      ids.forEach(function (id) {
        var gap = previous !== null && byId[previous].band !== byId[id].band ? BAND_GAP : ROW_GAP;
        var want = ideal[id] === undefined ? bottom + gap + boxes[id].up : ideal[id];
        y[id] = Math.max(want, bottom + gap + boxes[id].up);
        if (bottom === -Infinity) { y[id] = want === -Infinity || isNaN(want) ? 0 : want; }
        bottom = y[id] + boxes[id].down;
        if (ideal[id] !== undefined) { shift += ideal[id] - y[id]; counted += 1; }
        previous = id;
      });
      if (counted) { ids.forEach(function (id) { y[id] += shift / counted; }); }
    }
    var tallest = levels.reduce(function (best, level) {
      return best === null || columns[level].length > columns[best].length ? level : best; }, null);
    if (tallest === null) { return; }
    place(columns[tallest], {});
    var height = columns[tallest].reduce(function (sum, id) { return sum + boxes[id].up + boxes[id].down + ROW_GAP; }, 0);
    columns[tallest].forEach(function (id) { y[id] -= height / 2; });
    var at = levels.indexOf(tallest);
    var order = [];
    for (var step = 1; step < levels.length; step++) {
      if (at - step >= 0) { order.push(levels[at - step]); }
      if (at + step < levels.length) { order.push(levels[at + step]); }
    }
    order.forEach(function (level) {
      var ideal = {};
      columns[level].forEach(function (id) {
        var total = 0, count = 0;
        (neighbours[id] || []).forEach(function (other) { if (y[other] !== undefined) { total += y[other]; count += 1; } });
        if (count) { ideal[id] = total / count; }
      });
      place(columns[level], ideal);
    });
    var changes = [];
    Object.keys(x).forEach(function (id) { changes.push({ id: Number(id), x: x[id], y: y[id] }); });
    nodes.update(changes);
  }

  function openingView() {
    network.fit({ animation: false });
    var least = data.minFont / data.options.nodes.font.size;
    if (network.getScale() >= least) { return; }
    var shown = nodes.getIds({ filter: function (node) { return !node.hidden; } });
    if (!shown.length) { return; }
    var positions = network.getPositions(shown);
    var focus = data.nodes.filter(function (node) { return node.focus && positions[node.id]; })[0];
    var position;
    if (focus) {
      position = positions[focus.id];
    } else {
      var first = Infinity, sum = 0, count = 0;
      shown.forEach(function (id) { first = Math.min(first, byId[id].level); });
      var leftmost = Infinity;
      shown.forEach(function (id) {
        var box = network.getBoundingBox(id);
        leftmost = Math.min(leftmost, box.left);
        if (byId[id].level === first) { sum += positions[id].y; count += 1; }
      });
      position = { x: leftmost + (container.clientWidth / 2 - 16) / least, y: count ? sum / count : 0 };
    }
    network.moveTo({ position: position, scale: least, animation: false });
  }

  function settle() {
    if (state.settled) { return; }
    state.settled = true;
    state.settledAt = performance.now();
    state.settleMs = Math.round(state.settledAt - started);
    document.body.setAttribute("data-settled", "true");
  }

  applyFilter();
  network.once("afterDrawing", function () {
    relayout();
    openingView();
    network.once("afterDrawing", settle);
    network.redraw();
  });
  window.setTimeout(function () { network.redraw(); }, 0);

  Array.prototype.forEach.call(document.querySelectorAll("input[data-kind]"), function (box) {
    box.addEventListener("change", function () {
      hiddenKinds[box.getAttribute("data-kind")] = !box.checked;
      applyFilter();
    });
  });
  if (slider) {
    slider.addEventListener("input", function () {
      applyFilter();
      var view = { position: network.getViewPosition(), scale: network.getScale() };
      relayout();
      network.moveTo({ position: view.position, scale: view.scale, animation: false });
    });
  }

  // ---- a node's page: a link in the side panel when selected, opened on double click

  var selected = document.getElementById("selected");
  network.on("selectNode", function (event) {
    if (!selected || event.nodes.length !== 1) { return; }
    var node = byId[event.nodes[0]];
    selected.textContent = "";
    selected.appendChild(element("strong", "", titles["n" + node.id] || node.label));
    if (node.href) {
      selected.appendChild(document.createElement("br"));
      var link = element("a", "", "Open its page");
      link.setAttribute("href", node.href);
      selected.appendChild(link);
    }
  });
  network.on("doubleClick", function (event) {
    if (event.nodes.length === 1 && byId[event.nodes[0]].href) { window.location.href = byId[event.nodes[0]].href; }
  });

  // ---- search: select and zoom to the nodes whose label or alias contains the text

  var search = document.getElementById("search");
  function find() {
    var wanted = search.value.trim().toLowerCase();
    if (!wanted) { network.unselectAll(); status.textContent = state.counts; return; }
    var found = nodes.getIds({ filter: function (node) { return !node.hidden && node.search.indexOf(wanted) !== -1; } });
    network.selectNodes(found);
    if (found.length) { network.fit({ nodes: found, animation: false }); }
    status.textContent = state.counts + " · " + found.length + " found";
  }
  search.addEventListener("change", find);
  search.addEventListener("keydown", function (event) { if (event.key === "Enter") { find(); } });
  document.getElementById("reset").addEventListener("click", function () {
    search.value = "";
    hiddenKinds = {};
    Array.prototype.forEach.call(document.querySelectorAll("input[data-kind]"), function (box) { box.checked = true; });
    if (slider) { slider.value = slider.getAttribute("data-default"); }
    applyFilter();
    relayout();
    network.unselectAll();
    openingView();
  });
}());
