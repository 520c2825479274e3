// Date fields (pmpp/dates.py): a plain text input showing dd/mm/yyyy (dd/mm/yyyy hh:mm), plus
// a calendar button opening a dialog in the page's language and direction (the Date Picker
// Dialog pattern of the WAI-ARIA Authoring Practices). Month and day names come from the
// browser's Intl data (Moroccan Arabic names on Arabic pages), so nothing is downloaded and
// the browser's own locale plays no part. Without this script the field still takes typed dates.
//
// Digits: Latin, unless the reader chose Arabic-Indic ones (cookie pmpp_digits=arab, set by
// /preferences/chiffres/) and the page is in Arabic. The server reads both.
(function () {
  "use strict";

  var ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩";
  var EASTERN_ARABIC_INDIC = "۰۱۲۳۴۵۶۷۸۹";
  var MARKS = /[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g;
  var DAY_MS = 86400000;
  var counter = 0;

  function latin(text) {
    return text.replace(/[\u0660-\u0669\u06f0-\u06f9]/g, function (c) {
      var i = ARABIC_INDIC.indexOf(c);
      return String(i >= 0 ? i : EASTERN_ARABIC_INDIC.indexOf(c));
    }).replace(MARKS, "").replace(/[\u060d\u2044\u2215]/g, "/").replace(/\s+/g, " ").trim();
  }

  function pageLanguage() {
    return (document.documentElement.lang || "fr").toLowerCase().split("-")[0];
  }

  function arabicDigits() {
    return pageLanguage() === "ar" && /(?:^|;\s*)pmpp_digits=arab(?:;|$)/.test(document.cookie);
  }

  function digits(text) {
    if (!arabicDigits()) return text;
    return String(text).replace(/[0-9]/g, function (c) { return ARABIC_INDIC[+c]; });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // A day is a UTC midnight Date: no daylight-saving hour ever moves it.
  function day(y, m, d) {
    var value = new Date(Date.UTC(y, m - 1, d));
    return value.getUTCFullYear() === y && value.getUTCMonth() === m - 1 && value.getUTCDate() === d ? value : null;
  }

  // {date, time} read from what the field shows (dd/mm/yyyy or ISO, any digits), or null.
  function parse(text) {
    var value = latin(text), match, time = "";
    if ((match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: (\d{1,2}):(\d{2})(?::\d{2})?)?$/.exec(value))) {
      if (match[4] !== undefined) time = pad(+match[4]) + ":" + match[5];
      return { date: day(+match[3], +match[2], +match[1]), time: time };
    }
    if ((match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2})?)?$/.exec(value))) {
      if (match[4] !== undefined) time = match[4] + ":" + match[5];
      return { date: day(+match[1], +match[2], +match[3]), time: time };
    }
    return null;
  }

  function format(date, time) {
    var text = pad(date.getUTCDate()) + "/" + pad(date.getUTCMonth() + 1) + "/" + date.getUTCFullYear();
    return digits(time ? text + " " + time : text);
  }

  function today() {
    var now = new Date();
    return day(now.getFullYear(), now.getMonth() + 1, now.getDate());
  }

  function nowTime() {
    var now = new Date();
    return pad(now.getHours()) + ":" + pad(now.getMinutes());
  }

  function addMonths(date, months) {
    var y = date.getUTCFullYear(), m = date.getUTCMonth() + months;
    var target = new Date(Date.UTC(y, m, 1));
    var last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
    return new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(date.getUTCDate(), last)));
  }

  function sameDay(a, b) { return a && b && a.getTime() === b.getTime(); }

  function formatter(options) {
    // Moroccan Arabic month names (يناير … يوليوز … دجنبر), as the rest of the Arabic pages.
    var locale = pageLanguage() === "ar" ? "ar-MA" : pageLanguage();
    var numbering = arabicDigits() ? "arab" : "latn";
    options.timeZone = "UTC";
    return new Intl.DateTimeFormat(locale + "-u-nu-" + numbering, options);
  }

  function element(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function calendarIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 0a.5.5 0 0 1 .5.5V1h7V.5a.5.5 0 0 1 1 0V1H14a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H2a2 2 0 0 1-2-2V3a2 2 0 0 1 2-2h1.5V.5A.5.5 0 0 1 4 0M1 5v9a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V5zm2 2h2v2H3zm4 0h2v2H7zm4 0h2v2h-2zM3 11h2v2H3zm4 0h2v2H7z");
    svg.appendChild(path);
    return svg;
  }

  function Picker(input) {
    this.input = input;
    this.withTime = input.getAttribute("data-date-field") === "datetime";
    this.labels = {
      open: input.getAttribute("data-label-open"),
      previousMonth: input.getAttribute("data-label-previous-month"),
      nextMonth: input.getAttribute("data-label-next-month"),
      previousYear: input.getAttribute("data-label-previous-year"),
      nextYear: input.getAttribute("data-label-next-year"),
      close: input.getAttribute("data-label-close")
    };
    this.id = "date-picker-" + (++counter);
    this.dialog = null;

    var wrapper = element("div", { "class": "date-field" });
    var group = element("div", { "class": "input-group" });
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(group);
    group.appendChild(input);
    this.wrapper = wrapper;
    this.button = element("button", {
      type: "button",
      "class": "btn btn-outline-secondary date-field-toggle",
      "aria-label": this.labels.open,
      title: this.labels.open,
      "aria-haspopup": "dialog",
      "aria-expanded": "false",
      "aria-controls": this.id
    });
    this.button.appendChild(calendarIcon());
    group.appendChild(this.button);
    if (input.disabled || input.readOnly) this.button.disabled = true;

    var self = this;
    this.button.addEventListener("click", function () { self.dialog ? self.close(true) : self.open(); });
    input.addEventListener("keydown", function (event) {
      if (event.altKey && event.key === "ArrowDown") { event.preventDefault(); self.open(); }
      else if (event.key === "Escape" && self.dialog) { event.preventDefault(); self.close(false); }
    });
    // A date typed in ISO or with other digits is shown back as the field shows dates.
    input.addEventListener("change", function () { self.tidy(); });
    this.tidy();
  }

  Picker.prototype.tidy = function () {
    var parsed = parse(this.input.value);
    if (parsed && parsed.date && (!this.withTime || parsed.time)) {
      this.input.value = format(parsed.date, this.withTime ? parsed.time : "");
    }
  };

  Picker.prototype.open = function () {
    if (this.dialog || this.button.disabled) return;
    var parsed = parse(this.input.value);
    this.selected = parsed && parsed.date ? parsed.date : null;
    this.time = parsed && parsed.time ? parsed.time : "";
    this.focused = this.selected || today();
    this.rtl = getComputedStyle(this.wrapper).direction === "rtl";
    this.build();
    this.render();
    this.button.setAttribute("aria-expanded", "true");
    this.focusDay();
  };

  Picker.prototype.close = function (returnFocus) {
    if (!this.dialog) return;
    this.dialog.remove();
    this.dialog = null;
    document.removeEventListener("mousedown", this.outside, true);
    this.button.setAttribute("aria-expanded", "false");
    if (returnFocus) this.button.focus();
  };

  Picker.prototype.build = function () {
    var self = this;
    var dialog = element("div", {
      id: this.id,
      "class": "date-picker",
      role: "dialog",
      "aria-modal": "true",
      "aria-labelledby": this.id + "-title",
      lang: document.documentElement.lang || "fr",
      dir: this.rtl ? "rtl" : "ltr"
    });
    var header = element("div", { "class": "date-picker-header" });
    // Arrows point where the button moves in reading order: mirrored right to left.
    var back = this.rtl ? ["»", "›"] : ["«", "‹"], forward = this.rtl ? ["‹", "«"] : ["›", "»"];
    function navButton(label, glyph, months) {
      var b = element("button", { type: "button", "class": "btn btn-sm btn-link date-picker-nav", "aria-label": label, title: label }, glyph);
      b.addEventListener("click", function () { self.move(addMonths(self.focused, months), false); });
      return b;
    }
    header.appendChild(navButton(this.labels.previousYear, back[0], -12));
    header.appendChild(navButton(this.labels.previousMonth, back[1], -1));
    this.title = element("h2", { id: this.id + "-title", "class": "date-picker-title", "aria-live": "polite" });
    header.appendChild(this.title);
    header.appendChild(navButton(this.labels.nextMonth, forward[0], 1));
    header.appendChild(navButton(this.labels.nextYear, forward[1], 12));
    dialog.appendChild(header);

    this.grid = element("table", { role: "grid", "class": "date-picker-grid", "aria-labelledby": this.id + "-title" });
    var head = element("thead"), row = element("tr");
    var short = formatter({ weekday: "short" }), long = formatter({ weekday: "long" });
    for (var i = 0; i < 7; i++) {
      var monday = new Date(Date.UTC(2024, 0, 1 + i)); // 1 January 2024 was a Monday
      row.appendChild(element("th", { scope: "col", abbr: long.format(monday) }, short.format(monday)));
    }
    head.appendChild(row);
    this.grid.appendChild(head);
    this.body = element("tbody");
    this.grid.appendChild(this.body);
    dialog.appendChild(this.grid);
    this.grid.addEventListener("keydown", function (event) { self.onGridKey(event); });
    this.grid.addEventListener("click", function (event) {
      var target = event.target.closest("button[data-day]");
      if (target) self.choose(new Date(+target.getAttribute("data-day")));
    });

    var footer = element("div", { "class": "date-picker-footer" });
    var close = element("button", { type: "button", "class": "btn btn-sm btn-outline-secondary" }, this.labels.close);
    close.addEventListener("click", function () { self.close(true); });
    footer.appendChild(close);
    dialog.appendChild(footer);

    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); self.close(true); }
      else if (event.key === "Tab") self.trapTab(event);
    });
    this.outside = function (event) { if (!self.wrapper.contains(event.target)) self.close(false); };
    document.addEventListener("mousedown", this.outside, true);
    this.wrapper.appendChild(dialog);
    this.dialog = dialog;
  };

  Picker.prototype.render = function () {
    var first = new Date(Date.UTC(this.focused.getUTCFullYear(), this.focused.getUTCMonth(), 1));
    var days = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
    var offset = (first.getUTCDay() + 6) % 7; // Monday first, as in Morocco and France
    var label = formatter({ weekday: "long", day: "numeric", month: "long", year: "numeric" });
    var now = today();
    this.title.textContent = formatter({ month: "long", year: "numeric" }).format(first);
    this.body.textContent = "";
    var row = null;
    for (var cell = 0; cell < offset + days || cell % 7; cell++) {
      if (cell % 7 === 0) { row = element("tr"); this.body.appendChild(row); }
      var td = element("td");
      var n = cell - offset + 1;
      if (n >= 1 && n <= days) {
        var date = new Date(first.getTime() + (n - 1) * DAY_MS);
        var b = element("button", {
          type: "button",
          "class": "date-picker-day",
          tabindex: sameDay(date, this.focused) ? "0" : "-1",
          "data-day": String(date.getTime()),
          "aria-label": label.format(date)
        }, digits(n));
        if (sameDay(date, this.selected)) { td.setAttribute("aria-selected", "true"); b.classList.add("is-selected"); }
        if (sameDay(date, now)) { b.setAttribute("aria-current", "date"); }
        td.appendChild(b);
      }
      row.appendChild(td);
    }
  };

  Picker.prototype.focusDay = function () {
    var b = this.body.querySelector('button[tabindex="0"]');
    if (b) b.focus();
  };

  Picker.prototype.move = function (date, focus) {
    this.focused = date;
    this.render();
    if (focus) this.focusDay();
  };

  Picker.prototype.onGridKey = function (event) {
    var f = this.focused, weekday = (f.getUTCDay() + 6) % 7, next = null;
    var ahead = this.rtl ? -1 : 1; // ArrowRight goes forward left to right, backward right to left
    switch (event.key) {
      case "ArrowRight": next = new Date(f.getTime() + ahead * DAY_MS); break;
      case "ArrowLeft": next = new Date(f.getTime() - ahead * DAY_MS); break;
      case "ArrowDown": next = new Date(f.getTime() + 7 * DAY_MS); break;
      case "ArrowUp": next = new Date(f.getTime() - 7 * DAY_MS); break;
      case "Home": next = new Date(f.getTime() - weekday * DAY_MS); break;
      case "End": next = new Date(f.getTime() + (6 - weekday) * DAY_MS); break;
      case "PageUp": next = addMonths(f, event.shiftKey ? -12 : -1); break;
      case "PageDown": next = addMonths(f, event.shiftKey ? 12 : 1); break;
      default: return;
    }
    event.preventDefault();
    this.move(next, true);
  };

  Picker.prototype.trapTab = function (event) {
    var items = Array.prototype.filter.call(
      this.dialog.querySelectorAll('button:not([tabindex="-1"])'),
      function (b) { return !b.disabled; }
    );
    var first = items[0], last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  };

  Picker.prototype.choose = function (date) {
    // A date and time keeps the time already typed; a new one takes the current minute.
    this.input.value = format(date, this.withTime ? (this.time || nowTime()) : "");
    this.input.dispatchEvent(new Event("input", { bubbles: true }));
    this.input.dispatchEvent(new Event("change", { bubbles: true }));
    this.close(false);
    this.input.focus();
  };

  function enhance(root) {
    (root || document).querySelectorAll("input[data-date-field]").forEach(function (input) {
      if (input.pmppDatePicker) return;
      input.pmppDatePicker = new Picker(input);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
