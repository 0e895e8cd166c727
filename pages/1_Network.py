"""The network's numbers: w^l and b^l for every layer, the example x and y, as tables to
edit; and the network as a file to download or upload."""

import streamlit as st

from backprop.explain.notation import pretty
from backprop.validate import shown
from explorer import files, frame, limits, messages, sidebar, state, tables

# Text cells: a number cell of the browser turns "abc" into 0 before the server sees it.
CELL = st.column_config.TextColumn(max_chars=tables.MAX_CELL_CHARS, alignment="right")


def editor(name, df, key):
    """An editable table of ``df``'s numbers; returns them, or None (with a message beside
    it) if a cell is empty, not a number or out of range. What the browser sent for it is
    checked first: anything but edits of existing cells is dropped before Streamlit
    applies it, and the table shows the last valid numbers. Where a lesson link locks
    editing, the table is shown, not editable, and None is returned."""
    ss = st.session_state
    if sidebar.locked("edit"):
        st.dataframe(tables.as_text(df), width="content")
        return None
    refused = None
    try:
        tables.check_edits(ss.get(key), df)
    except ValueError as e:
        refused = str(e)
        del ss[key]          # the editor starts again from df
    edited = st.data_editor(tables.as_text(df), key=key, num_rows="fixed", width="content",
                            column_config={c: CELL for c in df.columns})
    try:
        if refused:
            raise ValueError(f"{name}: {refused}")
        values = tables.parse_table(name, edited, df.shape if df.shape[1] > 1 else (len(df),))
        limits.check_magnitude(name, values)
        return values
    except ValueError as e:
        messages.error(f"{e}. Still using the last valid {name}.")
        return None


def on_upload():
    ss = st.session_state
    up = ss.get("_upload")
    if up is None:
        return
    try:
        state.set_network(*files.loads(up.getvalue()))
        ss.preset = state.CUSTOM
        ss.msg.pop("upload", None)
    except ValueError as e:
        ss.msg["upload"] = f"Could not load {shown(up.name)}: {e}"


@frame.page("Network")
def body():
    ss = st.session_state
    net, v = ss.net, ss.version
    st.title("The network's numbers")
    st.markdown("Row **j** is neuron j of layer l; column **k** is neuron k of layer l−1, so "
                "the cell (j, k) of wˡ is wˡⱼₖ, the weight **to** j **from** k. Edit any "
                "cell: every page follows at once. An empty or impossible cell is reported "
                "beside its table, and the last valid numbers stay in use.")
    if sidebar.locked("edit"):
        st.info("This lesson keeps its network as it is: the tables are shown, not edited, "
                "and no file can be loaded.", icon=":material/lock:")
    st.caption(f"Every number lies between −{limits.MAX_ABS:g} and {limits.MAX_ABS:g}; "
               "type it as 0.5, -2 or 1e-3.")
    left, right = st.columns(2)
    with left:
        st.markdown("**Input x = a¹**")
        x = editor("x", tables.vector_table(ss.x, "x"), f"x_{v}")
    with right:
        st.markdown(pretty(f"**Target y** (n_{net.L} = {net.sizes[-1]})"))
        y = editor("y", tables.vector_table(ss.y, "y"), f"y_{v}")
    ws, bs = list(net.w.values()), list(net.b.values())
    for l in net.w:
        st.markdown(pretty(f"##### Layer {l}: w^{l} and b^{l}  ·  w^{l} is n_{l} × n_{l - 1} = "
                           f"{net.sizes[l - 1]} × {net.sizes[l - 2]},  σ = {net.activations[l]}"))
        wcol, bcol = st.columns([max(2, net.sizes[l - 2]), 1.2])
        with wcol:
            w = editor(f"w^{l}", tables.matrix_table(net.w[l]), f"w{l}_{v}")
        with bcol:
            b = editor(f"b^{l}", tables.vector_table(net.b[l], pretty(f"b^{l}")), f"b{l}_{v}")
        ws[l - 2] = net.w[l] if w is None else w
        bs[l - 2] = net.b[l] if b is None else b
    ss.net = net.replace(weights=ws, biases=bs)
    ss.x = ss.x if x is None else x
    ss.y = ss.y if y is None else y

    st.markdown("##### Save, load or share")
    down, up = st.columns(2)
    down.download_button("Download this network (JSON)", files.dumps(ss.net, ss.x, ss.y),
                         file_name="network.json", mime="application/json")
    with up:
        if not sidebar.locked("edit"):
            st.file_uploader("Load a network (JSON, as downloaded)", type=["json"],
                             key="_upload", on_change=on_upload)
        messages.message("upload")
    link = files.to_link(ss.net, ss.x, ss.y)
    if len(link) <= files.MAX_LINK_CHARS:
        if st.button("Put this network in the address bar", key="share",
                     help="Then copy the address: whoever opens it gets this network."):
            st.query_params[files.LINK_KEY] = link
    else:
        st.caption("This network is too large to share as a link: download it instead.")


body()
