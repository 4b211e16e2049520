"""The cache folder keeps the builds used last, not every build ever made: each content edit trains
a new reader model, and each new environment builds the encoder's 83 MB tables again."""
import os

from game.language import learned


def _train(texts_a, texts_b):
    ts = learned.TrainingSet(["a", "b"])
    for t in texts_a:
        ts.add(t, "a")
    for t in texts_b:
        ts.add(t, "b")
    return learned.trained(ts, learned.Design(embed=False, words=False, min_df=1))


def test_edited_content_keeps_only_the_models_used_last(tmp_path, monkeypatch):
    monkeypatch.setenv("KEFUSIM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(learned, "_memo", {})
    other = tmp_path / "notes.txt"
    other.write_text("not ours")
    for k in range(5):  # five edits of the examples, each its own model
        last = _train([f"可以退{k}", "能退的"], [f"有现货{k}", "有货的"])
        for f in tmp_path.glob("intents-*.npz"):  # files written in one second look the same age
            st = f.stat()
            os.utime(f, (st.st_atime, st.st_mtime - 10))
    models = sorted(tmp_path.glob("intents-*.npz"))
    assert len(models) == learned.KEEP_BUILDS
    assert tmp_path / learned.model_file(last.digest) in models
    assert other.exists()


def test_a_build_just_used_is_kept_and_both_files_of_a_build_go_together(tmp_path):
    def build(name, age):
        files = [tmp_path / f"usem3-{name * 24}.npz", tmp_path / f"usem3-{name * 24}-table.npy"]
        for f in files:
            f.write_bytes(b"x")
            os.utime(f, (1_000_000 - age, 1_000_000 - age))
        return files

    builds = {n: build(n, age) for n, age in zip("abcde", (50, 40, 30, 20, 10))}  # "a" oldest
    jieba = tmp_path / f"jieba3-{'f' * 24}.npz"
    jieba.write_bytes(b"x")
    learned.mark_used(builds["a"][0])  # "a" read just now
    gone = learned.prune_cache(tmp_path, "usem3")
    kept = {n for n, files in builds.items() if all(f.exists() for f in files)}
    assert kept == {"a", "d", "e"}
    assert all(not f.exists() for n in "bc" for f in builds[n])
    assert len(gone) == 4
    assert jieba.exists()  # another kind is not touched
