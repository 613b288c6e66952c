/* The consent page: choosing the product or an area reloads the form's text; the patient signs
   on the canvas with a finger (pointer events cover touch, pen and mouse), and the drawing goes
   with the form as a PNG. Signing needs a typed name and at least one stroke. */
(function () {
  "use strict";
  const choice = document.getElementById("consent-choice");
  if (choice) {
    for (const input of choice.querySelectorAll("[data-autosubmit]")) input.addEventListener("change", () => choice.submit());
  }
  const canvas = document.getElementById("signature-pad");
  if (!canvas) return;
  const form = document.getElementById("consent-form");
  const name = document.getElementById("signed-by");
  const submit = document.getElementById("consent-submit");
  const hint = document.getElementById("consent-hint");
  const ctx = canvas.getContext("2d");
  let strokes = 0;
  let drawing = null;

  function blank() {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.strokeStyle = "#1d2433";
    ctx.lineWidth = 4;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    strokes = 0;
    update();
  }

  function at(e) {
    const box = canvas.getBoundingClientRect();
    return [((e.clientX - box.left) * canvas.width) / box.width, ((e.clientY - box.top) * canvas.height) / box.height];
  }

  function update() {
    const ready = strokes > 0 && name.value.trim().length >= 2;
    submit.disabled = !ready;
    hint.textContent = ready ? "Tap Sign consent to finish." : "Type your name and sign in the box to continue.";
  }

  canvas.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    drawing = e.pointerId;
    const [x, y] = at(e);
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 0.1, y + 0.1);
    ctx.stroke();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (drawing !== e.pointerId) return;
    const [x, y] = at(e);
    ctx.lineTo(x, y);
    ctx.stroke();
  });
  const end = (e) => {
    if (drawing !== e.pointerId) return;
    drawing = null;
    strokes += 1;
    update();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  document.getElementById("signature-clear").addEventListener("click", blank);
  name.addEventListener("input", update);
  form.addEventListener("submit", (e) => {
    if (!strokes || name.value.trim().length < 2) {
      e.preventDefault();
      update();
      return;
    }
    document.getElementById("signature-field").value = canvas.toDataURL("image/png");
    submit.disabled = true;
  });
  blank();
})();
