// The error summary of a form sent back (templates/includes/error_summary.html): it takes the
// focus when the page opens, so that a screen reader reads it first, and each of its links
// moves the focus to its field (following a link to an input only scrolls in most browsers).
(function () {
  "use strict";
  if (window.pmppErrorSummary) return; // the include may appear more than once on a page
  window.pmppErrorSummary = true;
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    var field = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
    var label = field && field.id ? document.querySelector("label[for='" + field.id + "']") : null;
    (label || target).scrollIntoView({ block: "center" });
    (field || target).focus({ preventScroll: true });
  });
})();
