/* The face chart: draws points and danger zones on the server-rendered SVG views, and turns
   pointer input into taps, drags and new points. Pointer events cover mouse, pen and touch
   alike; the SVG has touch-action: none so a finger drag moves a point, not the page. */
(function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  const DRAG_PX = 6; // a press that moves less than this is a tap
  const ToxChart = (window.ToxChart = window.ToxChart || {});

  function svgEl(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (parent) parent.appendChild(node);
    return node;
  }

  const round1 = (v) => window.ToxDecimal.round(v, 1); // positions to 0.1 mm, as the server rounds
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

  class FaceChart {
    /** handlers: onTap(key, additive), onAdd(view, x, y), onMove(key, x, y, done) */
    constructor(stage, handlers) {
      this.handlers = handlers;
      this.svgs = {};
      this.press = null;
      for (const svg of stage.querySelectorAll("svg.chart-view")) {
        this.svgs[svg.dataset.view] = svg;
        svg.addEventListener("pointerdown", (e) => this.down(svg, e));
        svg.addEventListener("pointermove", (e) => this.move(svg, e));
        svg.addEventListener("pointerup", (e) => this.up(svg, e));
        svg.addEventListener("pointercancel", () => this.cancel());
        svg.addEventListener("contextmenu", (e) => e.preventDefault()); // long-press on tablets
        svg.addEventListener("keydown", (e) => this.key(svg, e));
      }
      this.view = "front";
    }

    mirror(view) {
      return this.svgs[view].dataset.mirror === "1";
    }

    /** Patient frame (mm, y up) → SVG user units (mm, y down); face_chart.to_svg in Python. */
    toSvg(view, x, y) {
      return [this.mirror(view) ? -x : x, -y];
    }

    /** Where a pointer event falls, in the view's patient frame (mm). */
    toMm(svg, e) {
      const pt = svg.createSVGPoint();
      pt.x = e.clientX;
      pt.y = e.clientY;
      const p = pt.matrixTransform(svg.getScreenCTM().inverse());
      const x = this.mirror(svg.dataset.view) ? -p.x : p.x;
      return [round1(clamp(x, -300, 300)), round1(clamp(-p.y, -400, 300))];
    }

    setView(view) {
      this.view = view;
      for (const [id, svg] of Object.entries(this.svgs)) svg.classList.toggle("active", id === view);
    }

    setBox(view, box) {
      this.svgs[view].setAttribute("viewBox", box);
    }

    /** Point radius in mm: a constant size on screen whatever the zoom. */
    radius(view) {
      return this.svgs[view].viewBox.baseVal.width / 40;
    }

    down(svg, e) {
      if (e.button > 0) return;
      const g = e.target.closest ? e.target.closest(".pt") : null;
      this.press = { id: e.pointerId, key: g ? g.dataset.key : null, g, x0: e.clientX, y0: e.clientY, drag: false };
      this.press.additive = e.shiftKey;
      svg.setPointerCapture(e.pointerId);
      e.preventDefault(); // no text selection or scrolling; so also no blur, which we do ourselves:
      if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    }

    move(svg, e) {
      const p = this.press;
      if (!p || e.pointerId !== p.id || !p.key) return;
      if (!p.drag && Math.hypot(e.clientX - p.x0, e.clientY - p.y0) < DRAG_PX) return;
      p.drag = true;
      const [x, y] = this.toMm(svg, e);
      const [sx, sy] = this.toSvg(svg.dataset.view, x, y);
      p.g.setAttribute("transform", `translate(${sx} ${sy})`); // cheap live feedback; state on release
      p.g.classList.add("dragging");
    }

    up(svg, e) {
      const p = this.press;
      this.press = null;
      if (!p || e.pointerId !== p.id) return;
      const [x, y] = this.toMm(svg, e);
      const moved = Math.hypot(e.clientX - p.x0, e.clientY - p.y0) >= DRAG_PX;
      if (p.key && p.drag) this.handlers.onMove(p.key, x, y, true);
      else if (p.key) this.handlers.onTap(p.key, p.additive);
      else if (!moved) this.handlers.onAdd(svg.dataset.view, x, y, p.additive);
    }

    /** Keyboard: Tab reaches each point; Enter or Space selects it, arrows move it (Shift: 5 mm). */
    key(svg, e) {
      const g = e.target.closest ? e.target.closest(".pt") : null;
      if (!g) return;
      const key = g.dataset.key;
      const step = e.shiftKey ? 5 : 1;
      const arrows = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        this.refocus = key;
        this.handlers.onTap(key, e.shiftKey);
      } else if (arrows[e.key] && this.handlers.onNudge) {
        e.preventDefault();
        const [dx, dy] = arrows[e.key];
        this.refocus = key;
        this.handlers.onNudge(key, this.mirror(svg.dataset.view) ? -dx : dx, dy); // screen right is the patient's left in mirrored views
      }
    }

    cancel() {
      if (this.press && this.press.g) this.press.g.classList.remove("dragging");
      this.press = null;
      this.handlers.onCancel();
    }

    /** points: [{key, view, x, y, units, area}], selected: Set, flags: {key: severity},
        ghosts: [{view, x, y, units, title}] drawn hollow, for reading only (front points seen from the side) */
    drawPoints(points, selected, flags, ghosts) {
      // A redraw (e.g. when a check answers) replaces the points: keep the keyboard on its point.
      const focused = document.activeElement && document.activeElement.closest ? document.activeElement.closest(".pt") : null;
      if (focused && !this.refocus) this.refocus = focused.dataset.key;
      for (const [view, svg] of Object.entries(this.svgs)) {
        const layer = svg.querySelector("g.points");
        layer.replaceChildren();
        const r = this.radius(view);
        const mine = points.filter((p) => p.view === view && p.x !== null && p.x !== undefined);
        const stacks = {};
        for (const p of mine) (stacks[`${p.x}|${p.y}`] = stacks[`${p.x}|${p.y}`] || []).push(p);
        for (const p of mine) {
          // Points at the same spot (e.g. 4 jawline injections at one site) fan out so each can be tapped.
          const stack = stacks[`${p.x}|${p.y}`];
          const i = stack.indexOf(p);
          const spread = stack.length > 1 ? (1.05 * r) / Math.sin(Math.PI / stack.length) : 0;
          const angle = (2 * Math.PI * i) / stack.length - Math.PI / 2;
          const [sx, sy] = this.toSvg(view, p.x, p.y);
          const cls = ["pt", `c${p.area % 8}`];
          if (selected.has(p.key)) cls.push("selected");
          if (flags[p.key]) cls.push(`flag-${flags[p.key]}`);
          const g = svgEl("g", { class: cls.join(" "), "data-key": p.key, "data-index": p.index }, layer);
          g.setAttribute("transform", `translate(${sx + spread * Math.cos(angle)} ${sy + spread * Math.sin(angle)})`);
          svgEl("circle", { class: "hit", r: r * 1.75 }, g);
          svgEl("circle", { class: "ring", r: r * 1.38 }, g);
          svgEl("circle", { class: "dot", r }, g);
          const label = svgEl("text", { class: "lbl", y: r * 0.36, "font-size": r * 1.02 }, g);
          label.textContent = String(p.units);
          svgEl("title", {}, g).textContent = `#${p.index + 1} ${p.title}: ${p.units} U`;
          g.setAttribute("tabindex", "0");
          g.setAttribute("role", "button");
          g.setAttribute("aria-label", `Point ${p.index + 1}, ${p.title}, ${p.units} units${selected.has(p.key) ? ", selected" : ""}`);
        }
        for (const ghost of (ghosts || []).filter((q) => q.view === view)) {
          const [sx, sy] = this.toSvg(view, ghost.x, ghost.y);
          const g = svgEl("g", { class: "ghost", transform: `translate(${sx} ${sy})` }, layer);
          svgEl("circle", { r: r * 0.9, class: `c${ghost.area % 8}`, stroke: "currentColor" }, g);
          svgEl("text", { y: r * 0.36, "font-size": r * 0.9 }, g).textContent = String(ghost.units);
          svgEl("title", {}, g).textContent = `${ghost.title}: ${ghost.units} U (planned on the front view)`;
        }
      }
      if (this.refocus) {
        const again = Object.values(this.svgs).map((s) => s.querySelector(`g.pt[data-key="${this.refocus}"]`)).find(Boolean);
        if (again) again.focus();
        this.refocus = null;
      }
    }

    /** Danger zones from the knowledge API. A zone is anatomy: it holds every injection in its
     * view whatever the area, so every zone of a view is drawn (its exemptions are in the title):
     * as traced on the server by the safety check's own test (zone_outlines.py) when given, else
     * from the zone's outline. */
    drawZones(zones, landmarks, areaIds, show, shapes) {
      const shown = [];
      for (const [view, svg] of Object.entries(this.svgs)) {
        const layer = svg.querySelector("g.zones");
        layer.replaceChildren();
        if (!show) continue;
        for (const z of zones) {
          if (z.view !== view) continue;
          shown.push(z);
          const g = svgEl("g", { class: `zone sev-${z.severity}`, "data-zone": z.id }, layer);
          const spared = (z.exemptions || []).filter((e) => e.indications.some((i) => areaIds.includes(i)));
          const note = spared.length ? `; label sites allowed: ${spared.map((e) => e.sites.join(", ")).join("; ")}` : "";
          svgEl("title", {}, g).textContent = `${z.name} (${z.severity})${note}`;
          const traced = shapes && shapes[z.id] && shapes[z.id][view];
          if (traced) {
            svgEl("path", { d: traced, class: "zone-shape" }, g);
            continue;
          }
          for (const part of z.outline || []) this.zonePart(view, part, g);
        }
      }
      return shown;
    }

    /** One part of a zone: a circle, or a closed outline of points (mm, chart frame). */
    zonePart(view, part, g) {
      if (part.circle) {
        const [cx, cy] = this.toSvg(view, part.circle.x_mm, part.circle.y_mm);
        svgEl("circle", { cx, cy, r: part.circle.r_mm }, g);
        return;
      }
      const points = part.points.map(([x, y]) => this.toSvg(view, x, y).join(",")).join(" ");
      svgEl("polygon", { points }, g);
    }
  }

  ToxChart.FaceChart = FaceChart;
  ToxChart.round1 = round1;
})();
