// The Step page's chart component (explorer/figures/chart.py): every step of one example,
// sent once by the server (explorer/step/payload.py), stepped here with no message back.
//
// - Prev, Next, the slider and the keys → ← n p step; the step goes into the page's address
//   (?step=, replaceState), where a reload, Back and the server's next rerun find it.
// - The heatmaps are drawn as HTML cells from the figure dicts the server made for plotly
//   (explorer/figures/network.py): a step recolours the cells of the panels it computes and
//   moves the outlines; nothing else is redrawn. σ's curve is drawn by plotly.js.
// - The equations are typeset by KaTeX (st.latex's version), once per string (cached).
// - A click on a cell sends the trigger "pick" ([quantity index, l, j, k]); its derivation
//   comes back as data.picked. Where stepping needs the server (practice mode: each step
//   asks its question first) a step sends the trigger "step".
// The numbers and texts all come from the server: this file formats and computes none.

const FOCUS = "#cc6d00";       // heatmap.FOCUS
const KEYS = "Keys: → or n next · ← or p previous · in a figure, the arrows move from " +
  "cell to cell and Enter explains the cell";

// A script that sets window[name] (plotly.js, KaTeX), loaded once per page.
function loadScript(src, name) {
  if (window[name]) return Promise.resolve(window[name]);
  const key = `__bpLoading_${name}`;
  if (!window[key]) {
    window[key] = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src;
      s.async = true;
      s.onload = () => resolve(window[name]);
      s.onerror = () => {
        window[key] = null;   // the next render tries again
        s.remove();
        reject(new Error(`${name} did not load`));
      };
      document.head.appendChild(s);
    });
  }
  return window[key];
}

const loadPlotly = (src) => loadScript(src, "Plotly");
const loadKatex = (src) => loadScript(src, "katex");

// --- figures -------------------------------------------------------------------------

// A plotly typed-array spec ({dtype, bdata, shape}) as a JS array (rows for 2-D).
function decode(v) {
  if (!v || typeof v !== "object" || Array.isArray(v) || !("bdata" in v)) return v;
  const bin = atob(v.bdata);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const flat = v.dtype === "f8" ? new Float64Array(bytes.buffer) : new Int32Array(bytes.buffer);
  if (!v.shape) return Array.from(flat);
  const [n, m] = String(v.shape).split(",").map(Number);
  if (!m) return Array.from(flat);
  return Array.from({length: n}, (_, r) => Array.from(flat.subarray(r * m, (r + 1) * m)));
}

function rgb(hex) {
  const h = hex.replace("#", "");
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
}

// The colour of value v on a colour axis (cmin..cmax), as plotly maps it: linear between
// the scale's stops, in RGB.
function colourOf(axis, v) {
  const t = Math.min(1, Math.max(0, (v - axis.cmin) / ((axis.cmax - axis.cmin) || 1)));
  const stops = axis.stops;
  let i = 1;
  while (i < stops.length - 1 && stops[i][0] < t) i++;
  const [t0, c0] = stops[i - 1], [t1, c1] = stops[i];
  const f = t1 > t0 ? (t - t0) / (t1 - t0) : 0;
  const c = c0.map((x, n) => Math.round(x + (c1[n] - x) * f));
  return c;
}

// Black or white, whichever reads better on colour c (WCAG relative luminance).
function inkOn(c) {
  const lin = c.map((x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
  const lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  return (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) ? "#000" : "#fff";
}

function niceTicks(lo, hi, count) {
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return out;
}

function tickText(v) {
  const s = String(Number(v.toPrecision(6)));
  return s.replace("-", "\u2212");
}

function el(tag, cls, parent) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (parent) parent.appendChild(e);
  return e;
}

function place(e, x, y, w, h) {
  e.style.left = `${x}px`;
  e.style.top = `${y}px`;
  if (w != null) e.style.width = `${w}px`;
  if (h != null) e.style.height = `${h}px`;
}

// One figure dict of explorer/figures (a heatmap.Canvas: pixel axes, heatmap panels, one
// text trace of labels, one invisible trace of click targets) drawn as HTML. Returns the
// figure with setState(known, focus, marks) for what a step changes.
function drawHeatmapFigure(fig, quantities) {
  const L = fig.layout, m = L.margin;
  const root = el("div", "bp-fig");
  root.style.width = `${L.width}px`;
  root.style.height = `${L.height}px`;
  root.setAttribute("role", "figure");
  const xr = L.xaxis.range, yr = L.yaxis.range;
  const pw = L.width - m.l - m.r, ph = L.height - m.t - m.b;
  const X = (x) => m.l + (x - xr[0]) * pw / (xr[1] - xr[0]);
  const Y = (y) => m.t + (yr[1] - y) * ph / (yr[1] - yr[0]);   // range[0] at the bottom
  const PX = (x) => m.l + x * pw, PY = (y) => m.t + (1 - y) * ph;

  const axes = {};
  for (const [name, a] of Object.entries(L)) {
    if (!name.startsWith("coloraxis")) continue;
    axes[name] = {cmin: a.cmin, cmax: a.cmax, stops: a.colorscale.map(([t, c]) => [t, rgb(c)]),
                  a};
  }
  const cellsTrace = fig.data.find((t) => t.meta && t.meta.cells);
  const cd = decode(cellsTrace.customdata);
  const hover = cellsTrace.text;
  const panels = new Map(), lookup = new Map();
  let offset = 0;
  for (const t of fig.data.filter((t) => t.type === "heatmap")) {
    const z = decode(t.z), xs = decode(t.x), ys = decode(t.y);
    const n = ys.length - 1, w = xs.length - 1;
    const box = {x: X(xs[0]), y: Y(ys[0]), w: X(xs[w]) - X(xs[0]), h: Y(ys[n]) - Y(ys[0])};
    const div = el("div", "bp-panel", root);
    place(div, box.x, box.y, box.w, box.h);
    div.dataset.q = t.meta.quantity;
    div.dataset.l = t.meta.l;
    const panel = {q: t.meta.quantity, l: t.meta.l, sent: t.meta.known, div, box, cells: [],
                   axis: axes[t.coloraxis || "coloraxis"], on: null, title: null,
                   size: (t.textfont && t.textfont.size) || 12};
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < w; c++) {
        const i = offset + r * w + c;
        const row = cd[i];
        const cell = el("div", "bp-cell", div);
        const x0 = X(xs[c]) - box.x, y0 = Y(ys[r]) - box.y;
        cell.__box = [x0 + 0.5, y0 + 0.5, X(xs[c + 1]) - X(xs[c]) - 1, Y(ys[r + 1]) - Y(ys[r]) - 1];
        place(cell, ...cell.__box);
        cell.dataset.j = row[2];
        cell.dataset.k = row[3] || "";
        cell.__cd = Array.from(row);
        cell.__v = z[r][c];
        cell.__text = t.text ? t.text[r][c] : null;
        cell.__hover = hover[i];
        cell.__at = [box.x + x0 + cell.__box[2] / 2, box.y + y0 + cell.__box[3] / 2];
        cell.setAttribute("role", "button");
        cell.tabIndex = -1;
        cell.style.fontSize = `${panel.size}px`;
        lookup.set(`${quantities[row[0]]}:${row[1]}:${row[2]}:${row[3]}`, cell);
        panel.cells.push(cell);
      }
    }
    offset += n * w;
    panels.set(`${panel.q}:${panel.l}`, panel);
  }
  const labels = fig.data.find((t) => t.meta && t.meta.labels);
  if (labels) {
    const lx = decode(labels.x), ly = decode(labels.y);
    const sizes = labels.textfont.size;
    labels.text.forEach((text, i) => {
      if (text === "?") return;     // the '?' of a panel not yet computed: drawn per step
      const s = el("span", `bp-label bp-${labels.textposition[i].replace(" ", "-")}`, root);
      s.textContent = text;
      s.style.fontSize = `${Array.isArray(sizes) ? sizes[i] : sizes}px`;
      place(s, X(lx[i]), Y(ly[i]));
    });
  }
  for (const a of L.annotations || []) {
    const s = el("span", "bp-ann", root);
    s.innerHTML = a.text;   // the figure's own titles (code, never a user's text)
    s.style.fontSize = `${(a.font && a.font.size) || 12}px`;
    if (a.font && a.font.color) s.style.color = a.font.color;
    const ax = {left: "0", center: "-50%", right: "-100%"}[a.xanchor || "center"];
    const ay = {top: "0", middle: "-50%", bottom: "-100%"}[a.yanchor || "middle"];
    s.style.transform = `translate(${ax}, ${ay})` + (a.textangle ? ` rotate(${a.textangle}deg)` : "");
    const x = PX(a.x), y = PY(a.y) - (a.yshift || 0);
    place(s, x, y);
    for (const p of panels.values()) {   // a panel's title sits just above it
      if (!p.title && x > p.box.x && x < p.box.x + p.box.w && y < p.box.y && y > p.box.y - 40) {
        p.title = s;
      }
    }
  }
  for (const ax of Object.values(axes)) {
    const cb = ax.a.colorbar || {};
    if (ax.a.showscale === false) continue;
    const len = (cb.len ?? 0.75) * ph, thick = cb.thickness ?? 16;
    const yc = PY(cb.y ?? 0.5745);
    const top = (cb.yanchor || "middle") === "top" ? yc : yc - len / 2;
    const left = PX(cb.x ?? 1.02) + (cb.xpad ?? 10);
    const bar = el("div", "bp-bar-scale", root);
    place(bar, left, top, thick, len);
    const stops = ax.a.colorscale.map(([t, c]) => `${c} ${t * 100}%`).join(", ");
    bar.style.background = `linear-gradient(to top, ${stops})`;
    const size = (cb.tickfont && cb.tickfont.size) || 12;
    for (const v of niceTicks(ax.cmin, ax.cmax, Math.max(4, Math.floor(len / (size * 2.5))))) {
      const s = el("span", "bp-tick", root);
      s.textContent = tickText(v);
      s.style.fontSize = `${size}px`;
      place(s, left + thick + 3, top + len * (1 - (v - ax.cmin) / ((ax.cmax - ax.cmin) || 1)));
    }
    if (cb.title && cb.title.text) {
      const s = el("span", "bp-ann bp-bar-title", root);
      s.textContent = cb.title.text;
      place(s, left + thick / 2, Math.max(top - 4, 18));   // inside the figure's box
    }
  }
  const tip = el("div", "bp-tip", root);
  root.addEventListener("mouseover", (e) => {
    const cell = e.target.closest && e.target.closest(".bp-cell");
    if (!cell) { tip.style.display = "none"; return; }
    tip.textContent = cell.parentElement.dataset.known === "1" ? cell.__hover
      : cell.__hover.replace(/ = .*$/, " = not yet computed");
    tip.style.display = "block";
    const p = cell.parentElement, [x, y, w] = cell.__box;
    place(tip, p.offsetLeft + x + w / 2, p.offsetTop + y);
  });
  root.addEventListener("mouseleave", () => { tip.style.display = "none"; });

  const marks = [];
  function showPanel(p, on) {
    if (p.on === on) return;
    p.on = on;
    p.div.classList.toggle("bp-unknown", !on);
    p.div.dataset.known = on ? "1" : "0";
    for (const cell of p.cells) {
      cell.setAttribute("aria-label", on ? cell.__hover
        : cell.__hover.replace(/ = .*$/, " = not yet computed"));
      if (on) {
        const c = colourOf(p.axis, cell.__v);
        cell.style.background = `rgb(${c})`;
        cell.style.color = inkOn(c);
        cell.textContent = cell.__text ?? "";
        cell.dataset.v = String(cell.__v);
      } else {
        cell.style.background = "";
        cell.textContent = "";
        cell.dataset.v = "";
      }
    }
    if (!on) {
      const q = el("span", "bp-question", p.div);
      q.textContent = "?";
      q.style.fontSize = `${Math.min(16, p.box.h)}px`;
    } else {
      const q = p.div.querySelector(".bp-question");
      if (q) q.remove();
    }
  }
  function setState(known, focus, marked) {
    for (const [key, p] of panels) {
      const fixed = p.q === "w" || p.q === "b";
      showPanel(p, p.sent && (fixed || known === null || known.has(key)));
      const f = key === focus;
      p.div.classList.toggle("bp-focused", f);
      if (p.title) p.title.style.color = f ? FOCUS : "";
    }
    for (const e of marks.splice(0)) e.remove();
    for (const [[q, l, j, k], style] of marked || []) {
      const cell = lookup.get(`${q}:${l}:${j}:${k || 0}`);
      if (!cell) continue;
      const e = el("div", `bp-mark bp-mark-${style}`, cell.parentElement);
      const [x, y, w, h] = cell.__box;   // no layout is read while a step is drawn
      place(e, x - 1.5, y - 1.5, w + 3, h + 3);
      marks.push(e);
    }
  }
  // The keyboard: one cell of the figure is in the tab order; the arrows move to the
  // nearest cell that way (so from a panel's last row down into the panel below, and
  // from a layer to the next), Enter or Space explains it (a click).
  const cells = [...panels.values()].flatMap((p) => p.cells);
  let current = cells[0];
  if (current) current.tabIndex = 0;
  const DIRS = {ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1]};
  function nearest(from, [dx, dy]) {
    let best = null, score = Infinity;
    for (const c of cells) {
      const ax = (c.__at[0] - from.__at[0]) * dx + (c.__at[1] - from.__at[1]) * dy;
      if (ax <= 1) continue;
      const off = Math.abs(dx ? c.__at[1] - from.__at[1] : c.__at[0] - from.__at[0]);
      const sc = ax + 4 * off;
      if (sc < score) { score = sc; best = c; }
    }
    return best;
  }
  function focusCell(c) {
    if (!c) return;
    if (current) current.tabIndex = -1;
    current = c;
    c.tabIndex = 0;
    c.focus();
  }
  root.addEventListener("keydown", (e) => {
    const cell = e.target.closest && e.target.closest(".bp-cell");
    if (!cell || e.altKey || e.ctrlKey || e.metaKey) return;
    if (DIRS[e.key]) {
      e.preventDefault();
      e.stopPropagation();
      focusCell(nearest(cell, DIRS[e.key]));
    } else if (e.key === "Home" || e.key === "End") {
      e.preventDefault();
      focusCell(e.key === "Home" ? cells[0] : cells[cells.length - 1]);
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      cell.click();
    }
  });
  root.addEventListener("focusin", (e) => {
    const cell = e.target.closest && e.target.closest(".bp-cell");
    if (cell && cell !== current) {
      if (current) current.tabIndex = -1;
      current = cell;
      cell.tabIndex = 0;
    }
  });
  function setLabel(text) {
    if (text && root.getAttribute("aria-label") !== text) root.setAttribute("aria-label", text);
  }
  return {el: root, panels, setState, setLabel};
}

// The numbers of the network figure as tables, one per quantity: rows j, a column per
// layer, each number as the figure's hover text prints it ("not yet computed" before its
// step). The figure's text alternative, for screen readers and keyboards.
function numberTables(fig, box, caption) {
  const kinds = new Map();
  for (const p of fig.panels.values()) {
    if (!kinds.has(p.q)) kinds.set(p.q, []);
    kinds.get(p.q).push(p);
  }
  box.replaceChildren();
  for (const [q, ps] of kinds) {
    const t = el("table", "bp-table", box);
    el("caption", "", t).textContent = `${q === "delta" ? "δ" : q} ${caption}`;
    const head = el("tr", "", el("thead", "", t));
    const th = el("th", "", head);
    th.scope = "col";
    th.textContent = "neuron j";
    for (const p of ps) {
      const h = el("th", "", head);
      h.scope = "col";
      h.textContent = `layer ${p.l}`;
    }
    const rows = Math.max(...ps.map((p) => p.cells.length));
    const body = el("tbody", "", t);
    for (let j = 1; j <= rows; j++) {
      const tr = el("tr", "", body);
      const rh = el("th", "", tr);
      rh.scope = "row";
      rh.textContent = String(j);
      for (const p of ps) {
        const c = p.cells[j - 1];
        const td = el("td", "", tr);
        if (!c) continue;
        td.textContent = p.on ? c.__hover.replace(/^.* = /, "") : "not yet computed";
        td.dataset.v = p.on ? String(c.__v) : "";
      }
    }
  }
}

// --- the network as a graph -----------------------------------------------------------

const SVG = "http://www.w3.org/2000/svg";
const SUPS = "⁰¹²³⁴⁵⁶⁷⁸⁹";
const sup = (n) => String(n).split("").map((d) => SUPS[d]).join("");
// Subscripts as backprop.explain.notation.plain writes them: "12", or "1,12" past 9.
const idx = (...ij) => {
  const s = ij.map(String);
  return s.join(s.some((i) => i.length > 1) ? "," : "");
};
const NODE_NAMES = {z: "z", a: "a", delta: "δ"};
function lineName(kind, l, j, k) {
  const w = `w^${l}_${idx(j, k)}`;
  if (kind === "terms") return `${w}·δ^${l}_${j}`;
  return kind === "nabla_w" ? `∂C/∂${w}` : w;
}
const LINE_TITLES = {w: (l) => `w${sup(l)}`, terms: (l) => `w${sup(l)}δ${sup(l)}`,
                     nabla_w: (l) => `∂C/∂w${sup(l)}`};

function svg(tag, attrs, parent) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

// The graph of explorer/figures/graph.py: a column of circles per layer, a line per
// weight. Returns {el, setState(view), mark(cells)}: a step changes only the columns and
// bands of lines whose kind it changes (the view of graph.view).
function drawGraph(g) {
  const sizes = g.sizes, L = sizes.length, nMax = Math.max(...sizes);
  const dy = Math.max(20, Math.min(60, Math.floor(340 / nMax)));
  const r = Math.min(20, dy * 0.38);
  const dx = L <= 3 ? 150 : 120, left = 36, top = 46, bottom = 28;
  const W = left * 2 + dx * (L - 1), H = top + dy * nMax + bottom;
  const X = (l) => left + dx * (l - 1);
  const Y = (l, j) => top + (nMax - sizes[l - 1]) * dy / 2 + (j - 0.5) * dy;
  const root = el("div", "bp-graph-fig");
  const s = svg("svg", {viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img",
                        "aria-label": "The network as a graph: a circle per neuron, a line "
                          + "per weight"}, root);
  root.style.maxWidth = `${W}px`;
  // On a narrow screen it shrinks to fit, down to 70 %; below that its box scrolls sideways.
  s.style.minWidth = `${Math.round(W * 0.7)}px`;
  const axes = {};
  for (const [kind, a] of [...Object.entries(g.nodes), ...Object.entries(g.edges)]) {
    axes[kind] = {cmin: a.cmin, cmax: a.cmax, stops: g.stops.map(([t, c]) => [t, rgb(c)]),
                  layers: Object.fromEntries(Object.entries(a.layers).map(
                    ([l, v]) => [l, {...v, v: decode(v.v)}]))};
  }
  const bands = [], columns = [];
  const markLayer = svg("g", {class: "bp-marks"}, s);
  const lineLayer = svg("g", {class: "bp-lines"}, s);
  const hitLayer = svg("g", {class: "bp-hits"}, s);
  for (let l = 2; l <= L; l++) {
    const band = {l, kind: undefined, lines: [], hits: [],
                  title: svg("text", {x: (X(l - 1) + X(l)) / 2, y: 14, class: "bp-gband",
                                     "data-l": l}, s)};
    for (let j = 1; j <= sizes[l - 1]; j++) {
      for (let k = 1; k <= sizes[l - 2]; k++) {
        const at = {x1: X(l - 1) + r, y1: Y(l - 1, k), x2: X(l) - r, y2: Y(l, j)};
        band.lines.push(svg("line", {...at, class: "bp-edge", "data-l": l, "data-j": j,
                                     "data-k": k}, lineLayer));
        const hit = svg("line", {...at, class: "bp-hit"}, hitLayer);
        hit.__edge = {l, j, k, i: band.lines.length - 1, band};
        band.hits.push(hit);
      }
    }
    bands[l] = band;
  }
  for (let l = 1; l <= L; l++) {
    const col = {l, kind: undefined, nodes: [],
                 back: svg("rect", {x: X(l) - r - 6, y: Y(l, 1) - r - 6, width: 2 * r + 12,
                                    height: dy * (sizes[l - 1] - 1) + 2 * r + 12, rx: r + 6,
                                    class: "bp-gcol"}, s),
                 title: svg("text", {x: X(l), y: 34, class: "bp-gtitle", "data-l": l}, s)};
    const name = svg("text", {x: X(l), y: H - 8, class: "bp-glayer"}, s);
    name.textContent = `layer ${l}`;
    col.back.parentNode.insertBefore(col.back, lineLayer);
    for (let j = 1; j <= sizes[l - 1]; j++) {
      const node = svg("g", {class: "bp-node", "data-l": l, "data-j": j}, s);
      const c = svg("circle", {cx: X(l), cy: Y(l, j), r}, node);
      const t = r >= 14 ? svg("text", {x: X(l), y: Y(l, j), class: "bp-gval"}, node) : null;
      node.__node = {l, j, c, t};
      col.nodes.push(node);
    }
    columns[l] = col;
  }
  const tip = el("div", "bp-tip", root);
  const state = {view: null};

  function nodeText(n) {
    const kind = columns[n.l].kind, a = kind && axes[kind].layers[n.l];
    return a ? a.hover[n.j - 1] : `neuron ${n.j} of layer ${n.l}: not yet computed`;
  }
  function edgeText(e) {
    const kind = e.band.kind, a = axes[kind].layers[e.l];
    if (!a) return `${lineName(kind, e.l, e.j, e.k)}: not yet computed`;
    const v = `${lineName(kind, e.l, e.j, e.k)} = ${a.hover[e.i]}`;
    return kind === "terms" ? `${v}, a term of ∂C/∂a^${e.l - 1}_${e.k}` : v;
  }
  root.addEventListener("mouseover", (ev) => {
    const t = ev.target;
    const n = t.closest && t.closest(".bp-node");
    const text = n ? nodeText(n.__node) : t.__edge ? edgeText(t.__edge) : null;
    if (!text) { tip.style.display = "none"; return; }
    tip.textContent = text;
    tip.style.display = "block";
    const box = root.getBoundingClientRect();
    place(tip, ev.clientX - box.left, ev.clientY - box.top - 6);
  });
  root.addEventListener("mouseleave", () => { tip.style.display = "none"; });

  // The cell of the heatmaps a click on a circle or a line explains: [quantity index, l,
  // j, k]; a term explains the δ it flows into (its derivation lists the term).
  function cellOf(target) {
    const n = target.closest && target.closest(".bp-node");
    if (n) {
      const {l, j} = n.__node;
      return [g.pick[columns[l].kind || "a"], l, j, 0];
    }
    const e = target.__edge;
    if (!e) return null;
    if (e.band.kind === "terms") return [g.pick.terms, e.l - 1, e.k, 0];
    return [g.pick[e.band.kind], e.l, e.j, e.k];
  }

  function paintColumn(col, kind) {
    col.kind = kind;
    const a = kind && axes[kind].layers[col.l];
    col.title.textContent = kind ? `${NODE_NAMES[kind]}${sup(col.l)}` : "?";
    col.nodes.forEach((node, i) => {
      const {c, t} = node.__node;
      if (a) {
        const rgbv = colourOf(axes[kind], a.v[i]);
        c.style.fill = `rgb(${rgbv})`;
        if (t) { t.textContent = a.text[i]; t.style.fill = inkOn(rgbv); }
        node.dataset.v = String(a.v[i]);
      } else {
        c.style.fill = "";
        if (t) { t.textContent = "?"; t.style.fill = ""; }
        node.dataset.v = "";
      }
      node.classList.toggle("bp-unknown", !a);
    });
  }

  function paintBand(band, kind) {
    band.kind = kind;
    const ax = axes[kind], a = ax.layers[band.l], m = ax.cmax || 1;
    band.title.textContent = LINE_TITLES[kind](band.l);
    band.lines.forEach((line, i) => {
      if (!a) {
        line.style.stroke = "";
        line.style.strokeWidth = "";
        line.style.strokeOpacity = "";
        line.dataset.v = "";
        return;
      }
      const v = a.v[Math.floor(i / sizes[band.l - 2])][i % sizes[band.l - 2]];
      const t = Math.min(1, Math.abs(v) / m);
      // The scale's colour of the sign, strong enough to be seen on either theme; the
      // size is in the width and the opacity, and small lines fade.
      const c = colourOf(ax, Math.sign(v) * m * (0.45 + 0.55 * t));
      line.style.stroke = `rgb(${c})`;
      line.style.strokeWidth = `${(0.8 + 4.2 * t).toFixed(2)}`;
      // stroke-opacity, not opacity: an opacity makes each line a layer of its own to blend
      line.style.strokeOpacity = t < g.faint ? "0.15" : (0.35 + 0.65 * t).toFixed(2);
      line.dataset.v = String(v);
    });
  }

  function setState(view) {
    for (let l = 1; l <= L; l++) {
      const col = columns[l], kind = view.nodes[l - 1];
      if (col.kind !== kind) paintColumn(col, kind);
      const on = view.column === l;
      col.back.classList.toggle("bp-on", on);
      col.title.classList.toggle("bp-on", on);
    }
    for (let l = 2; l <= L; l++) {
      const band = bands[l], kind = view.edges[l - 2];
      if (band.kind !== kind) paintBand(band, kind);
      band.title.classList.toggle("bp-on", view.band === l);
    }
    if (view.label) s.setAttribute("aria-label", view.label);
    root.dataset.nodes = view.nodes.map((k) => k || "").join(",");
    root.dataset.edges = view.edges.join(",");
  }

  let marked = [];
  // Outline what a derivation explains: its circle, or its line (on a dark halo drawn
  // under it).
  function mark(cells) {
    for (const m of marked.splice(0)) m.classList.remove("bp-picked");
    markLayer.replaceChildren();
    for (const [q, l, j, k] of cells) {
      if (q === "w" || q === "nabla_w") {
        const band = bands[l];
        const line = band && band.lines[(j - 1) * sizes[l - 2] + (k - 1)];
        if (!line) continue;
        marked.push(line);
        const halo = line.cloneNode(false);
        halo.setAttribute("class", "bp-halo");
        markLayer.appendChild(halo);
      } else if (columns[l] && q !== "cost" && columns[l].nodes[j - 1]) {
        marked.push(columns[l].nodes[j - 1]);
      }
    }
    for (const m of marked) m.classList.add("bp-picked");
  }
  return {el: root, setState, mark, cellOf};
}

// --- the stepper ---------------------------------------------------------------------

const SKELETON = `
<p class="bp-live bp-hidden" role="status" aria-live="polite"></p>
<div class="bp-bar" id="bp-steps" role="toolbar" aria-label="Steps">
  <button type="button" class="bp-btn bp-prev">◀ Prev</button>
  <button type="button" class="bp-btn bp-primary bp-next">Next ▶</button>
  <label class="bp-range"><span>Step</span>
    <input type="range" class="bp-slider" min="1" step="1" value="1"></label>
  <span class="bp-keys"></span>
</div>
<div class="bp-main">
  <div class="bp-eq bp-eq-top">
    <h3 class="bp-title"></h3>
    <div class="bp-tex bp-rule"></div>
  </div>
  <div class="bp-eq bp-eq-rest">
    <p class="bp-caption">with the shape of each quantity, (rows × columns)</p>
    <div class="bp-tex bp-shapes"></div>
    <div class="bp-info bp-text"></div>
    <p class="bp-caption bp-numbers-caption"></p>
    <div class="bp-tex bp-numbers"></div>
    <div class="bp-focus-fig"></div>
  </div>
  <div class="bp-netbox">
    <div class="bp-heat">
      <div class="bp-net" role="region" aria-label="The network so far"></div>
      <p class="bp-caption">The network so far: z, a and δ of every layer. Click any cell to
        see where its number comes from.</p>
      <button type="button" class="bp-btn bp-small bp-tables-toggle" aria-expanded="false"
        aria-controls="bp-tables">Numbers as a table</button>
      <div class="bp-tables" id="bp-tables" hidden></div>
    </div>
    <div class="bp-graphbox">
      <div class="bp-graph" role="region" aria-label="The network as a graph"></div>
      <p class="bp-caption bp-graph-caption">The same numbers as a graph: a circle per
        neuron, a line per weight, red positive and blue negative, wider and stronger the
        larger it is. Forward, the circles show a (z as it is computed) and the lines w;
        backward, the circles show δ, the lines the terms wδ that BP2 adds up, then ∂C/∂w.
        Hover for a value, click for its derivation.</p>
    </div>
  </div>
</div>
<div class="bp-derivation" role="region" aria-labelledby="bp-der-title">
  <h4 id="bp-der-title">Where does this number come from?</h4>
  <div class="bp-der-body" aria-live="polite"></div>
</div>`;

function template(node) {
  const css = getComputedStyle(node);
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
    paper_bgcolor: bg, plot_bgcolor: bg, margin: {pad: 8, r: 0, l: 0},
    xaxis: {...axis, showgrid: false, zeroline: false},
    yaxis: {...axis, ticklabelposition: "outside"},
    hoverlabel: {bgcolor: bg, bordercolor: v("--st-border-color", line),
                 font: {color: text, family: font, size: 12}},
  };
}

function idle(fn) {
  if (window.requestIdleCallback) window.requestIdleCallback(fn, {timeout: 500});
  else setTimeout(fn, 50);
}

function cellName(c) {
  return (c || []).map((p) => (p == null ? "" : String(p))).join(",");
}

class Stepper {
  constructor(root) {
    this.root = root;
    root.innerHTML = SKELETON;
    const q = (s) => root.querySelector(s);
    this.prev = q(".bp-prev");
    this.next = q(".bp-next");
    this.slider = q(".bp-slider");
    this.title = q(".bp-title");
    this.rule = q(".bp-rule");
    this.shapes = q(".bp-shapes");
    this.text = q(".bp-text");
    this.numCaption = q(".bp-numbers-caption");
    this.numbers = q(".bp-numbers");
    this.focusBox = q(".bp-focus-fig");
    this.netBox = q(".bp-net");
    this.graphBox = q(".bp-graph");
    this.netSide = q(".bp-netbox");
    this.derBox = q(".bp-derivation");
    this.derBody = q(".bp-der-body");
    this.main = q(".bp-main");
    this.live = q(".bp-live");
    this.tables = q(".bp-tables");
    this.tablesToggle = q(".bp-tables-toggle");
    this.tablesToggle.addEventListener("click", () => {
      const open = this.tables.hidden;
      this.tables.hidden = !open;
      this.tablesToggle.setAttribute("aria-expanded", String(open));
      if (open) this.net.el.setAttribute("aria-describedby", "bp-tables");
      else this.net.el.removeAttribute("aria-describedby");
      this.refreshTables();
    });
    // Side by side where the network figure leaves the equations room, else one column.
    new ResizeObserver(() => this.fit()).observe(root);
    q(".bp-keys").textContent = KEYS;
    this.next.title = "Next step (→ or n)";
    this.prev.title = "Previous step (← or p)";
    this.step = -1;
    this.tex = new Map();
    this.focus = new Map();
    this.katex = null;
    this.prev.addEventListener("click", () => this.go(this.step - 1));
    this.next.addEventListener("click", () => this.go(this.step + 1));
    this.slider.addEventListener("input", () => this.go(Number(this.slider.value) - 1));
    root.addEventListener("click", (e) => {
      const cell = e.target.closest && e.target.closest(".bp-cell");
      const picked = cell ? cell.__cd : this.graph && this.graph.cellOf(e.target);
      if (picked && this.send) {
        this.reported = this.step;
        this.send("pick", {cell: picked, step: this.step});
      }
    });
  }

  // The figures and steps of one example: drawn anew only for another example.
  update(data, send) {
    this.send = send;
    const fresh = !this.data || data.id !== this.data.id;
    const theme = getComputedStyle(this.root).getPropertyValue("--st-text-color");
    if (fresh || theme !== this.theme) {
      this.theme = theme;
      for (const f of this.focus.values()) f.el.remove();
      this.focus.clear();
      if (!fresh && this.step >= 0) this.show(this.step);   // σ's curve in the new colours
    }
    this.data = data;
    if (fresh) {   // another network or example: the same step, where it still exists
      this.dirty = true;
      this.net = drawHeatmapFigure(data.figures.network, data.quantities);
      this.netBox.replaceChildren(this.net.el);
      this.graph = drawGraph(data.graph);
      this.graphBox.replaceChildren(this.graph.el);
      this.slider.max = String(data.n);
      this.fit();
    }
    const state = window.__bpStepperState;
    if (state && state.id === data.id) this.sync(state);
    if (Object.values(data.figures).some((f) => f.layout.meta && f.layout.meta.curve)) {
      idle(() => loadPlotly(data.src).catch(() => {}));   // σ's curve, drawn at an a step
    }
    if (!this.katex) {
      loadKatex(data.katex).then((k) => { this.katex = k; this.typeset(); },
                                  () => {});
    }
  }

  // What changes from one rerun to the next (the step the server moved to, a clicked
  // cell's derivation), sent apart from the steps so that a rerun does not send them again.
  sync(state) {
    if (!this.data || state.id !== this.data.id) return;
    const opened = !this.state;
    const moved = opened || state.seq !== this.state.seq;
    this.state = state;
    this.busy = false;
    this.reported = state.step;   // the step the server knows
    let want = moved || this.step < 0 ? state.step : this.step;
    const kept = opened ? this.kept() : null;
    if (kept !== null && kept !== want) {
      // The page opened again in this session (a link in the sidebar, not a reload): it
      // comes back at the step it last showed, which the server may not have been told.
      want = kept;
      idle(() => this.send && this.send("at", kept));
      this.reported = kept;
    }
    const k = Math.max(0, Math.min(this.data.upto, want));
    if (moved || this.dirty || k !== this.step) {
      if (this.dirty) this.warm(0);
      this.dirty = false;
      this.show(k);
    } else {
      this.controls();
    }
    // A practice answer's verdict, said once (numbered by the server).
    const said = state.said;
    if (said && said.seq !== this.saidSeq) {
      if (this.saidSeq !== undefined || !opened) this.live.textContent = said.text;
      this.saidSeq = said.seq;
    }
    const p = state.picked;
    if (p && p.seq !== this.pickedSeq) {
      this.pickedSeq = p.seq;
      if (p.step === this.step) this.derive(p);
    }
  }

  fit() {
    // The bar sticks just under Streamlit's header (none in an iframe's embed mode).
    const header = document.querySelector('[data-testid="stHeader"]');
    this.root.querySelector(".bp-bar").style.top = `${header ? header.offsetHeight : 0}px`;
    const fig = this.net && this.net.el;
    if (!fig) return;
    const wide = this.root.clientWidth >= fig.offsetWidth + 320;
    this.main.classList.toggle("bp-stack", !wide);
    // The graph beside the heatmaps where both fit beside the equations, else under them.
    this.netSide.style.maxWidth = wide ? `${this.root.clientWidth - 320}px` : "";
    // A figure a little taller than the screen below it is drawn a little smaller (down to
    // 85 %, 75 % under the equation on a narrow screen; a taller one scrolls), so that the panel a step computes is in
    // view as Next is pressed.
    const below = window.innerHeight - this.netBox.getBoundingClientRect().top
      - (document.querySelector('[data-testid="stMain"]') || {scrollTop: 0}).scrollTop - 8;
    const h = fig.offsetHeight;
    const zoom = h > below && below / h >= (wide ? 0.85 : 0.75) ? below / h : 1;   // else scroll
    fig.style.zoom = zoom === 1 ? "" : zoom.toFixed(3);
  }

  go(k) {
    const d = this.data;
    if (!d || !this.state || this.busy) return;
    k = Math.max(0, Math.min(d.n - 1, k));
    if (k === this.step) return;
    if (!this.state.local || k > d.upto) {
      this.busy = true;
      this.controls();
      this.send("step", k);
      return;
    }
    this.show(k);
  }

  controls() {
    const d = this.data, k = this.step;
    this.prev.disabled = this.busy || k <= 0;
    this.next.disabled = this.busy || k >= d.n - 1;
    this.slider.disabled = this.busy;
    this.slider.value = String(k + 1);
    this.slider.setAttribute("aria-valuetext", `Step ${k + 1} of ${d.n}`);
  }

  show(k) {
    const d = this.data, s = d.steps[k];
    this.step = k;
    this.controls();
    this.title.textContent = `Step ${k + 1} of ${d.n} · ${s.title}`;
    this.text.textContent = s.text;
    this.numCaption.textContent = s.numbers == null
      ? "The numbers of this step stay hidden until you answer."
      : "with the numbers of this example";
    this.typeset();
    for (const f of this.focus.values()) f.el.style.display = "none";
    this.current = s.figure ? this.figure(s.figure) : null;
    if (this.current) this.current.el.style.display = "";
    this.mark(s.marks);
    this.derive(s.derivation);
    this.writeUrl(k);
    this.keep(k);
    this.root.dataset.drawn = String(k);
    // Said from the first step the student moves to on (not as the page opens).
    if (this.drawnOnce) this.live.textContent = `Step ${k + 1} of ${d.n}: ${s.title}`;
    this.drawnOnce = true;
    this.refreshTables();
    idle(() => { this.prepare(k + 1); this.prepare(k - 1); });
  }

  // The tables of the network figure's numbers, while they are open.
  refreshTables() {
    if (this.tables.hidden || !this.net) return;
    numberTables(this.net, this.tables, `at step ${this.step + 1} of ${this.data.n}`);
  }

  // Every step's figures and equations made ahead, one step per idle moment.
  warm(k) {
    const id = this.data.id;
    if (!this.data.steps[k]) return;
    idle(() => {
      if (this.data.id !== id) return;   // another network: its own warm-up runs
      this.prepare(k);
      this.warm(k + 1);
    });
  }

  // What step k will need, made ahead while the page is idle.
  prepare(k) {
    const s = this.data && this.data.steps[k];
    if (!s || k === this.step) return;
    if (this.katex) [s.rule, s.shapes, s.numbers, ...((s.derivation || {}).lines || [])]
      .forEach((t) => this.html(t));
    if (s.figure) this.figure(s.figure);   // made hidden; shown when its step is
  }

  figure(key) {
    let f = this.focus.get(key);
    if (f) return f;
    const fig = this.data.figures[key];
    if (fig.layout.meta && fig.layout.meta.curve) {
      const div = el("div", "bp-plotly", this.focusBox);
      div.style.width = `${fig.layout.width}px`;
      div.style.height = `${fig.layout.height}px`;
      f = {el: div};
      loadPlotly(this.data.src).then((Plotly) => {
        const layout = {...fig.layout, template: {layout: template(this.root)}};
        Plotly.newPlot(div, fig.data, layout, {displayModeBar: false, responsive: false});
      }, () => { div.textContent = "The chart could not be drawn: reload the page."; });
    } else {
      f = drawHeatmapFigure(fig, this.data.quantities);
      this.focusBox.appendChild(f.el);
      f.setState(null, null, []);
    }
    f.el.style.display = "none";
    this.focus.set(key, f);
    return f;
  }

  html(tex) {
    if (tex == null) return "";
    let h = this.tex.get(tex);
    if (h === undefined) {
      h = this.katex.renderToString(tex, {displayMode: true, throwOnError: false});
      this.tex.set(tex, h);
    }
    return h;
  }

  setTex(node, tex) {
    const key = `${Boolean(this.katex)}${tex}`;
    if (node.__tex === key) return;    // unchanged: nothing to lay out again
    node.__tex = key;
    if (tex == null) { node.replaceChildren(); return; }
    if (this.katex) node.innerHTML = this.html(tex);   // KaTeX's own markup of our LaTeX
    else node.textContent = tex;
  }

  typeset() {
    const s = this.data && this.data.steps[this.step];
    if (!s) return;
    this.setTex(this.rule, s.rule);
    this.setTex(this.shapes, s.shapes);
    this.setTex(this.numbers, s.numbers);
    if (this.shown) this.derive(this.shown);
  }

  derive(d) {
    this.shown = d;
    this.derBox.dataset.cell = d ? cellName(d.cell) : "";
    this.derBody.replaceChildren();
    if (!d) return;
    if (d.message) {
      const p = el("div", `bp-note bp-${d.tone || "info"}`, this.derBody);
      p.textContent = d.message;
      if (d !== this.data.steps[this.step].derivation) this.mark([[d.cell, "pick"]]);
      return;
    }
    const head = el("p", "bp-der-head", this.derBody);
    el("b", "", head).textContent = d.equation;
    head.appendChild(document.createTextNode(` · ${d.text}`));
    for (const line of d.lines) this.setTex(el("div", "bp-tex", this.derBody), line);
    const s = this.data.steps[this.step];
    if (d !== s.derivation) this.mark([...(d.uses || []).map((u) => [u, "use"]), [d.cell, "pick"]]);
  }

  // Outline the cells ``marks`` ([cell, "pick" or "use"]) in the figures of this step.
  mark(marks) {
    const s = this.data.steps[this.step];
    this.net.setState(new Set(s.known), `${s.q}:${s.l}`, marks);
    if (s.graph) this.graph.setState(s.graph);
    this.net.setLabel(s.label);
    if (this.current) {
      this.current.el.setAttribute("role", "figure");
      this.current.el.setAttribute("aria-label", s.figure_label);
    }
    this.graph.mark((marks || []).filter(([, style]) => style === "pick")
      .map(([c]) => c));
    if (this.current && this.current.setState) this.current.setState(null, null, marks);
  }

  // The step this session's page last showed for this example, from sessionStorage
  // (written with each step), or null.
  kept() {
    try {
      const v = JSON.parse(window.sessionStorage.getItem("bp-stepper") || "null");
      const ok = v && v.session === this.state.session && v.id === this.data.id
        && v.seq === this.state.seq && Number.isInteger(v.step) && v.step <= this.data.upto;
      return ok ? v.step : null;
    } catch (e) { return null; }
  }

  keep(k) {
    try {
      window.sessionStorage.setItem("bp-stepper", JSON.stringify(
        {session: this.state.session, id: this.data.id, seq: this.state.seq, step: k}));
    } catch (e) { /* no storage: the page comes back at the step the server knows */ }
  }

  writeUrl(k) {
    try {
      const u = new URL(window.location.href);
      if (u.searchParams.get("step") === String(k + 1)) return;
      u.searchParams.set("step", String(k + 1));
      window.history.replaceState(window.history.state, "", u.toString());
    } catch (e) { /* an address that cannot be changed: the step is still shown */ }
  }
}

function isTyping(t) {
  return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)
               || (t.closest && t.closest('[role="slider"], [role="listbox"], [role="combobox"]')));
}

const STEP_KEYS = {ArrowRight: 1, n: 1, N: 1, ArrowLeft: -1, p: -1, P: -1};

function onKey(e) {
  const s = window.__bpStepper;
  if (!s || !s.root.isConnected || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey
      || isTyping(e.target)) {
    return;
  }
  const move = STEP_KEYS[e.key];
  if (!move) return;
  e.preventDefault();
  s.go(s.step + move);
}

// Before the student works another widget of the page (a pointer press or a key outside
// the component), the server is told the step on screen, once after any stepping: the
// widget's own rerun then starts from it (practice, the lesson link, the exports).
function onOutside(e) {
  const s = window.__bpStepper;
  if (!s || !s.root.isConnected || !s.state || !s.send || s.root.contains(e.target)) return;
  // A link leaves the page: a rerun now would race the new page (the step is kept in the
  // address and in sessionStorage for when the page is opened again).
  if (e.target.closest && e.target.closest("a[href]")) return;
  if (e.type === "keydown" && (/^(Tab|Shift|Control|Alt|Meta|Escape|CapsLock)$/.test(e.key)
                               || (STEP_KEYS[e.key] && !isTyping(e.target)))) {
    return;
  }
  if (s.step === s.reported || s.step < 0) return;
  s.reported = s.step;
  s.send("at", s.step);
}

// The page's first link, shown when focused: past the sidebar to Prev / Next (the sidebar
// comes first in Streamlit's page; this is the first stop of Tab from the page's top).
function skipLink() {
  let a = document.getElementById("bp-skip");
  if (!a) {
    a = document.createElement("a");
    a.id = "bp-skip";
    a.className = "bp-skip";
    a.href = "#bp-steps";
    a.textContent = "Skip to the steps (Prev, Next)";
    a.addEventListener("click", (e) => {
      e.preventDefault();
      const s = window.__bpStepper;
      if (s && s.root.isConnected) (s.next.disabled ? s.prev : s.next).focus();
    });
    document.body.prepend(a);
  }
  return a;
}

export default function ({data, parentElement, setTriggerValue}) {
  const root = parentElement.querySelector(".bp-stepper");
  const skip = skipLink();
  if (!root.__bp) root.__bp = new Stepper(root);
  window.__bpStepper = root.__bp;
  if (!window.__bpKeys) {
    window.__bpKeys = true;
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onOutside, true);
    document.addEventListener("keydown", onOutside, true);
  }
  root.__bp.update(data, setTriggerValue);
  // Gone with the page (another page of the app): so is the link to its steps.
  return () => setTimeout(() => { if (!root.isConnected) skip.remove(); }, 0);
}
