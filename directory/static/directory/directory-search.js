// Progressive enhancement for the directory filters: results update as you
// type or change a filter. Without JavaScript the form submits as normal.
const form = document.querySelector("[data-directory-filters]");
const results = document.getElementById("directory-results");

if (form && results) {
  let timer = null;
  let controller = null;

  const refresh = async () => {
    const params = new URLSearchParams(new FormData(form));
    for (const [key, value] of [...params.entries()]) {
      if (!value) params.delete(key);
    }
    const query = params.toString();
    params.set("partial", "1");
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const response = await fetch(`${form.action}?${params}`, {
        headers: { "X-Requested-With": "fetch" },
        signal: controller.signal,
        credentials: "same-origin",
      });
      if (!response.ok) return;
      results.innerHTML = await response.text();
      window.history.replaceState(null, "", query ? `${form.action}?${query}` : form.action);
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  };

  const soon = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 250);
  };

  form.addEventListener("input", (event) => {
    if (event.target.matches("[data-directory-search]")) soon();
  });
  form.addEventListener("change", (event) => {
    if (!event.target.matches("[data-directory-search]")) soon();
  });
}
