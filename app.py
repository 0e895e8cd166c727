"""Backprop Explorer: the landing page."""

import streamlit as st

from explorer import frame
from explorer.presets import PRESETS


@frame.page("Welcome")
def body():
    st.title("Backprop Explorer")
    st.markdown(
        "Build a small neural network, push **one training example** through it, and watch "
        "every quantity of backpropagation appear: the weighted inputs **z**, the "
        "activations **a**, the errors **δ** and the weight gradients **δˡ(aˡ⁻¹)ᵀ**, each a "
        "coloured matrix with its numbers. Click any number to see the equation that made "
        "it, with the numbers plugged in.")
    st.markdown("##### The notation, in three lines")
    st.markdown(
        "- Layers are numbered l = 1..L, and **layer 1 is the input**: a¹ = x, and aᴸ is the "
        "output.\n"
        "- wˡⱼₖ is the weight **to** neuron j of layer l **from** neuron k of layer l−1, "
        "so wˡ is an nₗ × nₗ₋₁ matrix.\n"
        "- zˡ = wˡaˡ⁻¹ + bˡ, aˡ = σ(zˡ), and δˡ = ∂C/∂zˡ is the error of layer l.")
    st.latex(r"\text{BP1: }\delta^L = \nabla_a C \odot \sigma'(z^L) \qquad "
             r"\text{BP2: }\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)")
    st.latex(r"\text{BP3: }\frac{\partial C}{\partial b^l_j} = \delta^l_j \qquad "
             r"\text{BP4: }\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j")
    st.markdown("##### Where to start")
    st.markdown(
        "1. Pick a **preset** in the sidebar. *" + next(iter(PRESETS)) + "* is small enough "
        "to check by hand.\n"
        "2. Open **Step through** and press **Next** to walk the forward pass, the cost, "
        "then BP1 to BP4.\n"
        "3. Change any weight, x or y on the **Network** page, and see every number follow.\n"
        "4. Turn on **Practice** on *Step through*: predict each number before it is shown, "
        "and be told which mistake a wrong one came from.\n"
        "5. **Train on data**: many examples, mini-batch descent, a decision boundary that "
        "moves. A teacher can also **teach a live class**: one question to everyone, the "
        "answers gathered on one screen.")
    left, mid, right = st.columns(3)
    left.page_link("pages/2_Step_through.py", label="Step through one example",
                   icon=":material/play_arrow:")
    mid.page_link("pages/1_Network.py", label="Edit weights, x and y", icon=":material/edit:")
    right.page_link("pages/3_Gradient_check.py", label="Check the gradient, take a step",
                    icon=":material/check_circle:")


body()
