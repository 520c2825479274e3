// Confirmation before an irreversible action (issue 20): a button with data-confirm-dialog="<id>"
// opens that <dialog> instead of submitting; the dialog's own button submits the form with
// confirm=yes. Without this script (or a browser without <dialog>) the first button submits
// without the confirmation, and the server answers with the same text and button on the page.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-confirm-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-confirm-dialog"));
      if (!dialog || typeof dialog.showModal !== "function") return;
      event.preventDefault();
      dialog.returnFocusTo = opener;
      dialog.showModal();
      return;
    }
    var closer = event.target.closest("[data-dialog-close]");
    if (closer) {
      var open = closer.closest("dialog");
      if (open) open.close();
    }
  });
  // Escape or « Annuler »: back to the button that opened it, nothing submitted.
  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (dialog.returnFocusTo) dialog.returnFocusTo.focus();
  }, true);
})();
