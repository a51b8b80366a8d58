// Small progressive enhancements; every page works without this file.
// A table wider than the screen scrolls sideways: make that box reachable by keyboard
// (WCAG 2.1.1), but only when it actually scrolls, so that wide screens get no extra stop.
function markScrollableTables() {
  for (const box of document.querySelectorAll(".table-wrap")) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      const name = box.getAttribute("aria-label") || document.querySelector("h1")?.textContent;
      if (!box.hasAttribute("aria-label") && name) box.setAttribute("aria-label", name.trim());
    } else if (box.getAttribute("tabindex") === "0") {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
    }
  }
}
document.addEventListener("DOMContentLoaded", markScrollableTables);
window.addEventListener("resize", markScrollableTables);

document.addEventListener("focusin", (event) => {
  // Select a read-only link field on focus so that it can be copied with one keystroke.
  const el = event.target;
  if (el instanceof HTMLInputElement && el.readOnly) el.select();
});
