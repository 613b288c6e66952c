/* Small helpers for every page: times in the browser's own zone, the UTC offset of
   datetime-local fields, "now" as their default, and forgetting a signed chart draft. */
(function () {
  "use strict";
  for (const t of document.querySelectorAll("time[data-local]")) {
    const d = new Date(t.getAttribute("datetime"));
    if (!isNaN(d)) t.textContent = d.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  }
  for (const input of document.querySelectorAll('input[name="tz_offset"]')) {
    input.value = String(new Date().getTimezoneOffset());
  }
  for (const input of document.querySelectorAll("input[data-default-now]")) {
    if (input.value) continue;
    const now = new Date();
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
    input.value = now.toISOString().slice(0, 16);
  }
  for (const node of document.querySelectorAll("[data-clear-draft]")) {
    sessionStorage.removeItem("toxplan-draft-" + node.dataset.clearDraft);
  }
  // "Go back" links: the previous page when there is one (no javascript: URLs under the CSP).
  for (const link of document.querySelectorAll("a[data-back]")) {
    link.addEventListener("click", (event) => {
      if (history.length > 1) {
        event.preventDefault();
        history.back();
      }
    });
  }
})();
