/* The planning chart's side panel: areas, the points list, totals and findings. Each
   renderer rebuilds its own part from the state; none holds state of its own. */
(function () {
  "use strict";
  const ToxChart = (window.ToxChart = window.ToxChart || {});

  /** A DOM element: h("button", {class: "x", onclick: fn}, "text", child, ...) */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
    return node;
  }

  const label = (id) => (id || "").replace(/_/g, " ");
  const fmt = (v, digits) => (v === null || v === undefined ? "–" : String(digits ? window.ToxDecimal.round(v, digits) : v));

  function renderAreaChips(box, product, state, act) {
    const chosen = new Set(state.areas.map((a) => a.id));
    box.replaceChildren(
      ...product.areas
        .filter((a) => a.chart)
        .map((a) =>
          h(
            "button",
            {
              type: "button",
              class: "chip" + (a.on_label ? "" : " off-label"),
              "aria-pressed": String(chosen.has(a.id)),
              "data-area": a.id,
              title: a.on_label ? "On this product's label" : "Off-label for this product",
              onclick: () => act.toggleArea(a.id),
            },
            a.name,
          ),
        ),
    );
  }

  function renderMoreAreas(select, product, state) {
    const chosen = new Set(state.areas.map((a) => a.id));
    const rest = product.areas.filter((a) => !a.chart && !chosen.has(a.id));
    select.replaceChildren(
      h("option", { value: "" }, rest.length ? "More areas (therapeutic, off-chart)…" : "No other areas"),
      ...rest.map((a) => h("option", { value: a.id }, a.name + (a.on_label ? "" : " (off-label)"))),
    );
    select.disabled = !rest.length;
  }

  function renderChosen(list, product, state, ui, act) {
    const byId = Object.fromEntries(product.areas.map((a) => [a.id, a]));
    const totals = ui.check ? ui.check.totals.by_indication : {};
    list.replaceChildren(
      ...state.areas.map((area, n) => {
        const info = byId[area.id] || { name: label(area.id), variants: [] };
        const count = state.points.filter((p) => p.indication === area.id).length;
        const sub = totals[area.id];
        return h(
          "li",
          { class: "chosen" + (state.active === area.id ? " active" : ""), "data-area": area.id },
          h(
            "button",
            { type: "button", class: "area-pick", onclick: () => act.activate(area.id), "aria-pressed": String(state.active === area.id) },
            h("span", { class: `swatch c${n % 8}` }),
            h("span", { class: "area-name" }, info.name),
            h("span", { class: "muted" }, `${count} pt${count === 1 ? "" : "s"}${sub ? ` · ${sub.units} U` : ""}`),
          ),
          info.variants.length > 1
            ? h(
                "select",
                { class: "variant", "aria-label": `${info.name} pattern`, onchange: (e) => act.setVariant(area.id, e.target.value) },
                ...info.variants.map((v) => h("option", { value: v, selected: v === area.variant }, v)),
              )
            : null,
          h("button", { type: "button", class: "small", onclick: () => act.removeArea(area.id), "aria-label": `Remove ${info.name}` }, "Remove"),
          ui.areaErrors[area.id] ? h("p", { class: "muted area-note" }, ui.areaErrors[area.id]) : null,
        );
      }),
    );
  }

  function renderTotals(box, ui, state) {
    const t = ui.check && ui.check.totals;
    const units = state.points.reduce((s, p) => s + (Number(p.units) || 0), 0);
    const cell = (id, name, value, unit) => h("div", { id }, h("dt", {}, name), h("dd", {}, value, unit ? h("small", {}, unit) : null));
    box.replaceChildren(
      cell("total-units", "Units", fmt(t ? t.units : window.ToxDecimal.round(units, 3)), " U"),
      cell("total-ml", "Volume", fmt(t && t.volume_ml, 3), " mL"),
      cell("total-marks", "Syringe", fmt(t && t.syringe_units), " marks"),
      cell("total-vials", "Vials", fmt(t && t.vials), t && t.units_left_over !== null ? ` (${t.units_left_over} U left)` : ""),
    );
  }

  function renderPoints(tbody, state, ui, act, siteName) {
    const rows = ui.check ? ui.check.injections : [];
    tbody.replaceChildren(
      ...state.points.map((p, i) => {
        const r = rows[i] || {};
        return h(
          "tr",
          {
            class: ui.selected.has(p.key) ? "selected" : "",
            "data-key": p.key,
            tabindex: "0", // the table is the keyboard's way to the points drawn on the chart
            onclick: (e) => act.tapPoint(p.key, e.shiftKey || ui.mode === "select"),
            onkeydown: (e) => {
              if (e.key !== "Enter" && e.key !== " ") return;
              e.preventDefault();
              act.tapPoint(p.key, e.shiftKey || ui.mode === "select");
            },
          },
          h("td", {}, String(i + 1)),
          h(
            "td",
            {},
            p.site ? siteName(p.site) : "free point",
            p.moved && p.site ? h("small", { class: "muted" }, " moved") : null,
            p.x === null ? h("small", { class: "muted" }, " off chart") : null,
          ),
          h("td", { class: "num" }, String(p.units)),
          h("td", { class: "num" }, fmt(r.volume_ml, 3)),
          h("td", { class: "num" }, fmt(r.syringe_units)),
          h("td", {}, label(p.depth || r.depth || "")),
        );
      }),
    );
  }

  function sourcesOf(finding, sources) {
    const items = finding.citations.map((id) => {
      const s = sources[id];
      return h("li", {}, s ? h("a", { href: s.url, target: "_blank", rel: "noopener" }, s.title) : id, s ? ` · ${s.publisher} · ${label(s.evidence)}` : "");
    });
    return items.length ? h("details", {}, h("summary", {}, `Sources (${items.length})`), h("ul", { class: "sources" }, items)) : null;
  }

  /** Findings with their sources; a critical one gets its override reason field. */
  const OVERRIDE_CATEGORIES = [
    ["clinically_indicated", "Clinically indicated and documented"],
    ["patient_informed", "Patient informed and accepts the risk"],
    ["label_fact_not_applicable", "The label fact does not apply (say why)"],
  ];

  function overrideFields(key, given, act) {
    return h(
      "div",
      { class: "override" },
      h(
        "label",
        {},
        "Why it is overridden",
        h(
          "select",
          { "data-override-category": key, onchange: (e) => act.setOverride(key, "category", e.target.value) },
          h("option", { value: "" }, "Choose a reason…"),
          ...OVERRIDE_CATEGORIES.map(([v, t]) => h("option", { value: v, selected: given.category === v }, t)),
        ),
      ),
      h(
        "label",
        {},
        "In your words (at least 3 real words)",
        h("textarea", { rows: 2, "data-override": key, oninput: (e) => act.setOverride(key, "reason", e.target.value) }, given.reason),
      ),
    );
  }

  function renderFindings(box, ui, state, data, act, overrideOf) {
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.override : null;
    const check = ui.check;
    if (ui.checkError) return box.replaceChildren(h("p", { class: "error", role: "alert" }, ui.checkError));
    if (!check) return box.replaceChildren(h("p", { class: "muted" }, state.points.length ? "Checking…" : "Add points to check the plan."));
    if (!check.findings.length) return box.replaceChildren(h("p", { class: "ok-text" }, "No findings."));
    box.replaceChildren(
      ...check.findings.map((f) => {
        const key = `${f.code}|${f.subject.id}`;
        const point = f.subject.type === "injection" && f.subject.index !== undefined ? f.subject.index : null;
        const blocked = f.severity === "critical" && data.never_overridden.includes(f.code);
        return h(
          "div",
          { class: `finding sev-border-${f.severity}`, "data-code": f.code },
          h("p", {}, h("span", { class: `badge sev-${f.severity}` }, f.severity), " ", h("strong", {}, f.code), " ", f.message),
          point !== null ? h("button", { type: "button", class: "small", onclick: () => act.showPoint(point) }, `Show point ${point + 1}`) : null,
          sourcesOf(f, check.sources || {}),
          f.severity === "critical" && !blocked ? overrideFields(key, overrideOf(key), act) : null,
          blocked ? h("p", { class: "sev-critical" }, "This cannot be overridden: choose another vial.") : null,
        );
      }),
    );
    const again = focused && box.querySelector(`textarea[data-override="${CSS.escape(focused)}"]`);
    if (again) {
      again.focus();
      again.selectionStart = again.selectionEnd = again.value.length;
    }
  }

  function renderLegend(list, zones) {
    const seen = new Map(zones.map((z) => [z.id, z]));
    list.replaceChildren(
      ...[...seen.values()].map((z) => h("li", { class: `sev-${z.severity}`, title: z.reason }, h("span", { class: `zone-swatch sev-${z.severity}` }), z.name)),
    );
  }

  Object.assign(ToxChart, { h, label, renderAreaChips, renderMoreAreas, renderChosen, renderTotals, renderPoints, renderFindings, renderLegend });
})();
