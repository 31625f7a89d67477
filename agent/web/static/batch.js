// Batch page: upload -> job -> progress polling -> sortable results table with links to each set's report.
"use strict";

const POLL_MS = 1000;
let current = null; // job id shown
let rows = [];
let sort = { key: null, numeric: false, ascending: true };
let pollTimer = null;

function jobFromAddress() {
  const match = /job=([0-9a-f]{16})/.exec(location.hash);
  return match ? match[1] : null;
}

function stateText(job) {
  return `${job.state}: ${job.done} of ${job.total} sets`;
}

async function refreshJobs() {
  const jobs = await apiJson("/api/jobs");
  const body = document.querySelector("#jobs tbody");
  body.replaceChildren();
  for (const job of jobs) {
    const link = el("a", { href: `#job=${job.id}` }, job.id);
    body.append(el("tr", {}, el("td", {}, link), el("td", {}, job.filename), el("td", {}, job.state),
      el("td", {}, `${job.done}/${job.total}`), el("td", {}, new Date(job.created * 1000).toLocaleString())));
  }
}

function renderRows() {
  const body = document.querySelector("#results tbody");
  const ordered = [...rows];
  if (sort.key) {
    ordered.sort((a, b) => {
      const x = a[sort.key], y = b[sort.key];
      const nx = x ?? Infinity, ny = y ?? Infinity; // missing numbers sort last
      const order = sort.numeric ? (nx === ny ? 0 : nx < ny ? -1 : 1) : String(x ?? "").localeCompare(String(y ?? ""));
      return sort.ascending ? order : -order;
    });
  }
  body.replaceChildren();
  for (const r of ordered) {
    const href = `/report/job/${current}?set=${encodeURIComponent(r.id)}`;
    body.append(el("tr", {},
      el("td", {}, r.id),
      el("td", {}, el("a", { href, class: "report-link" }, r.name || "(no name)")),
      el("td", { class: "verdict" }, r.verdict || "—"),
      el("td", {}, r.coherence === null || r.coherence === undefined ? "—" : Number(r.coherence).toFixed(2)),
      el("td", {}, r.themes || "—"),
      el("td", {}, Number(r.confidence).toFixed(2)),
      el("td", {}, r.n_genes),
      el("td", {}, r.top_pathway),
      el("td", {}, fdrText(r.top_fdr)),
      el("td", { class: "error" }, r.error)));
  }
}

async function showJob(jobId) {
  clearTimeout(pollTimer);
  current = jobId;
  rows = [];
  renderRows();
  document.getElementById("job").hidden = false;
  document.getElementById("job-id").textContent = jobId;
  for (const [id, name] of [["dl-jsonl", "results.jsonl"], ["dl-tsv", "summary.tsv"], ["dl-html", "report.html"]]) {
    document.getElementById(id).setAttribute("href", `/api/jobs/${jobId}/${name}`);
  }
  await poll(jobId, -1);
}

async function poll(jobId, lastDone) {
  if (jobId !== current) return;
  let job;
  try {
    job = await apiJson(`/api/jobs/${jobId}`);
  } catch (error) {
    document.getElementById("job-error").textContent = error.message;
    return;
  }
  document.getElementById("job-file").textContent = job.filename;
  const progress = document.getElementById("job-progress");
  progress.max = Math.max(job.total, 1);
  progress.value = job.done;
  document.getElementById("job-state").textContent = stateText(job);
  document.getElementById("job-state").dataset.state = job.state;
  document.getElementById("job-error").textContent = job.error;
  document.getElementById("retry").hidden = job.state !== "failed";
  if (job.done !== lastDone) {
    rows = await apiJson(`/api/jobs/${jobId}/results`);
    renderRows();
  }
  if (job.state === "queued" || job.state === "running") {
    pollTimer = setTimeout(() => poll(jobId, job.done), POLL_MS);
  } else {
    refreshJobs();
  }
}

document.getElementById("upload-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const problem = document.getElementById("upload-error");
  const button = document.getElementById("upload");
  problem.textContent = "";
  button.disabled = true;
  try {
    const job = await apiJson("/api/jobs", { method: "POST", body: new FormData(event.target) });
    location.hash = `job=${job.id}`; // hashchange shows it
    await refreshJobs();
  } catch (error) {
    problem.textContent = error.message;
  } finally {
    button.disabled = false;
  }
});

document.getElementById("retry").addEventListener("click", async () => {
  try {
    await apiJson(`/api/jobs/${current}/retry`, { method: "POST" });
    await poll(current, -1);
  } catch (error) {
    document.getElementById("job-error").textContent = error.message;
  }
});

for (const th of document.querySelectorAll("#results th.sortable")) {
  th.addEventListener("click", () => {
    const key = th.dataset.key;
    sort = { key, numeric: Boolean(th.dataset.numeric), ascending: sort.key === key ? !sort.ascending : true };
    for (const other of document.querySelectorAll("#results th")) other.classList.remove("asc", "desc");
    th.classList.add(sort.ascending ? "asc" : "desc");
    renderRows();
  });
}

window.addEventListener("hashchange", () => {
  const jobId = jobFromAddress();
  if (jobId && jobId !== current) showJob(jobId);
});

refreshJobs().catch((error) => { document.getElementById("upload-error").textContent = error.message; });
if (jobFromAddress()) showJob(jobFromAddress());
