// cgcli's page, its numbers: the helpers the op table's JavaScript formulas call
// (cgcli/core/ops.py, the js fields), and numbers written as cgcli writes them.
// The generated forwardPass/backwardPass (cgcli/present/html.py) call these;
// tests/test_page_evaluator.py runs them in Node beside the float rows.

const M = {
    sigmoid(a) { if (a >= 0) return 1 / (1 + Math.exp(-a)); const z = Math.exp(a); return z / (1 + z); },
    // NOTE: 1/cosh² a, not 1 - tanh² a, as FloatMath.sech2 (digits kept for |a| > 19)
    sech2(a) { return 1 / Math.cosh(a) ** 2; },
    // 0 ^ negative is inf, as FloatMath.pow (JavaScript gives -inf for -0)
    // and pow(1, b) and pow(-1, ±inf) are 1, as in C and Python (JavaScript gives NaN)
    pow(a, b) {
      if (a === 0 && b < 0) return Infinity;
      if (a === 1 || (a === -1 && (b === Infinity || b === -Infinity))) return 1;
      return a ** b;
    },
    step(a) { return a > 0 ? 1 : 0; },
    sign(a) { return a > 0 ? 1 : a < 0 ? -1 : 0; },
    // Python's max/min: the first argument, replaced by each later one that beats it
    max(args) { let y = args[0]; for (const a of args) if (a > y) y = a; return y; },
    min(args) { let y = args[0]; for (const a of args) if (a < y) y = a; return y; },
    // NOTE: ties split the gradient evenly (SPEC.md); a NaN among the arguments: nothing won
    winners(y, args) {
      const hits = args.map((a) => (a === y ? 1 : 0));
      const count = hits.reduce((s, h) => s + h, 0);
      return count ? hits.map((h) => h / count) : hits.map(() => NaN);
    },
    // log(1+eᵃ) = max(a, 0) + log(1+e^-|a|), as FloatMath.softplus: exp never overflows
    softplus(a) { return (a > 0 ? a : 0) + Math.log1p(Math.exp(-Math.abs(a))); },
    // 1/√(1-a²) as (1-a)(1+a), +inf at ±1, as FloatMath.asin_slope
    asinSlope(a) { const d = (1 - a) * (1 + a); return d > 0 ? 1 / Math.sqrt(d) : Infinity; },
};


// -- numbers as cgcli writes them --
function repr(x) { // Python's repr of a float: the shortest text that reads back to x
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, exp] = x.toExponential().split("e");
  const e = Number(exp), sign = x < 0 ? "-" : "";
  const d = mant.replace("-", "").replace(".", "");
  if (e >= -4 && e < 16) {
    if (e < 0) return sign + "0." + "0".repeat(-e - 1) + d;
    if (d.length <= e + 1) return sign + d + "0".repeat(e + 1 - d.length) + ".0";
    return sign + d.slice(0, e + 1) + "." + d.slice(e + 1);
  }
  const m = d.length > 1 ? d[0] + "." + d.slice(1) : d;
  return sign + m + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
}
function gFormat(x, p) { // Python's format(x, ".{p}g")
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return "0";
  const e = Number(x.toExponential(p - 1).split("e")[1]);
  let s;
  if (e >= -4 && e < p) {
    s = x.toFixed(Math.max(0, p - 1 - e));
    if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  } else {
    let [m] = x.toExponential(p - 1).split("e");
    if (m.includes(".")) m = m.replace(/0+$/, "").replace(/\.$/, "");
    s = m + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
  }
  return s === "-0" ? "0" : s;
}
// a finite decimal number, as on cgcli's command line (no hex, no "Infinity", no blank)
const DECIMAL = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

