"""The app's pages: the sidebar's links to them, and the row of links on top of a page
shown in an iframe."""

import streamlit as st

# Streamlit would label the landing page "app" (its file name): the sidebar lists the pages
# itself, and .streamlit/config.toml hides the automatic list.
PAGES = (("app.py", "Welcome", ":material/home:"),
         ("pages/1_Network.py", "Network: weights, x and y", ":material/edit:"),
         ("pages/2_Step_through.py", "Step through one example", ":material/play_arrow:"),
         ("pages/3_Gradient_check.py", "Gradient check and descent", ":material/check_circle:"),
         ("pages/4_Train.py", "Train on data", ":material/model_training:"),
         ("pages/5_Class.py", "Join a class", ":material/groups:"),
         ("pages/6_Teach.py", "Teach a live class", ":material/co_present:"))

# The same pages as a row of short links on top of each page in an iframe (embedded_nav).
SHORT = {"app.py": "Welcome", "pages/1_Network.py": "Network",
         "pages/2_Step_through.py": "Step through", "pages/3_Gradient_check.py": "Gradient check",
         "pages/4_Train.py": "Train", "pages/5_Class.py": "Class", "pages/6_Teach.py": "Teach"}


def embedded_nav():
    """Inside a course page's iframe (``?embed=true``) Streamlit draws no header, and a
    frame narrower than 768 px starts with the sidebar, and its page list, folded away
    behind a small ».  There the pages are also a row of links on top of the page: they
    keep ``embed=true`` as they switch, and the session (its network) goes along."""
    if not st.context.is_embedded:
        return
    with st.container(horizontal=True, gap="small", key="embed_nav"):
        for path, _, icon in PAGES:
            st.page_link(path, label=SHORT[path], icon=icon)
