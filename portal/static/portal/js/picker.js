// A long list of checkboxes (the leads picker) gets a box to find people by name: typing hides the
// people who do not match, ticked ones always stay in view.  Without JavaScript the list scrolls
// and every box works; the server checks whatever is sent.
export function initPickers(root = document) {
  for (const list of root.querySelectorAll("[data-picker]")) {
    const items = [...list.querySelectorAll(".nhsuk-checkboxes__item")];
    const id = `${list.closest("fieldset")?.querySelector("input")?.name || "picker"}-search`;
    const group = document.createElement("div");
    group.className = "nhsuk-form-group nhsuk-u-margin-bottom-2";
    group.innerHTML = `<label class="nhsuk-label" for="${id}"></label><input class="nhsuk-input nhsuk-u-width-two-thirds" id="${id}" type="search" autocomplete="off">`;
    group.querySelector("label").textContent = `Find ${list.dataset.picker.toLowerCase()} by name`;
    const status = document.createElement("p");
    status.className = "nhsuk-body-s nhsuk-u-margin-bottom-2";
    status.setAttribute("role", "status");
    list.before(group, status);
    const search = group.querySelector("input");
    search.addEventListener("input", () => {
      const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      for (const item of items) {
        const text = item.textContent.toLowerCase();
        const checked = item.querySelector("input").checked;
        const match = checked || words.every((word) => text.includes(word));
        item.style.display = match ? "" : "none"; // not `hidden`: the design system sets display on items
        if (match) shown += 1;
      }
      status.textContent = words.length ? `${shown} ${shown === 1 ? "person" : "people"} shown` : "";
    });
    // Enter in the search box must not submit the whole form.
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
  }
}
