// SMS counter: characters and segments under every textarea marked data-sms-counter.
// The same count as answers/sms.py (tests/answers/test_sms_counter.py and the browser test
// pin both): GSM-7 when every character is in the GSM 03.38 default alphabet (160 in one
// SMS, 153 a segment; the extension table counts two), else UCS-2 (70, then 67, in UTF-16
// code units). The texts come translated from the page (data-sms-format, data-sms-warning);
// past data-sms-max-segments the counter warns.
(function () {
  "use strict";
  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENSION = "\f^{}\\[~]|€";
  var LIMITS = { "GSM-7": [160, 153], "UCS-2": [70, 67] };

  function segments(units, encoding) {
    var single = LIMITS[encoding][0], part = LIMITS[encoding][1];
    if (units === 0) return 0;
    if (units <= single) return 1;
    return Math.ceil(units / part);
  }

  function count(text) {
    text = text.replace(/\r\n/g, "\n");
    var characters = Array.from(text).length;
    var septets = 0;
    for (var i = 0; i < text.length; i++) {
      var c = text.charAt(i);
      if (BASIC.indexOf(c) !== -1) {
        septets += 1;
      } else if (EXTENSION.indexOf(c) !== -1) {
        septets += 2;
      } else {
        // UCS-2: text.length is already in UTF-16 code units.
        return { encoding: "UCS-2", characters: characters, units: text.length, segments: segments(text.length, "UCS-2") };
      }
    }
    return { encoding: "GSM-7", characters: characters, units: septets, segments: segments(septets, "GSM-7") };
  }

  function fill(format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  function attach(area) {
    if (area.dataset.smsCounterAttached) return;
    area.dataset.smsCounterAttached = "1";
    var max = parseInt(area.getAttribute("data-sms-max-segments") || "3", 10);
    var output = document.createElement("div");
    output.className = "form-text";
    output.setAttribute("aria-live", "polite");
    output.setAttribute("data-sms-counter-for", area.id || "");
    var line = document.createElement("span");
    var warning = document.createElement("div");
    warning.className = "text-danger small";
    warning.hidden = true;
    output.appendChild(line);
    output.appendChild(warning);
    area.insertAdjacentElement("afterend", output);
    if (area.id) {
      var described = (area.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      output.id = area.id + "_smscounter";
      described.push(output.id);
      area.setAttribute("aria-describedby", described.join(" "));
    }
    function update() {
      var result = count(area.value);
      output.dataset.encoding = result.encoding;
      output.dataset.characters = String(result.characters);
      output.dataset.segments = String(result.segments);
      line.textContent = fill(area.getAttribute("data-sms-format") || "%(characters)s · %(segments)s SMS (%(encoding)s)", result);
      var over = result.segments > max;
      warning.hidden = !over;
      warning.textContent = over ? fill(area.getAttribute("data-sms-warning") || "> %(max)s SMS", { max: max }) : "";
      area.classList.toggle("is-invalid", false);
      output.classList.toggle("text-danger", over);
    }
    area.addEventListener("input", update);
    update();
  }

  window.pmppSmsCount = count;
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-sms-counter]").forEach(attach);
  });
})();
