/* Staff pages: a few enhancements; every page works without this script.
   - copy buttons for survey links (data-copy); "go back" goes back in the history
   - a part brought in by htmx takes the focus (data-autofocus)
   - destructive forms (data-confirm) ask in place, then post confirmed=yes
     (without script the server asks on a page of its own) */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var back = event.target.closest("[data-history-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
      return;
    }
    var button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      button.textContent = button.getAttribute("data-copied") || "OK";
    });
  });
  /* a part htmx brought in (a KPI's breakdown) takes the focus, so keyboard and screen-reader
     users land on it */
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    var focus = target && target.querySelector && target.querySelector("[data-autofocus]");
    if (focus) focus.focus();
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-confirm]")) return;
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    if (!form.querySelector("input[name=confirmed]")) {
      var yes = document.createElement("input");
      yes.type = "hidden";
      yes.name = "confirmed";
      yes.value = "yes";
      form.appendChild(yes);
    }
  });
})();

// Framework designer: the theory-of-change page's print button.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (button) {
    window.print();
  }
});
