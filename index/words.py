"""Word vectors for the answerer's word alignment: each word encoded alone by the embedding model.

A word's vector depends only on the word and the model, so it is computed once and kept: the index
writer encodes the words of the articles it indexes that are not known yet and appends them to a
file beside the store; every process that answers from the store reads that file (again when it
has grown) and keeps what it uses in memory. A word met only at question time (a word of a question
no indexed article holds) is encoded then and kept in memory only: one writer.

The file is two append-only parts under `<db_dir>/words/`, named by the model: `<key>.words` (one
word per line) and `<key>.f16` (the unit vectors, float16, in the same order). Both are read up to
the shorter, so an append cut short by a crash is ignored, and the next writer cuts it off.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from index.faults import crash_point

if TYPE_CHECKING:
    from index.embedding import Embedder
    from index.settings import IndexSettings

MEMORY_WORDS = 100_000
"""Word vectors kept in memory per process (float16: about 77 MB for MiniLM when full); a bound, not a knob."""
WORD = re.compile(r"\w+")
"""What a word is, everywhere: the word file and the answerer's alignment, copy shingles, a chunk's scope words."""
WORD_BATCH = 1024
"""Words encoded per forward pass while indexing: a word is a token or three, so a pass of a thousand costs what a few
sentences do, where passes of 64 paid the model's per-call cost once per 64 words (it took longer than every sentence)."""


def words_of(text: str) -> tuple[str, ...]:
    """The lower-cased words of a text, in order."""
    return tuple(w.lower() for w in WORD.findall(text))


class WordVectors:
    """The vectors of words encoded alone: from memory, from the word file beside the store, or encoded now.

    Args:
        embedder: Gives the loaded model (called when words must be encoded or the file is read,
            which needs the model's dimension).
        folder: Where the word file is (`<db_dir>/words`); None keeps words in memory only.
        model: The embedding model's name, which names the file.
    """

    def __init__(self, embedder: Callable[[], Embedder], folder: Path | None, model: str) -> None:
        self._embedder = embedder
        key = hashlib.sha256(model.encode("utf-8")).hexdigest()[:16]
        self.words_path = folder / f"{key}.words" if folder is not None else None
        self.vectors_path = folder / f"{key}.f16" if folder is not None else None
        self._memory: OrderedDict[str, NDArray[np.float16]] = OrderedDict()
        self._stored: dict[str, int] = {}
        self._lines: list[str] = []
        self._words_read = 0
        self._rows: NDArray[np.float16] | None = None
        self._seen_size = (-1, -1)
        self._lock = threading.Lock()

    @classmethod
    def beside(cls, settings: IndexSettings, embedder: Callable[[], Embedder]) -> WordVectors:
        """The word vectors of the store these settings open: its word file (`<db_dir>/words`, named by the model)."""
        return cls(embedder, settings.db_dir / "words", settings.embedding_model)

    def of_texts(self, texts: Sequence[str]) -> list[tuple[tuple[str, ...], NDArray[np.float16]]]:
        """Each text's words and their vectors (one row per word)."""
        words = [words_of(text) for text in texts]
        table = self.vectors([w for text_words in words for w in text_words])
        return [
            (text_words, np.stack([table[w] for w in text_words]) if text_words else np.zeros((0, 0), np.float16)) for text_words in words
        ]

    def vectors(self, words: Sequence[str]) -> dict[str, NDArray[np.float16]]:
        """The unit vector of each word, encoding only the words neither in memory nor in the file."""
        wanted = list(dict.fromkeys(words))
        with self._lock:
            found = {w: self._memory[w] for w in wanted if w in self._memory}
            for word in found:
                self._memory.move_to_end(word)
            missing = [w for w in wanted if w not in found]
            if missing:
                self._read_file()
                for word in missing:
                    row = self._stored.get(word)
                    if row is not None and self._rows is not None:
                        found[word] = np.array(self._rows[row])
        fresh = [w for w in missing if w not in found]
        if fresh:
            found.update(zip(fresh, self._encode(fresh), strict=True))
        with self._lock:
            self._memory.update((w, found[w]) for w in missing)
            while len(self._memory) > MEMORY_WORDS:
                self._memory.popitem(last=False)
        return found

    def unknown(self, words: Sequence[str]) -> list[str]:
        """The distinct words neither in memory nor in the file (to be encoded with something else, then `remember`ed)."""
        with self._lock:
            self._read_file()
            return [w for w in dict.fromkeys(words) if w not in self._memory and w not in self._stored]

    def remember(self, words: Sequence[str], vectors: NDArray[np.floating]) -> None:
        """Keep the vectors of words encoded elsewhere (each alone, unit length) in memory."""
        with self._lock:
            self._memory.update(zip(words, np.asarray(vectors, dtype=np.float16), strict=True))
            while len(self._memory) > MEMORY_WORDS:
                self._memory.popitem(last=False)

    def learn(self, texts: Sequence[str]) -> int:
        """Encode the words of `texts` the file lacks and append them (the index writer, under the write lock); how many.

        The vectors are written (and synced) before the words that name them, so a crash leaves at
        most vectors or a word line without a partner, which readers ignore and the next `learn` cuts off.
        """
        if self.words_path is None or self.vectors_path is None:
            return 0
        with self._lock:
            self._read_file()
            new = [w for w in dict.fromkeys(w for text in texts for w in words_of(text)) if w not in self._stored]
        if not new:
            return 0
        vectors = self._encode(new)
        with self._lock:
            self.words_path.parent.mkdir(parents=True, exist_ok=True)
            self._cut_to(len(self._stored))
            crash_point("words")  # the file is whole; nothing of this batch's words is written yet
            with self.vectors_path.open("ab") as rows:
                rows.write(vectors.tobytes())
                rows.flush()
                os.fsync(rows.fileno())
            with self.words_path.open("ab") as lines:
                lines.write("".join(f"{w}\n" for w in new).encode("utf-8"))
                lines.flush()
                os.fsync(lines.fileno())
            self._read_file()
        return len(new)

    def _encode(self, words: list[str]) -> NDArray[np.float16]:
        model = self._embedder().model
        vectors = model.encode(words, batch_size=WORD_BATCH, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float16)

    def _read_file(self) -> None:
        """Read the word file again when it has grown (call with the lock held): what is appended since, not all of it."""
        if self.words_path is None or self.vectors_path is None:
            return
        try:
            size = (self.words_path.stat().st_size, self.vectors_path.stat().st_size)
        except OSError:
            return
        if size == self._seen_size:
            return
        with self.words_path.open("rb") as lines:
            lines.seek(self._words_read)
            # complete lines only: a line without its newline (or a character cut in two) is an append cut short
            tail = lines.read(size[0] - self._words_read)
        end = tail.rfind(b"\n") + 1
        for line in tail[:end].split(b"\n")[:-1]:
            self._lines.append(line.decode("utf-8", "replace"))
        self._words_read += end
        dimension = self._dimension()
        count = min(len(self._lines), size[1] // (2 * dimension))
        self._rows = np.memmap(self.vectors_path, dtype=np.float16, mode="r", shape=(count, dimension)) if count else None
        self._stored.update((self._lines[i], i) for i in range(len(self._stored), count))
        self._seen_size = size

    def _cut_to(self, count: int) -> None:
        """Cut off whatever a cut-short append left past the first `count` words (the writer, before appending; truncation only)."""
        assert self.words_path is not None and self.vectors_path is not None
        if self.words_path.exists():
            keep = sum(len(w.encode("utf-8")) + 1 for w in self._lines[:count])
            if self.words_path.stat().st_size != keep:
                with self.words_path.open("r+b") as lines:
                    lines.truncate(keep)
                del self._lines[count:]
                self._words_read = keep
        if self.vectors_path.exists() and self.vectors_path.stat().st_size != count * 2 * self._dimension():
            with self.vectors_path.open("r+b") as rows:
                rows.truncate(count * 2 * self._dimension())

    def _dimension(self) -> int:
        return self._embedder().dimension
