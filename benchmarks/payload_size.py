"""How big the Step page's component data is (explorer/step/payload.py): a script run by
hand (``python benchmarks/payload_size.py``), not a test.

Prints the size in kB (1000 bytes) of the payload as JSON, for the default network and for
the largest one the limits allow, 6 layers of 16, with each step's derivation and without
it (issue 21 asks whether the derivations can travel with the steps at that size). The JSON
is ``json.dumps`` of the dict, as Streamlit serializes a component's data.
"""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backprop import Network  # noqa: E402
from backprop.explain.steps import steps  # noqa: E402
from explorer.presets import default_network  # noqa: E402
from explorer.step import payload  # noqa: E402


def kb(data):
    return len(json.dumps(data).encode()) / 1000


def without_derivations(data):
    return {**data, "steps": [{k: v for k, v in s.items() if k != "derivation"}
                              for s in data["steps"]]}


def measure(name, net, x, y):
    trace = net.backprop(x, y)
    all_steps = steps(net, trace)
    data = payload.payload(net, trace, all_steps)
    bare = without_derivations(data)
    print(f"{name:<24} {len(all_steps):>5} {kb(data):>10.1f} {kb(bare):>10.1f}")


def main():
    print(f"{'network':<24} {'steps':>5} {'kB':>10} {'kB no der.':>10}")
    net, x, y = default_network()
    measure("default (2-2-2)", net, x, y)
    rng = np.random.default_rng(0)
    measure("6 layers of 16", Network.random([16] * 6, seed=0),
            rng.uniform(-1, 1, 16), rng.uniform(0, 1, 16))


if __name__ == "__main__":
    main()
