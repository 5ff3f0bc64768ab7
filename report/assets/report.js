// Search and filters, offline: every prompt's text is indexed once, then
// each change of the controls shows the prompts that match all of them.
(function () {
  "use strict";
  var q = document.getElementById("q");
  var agent = document.getElementById("f-agent");
  var model = document.getElementById("f-model");
  var edits = document.getElementById("f-edits");
  var count = document.getElementById("count");
  var sessions = Array.prototype.slice.call(document.querySelectorAll(".session"));
  var total = 0;
  sessions.forEach(function (s) {
    // A session's preamble (what the agent did before the first prompt)
    // is searched and filtered like a prompt, and not counted as one.
    s._prompts = Array.prototype.slice.call(s.querySelectorAll(".prompt, .preamble"));
    s._prompts.forEach(function (p) {
      p._text = ((s.dataset.title || "") + " " + p.textContent).toLowerCase();
      p._counts = p.classList.contains("prompt") ? 1 : 0;
      total += p._counts;
    });
  });
  function apply() {
    var terms = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    sessions.forEach(function (s) {
      var ok = (!agent.value || s.dataset.agent === agent.value) &&
        (!model.value || (" " + s.dataset.models + " ").indexOf(" " + model.value + " ") >= 0);
      var any = false;
      s._prompts.forEach(function (p) {
        var show = ok && (!edits.checked || p.dataset.edits !== "0") &&
          terms.every(function (t) { return p._text.indexOf(t) >= 0; });
        p.hidden = !show;
        if (show) { any = true; shown += p._counts; }
      });
      s.hidden = s._prompts.length ? !any : !(ok && !terms.length && !edits.checked);
    });
    count.textContent = shown + " of " + total + " prompts shown";
  }
  [q, agent, model, edits].forEach(function (el) {
    el.addEventListener("input", apply);
    el.addEventListener("change", apply);
  });
  var m = /[?&#]q=([^&]*)/.exec(location.hash);
  if (m) { q.value = decodeURIComponent(m[1]); }
  apply();
})();
