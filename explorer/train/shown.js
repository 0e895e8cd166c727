// What the Train page shows while Play runs (explorer/train/training.py, shown): every tick
// draws this component with the (epoch, mini-batch) of the network in its boundary
// figure. When the Pause button is pressed, it sends the position of the boundary figure
// on screen (or else its own) as the trigger value
// "paused_at", so that training stops at the network on screen, not at the one a tick was
// computing meanwhile. It listens after the button's own handler (bubbling, not capture):
// the browser then sends both in one message, as a rerun of the button's fragment (the
// first in the batch), which draws the controls and stops the timers.

export default function ({data, setTriggerValue}) {
  window.__bpShown = {at: data.at, button: data.button, send: setTriggerValue};
  if (window.__bpShownOn) return;
  window.__bpShownOn = true;
  document.addEventListener("click", (e) => {
    const w = window.__bpShown;
    if (!w || !e.target || !e.target.closest) return;
    const b = e.target.closest(".st-key-" + w.button + " button");
    if (!b || b.disabled || !b.textContent.includes("Pause")) return;
    // the boundary figure as drawn (its meta names the network), which can run a frame
    // ahead of this component's own data
    const all = [...document.querySelectorAll(".js-plotly-plot")].filter((el) =>
      el.layout && el.layout.meta && el.layout.meta.kind === "boundary");
    const el = all.find((el) => !el.closest('[data-stale="true"]')) || all[0];
    const m = el && el.layout.meta;
    w.send("paused_at", m && Number.isInteger(m.epoch) && Number.isInteger(m.batch)
      ? [m.epoch, m.batch] : w.at);
  });
}
