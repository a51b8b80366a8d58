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

// The account menu is a drop-down on a wide screen: close it on Escape or a click elsewhere,
// as a menu does. Without this file it still opens and closes with its own button.
document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll("details.account-menu[open]")) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  // The innermost open menu that holds the focus closes, and its button takes the focus.
  const open = [...document.querySelectorAll("details.account-menu[open], details.site-menu[open]")];
  const menu = open.reverse().find((m) => m.contains(document.activeElement));
  if (menu) {
    menu.open = false;
    menu.querySelector("summary")?.focus();
  }
});
