// Searchable multi-selects (issue 20): every <select multiple data-searchable> becomes a Tom Select
// box. Its texts come from the select's data attributes, already in the page's language; Tom Select
// reads the direction (RTL in Arabic) from the select and moves the <label for> to its own input, so
// the box keeps its accessible name. Without this script the plain <select multiple> still works.
(function () {
  "use strict";
  function enhance(select) {
    if (select.tomselect || typeof window.TomSelect !== "function") return;
    var noResults = select.getAttribute("data-no-results") || "";
    var box = new window.TomSelect(select, {
      plugins: { remove_button: { title: select.getAttribute("data-remove-label") || "" } },
      placeholder: select.getAttribute("data-placeholder") || "",
      hidePlaceholder: true,
      maxOptions: null,
      closeAfterSelect: false,
      render: {
        no_results: function (data, escape) {
          return '<div class="no-results">' + escape(noResults) + "</div>";
        },
      },
    });
    // Tom Select points the <label> at its own input and keeps the original select, visually
    // hidden and out of the tab order, to submit the values: out of the accessibility tree too,
    // or it is a second, nameless listbox (axe: select-name) beside the box that has the name.
    box.input.setAttribute("aria-hidden", "true");
  }
  function enhanceWithin(root) {
    root.querySelectorAll("select[multiple][data-searchable]").forEach(enhance);
  }
  document.addEventListener("DOMContentLoaded", function () { enhanceWithin(document); });
  document.addEventListener("htmx:load", function (event) { enhanceWithin(event.detail.elt); });
})();
