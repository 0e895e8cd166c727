// The Step page's heatmap chart (explorer/figures/chart.py): one div that plotly.js keeps from
// one rerun to the next and redraws with Plotly.react, once per changed figure.
// st.plotly_chart remounts a changed figure and draws it twice.
//
// plotly.js is the copy inside the plotly package, served by Streamlit (data.src) and
// loaded once per page. The figure gets Streamlit's chart template, made from the
// theme's CSS variables. The call is repeated when the user switches themes.
// A click on a cell sends the cell's customdata back as the trigger value "pick".

function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__bpPlotly) {
    window.__bpPlotly = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src;
      s.async = true;
      s.onload = () => resolve(window.Plotly);
      s.onerror = () => {
        window.__bpPlotly = null;   // the next render tries again
        s.remove();
        reject(new Error("plotly.js did not load"));
      };
      document.head.appendChild(s);
    });
  }
  return window.__bpPlotly;
}

// The layout template st.plotly_chart gives a figure (Streamlit 1.67, "streamlit" theme),
// with the colours of the current theme. Only what the explorer's figures use is kept.
// No automargin: this plotly.js (the plotly package's) would let the invisible pixel axes
// push the margins, which Streamlit's own copy does not; every figure sets its margins.
function template(el) {
  const css = getComputedStyle(el);
  const v = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const text = v("--st-text-color", "#31333F");
  const bg = v("--st-background-color", "#FFFFFF");
  const line = v("--st-border-color-light", v("--st-border-color", "#e6eaf1"));
  const font = v("--st-font", '"Source Sans", sans-serif');
  const tick = {color: text, size: 12};
  const axis = {tickfont: tick, tickcolor: line, gridcolor: line, zerolinecolor: line,
                title: {font: {color: text, size: 14}}};
  return {
    font: {color: text, family: font, size: 12, weight: 400},
    paper_bgcolor: bg,
    plot_bgcolor: bg,
    margin: {pad: 8, r: 0, l: 0},
    xaxis: {...axis, showgrid: false, zeroline: false},
    yaxis: {...axis, ticklabelposition: "outside"},
    hoverlabel: {bgcolor: bg, bordercolor: v("--st-border-color", line),
                 font: {color: text, family: font, size: 12}},
    coloraxis: {colorbar: {thickness: 16, xpad: 24, ticklabelposition: "outside",
                           outlinecolor: "transparent", outlinewidth: 8, len: 0.75, y: 0.5745,
                           title: {font: {color: text, size: 14}}, tickfont: tick}},
  };
}

export default function ({data, parentElement, setTriggerValue}) {
  const div = parentElement.querySelector(".bp-plot");
  div.__bpSend = setTriggerValue;
  div.__bpFigure = data.fig;
  // The figure's height is kept free while plotly.js loads: the page does not jump.
  div.style.minHeight = `${Number(data.fig.layout.height) || 0}px`;
  loadPlotly(data.src).then((Plotly) => {
    if (div.__bpFigure !== data.fig) return;   // a newer figure has arrived: draw that one
    const layout = {...data.fig.layout, template: {layout: template(parentElement)}};
    Plotly.react(div, data.fig.data, layout, {displayModeBar: false, responsive: false});
    if (!div.__bpWired) {
      div.__bpWired = true;
      div.on("plotly_click", (e) => {
        const p = e && e.points && e.points[0];
        if (p && p.customdata != null) div.__bpSend("pick", Array.from(p.customdata));
      });
    }
  }, () => {
    div.textContent = "The chart could not be drawn: reload the page.";
  });
}
