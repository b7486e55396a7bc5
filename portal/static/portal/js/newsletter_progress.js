// The newsletter issue page, for administrators: asks how far the sending has got every few seconds
// and moves the progress bar on, until every copy has gone.  Without it the page shows the figures
// as they were when it loaded.
const box = document.querySelector(".newsletter-progress[data-progress-url]");

async function update() {
  const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) return false;
  const progress = await response.json();
  const bar = box.querySelector("progress");
  bar.max = progress.total;
  bar.value = progress.sent;
  bar.textContent = `${progress.sent} of ${progress.total}`;
  const people = progress.total === 1 ? "member" : "members";
  box.querySelector("[data-progress-text]").textContent = progress.finished
    ? `Sent to ${progress.sent} of ${progress.total} ${people}. Finished.`
    : `Sent to ${progress.sent} of ${progress.total} ${people}. This page updates as it goes; you can leave it.`;
  return !progress.finished;
}

async function poll() {
  let more = true;
  try {
    more = await update();
  } catch {
    more = true; // a dropped connection: try again next time
  }
  if (more) setTimeout(poll, 3000);
}

if (box && !box.hasAttribute("data-finished")) poll();
