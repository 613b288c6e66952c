/* Titration advice on the planning chart: for each chosen area, what the patient's past courses
   of this product suggest (GET /api/v1/patients/{id}/advice), with its reasons and rules, and an
   "Apply suggestion" button that puts the suggested points on the chart. chart.js calls
   ToxChart.renderAdvice on every render; answers are kept per product and area. */
(function () {
  "use strict";
  const T = (window.ToxChart = window.ToxChart || {});
  const answers = {}; // "product|area" -> {state: "loading"|"done"|"failed", advice?, error?}
  let sites = null; // site id -> {position, muscle, depth}, loaded once
  let sitesLoading = null;
  let shown = ""; // what the box shows now: rebuilt only when that changes (keeps <details> open)

  function loadSites(plan, data) {
    if (!sitesLoading) {
      sitesLoading = plan
        .api(data.urls.sites)
        .then((list) => (sites = Object.fromEntries(list.map((s) => [s.id, s]))))
        .catch(() => (sites = {}));
    }
    return sitesLoading;
  }

  function ask(plan, data, product, area) {
    const key = `${product}|${area}`;
    if (answers[key]) return answers[key];
    answers[key] = { state: "loading" };
    const url = `${data.urls.advice}?indication=${encodeURIComponent(area)}&product=${encodeURIComponent(product)}`;
    plan
      .api(url)
      .then((advice) => (answers[key] = { state: "done", advice }))
      .catch((err) => (answers[key] = { state: "failed", error: err.message }))
      .finally(() => T.rerender && T.rerender());
    return answers[key];
  }

  async function apply(plan, data, advice) {
    await loadSites(plan, data);
    const injections = advice.suggestion.injections.map((i) => {
      const site = sites[i.site] || {};
      return { indication: advice.indication, site: i.site, units: i.units, position: site.position || null, muscle: site.muscle || null, depth: site.depth || null };
    });
    plan.act.replaceArea(advice.indication, injections);
  }

  function courseLine(c) {
    const parts = [`${c.date}: ${c.total_units} U`];
    if (c.review && c.review.fws_max !== null) parts.push(`wrinkle scale ${c.review.fws_max}`);
    if (c.review && c.review.satisfaction !== null) parts.push(`satisfaction ${c.review.satisfaction}/5`);
    if (c.effect_days !== null) parts.push(`wore off after ${c.effect_days} d`);
    if (c.adverse_events.length) parts.push(c.adverse_events.map((e) => T.label(e.type)).join(", "));
    if (!c.used) parts.push("another product: not used");
    return parts.join(" · ");
  }

  function areaAdvice(plan, data, area, name) {
    const h = T.h;
    const answer = ask(plan, data, plan.state.product, area);
    const head = h("h3", {}, name);
    if (answer.state === "loading") return h("div", { class: "advice", "data-area": area }, head, h("p", { class: "muted" }, "Reading past courses…"));
    if (answer.state === "failed") return h("div", { class: "advice", "data-area": area }, head, h("p", { class: "error" }, `Advice unavailable: ${answer.error}`));
    const a = answer.advice;
    const s = a.suggestion;
    const lr = a.label_range;
    const range = lr.min === null ? "no range known" : lr.min === lr.max ? `range ${lr.min} U` : `range ${lr.min}–${lr.max} U`;
    return h(
      "div",
      { class: "advice", "data-area": area },
      head,
      h("p", { class: "advice-total" }, s.total_units === null ? "No dose suggested." : `Suggested ${s.total_units} U in ${s.injections.length} point${s.injections.length === 1 ? "" : "s"}`, h("span", { class: "muted" }, ` (${range})`)),
      h("ul", { class: "reasons" }, ...s.reasons.map((r) => h("li", { "data-rule": r.rule }, r.text, h("small", { class: "muted" }, ` · rule ${r.rule}${r.citations.length ? `, ${r.citations.length} source${r.citations.length === 1 ? "" : "s"}` : ""}`)))),
      a.courses.length
        ? h("details", {}, h("summary", {}, `${a.courses.length} past course${a.courses.length === 1 ? "" : "s"} in this area`), h("ul", { class: "courses" }, ...a.courses.map((c) => h("li", {}, courseLine(c)))))
        : h("p", { class: "muted small" }, "No past course in this area."),
      h("button", { type: "button", class: "small apply-suggestion", disabled: !s.injections.length, onclick: () => apply(plan, data, a) }, "Apply suggestion"),
    );
  }

  /** Fill the advice box for the chosen areas of the current product. */
  T.renderAdvice = function (box, plan, data) {
    if (!box || !data.urls.advice) return;
    const product = plan.productOf(plan.state.product);
    const names = Object.fromEntries(product.areas.map((a) => [a.id, a.name]));
    const areas = plan.state.areas.map((a) => a.id);
    const key = JSON.stringify([plan.state.product, areas, areas.map((id) => (answers[`${plan.state.product}|${id}`] || {}).state)]);
    if (key === shown) return;
    const list = box.querySelector(".advice-list");
    box.querySelector(".advice-hint").hidden = areas.length > 0;
    list.replaceChildren(...areas.map((id) => areaAdvice(plan, data, id, names[id] || T.label(id))));
    shown = JSON.stringify([plan.state.product, areas, areas.map((id) => (answers[`${plan.state.product}|${id}`] || {}).state)]);
  };
})();
