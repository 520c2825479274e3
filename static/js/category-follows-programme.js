// The category list follows the chosen programme (issue 18), without reloading the page.
// A <select data-follows-programme="<programme field name>"> holds every category grouped by
// programme (<optgroup>), each <option data-programme="<programme id>">. When the programme
// changes, only that programme's categories are left in the list (a category of another
// programme that was chosen is unselected); with no programme chosen, the full grouped list.
// Options are removed and put back rather than hidden: hidden options are still reachable
// with the keyboard in some browsers. Direction-neutral: nothing here depends on LTR or RTL.
(function () {
  "use strict";
  function follow(select) {
    var form = select.form;
    var programme = form && form.elements.namedItem(select.getAttribute("data-follows-programme"));
    if (!programme || programme.tagName !== "SELECT") return;
    var original = Array.prototype.map.call(select.children, function (node) { return node.cloneNode(true); });
    function sync() {
      var chosen = programme.value;
      var selected = select.value;
      while (select.firstChild) select.removeChild(select.firstChild);
      original.forEach(function (node) {
        if (node.tagName === "OPTGROUP") {
          var options = Array.prototype.filter.call(node.children, function (option) {
            return !chosen || option.getAttribute("data-programme") === chosen;
          });
          if (!options.length) return;
          if (chosen) {
            // One programme: its categories without the group heading.
            options.forEach(function (option) { select.appendChild(option.cloneNode(true)); });
          } else {
            select.appendChild(node.cloneNode(true));
          }
        } else if (!chosen || !node.hasAttribute("data-programme") || node.getAttribute("data-programme") === chosen) {
          select.appendChild(node.cloneNode(true));
        }
      });
      var kept = Array.prototype.some.call(select.options, function (option) { return option.value === selected; });
      select.value = kept ? selected : "";
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
    programme.addEventListener("change", sync);
    sync();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-follows-programme]").forEach(follow);
  });
})();
