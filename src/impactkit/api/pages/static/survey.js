/* impactkit respondent page: relevance as you type, answers kept on this device, sending when online.
   The server judges everything again on submit; without this script the page still works. */
(function () {
  "use strict";
  var done = document.getElementById("done");
  if (done) { try { localStorage.removeItem(done.getAttribute("data-clear")); } catch (e) {} return; }
  var form = document.getElementById("survey");
  if (!form) return;
  var key = form.getAttribute("data-key");
  var blocks = form.querySelectorAll("[data-name]");
  var hiddenNames = {};
  var waiting = false;

  function inputs(name) { return form.querySelectorAll('[name="' + name + '"]'); }
  function isAnswer(el) { return el.name && el.name.charAt(0) !== "_"; }
  function values(name) {
    if (hiddenNames[name]) return [];
    var out = [];
    inputs(name).forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") { if (el.checked) out.push(el.value); }
      else if (el.value.trim() !== "") out.push(el.value.trim());
    });
    return out;
  }
  function holds(term) {
    var v = values(term[0]), op = term[1], want = term[2], text = v.join(" ");
    if (op === "=") return text === want;
    if (op === "!=") return text !== want;
    if (op === "sel") return v.indexOf(want) >= 0;
    if (op === "nsel") return v.indexOf(want) < 0;
    if (text === "" || isNaN(Number(text))) return op === "n!=";
    var a = Number(text), b = Number(want);
    return { "n=": a === b, "n!=": a !== b, "n>": a > b, "n<": a < b, "n>=": a >= b, "n<=": a <= b }[op];
  }
  function relevance() {
    hiddenNames = {};
    blocks.forEach(function (block) {
      var rule = block.getAttribute("data-rule");
      if (rule) block.hidden = !JSON.parse(rule).every(holds);
      if (block.hidden || (block.closest("[hidden]"))) hiddenNames[block.getAttribute("data-name")] = true;
    });
  }
  function save() {
    var answers = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!isAnswer(el)) return;
      answers[el.name] = answers[el.name] || [];
      if ((el.type === "radio" || el.type === "checkbox") ? el.checked : el.value !== "") answers[el.name].push(el.value);
    });
    try { localStorage.setItem(key, JSON.stringify({ id: form.elements["_ik_instance"].value, v: answers })); } catch (e) {}
  }
  function restore() {
    var saved;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    if (!saved || !saved.v) return;
    var changed = false;
    form.elements["_ik_instance"].value = saved.id || form.elements["_ik_instance"].value;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!isAnswer(el) || !(el.name in saved.v)) return;
      var v = saved.v[el.name];
      if (el.type === "radio" || el.type === "checkbox") {
        var on = v.indexOf(el.value) >= 0;
        if (on !== el.checked) { el.checked = on; changed = true; }
      } else if ((v[0] || "") !== el.value) { el.value = v[0] || ""; changed = true; }
    });
    if (changed) document.getElementById("restored").hidden = false;
  }
  restore();
  relevance();
  form.addEventListener("input", function () { relevance(); save(); });
  form.addEventListener("change", function () { relevance(); save(); });
  form.addEventListener("submit", function (event) {
    save();
    if (!navigator.onLine) {
      event.preventDefault();
      document.getElementById("offline").hidden = false;
      if (!waiting) {
        waiting = true;
        window.addEventListener("online", function () {
          waiting = false;
          document.getElementById("offline").hidden = true;
          form.requestSubmit();
        }, { once: true });
      }
      return;
    }
    var shown = [];
    blocks.forEach(function (block) { if (!hiddenNames[block.getAttribute("data-name")]) shown.push(block.getAttribute("data-name")); });
    form.elements["_ik_shown"].value = shown.join(" ");
  });
})();
