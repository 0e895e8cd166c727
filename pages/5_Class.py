"""Join a live class: the class code and a nickname, then the teacher's questions."""

import streamlit as st

from explorer import frame
from explorer.classroom import host, student_view


@frame.guard
def body():
    st.set_page_config(page_title="Class · Backprop Explorer", layout="wide")
    host.nav()
    st.title("Join a class")
    student_view.page()


body()
