/* The planning chart on a photo of this visit (front views). The plan stays in template
   millimetres: label-standard sites are drawn where the server placed them on this face, other
   points through /project, and a tap or a drag goes through /locate back to template
   millimetres, so the same checks run as on the template. Danger zones and the patient's
   sides are drawn on the photo. A photo that cannot be charted (no face, head turned) says so
   and the template stays. Loaded after chart.js, which exposes ToxChart.page. */
(function () {
  "use strict";
  const T = window.ToxChart;
  const P = T && T.page;
  if (!P) return;
  const NS = "http://www.w3.org/2000/svg";
  const DRAG_PX = 6;
  const stage = document.getElementById("stage");
  const api = P.plan.api;
  const pixelOf = new Map(); // "x|y" in template mm -> [x_px, y_px], or null off the face
  let photo = null; // {id, chart, svg}
  let press = null;
  let projecting = false;

  function el(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (parent) parent.appendChild(node);
    return node;
  }
  const keyOf = (x, y) => `${T.round1(x)}|${T.round1(y)}`;

  // --- the picker: template or a frontal photo of today ---------------------------------------

  const picker = document.createElement("select");
  picker.id = "photo-picker";
  picker.setAttribute("aria-label", "Chart on");
  picker.append(new Option("Template face", ""));
  const toolbar = stage.parentElement.querySelector(".toolbar");
  const wrap = document.createElement("label");
  wrap.className = "photo-pick";
  wrap.append("Chart on ", picker);
  toolbar.append(wrap);
  const status = document.createElement("p");
  status.id = "photo-status";
  status.className = "photo-status";
  status.hidden = true;
  stage.parentElement.insertBefore(status, stage.nextSibling);

  api(`/api/v1/patients/${P.data.patient_id}/photos`)
    .then((list) => {
      const today = list.filter((p) => p.view.startsWith("front") && p.taken_at.slice(0, 10) === P.data.today);
      for (const p of today) {
        const time = new Date(p.taken_at).toLocaleTimeString([], { timeStyle: "short" });
        picker.append(new Option(`Photo ${time}, ${p.view.replace("front_", "").replace("_", " ")}`, p.id));
      }
      if (!today.length) {
        const none = new Option("No frontal photo today", "-");
        none.disabled = true;
        picker.append(none);
      }
    })
    .catch(() => picker.append(new Option("Photos could not be loaded", "-")));

  picker.addEventListener("change", () => (picker.value ? open(picker.value) : close()));

  function say(text) {
    status.textContent = text || "";
    status.hidden = !text;
  }

  async function open(id) {
    let chart;
    try {
      chart = await api(`/api/v1/photos/${id}/chart`);
    } catch (err) {
      chart = { problem: err.message };
    }
    if (chart.problem) {
      close();
      picker.value = "";
      say(`This photo cannot be charted on: ${chart.problem}. The template face is shown.`);
      return;
    }
    close();
    photo = { id, chart, svg: build(id, chart) };
    stage.classList.add("photo-mode");
    P.setView("front");
    const undrawn = chart.zones.filter((z) => !z.drawn).map((z) => z.name);
    const notes = [];
    if (chart.scale_note) notes.push(`Scale check: ${chart.scale_note}.`);
    if (undrawn.length) notes.push(`Not drawn on the photo (still checked): ${undrawn.join("; ")}.`);
    say(notes.join(" "));
    P.render();
  }

  function close() {
    if (photo) photo.svg.remove();
    photo = null;
    stage.classList.remove("photo-mode");
    say("");
    P.render();
  }

  /** The face and a margin around it: the part of the photo the chart shows. */
  function faceBox(chart) {
    const xs = Object.values(chart.landmarks).map((q) => q.x_px);
    const ys = Object.values(chart.landmarks).map((q) => q.y_px);
    const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
    const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
    const half = 0.8 * Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
    return { x: cx - half, y: cy - half, size: 2 * half };
  }

  function build(id, chart) {
    const { width, height } = chart.image;
    const box = faceBox(chart);
    chart.box = box;
    const svg = el("svg", {
      class: "chart-view photo-view active",
      id: "view-photo",
      viewBox: `${box.x} ${box.y} ${box.size} ${box.size}`,
      preserveAspectRatio: "xMidYMid meet",
      role: "img",
      "aria-label": "The patient's photo",
    });
    el("image", { href: `/api/v1/photos/${id}/image`, width, height }, svg);
    el("g", { class: "zones" }, svg);
    // The patient's sides, written in the top corners on the side each one is seen.
    const sides = el("g", { class: "sides" }, svg);
    const size = box.size / 26;
    const rightOnLeft = chart.sides.right.x_px < chart.sides.left.x_px;
    for (const side of ["right", "left"]) {
      const onLeft = (side === "right") === rightOnLeft;
      const x = onLeft ? box.x + size * 0.6 : box.x + box.size - size * 0.6;
      const text = el("text", { x, y: box.y + size * 1.4, class: "side-label", "font-size": size, "text-anchor": onLeft ? "start" : "end" }, sides);
      text.textContent = `Patient's ${side}`;
    }
    el("g", { class: "points" }, svg);
    svg.addEventListener("pointerdown", down);
    svg.addEventListener("pointermove", move);
    svg.addEventListener("pointerup", up);
    svg.addEventListener("pointercancel", () => (press = null));
    svg.addEventListener("contextmenu", (e) => e.preventDefault());
    stage.insertBefore(svg, stage.firstChild);
    return svg;
  }

  // --- drawing ---------------------------------------------------------------------------------

  function where(p) {
    if (p.site && !p.moved && photo.chart.sites[p.site]) return [photo.chart.sites[p.site].x_px, photo.chart.sites[p.site].y_px];
    const at = pixelOf.get(keyOf(p.x, p.y));
    return at === undefined ? undefined : at;
  }

  function drawZones() {
    const layer = photo.svg.querySelector("g.zones");
    layer.replaceChildren();
    if (!document.getElementById("show-zones").checked) return;
    for (const z of photo.chart.zones) {
      const g = el("g", { class: `zone sev-${z.severity}`, "data-zone": z.id }, layer);
      el("title", {}, g).textContent = `${z.name} (${z.severity})`;
      for (const polygon of z.polygons) el("polygon", { points: polygon.map((q) => q.join(",")).join(" ") }, g);
    }
  }

  function drawPoints(flags) {
    const state = P.plan.state;
    const ui = P.plan.ui;
    const layer = photo.svg.querySelector("g.points");
    layer.replaceChildren();
    const r = photo.chart.box.size / 75;
    const areaIndex = Object.fromEntries(state.areas.map((a, i) => [a.id, i]));
    const missing = [];
    let offPhoto = 0;
    state.points.forEach((p, index) => {
      if (p.view !== "front" || p.x === null) return;
      const at = where(p);
      if (at === undefined) return missing.push(p);
      if (at === null) return offPhoto++;
      const cls = ["pt", `c${(areaIndex[p.indication] || 0) % 8}`];
      if (ui.selected.has(p.key)) cls.push("selected");
      if (flags[p.key]) cls.push(`flag-${flags[p.key]}`);
      const g = el("g", { class: cls.join(" "), "data-key": p.key, "data-index": index, transform: `translate(${at[0]} ${at[1]})` }, layer);
      el("circle", { class: "hit", r: r * 1.75 }, g);
      el("circle", { class: "ring", r: r * 1.38 }, g);
      el("circle", { class: "dot", r }, g);
      el("text", { class: "lbl", y: r * 0.36, "font-size": r * 1.02 }, g).textContent = String(p.units);
      el("title", {}, g).textContent = `#${index + 1} ${p.site ? P.siteName(p.site) : "free point"}: ${p.units} U`;
    });
    if (missing.length) project(missing);
    const note = offPhoto ? `${offPhoto} point${offPhoto > 1 ? "s" : ""} lie off the measured face and show on the template only.` : "";
    if (note && status.textContent !== note && !status.textContent.startsWith("Scale")) say(note);
  }

  /** Template points with no pixel yet (moved on the template, or restored from a draft). */
  async function project(points) {
    if (projecting) return;
    projecting = true;
    try {
      const body = { points: points.map((p) => ({ x_mm: p.x, y_mm: p.y })) };
      const answer = await api(`/api/v1/photos/${photo.id}/project`, body);
      answer.points.forEach((q, i) => pixelOf.set(keyOf(points[i].x, points[i].y), q.on_face ? [q.x_px, q.y_px] : null));
    } catch (err) {
      for (const p of points) pixelOf.set(keyOf(p.x, p.y), null);
    } finally {
      projecting = false;
    }
    P.render();
  }

  T.onRender = function (flags) {
    if (!photo) return;
    drawZones();
    drawPoints(flags);
  };

  // --- pointer input ---------------------------------------------------------------------------

  function toPixels(e) {
    const pt = photo.svg.createSVGPoint();
    pt.x = e.clientX;
    pt.y = e.clientY;
    const p = pt.matrixTransform(photo.svg.getScreenCTM().inverse());
    return [p.x, p.y];
  }

  function down(e) {
    if (e.button > 0) return;
    const g = e.target.closest ? e.target.closest(".pt") : null;
    press = { id: e.pointerId, key: g ? g.dataset.key : null, g, x0: e.clientX, y0: e.clientY, drag: false, additive: e.shiftKey };
    photo.svg.setPointerCapture(e.pointerId);
    e.preventDefault();
  }

  function move(e) {
    if (!press || e.pointerId !== press.id || !press.key) return;
    if (!press.drag && Math.hypot(e.clientX - press.x0, e.clientY - press.y0) < DRAG_PX) return;
    press.drag = true;
    const [x, y] = toPixels(e);
    press.g.setAttribute("transform", `translate(${x} ${y})`);
    press.g.classList.add("dragging");
  }

  async function up(e) {
    const p = press;
    press = null;
    if (!p || e.pointerId !== p.id) return;
    const moved = Math.hypot(e.clientX - p.x0, e.clientY - p.y0) >= DRAG_PX;
    if (p.key && !p.drag) return P.plan.act.tapPoint(p.key, p.additive);
    if (!p.key && moved) return;
    const [x, y] = toPixels(e);
    let found;
    try {
      found = (await api(`/api/v1/photos/${photo.id}/locate`, { points: [{ x_px: x, y_px: y }] })).points[0];
    } catch (err) {
      P.flash(`The point could not be placed: ${err.message}`);
      return P.render();
    }
    if (!found.on_face) {
      P.flash("That is off the measured face: place points there on the template.");
      return P.render();
    }
    pixelOf.set(keyOf(found.x_mm, found.y_mm), [x, y]);
    if (p.key) P.plan.act.movePoint(p.key, found.x_mm, found.y_mm);
    else P.plan.act.addPoint("front", found.x_mm, found.y_mm, p.additive);
  }
})();
