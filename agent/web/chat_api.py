"""Chat turns on a thread, streamed as server-sent events.

Events: `status` ({"status": text}), `answer` ({"answer": chunk}) as the agent's chat graph emits them, then
`done` ({"answer", "genes", "analysis", "analysis_changed"}) or `error` ({"detail"}). The thread persists in
`$GENE_R1_HOME/chat/threads.sqlite`, so it survives a restart.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from gene_r1.agent.web.report import with_links
from gene_r1.agent.web.state import WebState, web_state

log = logging.getLogger("gene_r1.web.chat")
router = APIRouter(prefix="/api/chat")
_THREAD_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ChatRequest(BaseModel):
    text: str = Field(..., min_length=1, max_length=20000, examples=["CDK1 CCNB1 PLK1 AURKA BUB1"])


def checked_thread(thread_id: str) -> str:
    if not _THREAD_ID.match(thread_id):
        raise HTTPException(422, "A thread id is 1-64 letters, digits, '-' or '_'.")
    return thread_id


def thread_values(graph, thread_id: str) -> dict:
    return graph.get_state({"configurable": {"thread_id": thread_id}}).values


def sse(event: str, payload: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


def run_turn(web: WebState, thread_id: str, text: str, emit) -> None:
    """One chat turn (blocking); every chunk and the final event go to `emit(event, payload)`."""
    from gene_r1.agent.chat import chat_turn

    try:
        context, graph = web.context(), web.chat_graph()
        with web.thread_lock(thread_id), web.gate:
            before = thread_values(graph, thread_id).get("analysis")
            answer = chat_turn(
                graph, thread_id, text, context, on_chunk=lambda c: emit("status" if "status" in c else "answer", c)
            )
            values = thread_values(graph, thread_id)
        analysis = values.get("analysis")
        emit(
            "done",
            {
                "answer": answer,
                "genes": values.get("genes", []),
                "analysis": with_links(analysis) if analysis else None,
                "analysis_changed": analysis is not None and analysis != before,
            },
        )
    except Exception as error:  # noqa: BLE001 - the client must always get a final event, with the reason
        log.exception("chat turn on %s failed", thread_id)
        emit("error", {"detail": f"{type(error).__name__}: {error}"})


@router.post("/{thread_id}", summary="One chat turn, streamed as server-sent events")
async def chat(thread_id: str, request: ChatRequest, web: WebState = Depends(web_state)) -> StreamingResponse:
    """Send genes ("CDK1 CCNB1 PLK1 ...") to start, then follow-ups ("which genes support that?",
    "drop RPL3", "verify DNA repair", "why?")."""
    thread_id = checked_thread(thread_id)
    loop = asyncio.get_running_loop()
    events: asyncio.Queue[tuple[str, dict]] = asyncio.Queue()

    def emit(event: str, payload: dict) -> None:
        loop.call_soon_threadsafe(events.put_nowait, (event, payload))

    async def stream():
        worker = loop.run_in_executor(None, run_turn, web, thread_id, request.text, emit)
        yield ": turn started\n\n"
        while True:
            event, payload = await events.get()
            yield sse(event, payload)
            if event in ("done", "error"):
                break
        await worker

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )


@router.get("/{thread_id}", summary="A thread's history, genes and current analysis")
def chat_history(thread_id: str, web: WebState = Depends(web_state)) -> dict:
    values = thread_values(web.chat_graph(), checked_thread(thread_id))
    messages = [
        {"role": "user" if m.type == "human" else "assistant", "content": m.content} for m in values.get("messages", [])
    ]
    analysis = values.get("analysis")
    linked = with_links(analysis) if analysis else None
    return {"messages": messages, "genes": values.get("genes", []), "analysis": linked}
