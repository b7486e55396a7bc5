// Tables wider than the screen (on a phone) scroll inside themselves (portal.css).  This gives each one
// that does a name, keyboard focus (so it can be scrolled with the arrow keys) and a visible hint.
export function initWideTables(root = document) {
  const mark = () => {
    for (const box of root.querySelectorAll(".nhsuk-main-wrapper table, .portal-table-wrapper")) {
      if (box.matches(".portal-table-wrapper table")) continue;
      const wide = box.scrollWidth > box.clientWidth + 1;
      if (wide && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.portalScrolls = "";
        if (!box.matches(".portal-table-wrapper") && !box.previousElementSibling?.matches(".portal-scroll-hint")) {
          const hint = document.createElement("p");
          hint.className = "portal-scroll-hint nhsuk-body-s";
          hint.textContent = "This table is wider than your screen: scroll it sideways to see every column.";
          box.before(hint);
        }
      }
    }
  };
  mark();
  window.addEventListener("resize", mark);
}
