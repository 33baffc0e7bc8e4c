// cgcli's page: steps through the forward pass node by node and the backward
// pass edge by edge.  Above it in the page: forwardPass/backwardPass, generated
// from the graph (cgcli/present/html.py), and page_math.js.  This part is the
// same for every page.  Text reaches the page only through textContent, never
// as markup.

(function () {
  const data = JSON.parse(document.getElementById("cgcli-data").textContent);
  const nodes = data.nodes, steps = data.steps, digits = data.digits;
  const short = (x, p) => gFormat(x, p || digits);

  // -- the picture's elements --
  const svg = document.querySelector(".picture svg");
  const status = document.querySelector(".status");
  const details = document.querySelector(".details");
  const nodeG = [], valueText = [], gradText = [];
  function centred(text) { // Graphviz wrote the room as spaces; keep each number centred in it
    text.setAttribute("text-anchor", "middle");
    text.textContent = "";
    return text;
  }
  nodes.forEach((node, i) => {
    const g = svg.querySelector('g[data-node="' + i + '"]');
    const texts = g.querySelectorAll("text");
    nodeG.push(g);
    valueText.push(centred(texts[texts.length - 2]));
    gradText.push(centred(texts[texts.length - 1]));
    valueText[i].classList.add("value");
    gradText[i].classList.add("grad");
    g.addEventListener("click", () => showDetails(i));
    // reachable from the keyboard too: Tab to a node, Enter (or Space) for its details
    g.setAttribute("tabindex", "0");
    g.setAttribute("role", "button");
    g.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { showDetails(i); event.preventDefault(); }
    });
  });
  const edgeG = {}, edgeText = {};
  for (const [i, k] of steps) {
    const g = svg.getElementById("e" + i + "_" + k);
    edgeG[i + "_" + k] = g;
    edgeText[i + "_" + k] = centred(g.querySelector("text"));
    edgeText[i + "_" + k].classList.add("grad");
  }
  const outG = svg.getElementById("eout"), outText = centred(outG.querySelector("text"));
  outText.classList.add("grad");
  const inputs = Array.from(document.querySelectorAll("input[data-var]"));

  // -- state: the numbers at the current point, and how far each pass is shown --
  let run = null; // {v, L, g, c, partial, last} once every input holds a number in the domain
  let shownForward = 0; // nodes 0 … shownForward-1 show their values
  let shownBackward = 0; // 0: not started; 1: the output's seed; 1 + s: steps 0 … s-1 done

  function compute() {
    const x = [];
    for (const input of inputs) {
      const ok = DECIMAL.test(input.value) && Number.isFinite(Number(input.value));
      input.setAttribute("aria-invalid", ok ? "false" : "true");
      if (!ok) return { problem: input.dataset.var + ": " + (input.value.trim() ? "not a finite decimal number" : "give it a value") };
      x.push(Number(input.value));
    }
    const f = forwardPass(x);
    if (f.error !== undefined) {
      const node = nodes[f.error];
      return { problem: "#" + f.error + " " + node.expr + ": " + node.op + " needs " + node.needs + "; it got " + f.args.map((a) => short(a)).join(", ") };
    }
    const b = backwardPass(f.L);
    // the running sum at each node after each step, to show forks adding up
    const acc = new Array(nodes.length).fill(null), partial = [], last = new Array(nodes.length).fill(-1);
    steps.forEach(([i, k, j], s) => {
      acc[j] = acc[j] === null ? b.c[s] : acc[j] + b.c[s];
      partial.push(acc[j]);
      last[j] = s;
    });
    return { v: f.v, L: f.L, g: b.g, c: b.c, partial, last };
  }

  function clearAll() {
    for (let i = 0; i < nodes.length; i++) {
      valueText[i].textContent = gradText[i].textContent = "";
      nodeG[i].removeAttribute("data-value");
      nodeG[i].removeAttribute("data-grad");
      nodeG[i].classList.remove("current", "computed");
    }
    for (const key in edgeText) { edgeText[key].textContent = ""; edgeG[key].classList.remove("current"); }
    outText.textContent = "";
  }
  function unmark() { for (const el of svg.querySelectorAll(".current")) el.classList.remove("current"); }

  function revealValue(i) {
    valueText[i].textContent = short(run.v[i]);
    nodeG[i].setAttribute("data-value", repr(run.v[i]));
    nodeG[i].classList.add("computed");
  }
  function revealSeed() {
    const o = nodes.length - 1;
    gradText[o].textContent = short(1);
    nodeG[o].setAttribute("data-grad", repr(run.g[o]));
    outText.textContent = "1";
  }
  function revealStep(s) {
    const [i, k, j] = steps[s];
    edgeText[i + "_" + k].textContent = short(run.c[s]);
    const done = run.last[j] === s;
    // a fork still waiting for some of its uses shows the sum so far, and that more is to come
    gradText[j].textContent = short(run.partial[s]) + (done ? "" : " + …");
    if (done) nodeG[j].setAttribute("data-grad", repr(run.g[j]));
  }

  function forwardText(i) {
    const node = nodes[i];
    if (!node.inputs.length) return "forward: #" + i + " " + node.expr + " = " + short(run.v[i]) + (node.op === "var" ? " (an input)" : " (a constant)");
    const args = node.inputs.map((j) => short(run.v[j])).join(", ");
    return "forward: #" + i + " " + node.caption + ": " + node.op + "(" + args + ") = " + short(run.v[i]);
  }
  function backwardText(s) {
    const [i, k, j] = steps[s];
    let text = "backward: #" + i + " → #" + j + " " + nodes[j].expr + ": upstream " + short(run.g[i]) +
      " × local " + localText(i, k) + " = " + short(run.c[s]);
    const uses = steps.filter((t) => t[2] === j).length;
    if (uses > 1) {
      const sofar = steps.slice(0, s + 1).filter((t) => t[2] === j).length;
      text += "; fork: " + sofar + " of " + uses + " uses summed, " + short(run.partial[s]) + " so far";
    }
    return text;
  }

  // the local gradient as --steps shows it: its formula with the numbers put in, then its value
  function localText(i, k) {
    const formula = (nodes[i].formula || [])[k], local = short(run.L[i][k]);
    if (!formula) return local;
    const letters = { y: run.v[i] };
    nodes[i].inputs.forEach((j, n) => { if (n < 2) letters["ab"[n]] = run.v[j]; });
    const filled = formula.replace(/(?<![A-Za-z])[aby](?![A-Za-z])/g, (letter, at) => {
      const text = short(letters[letter]);
      const whole = at === 0 && letter.length === formula.length;
      return text.startsWith("-") && !whole && !"(^".includes(formula[at - 1] || "") ? "(" + text + ")" : text;
    });
    if (formula === local) return local;
    return filled === local ? formula + " = " + local : formula + " = " + filled + " = " + local;
  }

  function say(text) { status.textContent = text; }

  // show the state (shownForward, shownBackward) from scratch: after reset, run, undo and input changes
  function redraw() {
    clearAll();
    if (!run) return;
    for (let i = 0; i < shownForward; i++) revealValue(i);
    if (shownBackward > 0) revealSeed();
    for (let s = 0; s < shownBackward - 1; s++) revealStep(s);
    markCurrent();
  }
  function markCurrent() {
    unmark();
    if (shownBackward > 1) {
      const [i, k] = steps[shownBackward - 2];
      edgeG[i + "_" + k].classList.add("current");
    } else if (shownBackward === 1) {
      nodeG[nodes.length - 1].classList.add("current");
    } else if (shownForward > 0) {
      nodeG[shownForward - 1].classList.add("current");
    }
  }

  function forward() {
    if (!run) return;
    if (shownForward >= nodes.length) { say("the forward pass is done: step backward (◂ backward, or →)"); return; }
    revealValue(shownForward);
    shownForward += 1;
    markCurrent();
    say(forwardText(shownForward - 1));
  }
  function backward() {
    if (!run) return;
    if (shownForward < nodes.length) { say("finish the forward pass first: the backward pass needs every value"); return; }
    if (shownBackward > steps.length) { say("both passes are done: ∂" + data.output + "/∂ each input is its node's red number"); return; }
    if (shownBackward === 0) revealSeed(); else revealStep(shownBackward - 1);
    shownBackward += 1;
    markCurrent();
    say(shownBackward === 1 ? "backward: ∂" + data.output + "/∂" + data.output + " = 1 starts the backward pass at the output" : backwardText(shownBackward - 2));
  }
  function runAll() {
    if (!run) return;
    shownForward = nodes.length;
    shownBackward = steps.length + 1;
    redraw();
    say("both passes done: every node shows its value (green) and its gradient (red)");
  }
  function reset() {
    shownForward = shownBackward = 0;
    redraw();
    if (run) say("press forward ▸ (or →) to start the forward pass");
  }
  function back() {
    if (shownBackward > 0) shownBackward -= 1; else if (shownForward > 0) shownForward -= 1; else return;
    redraw();
    describe();
  }
  // say what the step now shown did (after stepping back, or recomputing at a new point)
  function describe() {
    if (shownBackward > 1) say(backwardText(shownBackward - 2));
    else if (shownBackward === 1) say("backward: ∂" + data.output + "/∂" + data.output + " = 1 starts the backward pass at the output");
    else if (shownForward > 0) say(forwardText(shownForward - 1));
    else say("press forward ▸ (or →) to start the forward pass");
  }

  function recompute() {
    const r = compute();
    if (r.problem) { run = null; clearAll(); say(r.problem); return; }
    run = r;
    redraw();
    describe();
  }

  function showDetails(i) {
    const node = nodes[i];
    details.replaceChildren();
    const add = (tag, text, cls) => { const el = document.createElement(tag); el.textContent = text; if (cls) el.className = cls; details.append(el); return el; };
    add("h2", "#" + i + " " + node.caption);
    add("p", node.expr, "expr");
    add("p", "op: " + node.op + (node.role ? " (" + node.role + ")" : ""));
    const known = run && i < shownForward;
    add("p", "value: " + (known ? short(run.v[i], Math.max(digits, 6)) : "not computed yet"), "value");
    if (node.inputs.length) {
      add("p", "local gradients ∂#" + i + "/∂input:");
      const list = add("ul", "");
      node.inputs.forEach((j, k) => {
        const li = document.createElement("li");
        const formula = (node.formula || [])[k];
        li.textContent = "toward #" + j + " " + nodes[j].expr + ": " + (known ? localText(i, k) : (formula || "") + " …");
        list.append(li);
      });
    }
    const done = run && nodeG[i].hasAttribute("data-grad");
    add("p", "global gradient ∂" + data.output + "/∂#" + i + ": " + (done ? short(run.g[i], Math.max(digits, 6)) : "not computed yet"), "grad");
    const uses = steps.map((t, s) => [t, s]).filter(([t]) => t[2] === i);
    if (done && uses.length > 1) add("p", "a fork: " + uses.map(([, s]) => short(run.c[s])).join(" + ") + " = " + short(run.g[i]));
  }

  for (const button of document.querySelectorAll("[data-action]")) {
    const action = { forward, backward, run: runAll, reset }[button.dataset.action];
    button.addEventListener("click", action);
  }
  for (const input of inputs) input.addEventListener("input", recompute);
  document.addEventListener("keydown", (event) => {
    if (event.target instanceof HTMLInputElement || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowRight") { if (shownForward < nodes.length) forward(); else backward(); event.preventDefault(); }
    if (event.key === "ArrowLeft") { back(); event.preventDefault(); }
  });
  recompute();
})();
