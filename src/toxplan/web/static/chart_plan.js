/* The plan behind the chart: its state, the draft kept in session storage, the plan and check
   API calls (the check debounced), and what still blocks signing. chart.js draws it. */
(function () {
  "use strict";
  const T = (window.ToxChart = window.ToxChart || {});
  const CHECK_DELAY_MS = 300;

  /** hooks: render(), renderSign(), flash(text), setView(view), fitView() */
  T.createPlan = function (data, csrf, hooks) {
    const DRAFT_KEY = `toxplan-draft-${data.patient_id}`; // survives a reload or a refused signing
    const ui = { selected: new Set(), mode: "add", view: "front", check: null, checking: false, checkError: null, areaErrors: {} };
    let nextKey = 1;
    let checkTimer = null;
    let checkSeq = 0;

    const productOf = (id) => data.products.find((p) => p.id === id);
    const lotsOf = (product) => data.lots.filter((l) => l.product === product);
    const lotById = (id) => data.lots.find((l) => l.id === id) || null;
    const readyToUse = () => Boolean(productOf(state.product).ready_to_use); // a solution: no saline

    function defaultVial(lotRow) {
      if (!lotRow) return { vial: "new", diluent: "" };
      if (lotRow.vials.length) return { vial: lotRow.vials[0].id, diluent: "" };
      const rows = productOf(lotRow.product).dilutions.filter((d) => d.vial_units === lotRow.vial_units);
      const pick = rows.find((d) => d.diluent_ml === 2.5) || rows[0];
      return { vial: "new", diluent: pick ? String(pick.diluent_ml) : "" };
    }

    function fresh(productId) {
      const product = productId || (data.lots[0] ? data.lots[0].product : data.products[0].id);
      const lots = lotsOf(product);
      const first = lots.find((l) => l.vials.length) || lots[0] || null; // a vial already made up comes first
      return { product, lot: first ? first.id : "", ...defaultVial(first), areas: [], active: null, points: [], overrides: {}, note: "" };
    }

    function loadDraft() {
      try {
        const saved = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "null");
        if (!saved || !productOf(saved.product)) return null;
        const savedLot = lotById(saved.lot);
        if (!savedLot || savedLot.product !== saved.product) Object.assign(saved, { lot: "" }, defaultVial(null));
        else if (saved.vial !== "new" && !savedLot.vials.some((v) => v.id === saved.vial)) Object.assign(saved, defaultVial(savedLot));
        for (const p of saved.points) nextKey = Math.max(nextKey, Number(String(p.key).slice(1)) + 1);
        return saved;
      } catch (err) {
        return null; // an unreadable draft is dropped, never fatal
      }
    }

    let state = loadDraft() || fresh();
    const lot = () => lotById(state.lot);
    const saveDraft = () => sessionStorage.setItem(DRAFT_KEY, JSON.stringify(state));

    async function api(url, body) {
      const response = await fetch(url, {
        method: body ? "POST" : "GET",
        credentials: "same-origin",
        headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: body ? JSON.stringify(body) : undefined,
      });
      const json = await response.json().catch(() => null);
      if (!response.ok) {
        const e = json && json.error;
        throw new Error(e ? `${e.field ? e.field + ": " : ""}${e.message}` : `HTTP ${response.status}`);
      }
      return json;
    }

    function toPoint(inj) {
      const pos = inj.position;
      return {
        key: `p${nextKey++}`, indication: inj.indication, site: inj.site, muscle: inj.muscle, depth: inj.depth,
        needle: null, note: null, units: inj.units, moved: false,
        x: pos ? pos.x_mm : null, y: pos ? pos.y_mm : null, view: pos ? pos.view : null,
      };
    }

    /** A point as the check and the signing take it: a site, a position when moved or free. */
    function injection(p) {
      const out = { indication: p.indication, units: Number(p.units) };
      if (p.site) out.site = p.site;
      if (p.x !== null && (p.moved || !p.site)) out.position = { x_mm: T.round1(p.x), y_mm: T.round1(p.y), view: p.view };
      for (const k of ["depth", "needle", "note"]) if (p[k]) out[k] = p[k];
      return out;
    }

    function treatmentBody() {
      const l = lot();
      const t = { product: state.product, injections: state.points.map(injection) };
      if (l) {
        t.vial_units = l.vial_units;
        const vial = l.vials.find((v) => v.id === state.vial);
        if (vial) Object.assign(t, { diluent_ml: vial.diluent_ml, reconstituted_at: vial.reconstituted_at });
        else if (!readyToUse() && Number(state.diluent) > 0) t.diluent_ml = Number(state.diluent);
      }
      return t;
    }

    /** Critical findings, one per code and subject: one override reason covers each pair. */
    function criticalKeys() {
      const found = ui.check ? ui.check.findings.filter((f) => f.severity === "critical") : [];
      return [...new Map(found.map((f) => [`${f.code}|${f.subject.id}`, f])).values()];
    }

    function blockers() {
      const out = [];
      if (!state.points.length) out.push("Add at least one point.");
      if (!lot()) out.push("Choose a lot.");
      else if (readyToUse()) out.push("A ready-to-use product can be checked here but not yet signed: its record has no saline volume.");
      else if (state.vial === "new" && !(Number(state.diluent) > 0)) out.push("Enter the saline volume of the new vial.");
      if (state.points.some((p) => !(Number(p.units) > 0))) out.push("Every point needs units above 0.");
      if (ui.checking) out.push("Checking the plan…");
      else if (ui.checkError) out.push("The check failed; fix the plan first.");
      else if (!ui.check && state.points.length) out.push("Waiting for the check.");
      for (const f of criticalKeys()) {
        if (data.never_overridden.includes(f.code)) out.push(`${f.code} cannot be overridden.`);
        else if ((state.overrides[`${f.code}|${f.subject.id}`] || "").trim().length < 10) out.push(`Give an override reason for ${f.code}.`);
      }
      return out;
    }

    /** What the sign form posts: the server adds the patient and the visit time. */
    function signedPlan() {
      const l = lot();
      const plan = { product: state.product, lot_id: state.lot, injections: state.points.map(injection), note: state.note.trim() || null };
      if (l && l.vials.some((v) => v.id === state.vial)) plan.reconstitution_id = state.vial;
      else plan.diluent_ml = Number(state.diluent);
      plan.overrides = criticalKeys().map((f) => ({ code: f.code, subject_id: f.subject.id, reason: state.overrides[`${f.code}|${f.subject.id}`].trim() }));
      return plan;
    }

    async function planArea(id) {
      const area = state.areas.find((a) => a.id === id);
      if (!area) return;
      const body = { product: state.product, indications: [area.variant ? `${id}:${area.variant}` : id] };
      try {
        const plan = await api(data.urls.plan, body);
        state.points = state.points.filter((p) => p.indication !== id).concat(plan.injections.map(toPoint));
        delete ui.areaErrors[id];
      } catch (err) {
        ui.areaErrors[id] = `${err.message.replace(/^indication: /, "")} Tap the chart to place points.`;
      }
      hooks.fitView();
      changed();
    }

    function scheduleCheck() {
      clearTimeout(checkTimer);
      checkSeq++; // any answer still on its way is for an older plan
      const bad = state.points.some((p) => !(Number(p.units) > 0));
      if (!state.points.length || bad) {
        Object.assign(ui, { check: null, checking: false, checkError: bad ? "Every point needs units above 0." : null });
        return;
      }
      ui.checking = true;
      checkTimer = setTimeout(runCheck, CHECK_DELAY_MS);
    }

    async function runCheck() {
      const mine = checkSeq;
      const ctx = data.context;
      const body = { date: data.today, patient: ctx.patient || {}, history: ctx.history || [], treatment: treatmentBody() };
      try {
        const result = await api(data.urls.check, body);
        if (mine !== checkSeq) return;
        Object.assign(ui, { check: result, checkError: null, checking: false });
      } catch (err) {
        if (mine !== checkSeq) return;
        Object.assign(ui, { check: null, checkError: `Check failed: ${err.message}`, checking: false });
      }
      hooks.render();
    }

    function changed(opts) {
      saveDraft();
      if (!opts || opts.check !== false) scheduleCheck();
      hooks.render();
    }

    const act = {
      toggleArea(id) {
        if (state.areas.some((a) => a.id === id)) return act.removeArea(id);
        const info = productOf(state.product).areas.find((a) => a.id === id);
        state.areas.push({ id, variant: info && info.variants.length > 1 ? info.default_variant : null });
        state.active = id;
        changed({ check: false });
        return planArea(id);
      },
      removeArea(id) {
        state.areas = state.areas.filter((a) => a.id !== id);
        state.points = state.points.filter((p) => p.indication !== id);
        if (state.active === id) state.active = state.areas.length ? state.areas[state.areas.length - 1].id : null;
        changed();
      },
      activate(id) {
        state.active = id;
        changed({ check: false });
      },
      /** Replace an area's points with given injections (an accepted titration suggestion). */
      replaceArea(id, injections) {
        if (!state.areas.some((a) => a.id === id)) state.areas.push({ id, variant: null });
        state.points = state.points.filter((p) => p.indication !== id).concat(injections.map(toPoint));
        state.active = id;
        ui.selected.clear();
        hooks.fitView();
        changed();
      },
      setVariant(id, variant) {
        state.areas.find((a) => a.id === id).variant = variant;
        return planArea(id);
      },
      tapPoint(key, additive) {
        if (additive || ui.mode === "select") ui.selected.has(key) ? ui.selected.delete(key) : ui.selected.add(key);
        else ui.selected = new Set([key]);
        const p = state.points.find((q) => q.key === key);
        if (p && p.view && p.view !== ui.view) hooks.setView(p.view);
        hooks.render();
      },
      showPoint(index) {
        if (state.points[index]) act.tapPoint(state.points[index].key, false);
      },
      setOverride(key, text) {
        state.overrides[key] = text;
        saveDraft();
        hooks.renderSign();
      },
      addPoint(view, x, y, additive) {
        if (!state.active) return hooks.flash("Choose an area first: new points belong to the highlighted area.");
        const same = state.points.filter((p) => p.indication === state.active);
        const last = same[same.length - 1];
        const p = {
          key: `p${nextKey++}`, indication: state.active, site: null, muscle: null, depth: last ? last.depth : null,
          needle: null, note: null, units: last ? last.units : 2, x, y, view, moved: true,
        };
        state.points.push(p);
        if (additive || ui.mode === "select") ui.selected.add(p.key);
        else ui.selected = new Set([p.key]);
        return changed();
      },
      movePoint(key, x, y) {
        const p = state.points.find((q) => q.key === key);
        if (p) Object.assign(p, { x, y, moved: true });
        changed();
      },
      /** Set a field on every selected point (units, depth, needle, note). */
      setSelected(field, value) {
        for (const p of state.points) if (ui.selected.has(p.key)) p[field] = value;
        changed({ check: field !== "note" && field !== "needle" ? undefined : false });
      },
      deleteSelected() {
        state.points = state.points.filter((p) => !ui.selected.has(p.key));
        ui.selected.clear();
        changed();
      },
      setProduct(id) {
        const kept = state.note;
        state = fresh(id);
        state.note = kept;
        ui.selected.clear();
        ui.areaErrors = {};
        changed();
      },
      setLot(id) {
        Object.assign(state, { lot: id }, defaultVial(lotById(id)));
        changed();
      },
      setVial(vial, diluent) {
        Object.assign(state, { vial, diluent });
        changed();
      },
      setNote(text) {
        state.note = text;
        saveDraft();
      },
    };

    return {
      get state() {
        return state;
      },
      ui, act, api, blockers, signedPlan, lot, lotsOf, productOf, readyToUse, DRAFT_KEY, start: () => changed(),
    };
  };
})();
