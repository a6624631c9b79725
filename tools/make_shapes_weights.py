"""Train 07's dense network and CNN on shapes in the left half and write their shipped weights.

::

    python -m tools.make_shapes_weights   # writes meia_cnn/assets/shapes_dense.npz and shapes_cnn.npz

Notebook 07 compares a dense network with a CNN on shapes that move: both are
trained on 600 shapes in the left half of a 24x24 image and tested on new
shapes in the same place and on shapes moved to the right half.  The notebook
loads the weights this recipe gives (``nn.SHAPES_DENSE_WEIGHTS`` and
``nn.SHAPES_CNN_WEIGHTS``, read without pickle) so that Run All trains
nothing; the training line stands commented in the notebook, to run on
request.  The architectures and the recipe here are the notebook's, cell for
cell; each file also stores the recipe and the two accuracies it reached.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from meia_cnn import nn
from meia_cnn.data import SHAPE_NAMES, shapes

SIZE = 24
RECIPE: dict[str, Any] = {
    "n_train": 600,
    "size": SIZE,
    "seed": 0,
    "region": "left",
    "epochs": 15,
    "batch_size": 32,
    "lr": 1e-2,
}


def models() -> dict[str, nn.Sequential]:
    """07's two networks, untrained: ``"dense"`` and ``"CNN"``."""
    n_classes = len(SHAPE_NAMES)
    dense = nn.Sequential(
        [nn.Flatten(), nn.Dense(SIZE * SIZE, 64), nn.ReLU(), nn.Dense(64, n_classes)],
        input_shape=(SIZE, SIZE, 1),
        seed=0,
    )
    cnn = nn.Sequential(
        [
            nn.Conv2D(1, 8, 3, padding="same"),
            nn.ReLU(),
            nn.MaxPool2D(2),
            nn.Conv2D(8, 16, 3, padding="same"),
            nn.ReLU(),
            nn.MaxPool2D(2),
            nn.MaxPool2D(SIZE // 4),
            nn.Flatten(),
            nn.Dense(16, n_classes),
        ],
        input_shape=(SIZE, SIZE, 1),
        seed=0,
    )
    return {"dense": dense, "CNN": cnn}


def main(argv: list[str] | None = None) -> int:
    """Train both networks with :data:`RECIPE` and write their weights into ``meia_cnn/assets``."""
    parser = argparse.ArgumentParser(prog="python -m tools.make_shapes_weights", description=__doc__.split("\n")[0])
    parser.parse_args(argv)
    X_left, y_left = shapes(RECIPE["n_train"], size=SIZE, seed=0, region="left")
    X_left_new, y_left_new = shapes(300, size=SIZE, seed=2, region="left")
    X_right, y_right = shapes(300, size=SIZE, seed=1, region="right")
    paths = {"dense": nn.SHAPES_DENSE_WEIGHTS, "CNN": nn.SHAPES_CNN_WEIGHTS}
    for label, net in models().items():
        start = time.perf_counter()
        net.fit(
            X_left,
            y_left,
            epochs=RECIPE["epochs"],
            batch_size=RECIPE["batch_size"],
            optimizer=nn.Adam(RECIPE["lr"]),
            seed=0,
            progress=False,
        )
        same, moved = net.evaluate(X_left_new, y_left_new), net.evaluate(X_right, y_right)
        net.save(paths[label], accuracy_same_place=same, accuracy_moved=moved, **RECIPE)
        print(
            f"{label:5s} same place {same:.1%}, moved {moved:.1%} after {time.perf_counter() - start:.1f} s; "
            f"wrote {paths[label]} ({paths[label].stat().st_size:,} bytes)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
