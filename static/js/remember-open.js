// A <details data-remember-open="<key>"> opens or stays closed as the user last left it, on this
// browser (issue 20: the dashboard's filter panel). Without script, or without storage, the
// server's choice stands; one rendered with data-keep-open (a filter to correct) is never closed.
(function () {
  "use strict";
  var PREFIX = "pmpp:open:";
  function read(key) {
    try { return window.localStorage.getItem(PREFIX + key); } catch (error) { return null; }
  }
  function write(key, value) {
    try { window.localStorage.setItem(PREFIX + key, value); } catch (error) { /* private mode: forget */ }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("details[data-remember-open]").forEach(function (panel) {
      var key = panel.getAttribute("data-remember-open");
      var stored = read(key);
      if (stored === "open") panel.open = true;
      else if (stored === "closed" && !panel.hasAttribute("data-keep-open")) panel.open = false;
      panel.addEventListener("toggle", function () { write(key, panel.open ? "open" : "closed"); });
    });
  });
})();
