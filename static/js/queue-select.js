// Select-all on a queue page (issue 18). The page works without this script: each row has its
// own checkbox and the bulk form its buttons. With it, the header checkbox (hidden until now)
// ticks or unticks every row of the page, shows how many are ticked, and, once the whole page
// is ticked, offers the queue's other cases too (a button already in the form). No text is
// written here: every label comes from the page, in its language; nothing depends on LTR/RTL.
(function () {
  "use strict";
  function init(form) {
    var all = document.querySelector('input[data-select-all][form="' + form.id + '"]');
    var boxes = Array.prototype.slice.call(
      document.querySelectorAll('input[type="checkbox"][name="selection"][form="' + form.id + '"]')
    );
    var counter = form.querySelector("[data-selected-count]");
    var banner = form.querySelector("[data-select-all-banner]");
    var selectionButton = form.querySelector('button[name="scope"][value="selection"]');
    if (!boxes.length) return;
    function sync() {
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      if (all) {
        all.checked = ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      }
      if (counter) {
        counter.textContent = String(ticked);
        counter.hidden = false;
      }
      if (selectionButton) selectionButton.disabled = ticked === 0;
      if (banner) banner.hidden = ticked !== boxes.length;
    }
    if (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
        sync();
      });
    }
    boxes.forEach(function (box) { box.addEventListener("change", sync); });
    sync();
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-queue-select]"), init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
