"""A network and its example as a JSON document, and back. Only ``json`` reads what a user
uploads: no pickle, no eval."""

import json

import numpy as np

from backprop import Network, validate

from . import limits


def dumps(net, x, y):
    """The JSON text of a download: the network plus the example x, y."""
    return json.dumps({**net.to_dict(), "x": list(map(float, x)), "y": list(map(float, y))},
                      indent=1)


def loads(data):
    """(net, x, y) from the bytes or text of an upload, or ValueError saying what is wrong."""
    if len(data) > limits.MAX_UPLOAD_BYTES:
        raise ValueError(f"the file is {len(data) / 1024:.0f} kB; a network file is at most "
                         f"{limits.MAX_UPLOAD_BYTES // 1024} kB")
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError(f"the file is not valid JSON ({e})") from None
    if not isinstance(doc, dict):
        raise ValueError("the file must hold one JSON object, as written by Download")
    sizes = doc.get("sizes")
    if isinstance(sizes, list) and len(sizes) > limits.MAX_LAYERS:
        raise ValueError(f"the network has {len(sizes)} layers; at most "
                         f"{limits.MAX_LAYERS} are allowed")
    net = Network.from_dict(doc)
    x = validate.vector("x", doc.get("x", np.zeros(net.sizes[0])), net.sizes[0], "n_1")
    y = validate.vector("y", doc.get("y", np.zeros(net.sizes[-1])), net.sizes[-1],
                        f"n_{net.L}")
    limits.check_network(net, x, y)
    return net, x, y
