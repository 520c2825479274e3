// Progressive enhancement, no inline script (the Content-Security-Policy forbids it).
// A block with data-show-when="<checkbox id>" shows only while that box is ticked, one with
// data-hide-when="<checkbox id>" only while it is not. Hidden blocks are disabled, so what
// they hold is not submitted: a sensitive case sends no identity at all.
(function () {
  "use strict";
  function sync(box) {
    document.querySelectorAll('[data-show-when="' + box.id + '"], [data-hide-when="' + box.id + '"]').forEach(function (block) {
      var visible = block.hasAttribute("data-show-when") ? box.checked : !box.checked;
      block.hidden = !visible;
      block.querySelectorAll("input, select, textarea").forEach(function (field) { field.disabled = !visible; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var ids = new Set();
    document.querySelectorAll("[data-show-when], [data-hide-when]").forEach(function (block) {
      ids.add(block.getAttribute("data-show-when") || block.getAttribute("data-hide-when"));
    });
    ids.forEach(function (id) {
      var box = document.getElementById(id);
      if (!box) return;
      box.addEventListener("change", function () { sync(box); });
      sync(box);
    });
  });
})();
