"""Every sentence is embedded once at index time; questions read the stored vectors instead of encoding sentences.

Also the word vectors of the answerer's alignment (`index.words`): learnt by the index writer, read
from the file by any other process, and safe against an append cut short.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from index import ChunkStore, OutdatedIndexError, update_index
from index.embedding import mean_vector, pack_vectors, unpack_vectors
from index.records import article_key
from index.words import WordVectors, words_of
from qa import Pipeline, Settings


@pytest.mark.integration
def test_each_chunk_stores_its_sentences_vectors_and_is_their_mean(make_settings, embedder):
    settings = make_settings()
    update_index(settings, embedder=embedder)
    store = ChunkStore(settings)
    collection = store.client.get_collection(store.name)
    stored = collection.get(include=["embeddings", "metadatas", "documents"])
    assert stored["ids"]
    for chunk_id, vector, text in zip(stored["ids"], stored["embeddings"], stored["documents"], strict=True):
        [chunk] = store.get_chunks([chunk_id])
        begin = chunk.start
        vectors = chunk.sentence_vectors(embedder.dimension)
        assert vectors is not None
        assert len(vectors) == len(chunk.sentences)
        fresh = embedder.encode([text[s - begin : e - begin] for s, e in chunk.sentences])
        assert np.all(np.sum(vectors * fresh, axis=1) > 0.995)  # int8 storage loses almost nothing
        assert float(np.asarray(vector) @ mean_vector(fresh)) > 0.995  # the chunk is found by the mean of its sentences


@pytest.mark.integration
def test_a_question_encodes_no_sentence_of_the_articles(make_settings, embedder, monkeypatch):
    settings = make_settings()
    update_index(settings, embedder=embedder)
    pipeline = Pipeline(settings, embedder=embedder)
    chunks = list(pipeline.store.iter_chunks())
    article_texts = {c.text for c in chunks} | {c.text[s - c.start : e - c.start] for c in chunks for s, e in c.sentences}
    encoded: list[str] = []
    real = type(embedder.model).encode

    def recording(model, texts, *args, **kwargs):  # every forward pass, whoever asks for it
        encoded.extend([texts] if isinstance(texts, str) else texts)
        return real(model, texts, *args, **kwargs)

    monkeypatch.setattr(type(embedder.model), "encode", recording)
    question = "What did Pistorius regret, according to the article on defence spending?"  # asked nowhere else: nothing cached
    answer = pipeline.ask(question)
    assert "concessions" in answer.citations[0].quote
    assert question in encoded  # the question itself is encoded ...
    assert not set(encoded) & article_texts  # ... but no sentence or chunk of the articles


@pytest.mark.integration
def test_an_index_without_stored_vectors_says_to_rebuild_and_a_rebuild_stores_them(make_settings, embedder):
    settings = make_settings()
    first = update_index(settings, embedder=embedder)
    store = ChunkStore(settings)
    collection = store.client.get_collection(store.name)
    got = collection.get(include=["metadatas", "documents", "embeddings"])
    collection.delete(ids=got["ids"])  # as built by an older newsqa: no sentence vectors, and no sync manifest
    collection.add(
        ids=got["ids"],
        documents=got["documents"],
        embeddings=got["embeddings"],
        metadatas=[{k: v for k, v in m.items() if k != "sentence_vectors"} for m in got["metadatas"]],
    )
    shutil.rmtree(settings.db_dir / "sync")
    with pytest.raises(OutdatedIndexError, match=r"lacks its 'sentence_vectors' field.*newsqa index --rebuild"):
        Pipeline(settings, embedder=embedder).ask("What did Pistorius regret?")  # one message, no question answered from a guess
    again = update_index(settings, embedder=embedder, rebuild=True)
    assert again.chunks_embedded == first.chunks_embedded
    assert all(len(c.sentence_vectors(embedder.dimension)) == len(c.sentences) for c in ChunkStore(settings).iter_chunks())
    assert not Pipeline(settings, embedder=embedder).ask("What did Pistorius regret?").abstained


@pytest.mark.integration
def test_one_article_per_batch_and_all_in_one_store_the_same_index(make_settings, embedder, tmp_path):
    folder = tmp_path / "several"
    folder.mkdir()
    for town, count in (("Arden", 3), ("Bexley", 4), ("Corran", 5)):
        body = " ".join(f"{town} council met for the {n}th time this year to discuss the harbour wall." for n in range(count))
        (folder / f"{town.lower()}.txt").write_text(f"{town} council meets\n\n{body}")

    def snapshot(settings: Settings) -> dict[str, tuple[str, np.ndarray, np.ndarray]]:
        store = ChunkStore(settings)
        got = store.client.get_collection(store.name).get(include=["documents", "metadatas", "embeddings"])
        return {
            i: (d, unpack_vectors(m["sentence_vectors"], embedder.dimension), np.asarray(v))
            for i, d, m, v in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True)
        }

    apart = make_settings(folder, index_batch_sentences=1)  # a batch per article
    update_index(apart, embedder=embedder)
    together = apart.model_copy(update={"db_dir": tmp_path / "together", "index_batch_sentences": 100_000})
    update_index(together, embedder=embedder)
    small, large = snapshot(apart), snapshot(together)
    assert small.keys() == large.keys()
    assert len({article_key(i) for i in small}) == 3
    for chunk_id in small:
        text, sentences, vector = small[chunk_id]
        assert text == large[chunk_id][0]
        assert np.all(np.sum(sentences * large[chunk_id][1], axis=1) > 0.999)  # padding differs between batches, the vectors do not
        assert float(vector @ large[chunk_id][2]) > 0.999
        assert float(vector @ embedder.encode([text])[0]) > 0.8  # and each chunk is found by its own text


@pytest.mark.unit
def test_packed_vectors_round_trip_compactly():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(5, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    packed = pack_vectors(vectors)
    assert len(packed) == 4 * 5 * 384 // 3  # one byte per number, in base64
    assert np.all(np.sum(unpack_vectors(packed, 384) * vectors, axis=1) > 0.998)


@pytest.mark.integration
def test_the_writer_learns_words_and_another_process_reads_them_without_encoding(tmp_path, embedder, monkeypatch):
    writer = WordVectors(lambda: embedder, tmp_path / "words", embedder.name)
    assert writer.learn(["The Kessel Bridge reopens in April.", "The bridge"]) == len(set(words_of("The Kessel Bridge reopens in April.")))
    assert writer.learn(["the BRIDGE reopens"]) == 0  # nothing new

    reader = WordVectors(lambda: embedder, tmp_path / "words", embedder.name)
    monkeypatch.setattr(WordVectors, "_encode", lambda self, words: pytest.fail(f"encoded {words}"))
    found = reader.vectors(["kessel", "april"])
    monkeypatch.undo()
    alone = embedder.model.encode(["kessel", "april"], normalize_embeddings=True)
    assert np.all(np.sum(np.stack([found["kessel"], found["april"]]).astype(np.float32) * alone, axis=1) > 0.999)


@pytest.mark.integration
def test_an_append_cut_short_is_ignored_and_then_cut_off(tmp_path, embedder):
    writer = WordVectors(lambda: embedder, tmp_path / "words", embedder.name)
    writer.learn(["bridge closed"])
    assert writer.words_path is not None
    assert writer.vectors_path is not None
    with writer.words_path.open("ab") as words:
        words.write("tørn".encode()[:2])  # half a word, cut inside a character, and no vector: a writer killed mid-append
    with writer.vectors_path.open("ab") as rows:
        rows.write(b"\x00" * 100)

    reader = WordVectors(lambda: embedder, tmp_path / "words", embedder.name)
    assert reader.unknown(["bridge", "closed", "torn"]) == ["torn"]  # no UnicodeDecodeError: the cut line is ignored
    assert writer.learn(["torn river"]) == 2
    fresh = WordVectors(lambda: embedder, tmp_path / "words", embedder.name)
    assert fresh.unknown(["bridge", "closed", "torn", "river"]) == []
    assert writer.words_path.read_text(encoding="utf-8").split("\n")[:-1] == ["bridge", "closed", "torn", "river"]
    alone = embedder.model.encode(["river"], normalize_embeddings=True)[0]
    assert float(fresh.vectors(["river"])["river"].astype(np.float32) @ alone) > 0.999
