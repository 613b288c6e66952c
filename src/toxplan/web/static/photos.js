/* Before/after: switch between side by side and the slider, and move the slider's edge. */
(function () {
  "use strict";
  const page = document.getElementById("compare");
  if (!page) return;
  const width = Number(page.dataset.width);
  const side = document.getElementById("compare-side");
  const slider = document.getElementById("compare-slider");
  const buttons = document.querySelectorAll("#compare-mode button");
  for (const b of buttons) {
    b.addEventListener("click", () => {
      const mode = b.dataset.mode;
      for (const o of buttons) o.setAttribute("aria-pressed", String(o === b));
      side.hidden = mode !== "side";
      slider.hidden = mode !== "slider";
    });
  }
  const range = document.getElementById("slider");
  const rect = document.getElementById("after-clip-rect");
  const line = document.getElementById("slider-line");
  range.addEventListener("input", () => {
    const x = (width * Number(range.value)) / 100;
    rect.setAttribute("width", String(x));
    line.setAttribute("x1", String(x));
    line.setAttribute("x2", String(x));
  });
})();
