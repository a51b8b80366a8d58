// Small progressive enhancements; every page works without this file.
document.addEventListener("focusin", (event) => {
  // Select a read-only link field on focus so that it can be copied with one keystroke.
  const el = event.target;
  if (el instanceof HTMLInputElement && el.readOnly) el.select();
});
