#!/usr/bin/env python3
"""TensorFlow-CPU reference for `swiftps bench compute`: the same mlp and cnn, the same
optimizer (Adam 1e-3) and batch sizes, on the bundled MNIST, timed the same way (whole
training steps over an epoch, after a warm-up epoch slice).

Not part of SwiftPS; it needs `pip install tensorflow-cpu` (docs/BENCHMARKS.md says how).
Usage: python3 scripts/reference/tensorflow_mnist.py [--model mlp|cnn|all] [--steps N]
"""
import argparse, gzip, os, time
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "..", "data", "mnist")

def idx(name, offset):
    with gzip.open(os.path.join(data, name), "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="all")
    p.add_argument("--steps", type=int, default=600)
    a = p.parse_args()
    import tensorflow as tf
    x = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28, 1).astype(np.float32) / 255
    y = idx("train-labels-idx1-ubyte.gz", 8).astype(np.int32)
    L = tf.keras.layers
    models = {
        "mlp": (64, lambda: tf.keras.Sequential([tf.keras.Input((28, 28, 1)), L.Flatten(), L.Dense(128, "relu"),
                                                 L.Dense(64, "relu"), L.Dense(10)])),
        "cnn": (32, lambda: tf.keras.Sequential([tf.keras.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"),
                                                 L.MaxPooling2D(2), L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2),
                                                 L.Conv2D(64, 3, activation="relu"), L.Flatten(), L.Dense(64, "relu"),
                                                 L.Dense(10)])),
    }
    print(f"tensorflow {tf.__version__}, intra-op threads {tf.config.threading.get_intra_op_parallelism_threads() or 'default (cores)'}")
    for name in (["mlp", "cnn"] if a.model == "all" else [a.model]):
        batch, make = models[name]
        model = make()
        model.compile(optimizer=tf.keras.optimizers.Adam(1e-3),
                      loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        n = a.steps * batch
        model.fit(x[:20 * batch], y[:20 * batch], batch_size=batch, epochs=1, verbose=0)  # warm-up, tracing
        t = time.perf_counter()
        model.fit(x[:n], y[:n], batch_size=batch, epochs=1, verbose=0, shuffle=True)
        dt = time.perf_counter() - t
        print(f"{name}: batch {batch}, {a.steps} steps, {n / dt:.0f} samples/s")

if __name__ == "__main__":
    main()
