"""The chat's index events (upload, rebuild) run one at a time; its status line refreshes by itself."""

from __future__ import annotations

import pytest

from qa import Settings

pytestmark = pytest.mark.integration


def test_upload_and_rebuild_share_one_single_slot_queue(tmp_path, embedder):
    import gradio as gr

    from qa import Pipeline
    from ui.app import INDEX_EVENTS, build_app

    demo = build_app(Pipeline(Settings(db_dir=tmp_path / "db"), embedder=embedder))
    writers = [f for f in demo.fns.values() if f.concurrency_id == INDEX_EVENTS]
    assert len(writers) == 2
    assert all(f.concurrency_limit == 1 for f in writers)
    others = [f for f in demo.fns.values() if f.concurrency_id != INDEX_EVENTS]
    assert others
    assert all(f.concurrency_limit != 1 for f in others)  # questions still run side by side
    assert any(isinstance(block, gr.Timer) for block in demo.blocks.values())
