"""A network and its example as a JSON document, and back. Only ``json`` reads what a user
uploads: no pickle, no eval."""

import base64
import json
import zlib

import numpy as np

from backprop import Network, validate

from . import limits


def dumps(net, x, y):
    """The JSON text of a download: the network plus the example x, y."""
    return json.dumps({**net.to_dict(), "x": list(map(float, x)), "y": list(map(float, y))},
                      indent=1)


MAX_DIGITS = 100     # of a whole number in JSON: Python's int() stops at 4300 with its own words


def _whole_number(text):
    if len(text) > MAX_DIGITS:
        raise _NotJSON(f"holds a whole number with too many digits ({len(text)})")
    return int(text)


class _NotJSON(ValueError):
    """A reason, in the app's words, why a text is no network JSON."""


def loads(data, source="file"):
    """(net, x, y) from the bytes or text of an upload (or a link: ``source``), or
    ValueError saying what is wrong, in the app's own words (never Python's)."""
    if len(data) > limits.MAX_UPLOAD_BYTES:
        raise ValueError(f"the {source} holds {len(data):,} bytes; a network file is at "
                         f"most {limits.MAX_UPLOAD_BYTES:,} bytes "
                         f"({limits.MAX_UPLOAD_BYTES // 1024} kB)")
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise ValueError(f"the {source} is not valid JSON: it is not text (byte "
                             f"{e.start + 1} is no UTF-8 character)") from None
    try:
        doc = json.loads(data, parse_int=_whole_number)
    except _NotJSON as e:
        raise ValueError(f"the {source} {e}") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"the {source} is not valid JSON (look at line {e.lineno}, column "
                         f"{e.colno})") from None
    except RecursionError:
        raise ValueError(f"the {source} nests too deeply to be a network") from None
    if not isinstance(doc, dict):
        raise ValueError(f"the {source} must hold one JSON object, as written by Download")
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


LINK_KEY = "net"              # the query parameter: ?net=...
MAX_LINK_CHARS = 8000         # what browsers and chat apps pass along safely


def to_link(net, x, y):
    """The network and example packed for a link: compressed JSON in URL-safe base64."""
    packed = zlib.compress(dumps(net, x, y).encode(), 9)
    return base64.urlsafe_b64encode(packed).decode().rstrip("=")


def from_link(text):
    """(net, x, y) from the text of a link's ``net`` parameter, or ValueError."""
    if not isinstance(text, str) or len(text) > MAX_LINK_CHARS:
        raise ValueError(f"the link's network is longer than {MAX_LINK_CHARS} characters")
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        inflate = zlib.decompressobj()
        data = inflate.decompress(packed, limits.MAX_UPLOAD_BYTES + 1)   # no zip bombs
    except (ValueError, zlib.error):
        raise ValueError("the link is damaged (it may have been cut short when copied)") from None
    return loads(data, source="link")
