// "Check for similar work" while a member writes: after a pause in typing, ask the portal's
// members-only JSON endpoint for similar work and list it beside the form.  Without JavaScript the
// form's own "Check for similar work" button does the same through the server.
const PAUSE_MS = 700;
const MIN_CHARS = 12;

function render(container, results) {
  container.replaceChildren();
  if (!results.length) {
    return;
  }
  const heading = document.createElement("h2");
  heading.textContent = "Similar work elsewhere in the region";
  const intro = document.createElement("p");
  intro.textContent = "Found from what you have written so far. Someone may already have done what you need.";
  const list = document.createElement("ul");
  list.className = "nhsuk-list nhsuk-list--border";
  for (const result of results) {
    const item = document.createElement("li");
    item.className = "portal-similar__item";
    const link = document.createElement("a");
    link.href = result.url;
    link.textContent = result.title;
    const about = document.createElement("span");
    about.className = "nhsuk-body-s";
    about.textContent = [result.kind, result.organisation].filter(Boolean).join(", ");
    item.append(link, document.createElement("br"), about);
    list.append(item);
  }
  container.append(heading, intro, list);
}

function watch(form) {
  const container = document.getElementById(form.dataset.similarResults);
  const fields = form.dataset.similarFields.split(" ").map((name) => form.elements.namedItem(name)).filter(Boolean);
  if (!container || !fields.length) {
    return;
  }
  let timer = null;
  let controller = null;
  const ask = async () => {
    const text = fields.map((field) => field.value).join("\n").trim();
    if (text.length < MIN_CHARS) {
      return;
    }
    const query = new URLSearchParams({ text });
    for (const kind of (form.dataset.similarKinds || "").split(" ").filter(Boolean)) {
      query.append("kind", kind);
    }
    controller?.abort();
    controller = new AbortController();
    try {
      const response = await fetch(`${form.dataset.similarUrl}?${query}`, {
        headers: { Accept: "application/json" }, credentials: "same-origin", signal: controller.signal,
      });
      if (response.ok) {
        render(container, (await response.json()).results);
      }
    } catch (error) {
      if (error.name !== "AbortError") {
        console.warn("Similar work could not be fetched", error);
      }
    }
  };
  for (const field of fields) {
    field.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(ask, PAUSE_MS);
    });
  }
}

document.querySelectorAll("form[data-similar-url]").forEach(watch);
