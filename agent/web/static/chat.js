// Chat page: one thread (id in the address), answers streamed from POST /api/chat/{thread} as server-sent events.
"use strict";

const messages = document.getElementById("messages");
const form = document.getElementById("chat-form");
const input = document.getElementById("chat-input");
const send = document.getElementById("send");
let thread = threadFromAddress() || newThreadId();
let fileSets = [];

function newThreadId() {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function threadFromAddress() {
  const match = /thread=([A-Za-z0-9_-]{1,64})/.exec(location.hash);
  return match ? match[1] : null;
}

function showThread() {
  location.hash = `thread=${thread}`;
  document.getElementById("thread-id").textContent = thread;
}

function reportHref() {
  return `/report/chat/${encodeURIComponent(thread)}`;
}

function userMessage(text) {
  messages.append(el("div", { class: "message user" }, text));
}

function assistantMessage() {
  const status = el("div", { class: "status" });
  const text = el("div", { class: "text" });
  const box = el("div", { class: "message assistant" }, status, text);
  messages.append(box);
  return { box, status, text };
}

async function loadHistory() {
  messages.replaceChildren();
  const history = await apiJson(`/api/chat/${encodeURIComponent(thread)}`);
  for (const m of history.messages) {
    if (m.role === "user") userMessage(m.content);
    else assistantMessage().text.append(richText(m.content));
  }
  if (history.analysis && messages.lastElementChild) {
    messages.lastElementChild.append(analysisCard(history.analysis, reportHref()));
  }
}

// Server-sent events over a POST body: frames separated by a blank line, "event:" and "data:" lines.
async function* readEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message", data = "";
      for (const line of frame.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data) yield { event, payload: JSON.parse(data) };
    }
  }
}

async function sendTurn(text) {
  userMessage(text);
  const reply = assistantMessage();
  reply.status.textContent = "…";
  send.disabled = true;
  try {
    const response = await fetch(`/api/chat/${encodeURIComponent(thread)}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text }),
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(typeof body.detail === "string" ? body.detail : `HTTP ${response.status}`);
    }
    for await (const { event, payload } of readEvents(response)) {
      if (event === "status") reply.status.textContent = payload.status;
      else if (event === "answer") reply.text.textContent += payload.answer;
      else if (event === "error") throw new Error(payload.detail);
      else if (event === "done") {
        reply.status.textContent = "";
        reply.text.replaceChildren(richText(payload.answer));
        if (payload.analysis_changed && payload.analysis) reply.box.append(analysisCard(payload.analysis, reportHref()));
      }
    }
  } catch (error) {
    reply.status.textContent = "";
    reply.box.append(el("p", { class: "error" }, `Error: ${error.message}`));
  } finally {
    send.disabled = false;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  sendTurn(text);
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
});

document.getElementById("new-thread").addEventListener("click", () => {
  thread = newThreadId();
  showThread();
  messages.replaceChildren();
});

document.getElementById("set-file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  const pick = document.getElementById("set-pick");
  const problem = document.getElementById("file-error");
  problem.textContent = "";
  pick.hidden = true;
  if (!file) return;
  const body = new FormData();
  body.append("file", file);
  try {
    fileSets = (await apiJson("/api/gene-sets", { method: "POST", body })).sets;
  } catch (error) {
    problem.textContent = error.message;
    return;
  }
  pick.replaceChildren(el("option", { value: "" }, `${fileSets.length} sets: pick one`));
  fileSets.forEach((s, i) => pick.append(el("option", { value: i }, `${s.id} (${s.genes.length} genes)`)));
  pick.hidden = false;
});

document.getElementById("set-pick").addEventListener("change", (event) => {
  const chosen = fileSets[Number(event.target.value)];
  if (event.target.value !== "" && chosen) input.value = chosen.genes.join(" ");
});

window.addEventListener("hashchange", () => {
  const fromAddress = threadFromAddress();
  if (fromAddress && fromAddress !== thread) {
    thread = fromAddress;
    showThread();
    loadHistory().catch((error) => messages.append(el("p", { class: "error" }, error.message)));
  }
});

showThread();
loadHistory().catch((error) => messages.append(el("p", { class: "error" }, error.message)));
