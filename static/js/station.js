/* A room's screen. Everything works without this file (each step is a button,
   and each button has its accesskey); it adds one key per step with no
   modifier, as a nurse with one hand on the patient needs: N call next,
   S start, D done, A not answering, T not today. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    var key = (event.key || "").toLowerCase();
    var button = document.querySelector('button[data-key="' + key + '"]');
    if (!button || button.disabled) return;
    event.preventDefault();
    button.click();
  });
})();
