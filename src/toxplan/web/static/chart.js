/* The planning chart page: wires the plan (chart_plan.js), the face chart (chart_svg.js) and
   the panel renderers (chart_panel.js) to the page's controls. Loaded last. */
(function () {
  "use strict";
  const T = window.ToxChart;
  const $ = (id) => document.getElementById(id);
  const h = T.h;
  const data = JSON.parse($("chart-data").textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const SEVERITY = { info: 0, warning: 1, critical: 2 };
  const zoomOf = {};
  let zones = [];
  let landmarks = {};
  let sites = {};
  const siteName = (id) => (sites[id] ? sites[id].name : T.label(id));
  let zonesFailed = false;
  let shownFor = { product: null, key: null };
  let flashTimer = null;
  let editorFor = "";

  const chart = new T.FaceChart($("stage"), {
    onTap: (key, additive) => plan.act.tapPoint(key, additive),
    onAdd: (view, x, y, additive) => plan.act.addPoint(view, x, y, additive),
    onMove: (key, x, y) => plan.act.movePoint(key, x, y),
    onNudge: (key, dx, dy) => {
      const p = plan.state.points.find((q) => q.key === key);
      if (p && p.x !== null) plan.act.movePoint(key, T.round1(p.x + dx), T.round1(p.y + dy));
    },
    onCancel: () => render(),
  });
  const plan = T.createPlan(data, csrf, { render, renderSign, flash, setView, fitView });
  const ui = plan.ui;
  T.rerender = render;

  // --- views and zoom ----------------------------------------------------------------------------

  function setView(view) {
    ui.view = view;
    chart.setView(view);
    $("mark-left").textContent = SIDE_MARKS[view][0];
    $("mark-right").textContent = SIDE_MARKS[view][1];
    for (const b of $("views").querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.view === view));
    const zooms = data.zooms[view];
    const current = zoomOf[view] || zooms[0].id;
    $("zooms").replaceChildren(
      ...zooms.map((z) =>
        h("button", { type: "button", "data-zoom": z.id, "aria-pressed": String(z.id === current), onclick: () => setZoom(view, z.id) }, z.label),
      ),
    );
    $("zooms").hidden = zooms.length < 2;
    setZoom(view, current);
  }

  function setZoom(view, id) {
    const zoom = data.zooms[view].find((z) => z.id === id) || data.zooms[view][0];
    zoomOf[view] = zoom.id;
    chart.setBox(view, zoom.box);
    for (const b of $("zooms").querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.zoom === zoom.id));
    render();
  }

  /** Show the view holding the plan's points, zoomed as close as still shows them all. */
  function fitView() {
    const placed = plan.state.points.filter((p) => p.x !== null);
    if (!placed.length) return;
    let view = ui.view;
    if (!placed.some((p) => p.view === view)) {
      const counts = {};
      for (const p of placed) counts[p.view] = (counts[p.view] || 0) + 1;
      view = Object.keys(counts).sort((a, b) => counts[b] - counts[a])[0];
    }
    const mine = placed.filter((p) => p.view === view).map((p) => chart.toSvg(view, p.x, p.y));
    const fits = data.zooms[view]
      .map((z) => ({ z, b: z.box.split(" ").map(Number) }))
      .filter(({ b }) => mine.every(([x, y]) => x > b[0] + 6 && x < b[0] + b[2] - 6 && y > b[1] + 6 && y < b[1] + b[3] - 6))
      .sort((a, c) => a.b[2] * a.b[3] - c.b[2] * c.b[3]);
    zoomOf[view] = fits.length ? fits[0].z.id : data.zooms[view][0].id;
    setView(view);
  }

  // --- rendering -----------------------------------------------------------------------------------

  const shortTime = (iso) => new Date(iso).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

  function renderStock(state) {
    if (shownFor.product !== state.product) {
      $("product").replaceChildren(...data.products.map((p) => h("option", { value: p.id, selected: p.id === state.product }, p.brand.split(" / ")[0])));
    }
    const key = `${state.product}|${state.vial}|${state.lot}`;
    if (shownFor.key !== key) {
      const open = plan.vialsOf(state.product);
      $("vial").replaceChildren(
        ...open.map((v) =>
          h(
            "option",
            { value: v.id, selected: v.id === state.vial },
            `Lot ${v.lot_number} · made ${shortTime(v.reconstituted_at)} · ${v.diluent_ml} mL · ${v.units_left} U left · use by ${shortTime(v.use_by)}${v.use_by_known ? "" : "*"}`,
          ),
        ),
        h("option", { value: "new", selected: state.vial === "new" }, open.length ? "Open a new vial…" : "No open vial: open a new one…"),
      );
      const lots = plan.lotsOf(state.product);
      $("lot").replaceChildren(
        h("option", { value: "" }, lots.length ? "Choose a lot…" : "No unexpired lot of this product"),
        ...lots.map((l) =>
          h("option", { value: l.id, selected: l.id === state.lot, disabled: l.unopened === 0 }, `${l.lot_number} · ${l.vial_units} U · exp ${l.expiry_date}${l.unopened === null ? "" : ` · ${l.unopened} unopened`}`),
        ),
      );
      shownFor = { product: state.product, key };
    }
    const v = plan.vial();
    $("vial-note").textContent = v && !v.use_by_known ? "* This product's in-use time is not in the knowledge base: the shortest known (24 h) is shown." : "";
    $("vial-note").hidden = !(v && !v.use_by_known);
    $("lot-row").hidden = state.vial !== "new";
    $("diluent-row").hidden = state.vial !== "new" || plan.readyToUse();
    if (document.activeElement !== $("diluent")) $("diluent").value = state.diluent;
  }

  function common(points, field) {
    const values = [...new Set(points.map((p) => (p[field] === null || p[field] === undefined ? "" : String(p[field]))))];
    return values.length === 1 ? values[0] : "";
  }

  function renderEditor(state) {
    const chosen = state.points.filter((p) => ui.selected.has(p.key));
    $("editor-empty").hidden = chosen.length > 0;
    $("editor-fields").hidden = chosen.length === 0;
    const box = $("editor-box");
    const opened = chosen.length > 0 && !box.classList.contains("active");
    box.classList.toggle("active", chosen.length > 0);
    // the selected point's editor, next to the chart (on narrow screens it is a sheet above Sign already)
    if (opened && window.matchMedia("(min-width: 901px)").matches) box.scrollIntoView({ block: "nearest" });
    if (!chosen.length) {
      editorFor = "";
      return;
    }
    const first = chosen[0];
    const one = chosen.length === 1;
    $("sel-count").textContent = one
      ? `Point ${state.points.indexOf(first) + 1}: ${first.site ? siteName(first.site) : "free point"} (${T.label(first.indication)})`
      : `${chosen.length} points selected`;
    const site = one && first.site && sites[first.site];
    $("sel-site").textContent = site ? site.description : "";
    $("sel-site").hidden = !site;
    const selection = chosen.map((p) => p.key).join(" ");
    for (const [id, field] of [["sel-units", "units"], ["sel-depth", "depth"], ["sel-needle", "needle"], ["sel-note", "note"]]) {
      // Leave a field being typed in alone, unless the selection itself changed.
      if (document.activeElement !== $(id) || selection !== editorFor) $(id).value = common(chosen, field);
    }
    editorFor = selection;
    $("sel-units").placeholder = common(chosen, "units") === "" ? "mixed" : "";
  }

  function flagsByKey(state) {
    const flags = {};
    for (const f of ui.check ? ui.check.findings : []) {
      const p = f.subject.type === "injection" && state.points[f.subject.index];
      if (p && f.severity !== "info" && (!flags[p.key] || SEVERITY[f.severity] > SEVERITY[flags[p.key]])) flags[p.key] = f.severity;
    }
    return flags;
  }

  const SIDE_MARKS = {
    front: ["Patient's right (R)", "Patient's left (L)"],
    back: ["Patient's left (L)", "Patient's right (R)"],
    left: ["Front · patient's left side", "Back"],
    right: ["Back", "Front · patient's right side"],
  };

  /** Front-view points beside the eye and at the temple, seen from the side (for reading only). */
  function sideGhosts(drawn) {
    const out = [];
    for (const side of ["left", "right"]) {
      const lc = landmarks[`lateral_canthus_${side}`];
      const ls = landmarks[`lateral_canthus_side_${side}`];
      if (!lc || !ls) continue;
      const sign = side === "left" ? 1 : -1;
      for (const p of drawn) {
        if (p.view !== "front" || p.x === null || sign * p.x < Math.abs(Number(lc.x_mm)) - 6 || Math.abs(p.y - Number(lc.y_mm)) > 40) continue;
        out.push({ view: side, x: Number(ls.x_mm) - (sign * p.x - Math.abs(Number(lc.x_mm))), y: Number(ls.y_mm) + (p.y - Number(lc.y_mm)), units: p.units, area: p.area, title: p.title });
      }
    }
    return out;
  }

  function render() {
    const state = plan.state;
    const product = plan.productOf(state.product);
    const areaIndex = Object.fromEntries(state.areas.map((a, i) => [a.id, i]));
    renderStock(state);
    T.renderAreaChips($("area-chips"), product, state, plan.act);
    T.renderMoreAreas($("more-areas"), product, state);
    T.renderChosen($("chosen-areas"), product, state, ui, plan.act);
    $("area-hint").hidden = state.areas.length > 0;
    renderEditor(state);
    const drawn = state.points.map((p, index) => ({ ...p, index, area: areaIndex[p.indication] || 0, title: p.site ? siteName(p.site) : "free point" }));
    chart.drawPoints(drawn, ui.selected, flagsByKey(state), sideGhosts(drawn));
    const shown = chart.drawZones(zones, landmarks, state.areas.map((a) => a.id), $("show-zones").checked, data.zone_shapes);
    T.renderLegend($("zone-legend"), shown.filter((z) => z.view === ui.view));
    if (zonesFailed) $("zone-legend").replaceChildren(h("li", { class: "error" }, "Danger zones could not be loaded."));
    for (const b of $("views").querySelectorAll("button")) {
      const n = state.points.filter((p) => p.view === b.dataset.view).length;
      b.querySelector(".count").textContent = n ? ` ${n}` : "";
    }
    T.renderPoints($("points-body"), state, ui, plan.act, siteName);
    $("off-chart").hidden = !state.points.some((p) => p.x === null);
    T.renderTotals($("totals"), ui, state);
    T.renderFindings($("findings"), ui, state, data, plan.act, plan.overrideOf);
    if (T.renderAdvice) T.renderAdvice($("advice-box"), plan, data); // chart_advice.js
    $("check-state").textContent = ui.checking ? "checking…" : ui.check ? "up to date" : "";
    for (const b of $("modes").querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.mode === ui.mode));
    renderSign();
    if (T.onRender) T.onRender(flagsByKey(state)); // the chart on a photo (chart_photo.js)
  }

  function renderSign() {
    const blockers = plan.blockers();
    const button = $("sign-button");
    if (!button.dataset.busy) button.disabled = blockers.length > 0;
    $("sign-hint").textContent = blockers.length ? blockers.slice(0, 3).join(" ") : `Ready to sign. ${plan.vialNote()}`;
    $("sign-hint").className = blockers.length ? "hint" : "hint ok-text";
    const link = plan.consentLink();
    $("consent-link").hidden = !link;
    if (link) $("consent-link").href = link;
  }

  function flash(text) {
    $("chart-message").textContent = text;
    $("chart-message").hidden = false;
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => ($("chart-message").hidden = true), 4000);
  }

  // --- controls ------------------------------------------------------------------------------------

  $("product").addEventListener("change", (e) => {
    if (plan.state.points.length && !window.confirm("A different product clears the points planned so far. Continue?")) {
      e.target.value = plan.state.product;
      return;
    }
    plan.act.setProduct(e.target.value);
  });
  $("lot").addEventListener("change", (e) => plan.act.setLot(e.target.value));
  $("vial").addEventListener("change", (e) => plan.act.setVial(e.target.value));
  $("diluent").addEventListener("input", (e) => plan.act.setDiluent(e.target.value));
  $("more-areas").addEventListener("change", (e) => e.target.value && plan.act.toggleArea(e.target.value));
  $("views").addEventListener("click", (e) => e.target.closest("button") && setView(e.target.closest("button").dataset.view));
  $("modes").addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (b) ui.mode = b.dataset.mode;
    render();
  });
  $("clear-selection").addEventListener("click", () => {
    ui.selected.clear();
    render();
  });
  $("show-zones").addEventListener("change", render);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && ui.selected.size) {
      ui.selected.clear();
      render();
    }
  });

  const UNIT_PLACES = 3; // records keep units to 0.001 U (primitives/numbers.py UNITS_STEP)
  function setUnits(value) {
    const units = window.ToxDecimal.round(value, UNIT_PLACES);
    $("sel-units").classList.toggle("invalid", !(units > 0));
    if (units > 0) plan.act.setSelected("units", units);
  }
  $("sel-units").addEventListener("input", (e) => setUnits(e.target.value));
  $("unit-chips").addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (!b) return;
    const first = plan.state.points.find((p) => ui.selected.has(p.key));
    const step = Number(b.dataset.step || 0);
    const value = step ? Math.max(0.5, window.ToxDecimal.round(Number(first ? first.units : 0) + step, UNIT_PLACES)) : Number(b.dataset.units);
    $("sel-units").value = value;
    setUnits(value);
  });
  $("sel-depth").addEventListener("change", (e) => plan.act.setSelected("depth", e.target.value || null));
  $("sel-needle").addEventListener("input", (e) => plan.act.setSelected("needle", e.target.value.trim() || null));
  $("sel-note").addEventListener("input", (e) => plan.act.setSelected("note", e.target.value.trim() || null));
  $("sel-delete").addEventListener("click", () => plan.act.deleteSelected());
  $("treatment-note").value = plan.state.note || "";
  $("treatment-note").addEventListener("input", (e) => plan.act.setNote(e.target.value));

  $("sign-button").addEventListener("click", () => {
    if (plan.blockers().length) return renderSign();
    $("sign-time").textContent = new Date().toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
    $("sign-dialog").showModal();
    $("sign-password").focus();
  });
  $("sign-cancel").addEventListener("click", () => $("sign-dialog").close());
  $("sign-form").addEventListener("submit", (e) => {
    const blockers = plan.blockers();
    if (blockers.length || !$("sign-password").value) {
      e.preventDefault();
      renderSign();
      return;
    }
    $("plan-field").value = JSON.stringify(plan.signedPlan());
    const button = $("sign-confirm");
    button.dataset.busy = "1"; // one submission only
    $("sign-button").dataset.busy = "1";
    $("sign-button").disabled = true;
    button.disabled = true;
    button.textContent = "Signing…";
  });

  Promise.all([plan.api(data.urls.zones), plan.api(data.urls.landmarks)])
    .then(([z, l]) => {
      zones = z;
      landmarks = l;
    })
    .catch(() => (zonesFailed = true))
    .finally(render);
  plan
    .api(data.urls.sites)
    .then((list) => {
      sites = Object.fromEntries(list.map((s) => [s.id, s]));
      render();
    })
    .catch(() => {}); // names fall back to the site ids

  // --- starting points: repeat the last treatment, a clinic template, save the plan as one ----------
  const starts = data.starts;
  $("start-buttons").replaceChildren(
    ...(starts.repeat
      ? [h("button", { type: "button", class: "chip start", id: "repeat-last", onclick: () => plan.act.applyStart(starts.repeat) }, `Repeat last treatment (${starts.repeat.name.replace("Repeat ", "")})`)]
      : []),
    ...starts.templates.map((t) => h("button", { type: "button", class: "chip start", "data-template": t.name, onclick: () => plan.act.applyStart(t) }, t.name)),
  );
  $("template-form").addEventListener("submit", () => {
    $("template-plan").value = JSON.stringify({ injections: plan.signedPlan().injections });
    $("template-product").value = plan.state.product;
  });

  setView("front");
  fitView();
  plan.start();
  T.page = { data, plan, render, setView, flash, siteName, zones: () => zones }; // for chart_photo.js
  const asked = new URLSearchParams(window.location.search);
  if (asked.get("start") === "repeat" || asked.get("template")) {
    const chosen = asked.get("start") === "repeat" ? starts.repeat : starts.templates.find((t) => t.name === asked.get("template"));
    if (chosen) plan.act.applyStart(chosen);
    asked.delete("start");
    asked.delete("template");
    const rest = asked.toString();
    history.replaceState(null, "", window.location.pathname + (rest ? `?${rest}` : "")); // a reload keeps the draft
  }
})();
