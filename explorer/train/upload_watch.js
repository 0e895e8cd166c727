// The Train page's uploader watch (explorer/train/upload.py, watch): the browser's uploader
// refuses a file over its limit, or not named .csv, by itself, with a tooltip on its chip,
// and the server never hears of it. This listens, in the page, for files chosen or dropped
// on the uploader whose key starts with data.prefix, and sends the name and size of one
// it will refuse as the trigger value "refused", so that the page can say, in its own
// words, why.

export default function ({data, setTriggerValue}) {
  window.__bpUploadWatch = {send: setTriggerValue, limit: data.limit, prefix: data.prefix};
  if (window.__bpUploadWatchOn) return;
  window.__bpUploadWatchOn = true;
  const check = (files, target) => {
    const w = window.__bpUploadWatch;
    if (!w || !files || !target || !target.closest) return;
    if (!target.closest('[class*="st-key-' + w.prefix + '"]')) return;
    for (const f of files) {
      if (f.size > w.limit || !String(f.name).toLowerCase().endsWith(".csv")) {
        w.send("refused", {name: String(f.name).slice(0, 200), size: f.size});
        return;
      }
    }
  };
  document.addEventListener("change", (e) => {
    if (e.target && e.target.type === "file") check(e.target.files, e.target);
  }, true);
  document.addEventListener("drop", (e) => check(e.dataTransfer && e.dataTransfer.files,
                                                 e.target), true);
}
