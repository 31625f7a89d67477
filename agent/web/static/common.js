// Shared helpers. Data from users, files or the knowledge base is only ever set as textContent or as an
// attribute value through setAttribute: never as HTML.
"use strict";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function safeLink(url, text) {
  // Only http(s) links: a javascript: URL from data must never become a link.
  return /^https?:\/\//.test(url || "") ? el("a", { href: url, target: "_blank", rel: "noopener" }, text) : text;
}

function fdrText(value) {
  if (value === null || value === undefined) return "—";
  return value < 0.001 ? Number(value).toExponential(1) : Number(value).toPrecision(2);
}

// Text with **bold** spans (as the agent writes them), built from text nodes only.
function richText(text) {
  const fragment = document.createDocumentFragment();
  text.split("**").forEach((part, i) => fragment.append(i % 2 ? el("b", {}, part) : document.createTextNode(part)));
  return fragment;
}

function verdictClass(verdict) {
  return verdict === "supported" ? "supported" : verdict === "partly supported" ? "partly" : "not";
}

async function apiJson(url, options) {
  const response = await fetch(url, options);
  const body = await response.json().catch(() => ({ detail: response.statusText }));
  if (!response.ok) {
    const detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    throw new Error(detail || `HTTP ${response.status}`);
  }
  return body;
}

const FDR_CONVENTION =
  "FDR: Benjamini–Hochberg over the pathways that share at least one gene with the set (gseapy's convention)";

// The evidence rows of an analysis, with the chosen candidate's and each theme's pathway added when the rows lack
// them (a candidate carries its own row), each with the candidate number [n] the reasoning cites and its role.
function reportRows(a) {
  const candidates = new Map((a.candidates || []).map((c) => [c.pathway_id, c]));
  const chosen = (a.candidates || []).find((c) => c.number === a.chosen_number);
  const themesOf = new Map();
  for (const t of a.themes || []) themesOf.set(t.pathway_id, [...(themesOf.get(t.pathway_id) || []), t.number]);
  const rows = [...a.evidence];
  const held = new Set(rows.map((r) => r.pathway_id));
  for (const id of [chosen && chosen.pathway_id, ...themesOf.keys()]) {
    if (id && !held.has(id) && candidates.has(id)) { rows.push(candidates.get(id)); held.add(id); }
  }
  return rows.map((r) => {
    const roles = (chosen && r.pathway_id === chosen.pathway_id ? ["chosen"] : [])
      .concat((themesOf.get(r.pathway_id) || []).map((n) => `theme ${n}`));
    const c = candidates.get(r.pathway_id);
    return { ...r, citation: c ? `[${c.number}]` : "", role: roles.join(", ") };
  });
}

function evidenceTable(rows) {
  const table = el("table", { class: "evidence" },
    el("caption", { class: "muted" }, `[n]: the candidate number the reasoning cites. ${FDR_CONVENTION}.`),
    el("tr", {}, el("th", {}, "[n]"), el("th", {}, "pathway"), el("th", {}, "source"), el("th", {}, "name"),
      el("th", {}, "overlap"), el("th", {}, "FDR"), el("th", {}, "found by")));
  for (const row of rows) {
    table.append(el("tr", {},
      el("td", { class: "cite" }, row.citation || ""),
      el("td", {}, safeLink(row.url, row.pathway_id)),
      el("td", {}, row.source),
      el("td", {}, row.name, row.role ? el("b", { class: "role" }, ` (${row.role})`) : null),
      el("td", {}, `${row.overlap_genes.length}/${row.pathway_size}: ${row.overlap_genes.slice(0, 15).join(", ")}`),
      el("td", {}, fdrText(row.fdr)),
      el("td", {}, row.kind)));
  }
  return table;
}

// The coherence verdict (sentences rendered by the server's code; numbers quoted from its fields) and the themes.
function verdictBlock(a) {
  const c = a.coherence;
  if (!c) return null;
  const block = el("div", { class: `verdict ${c.verdict.replace(/ /g, "-")}` });
  const numbers = c.verdict === "no coherent function"
    ? `coherence ${Number(c.coherence).toFixed(2)}`
    : `coherence ${Number(c.coherence).toFixed(2)} · name confidence ${Number(c.name_confidence).toFixed(2)}`;
  block.append(el("p", {}, el("b", {}, `Verdict: ${c.verdict}`), ` (${numbers})`));
  if (c.summary) block.append(el("p", {}, c.summary));
  if (c.reasons && c.reasons.length) {
    const reasons = el("ul", { class: "reasons" });
    for (const reason of c.reasons) reasons.append(el("li", {}, reason));
    block.append(reasons);
  }
  const themes = el("ol", { class: "themes" });
  for (const t of a.themes || []) {
    themes.append(el("li", t.weak ? { class: "weak" } : {},
      el("b", {}, `${t.name} (${t.pathway_id})${t.weak ? " (weak)" : ""}`),
      ` — ${t.genes.length} ${t.genes.length === 1 ? "gene" : "genes"}; name confidence `
        + `${Number(t.name_confidence).toFixed(2)}: `,
      el("span", { class: "genes" }, t.genes.join(", "))));
  }
  if ((a.themes || []).length) block.append(el("p", {}, el("b", {}, "Themes")), themes);
  return block;
}

function verdictList(verdicts) {
  const list = el("ul", { class: "verdicts" });
  for (const v of verdicts) {
    list.append(el("li", {}, el("b", { class: verdictClass(v.verdict) }, v.verdict), ` — ${v.claim}: ${v.explanation}`));
  }
  return list;
}

// One analysis as a card: name, confidence, reasoning (collapsible), evidence with links, verdicts.
function analysisCard(a, reportHref) {
  const card = el("div", { class: "card analysis" });
  card.append(el("h3", { class: "name" }, a.name || "(no name)"));
  if (a.error) card.append(el("p", { class: "error" }, a.error));
  const verdict = verdictBlock(a);
  if (verdict) card.append(verdict);
  if (!a.coherence) { // with a verdict, its block gives the name's confidence
    card.append(el("p", {}, el("b", {}, "Confidence "), Number(a.confidence).toFixed(2), " ",
      el("span", { class: "muted" }, a.confidence_explanation)));
  }
  card.append(el("p", {}, el("b", {}, "Why this name "), a.choice_explanation));
  card.append(el("p", {}, el("b", {}, `Genes (${a.genes.length}) `), el("span", { class: "genes" }, a.genes.join(", "))));
  if (a.unknown_genes.length) card.append(el("p", {}, el("b", {}, "Unknown symbols "), a.unknown_genes.join(", ")));
  if (a.mapped_genes.length) {
    card.append(el("p", {}, el("b", {}, "Mapped symbols "),
      a.mapped_genes.map((m) => `${m.input} → ${m.symbol}`).join(", ")));
  }
  card.append(el("p", {}, el("b", {}, "Not explained by the evidence "), a.unexplained_genes.join(", ") || "none"));
  card.append(el("details", {}, el("summary", {}, "Reasoning"), el("pre", {}, a.reasoning || "(the model gave no reasoning)")));
  card.append(evidenceTable(reportRows(a)));
  card.append(verdictList(a.verdicts));
  if (reportHref) card.append(el("p", {}, el("a", { href: reportHref, class: "report-link" }, "Report with charts →")));
  return card;
}
