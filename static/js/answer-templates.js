// The answer-template picker of « Rédiger la réponse », with JavaScript: « Aperçu » and
// « Utiliser ce modèle » ask the preview endpoint (JSON) instead of reloading the page, so
// what else was typed in the step's form is kept. Without JavaScript the same form is a GET
// on the step page, which shows the preview and fills the answer (answers/picker.py).
(function () {
  "use strict";
  function setup(form) {
    var section = form.closest("section") || document;
    var panel = section.querySelector("[data-answer-preview]");
    var textBox = section.querySelector("[data-answer-preview-text]");
    var smsLine = section.querySelector("[data-answer-preview-sms]");
    var missing = section.querySelector("[data-answer-preview-missing]");
    var target = document.getElementById(form.getAttribute("data-target"));
    form.addEventListener("submit", function (event) {
      var action = event.submitter ? event.submitter.value : "apercu";
      var template = form.elements.modele.value, language = form.elements.langue.value;
      if (!template || !language || !window.fetch) return; // the server says what is missing
      event.preventDefault();
      var url = form.getAttribute("data-preview-url").replace(/\/0\/apercu\/$/, "/" + encodeURIComponent(template) + "/apercu/");
      fetch(url + "?langue=" + encodeURIComponent(language), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          textBox.innerText = data.text;
          textBox.setAttribute("lang", data.language);
          textBox.setAttribute("dir", data.language === "ar" ? "rtl" : "ltr");
          if (smsLine && target && target.getAttribute("data-sms-format")) {
            smsLine.textContent = target.getAttribute("data-sms-format")
              .replace("%(characters)s", data.sms.characters)
              .replace("%(segments)s", data.sms.segments)
              .replace("%(encoding)s", data.sms.encoding);
          }
          if (missing) missing.classList.toggle("d-none", data.missing.length === 0);
          panel.classList.remove("d-none");
          if (action === "utiliser" && target) {
            target.value = data.text;
            target.setAttribute("dir", data.language === "ar" ? "rtl" : "ltr");
            target.dispatchEvent(new Event("input", { bubbles: true }));
            target.focus();
          }
        })
        .catch(function () { form.submit(); }); // fall back to the page's own answer
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-answer-picker]").forEach(setup);
  });
})();
