/* The plan behind the chart: its state, the draft kept in session storage, the plan and check
   API calls (the check debounced), and what still blocks signing. chart.js draws it. */
(function () {
  "use strict";
  const T = (window.ToxChart = window.ToxChart || {});
  const CHECK_DELAY_MS = 300;

  /** The server's rule for an override reason: three different words of two or more letters,
      none a single letter repeated ("aaaaaaaaaa" is refused). */
  T.fewRealWords = function (text) {
    const words = ((text || "").toLowerCase().match(/\p{L}{2,}/gu) || []).filter((w) => new Set(w).size > 1);
    return words.length >= 3 && new Set(words).size >= 3;
  };

  /** hooks: render(), renderSign(), flash(text), setView(view), fitView() */
  T.createPlan = function (data, csrf, hooks) {
    const DRAFT_KEY = `toxplan-draft-${data.patient_id}`; // survives a reload or a refused signing
    const ui = { selected: new Set(), mode: "add", view: "front", check: null, checking: false, checkError: null, areaErrors: {} };
    let nextKey = 1;
    let checkTimer = null;
    let checkSeq = 0;

    const productOf = (id) => data.products.find((p) => p.id === id);
    const lotsOf = (product) => data.lots.filter((l) => l.product === product);
    const vialsOf = (product) => data.vials.filter((v) => v.product === product);
    const lotById = (id) => data.lots.find((l) => l.id === id) || null;
    const vialById = (id) => data.vials.find((v) => v.id === id) || null;
    const readyToUse = () => Boolean(productOf(state.product).ready_to_use); // a solution: no saline

    /** A new vial: the first lot with an unopened vial, made up as the label's usual dilution. */
    function newVial(product) {
      const lots = lotsOf(product);
      const lotRow = lots.find((l) => l.unopened !== 0) || lots[0] || null;
      if (!lotRow) return { vial: "new", lot: "", diluent: "" };
      const rows = productOf(lotRow.product).dilutions.filter((d) => d.vial_units === lotRow.vial_units);
      const pick = rows.find((d) => d.diluent_ml === 2.5) || rows[0];
      return { vial: "new", lot: lotRow.id, diluent: pick ? String(pick.diluent_ml) : "" };
    }

    /** The open vial to use first (earliest use-by), else a new vial of the first lot in stock. */
    function defaultVial(product) {
      const open = vialsOf(product);
      return open.length ? { vial: open[0].id, lot: open[0].lot, diluent: "" } : newVial(product);
    }

    function defaultProduct() {
      const wanted = data.defaults && data.defaults.product;
      if (wanted && productOf(wanted)) return wanted;
      if (data.vials.length) return data.vials[0].product;
      return data.lots[0] ? data.lots[0].product : data.products[0].id;
    }

    function fresh(productId) {
      const product = productId || defaultProduct();
      return { product, ...defaultVial(product), areas: [], active: null, points: [], overrides: {}, note: "" };
    }

    function loadDraft() {
      try {
        const saved = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "null");
        if (!saved || !productOf(saved.product) || !Array.isArray(saved.points)) return null;
        const vial = vialById(saved.vial);
        const lotRow = lotById(saved.lot);
        const usable = vial ? vial.product === saved.product : saved.vial === "new" && lotRow && lotRow.product === saved.product;
        if (!usable) Object.assign(saved, defaultVial(saved.product));
        for (const p of saved.points) nextKey = Math.max(nextKey, Number(String(p.key).slice(1)) + 1);
        return saved;
      } catch (err) {
        return null; // an unreadable draft is dropped, never fatal
      }
    }

    let state = loadDraft() || fresh();
    const vial = () => (state.vial === "new" ? null : vialById(state.vial));
    const lot = () => (vial() ? lotById(vial().lot) || { id: vial().lot, vial_units: vial().vial_units, product: vial().product, lot_number: vial().lot_number } : lotById(state.lot));
    const units = () => state.points.reduce((sum, p) => sum + (Number(p.units) || 0), 0);
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
        const open = vial();
        if (open) Object.assign(t, { diluent_ml: open.diluent_ml, reconstituted_at: open.reconstituted_at });
        else if (!readyToUse() && Number(state.diluent) > 0) Object.assign(t, { diluent_ml: Number(state.diluent), reconstituted_at: new Date().toISOString() });
      }
      return t;
    }

    /** What signing will do to the stock, in words (a vial too small for the plan is topped up). */
    function vialNote() {
      const open = vial();
      const l = lot();
      if (!l || !state.points.length) return "";
      const need = Math.round(units() * 100) / 100;
      const left = open ? open.units_left : l.vial_units;
      if (need <= left) return open ? `Draws ${need} U from the open vial (${+(left - need).toFixed(2)} U left after).` : `Opens a new vial of lot ${l.lot_number}.`;
      const more = Math.ceil((need - left) / l.vial_units);
      return `${open ? `The open vial has ${left} U left:` : `One vial holds ${left} U:`} signing opens ${more} more vial${more > 1 ? "s" : ""} of lot ${l.lot_number}.`;
    }

    /** An override as the draft keeps it: {category, reason} (older drafts kept the reason only). */
    function overrideOf(key) {
      const v = state.overrides[key];
      if (!v) return { category: "", reason: "" };
      return typeof v === "string" ? { category: "", reason: v } : { category: v.category || "", reason: v.reason || "" };
    }

    /** Critical findings, one per code and subject: one override reason covers each pair. */
    function criticalKeys() {
      const found = ui.check ? ui.check.findings.filter((f) => f.severity === "critical") : [];
      return [...new Map(found.map((f) => [`${f.code}|${f.subject.id}`, f])).values()];
    }

    /** Planned areas the clinic needs a consent for that no current consent of the product covers. */
    function consentMissing() {
      const c = data.consent;
      const product = productOf(state.product);
      const covered = new Set(c.current.filter((k) => k.product === state.product).flatMap((k) => k.areas));
      return state.areas
        .map((a) => product.areas.find((x) => x.id === a.id))
        .filter((a) => a && c.required[a.category] && !covered.has(a.id));
    }

    function consentLink() {
      const missing = consentMissing();
      if (!missing.length) return null;
      const category = missing[0].category;
      const product = productOf(state.product);
      const wanted = state.areas.map((a) => product.areas.find((x) => x.id === a.id)).filter((a) => a && a.category === category);
      const query = new URLSearchParams([["product", state.product], ["purpose", category], ...wanted.map((a) => ["areas", a.id]), ["next", data.consent.back]]);
      return `${data.consent.url}?${query}`;
    }

    function blockers() {
      const out = [];
      const missing = consentMissing();
      if (missing.length) out.push(`Consent needed for ${missing.map((a) => a.name.toLowerCase()).join(", ")}.`);
      if (!state.points.length) out.push("Add at least one point.");
      if (!lot()) out.push("Choose an open vial, or a lot to open a new vial from.");
      else if (readyToUse()) out.push("A ready-to-use product can be checked here but not yet signed: its record has no saline volume.");
      else if (state.vial === "new" && !(Number(state.diluent) > 0)) out.push("Enter the saline volume of the new vial.");
      else if (state.vial === "new" && lot().unopened === 0) out.push(`Lot ${lot().lot_number} has no unopened vial left.`);
      if (state.points.some((p) => !(Number(p.units) > 0))) out.push("Every point needs units above 0.");
      if (ui.checking) out.push("Checking the plan…");
      else if (ui.checkError) out.push("The check failed; fix the plan first.");
      else if (!ui.check && state.points.length) out.push("Waiting for the check.");
      for (const f of criticalKeys()) {
        const given = overrideOf(`${f.code}|${f.subject.id}`);
        if (data.never_overridden.includes(f.code)) out.push(`${f.code} cannot be overridden.`);
        else if (!given.category) out.push(`Choose why ${f.code} is overridden.`);
        else if (!T.fewRealWords(given.reason)) out.push(`Give the reason for overriding ${f.code} in at least 3 real words.`);
      }
      return out;
    }

    /** What the sign form posts: the server adds the patient and the visit time. */
    function signedPlan() {
      const l = lot();
      const plan = { product: state.product, lot_id: l ? l.id : "", injections: state.points.map(injection), note: state.note.trim() || null };
      if (vial()) plan.reconstitution_id = state.vial;
      else plan.diluent_ml = Number(state.diluent);
      plan.overrides = criticalKeys().map((f) => {
        const given = overrideOf(`${f.code}|${f.subject.id}`);
        return { code: f.code, subject_id: f.subject.id, category: given.category, reason: given.reason.trim() };
      });
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
      /** Fill the chart from a starting point (the last treatment, a clinic template) in one tap. */
      applyStart(start) {
        if (!start || !productOf(start.product)) return;
        const kept = state.note;
        state = fresh(start.product);
        state.note = kept;
        const ids = [...new Set(start.injections.map((i) => i.indication))];
        state.areas = ids.map((id) => ({ id, variant: null }));
        state.active = ids.length ? ids[ids.length - 1] : null;
        state.points = start.injections.map((i) => ({
          key: `p${nextKey++}`, indication: i.indication, site: i.site, muscle: i.muscle, depth: i.depth,
          needle: i.needle, note: i.note, units: i.units, moved: Boolean(i.moved),
          x: i.position ? i.position.x_mm : null, y: i.position ? i.position.y_mm : null, view: i.position ? i.position.view : null,
        }));
        ui.selected.clear();
        ui.areaErrors = {};
        hooks.fitView();
        changed();
      },
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
      setOverride(key, field, value) {
        state.overrides[key] = { ...overrideOf(key), [field]: value };
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
        const l = lotById(id);
        const fallback = newVial(state.product);
        const rows = l ? productOf(l.product).dilutions.filter((d) => d.vial_units === l.vial_units) : [];
        const pick = rows.find((d) => d.diluent_ml === 2.5) || rows[0];
        Object.assign(state, { vial: "new", lot: id, diluent: state.diluent || (pick ? String(pick.diluent_ml) : fallback.diluent) });
        changed();
      },
      setVial(id) {
        if (id === "new") Object.assign(state, newVial(state.product));
        else Object.assign(state, { vial: id, lot: vialById(id) ? vialById(id).lot : "", diluent: "" });
        changed();
      },
      setDiluent(value) {
        state.diluent = value;
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
      ui, act, api, blockers, consentLink, overrideOf, signedPlan, lot, vial, lotsOf, vialsOf, productOf, readyToUse, vialNote, DRAFT_KEY, start: () => changed(),
    };
  };
})();
