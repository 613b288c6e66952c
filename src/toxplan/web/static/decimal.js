/* The one rounding rule of ToxPlan (src/toxplan/primitives/numbers.py): a value to a number of
   decimal places, a tie going away from zero (2.45 -> 2.5, -2.45 -> -2.5). It works on the
   value's decimal digits, not on binary floats, so 1.0005 U is 1.001 U here as on the server,
   and 0.1 + 0.2 is 0.3. The chart rounds units to 0.001 U and positions to 0.1 mm with it
   before it sends them. */
(function (root) {
  "use strict";

  /** The shortest decimal text of a number (what JSON.stringify writes), or a string as given. */
  function digitsOf(value) {
    if (typeof value !== "number") return String(value).trim();
    if (!Number.isFinite(value)) return "";
    const text = String(value);
    return /e/i.test(text) ? value.toFixed(20) : text;
  }

  /** value (a number or its text) to ``places`` decimals; NaN for text that is not a number. */
  function round(value, places) {
    const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(digitsOf(value));
    if (!m || (m[2] === "" && !m[3])) return NaN;
    const negative = m[1] === "-";
    const frac = m[3] || "";
    const digits = ((m[2] || "0") + frac.slice(0, places).padEnd(places, "0")).split("").map(Number);
    if (frac.length > places && frac.charCodeAt(places) >= 53) {
      // "5" or more in the first dropped place: one more in the last kept place, carried.
      let i = digits.length - 1;
      while (i >= 0 && digits[i] === 9) digits[i--] = 0;
      if (i < 0) digits.unshift(1);
      else digits[i] += 1;
    }
    const text = digits.join("");
    const whole = text.slice(0, text.length - places) || "0";
    const result = Number(places > 0 ? `${whole}.${text.slice(text.length - places)}` : whole);
    return negative && result !== 0 ? -result : result;
  }

  const api = { round };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.ToxDecimal = api;
})(typeof window !== "undefined" ? window : globalThis);
