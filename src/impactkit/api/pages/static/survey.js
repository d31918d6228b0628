/* impactkit respondent page: relevance as you type, answers kept on this device, sending when online,
   the device's location for location questions. The server judges everything again on submit and
   adds or removes repeat entries; without this script the page still works. */
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
  var pressed = null;

  function inputs(name) { return form.querySelectorAll('[name="' + name + '"]'); }
  /* A chosen file cannot be kept on the device nor put back: file inputs are left alone. */
  function isAnswer(el) { return el.name && el.name.charAt(0) !== "_" && el.type !== "file"; }
  /* A rule inside a repeat entry names a field of the same entry first, then of enclosing ones. */
  function resolve(name, prefix) {
    var parts = prefix ? prefix.split("/").filter(Boolean) : [];
    for (var n = parts.length; n >= 0; n -= 2) {
      var full = parts.slice(0, n).join("/") + (n ? "/" : "") + name;
      if (inputs(full).length) return full;
    }
    return name;
  }
  function values(name) {
    if (hiddenNames[name]) return [];
    var out = [];
    inputs(name).forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") { if (el.checked) out.push(el.value); }
      else if (el.value.trim() !== "") out.push(el.value.trim());
    });
    return out;
  }
  function holds(term, prefix) {
    var v = values(resolve(term[0], prefix)), op = term[1], want = term[2], text = v.join(" ");
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
      var rule = block.getAttribute("data-rule"), prefix = block.getAttribute("data-prefix") || "";
      if (rule) block.hidden = !JSON.parse(rule).every(function (term) { return holds(term, prefix); });
      if (block.hidden || (block.closest("[hidden]"))) hiddenNames[block.getAttribute("data-name")] = true;
    });
  }
  function entries() {
    return Array.prototype.map.call(form.querySelectorAll('input[name="_ik_entry"]'), function (el) { return el.value; });
  }
  function save() {
    var answers = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!isAnswer(el) || el.type === "submit" || el.type === "button") return;
      answers[el.name] = answers[el.name] || [];
      if ((el.type === "radio" || el.type === "checkbox") ? el.checked : el.value !== "") answers[el.name].push(el.value);
    });
    try { localStorage.setItem(key, JSON.stringify({ id: form.elements["_ik_instance"].value, v: answers, e: entries() })); } catch (e) {}
  }
  function hidden(name, value) {
    var el = document.createElement("input");
    el.type = "hidden"; el.name = name; el.value = value;
    form.appendChild(el);
  }
  function restore() {
    var saved;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    if (!saved || !saved.v) return;
    var changed = false, on = entries();
    form.elements["_ik_instance"].value = saved.id || form.elements["_ik_instance"].value;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!isAnswer(el) || !(el.name in saved.v) || el.type === "submit" || el.type === "button") return;
      var v = saved.v[el.name];
      if (el.type === "radio" || el.type === "checkbox") {
        var checked = v.indexOf(el.value) >= 0;
        if (checked !== el.checked) { el.checked = checked; changed = true; }
      } else if ((v[0] || "") !== el.value) { el.value = v[0] || ""; changed = true; }
    });
    var missing = (saved.e || []).filter(function (path) { return on.indexOf(path) < 0; });
    if (missing.length) {
      /* Entries added before a reload: the server draws them again with their answers. */
      missing.forEach(function (path) {
        hidden("_ik_entry", path);
        path.split("/").forEach(function (step, i, steps) { if (i % 2 === 0) hidden("_ik_repeat", steps.slice(0, i + 1).join("/")); });
      });
      Object.keys(saved.v).forEach(function (name) {
        if (!inputs(name).length) saved.v[name].forEach(function (value) { hidden(name, value); });
      });
      hidden("_ik_refresh", "");
      HTMLFormElement.prototype.submit.call(form);
      return;
    }
    if (changed) document.getElementById("restored").hidden = false;
  }
  /* Location questions: the device's position, or the respondent writes it. */
  form.querySelectorAll("button.locate").forEach(function (button) {
    if (!navigator.geolocation) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var status = document.getElementById(button.getAttribute("data-status"));
      status.textContent = button.getAttribute("data-asking");
      navigator.geolocation.getCurrentPosition(function (position) {
        var c = position.coords;
        var field = document.getElementById(button.getAttribute("data-for"));
        field.value = [c.latitude, c.longitude, c.altitude || 0, c.accuracy || 0].join(" ");
        status.textContent = "";
        relevance(); save();
      }, function () { status.textContent = button.getAttribute("data-failed"); }, { enableHighAccuracy: true, timeout: 20000 });
    });
  });
  /* A page the server drew from a post already holds the latest answers; a fresh one may have
     lost some (a reload, a dropped connection): those are put back. */
  if (form.hasAttribute("data-fresh")) restore(); else save();
  relevance();
  form.addEventListener("input", function () { relevance(); save(); });
  form.addEventListener("change", function () { relevance(); save(); });
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[type=submit]");
    pressed = button;
    if (button && button.name === "_ik_remove") {
      /* Asked here, so the server need not ask again. */
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); return; }
      button.name = "_ik_remove_confirmed";
    }
  });
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
          form.requestSubmit(pressed && pressed.name ? pressed : undefined);
        }, { once: true });
      }
      return;
    }
    var shown = [];
    blocks.forEach(function (block) { if (!hiddenNames[block.getAttribute("data-name")]) shown.push(block.getAttribute("data-name")); });
    form.elements["_ik_shown"].value = shown.join(" ");
  });
})();
