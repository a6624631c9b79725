"""The reference CNN trained in a background thread: what it reports, how it stops, how it fails (no widgets)."""

import threading

from meia_cnn import nn
from meia_cnn.nn.background import CURVES, BackgroundTraining


def test_a_run_reports_every_batch_and_epoch_and_gives_the_recipes_numbers():
    batches, epochs, ended = [], [], []
    run = BackgroundTraining(
        filters=2,
        kernel_size=3,
        epochs=2,
        seed=0,
        on_batch=batches.append,
        on_epoch=lambda logs: epochs.append(len(run.history["loss"])),
        on_end=ended.append,
    )
    assert run.running and not run.history["loss"]
    run.start()
    assert run.wait(timeout=120) and not run.running
    model, history = nn.train_reference(filters=2, kernel_size=3, epochs=2, seed=0)
    assert run.history == history and set(run.history) == set(CURVES)
    assert epochs == [1, 2]  # each epoch is in the history when it is reported
    assert len(batches) == 2 * batches[0]["batches"] and ended == [run]
    _, X_test, _, y_test = nn.digits_split()
    assert run.test_accuracy == model.evaluate(X_test, y_test) == history["val_accuracy"][-1]
    assert run.seconds > 0 and run.error is None and not run.stopped


def test_stop_ends_the_run_after_the_current_batch_without_on_end():
    first = threading.Event()
    ended = []
    run = BackgroundTraining(
        filters=8, kernel_size=3, epochs=40, seed=0, on_batch=lambda logs: first.set(), on_end=ended.append
    )
    run.start()
    assert first.wait(timeout=60)
    assert run.stop(timeout=60)
    assert run.stopped and not run.running and run.model is None and ended == []
    assert len(run.history["loss"]) < 40


def test_a_failing_run_keeps_its_error(monkeypatch):
    def broken(**kwargs):
        raise ValueError("out of paper")

    monkeypatch.setattr(nn.reference, "train_reference", broken)
    ended = []
    run = BackgroundTraining(filters=2, kernel_size=3, epochs=1, seed=0, on_end=ended.append)
    run.start()
    assert run.wait(timeout=60)
    assert str(run.error) == "out of paper" and ended == [run] and run.model is None and not run.running
