// The named-query page: lists the catalogue from /api/queries, runs a query through
// /api/run and renders the SPARQL JSON results as a table. Text from the store is only
// ever set with textContent, never parsed as HTML.
"use strict";

const PREFIXES = [
  ["peel:", "https://w3id.org/peelkg/ontology#"],
  ["id:", "https://w3id.org/peelkg/id/"],
  ["graph:", "https://w3id.org/peelkg/graph/"],
  ["rdfs:", "http://www.w3.org/2000/01/rdf-schema#"],
  ["skos:", "http://www.w3.org/2004/02/skos/core#"],
  ["prov:", "http://www.w3.org/ns/prov#"],
  ["xsd:", "http://www.w3.org/2001/XMLSchema#"],
];

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function shortTerm(term) {
  if (!term) return "";
  if (term.type === "uri") {
    for (const [prefix, namespace] of PREFIXES) {
      if (term.value.startsWith(namespace)) return prefix + term.value.slice(namespace.length);
    }
    return "<" + term.value + ">";
  }
  if (term.type === "bnode") return "_:" + term.value;
  return term.value;
}

function editorHref(catalogue, text) {
  // YASGUI reads its tab (query and endpoint) from the URL hash.
  return catalogue.editor + "#" + new URLSearchParams({ query: text, endpoint: catalogue.endpoint }).toString();
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

function renderResults(target, answer) {
  target.replaceChildren();
  if (answer.graph !== undefined) {
    target.append(el("pre", { class: "graph" }, answer.graph));
    return;
  }
  const results = answer.results;
  if ("boolean" in results) {
    target.append(el("p", { class: "meta" }, "Answer: " + results.boolean));
    return;
  }
  const variables = results.head.vars;
  const rows = results.results.bindings;
  const headRow = el("tr", {}, ...variables.map((name) => el("th", { scope: "col" }, name)));
  const body = el("tbody");
  for (const binding of rows) {
    const row = el("tr");
    for (const name of variables) {
      const cell = el("td", {}, shortTerm(binding[name]));
      if (binding[name] && binding[name].type === "uri") cell.title = binding[name].value;
      row.append(cell);
    }
    body.append(row);
  }
  const count = rows.length + (rows.length === 1 ? " row" : " rows");
  target.append(
    el("p", { class: "meta" }, count + " in " + answer.elapsedMs + " ms"),
    el("div", { class: "scroll" }, el("table", { class: "results" }, el("thead", {}, headRow), body)),
  );
}

function currentParams(form) {
  const params = {};
  for (const input of form.querySelectorAll("input[data-param]")) params[input.dataset.param] = input.value;
  return params;
}

function renderQuery(catalogue, query) {
  const results = el("div", { class: "results-area", "aria-live": "polite" });
  const editor = el("a", { class: "editor", href: editorHref(catalogue, query.editorText), target: "_blank", rel: "noopener" },
    "Open in editor");
  const form = el("form", { class: "params" });
  for (const parameter of query.parameters) {
    const input = el("input", { type: "text", "data-param": parameter.name, value: parameter.default ?? "" });
    form.append(el("label", {}, parameter.name + " ", input));
  }
  form.append(el("button", { type: "submit" }, "Run"), " ", editor);

  // The link always carries what is typed now: it is bound again as the values change (an
  // older answer never overwrites a newer one), and a click binds the values as they are.
  let latest = 0;
  const rebind = async () => {
    const ticket = ++latest;
    const answer = await post("/api/prepare", { name: query.name, params: currentParams(form) });
    const href = editorHref(catalogue, answer.text);
    if (ticket === latest) editor.href = href;
    return href;
  };
  const showError = (error) => results.replaceChildren(el("p", { class: "error" }, error.message));
  form.addEventListener("input", () => rebind().catch(showError));
  editor.addEventListener("click", async (event) => {
    event.preventDefault();
    const opened = window.open("", "_blank");
    try {
      const href = await rebind();
      if (opened) {
        opened.opener = null;
        opened.location.href = href;
      }
    } catch (error) {
      if (opened) opened.close();
      showError(error);
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    results.replaceChildren(el("p", { class: "meta" }, "Running…"));
    try {
      const answer = await post("/api/run", { name: query.name, params: currentParams(form) });
      editor.href = editorHref(catalogue, answer.text);
      renderResults(results, answer);
    } catch (error) {
      results.replaceChildren(el("p", { class: "error" }, error.message));
    }
  });

  const section = el("section", { class: "query", id: "q-" + query.name, "data-name": query.name },
    el("h2", {}, query.name),
    el("p", { class: "summary" }, query.summary),
  );
  if (query.description) section.append(el("p", { class: "description" }, query.description));
  if (query.tags.length) section.append(el("p", { class: "tags" }, ...query.tags.map((tag) => el("span", { class: "tag" }, tag))));
  section.append(form, el("details", {}, el("summary", {}, "SPARQL"), el("pre", {}, query.text)), results);
  return section;
}

function applyFilter(text) {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  for (const section of document.querySelectorAll("section.query")) {
    const haystack = section.textContent.toLowerCase();
    section.hidden = !words.every((word) => haystack.includes(word));
  }
}

async function main() {
  const main = document.getElementById("queries");
  try {
    const response = await fetch("/api/queries");
    const catalogue = await response.json();
    document.getElementById("endpoint").textContent = catalogue.endpoint;
    document.getElementById("editor-link").href = catalogue.editor;
    main.replaceChildren(...catalogue.queries.map((query) => renderQuery(catalogue, query)));
    document.getElementById("filter").addEventListener("input", (event) => applyFilter(event.target.value));
  } catch (error) {
    main.replaceChildren(el("p", { class: "error" }, "Cannot load the queries: " + error.message));
  }
}

main();
