"""Teach a live class: open one, ask a question of a step, watch the answers, reveal."""

import streamlit as st

from explorer import frame
from explorer.classroom import teacher_view


@frame.page("Teach")
def body():
    st.title("Teach a live class")
    teacher_view.page()


body()
