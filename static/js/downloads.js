// Long downloads (a semester report's PDF takes 3–4 s, a large XLSX export longer): a link, or
// a form's submit button, marked data-download="<busy text>" shows that the file is being
// prepared and cannot be started twice. The file is fetched, then handed to the browser as a download; the link comes
// back as it was when the file has arrived (or failed). Without JavaScript it stays a plain
// link. No inline script, no CDN (the Content-Security-Policy allows only 'self').
(function () {
  "use strict";

  function filenameFrom(response, link) {
    var header = response.headers.get("Content-Disposition") || "";
    var star = /filename\*=(?:UTF-8'')?([^;]+)/i.exec(header);
    if (star) {
      try { return decodeURIComponent(star[1].trim().replace(/^"|"$/g, "")); } catch (e) { /* plain below */ }
    }
    var plain = /filename="?([^";]+)"?/i.exec(header);
    if (plain) return plain[1];
    return link.getAttribute("download") || (link.pathname || "").split("/").pop() || "download";
  }

  function setBusy(link) {
    link.setAttribute("aria-busy", "true");
    link.setAttribute("aria-disabled", "true");
    link.classList.add("download-busy");
    link.dataset.downloadLabel = link.innerHTML;
    var spinner = document.createElement("span");
    spinner.className = "spinner-border spinner-border-sm download-spinner";
    spinner.setAttribute("aria-hidden", "true");
    var text = document.createElement("span");
    text.textContent = link.getAttribute("data-download") || "…";
    link.replaceChildren(spinner, document.createTextNode(" "), text);
  }

  function restore(link) {
    link.innerHTML = link.dataset.downloadLabel;
    delete link.dataset.downloadLabel;
    link.removeAttribute("aria-busy");
    link.removeAttribute("aria-disabled");
    link.classList.remove("download-busy");
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var anchor = document.createElement("a");
    anchor.href = url;
    anchor.download = name;
    anchor.hidden = true;
    document.body.appendChild(anchor);
    anchor.click();
    anchor.remove();
    // The browser has taken the blob once the click is handled; free it a moment later.
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  // `fallback` runs when the answer is not a file (an error page, the sign-in page after a
  // redirect): the browser then shows it as the plain link or form would have.
  function download(control, url, options, fallback) {
    setBusy(control);
    fetch(url, Object.assign({ credentials: "same-origin" }, options))
      .then(function (response) {
        var disposition = response.headers.get("Content-Disposition") || "";
        if (!response.ok || response.redirected || !/attachment/i.test(disposition)) throw new Error("not a file");
        return response.blob().then(function (blob) { save(blob, filenameFrom(response, control)); });
      })
      .then(function () { restore(control); })
      .catch(function () { restore(control); fallback(); });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-download]");
    if (!link) return;
    // A new tab or window asked for on purpose: leave it to the browser.
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (link.getAttribute("aria-busy") === "true") return; // already preparing: never twice
    download(link, link.href, {}, function () { window.location.assign(link.href); });
  });

  // A form whose submit button carries data-download (a PDF made from a POST).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.hasAttribute("data-download")) return;
    var form = event.target;
    event.preventDefault();
    if (form.querySelector("[aria-busy=true]")) return; // already preparing: never twice
    var body = new FormData(form);
    if (button.name) body.append(button.name, button.value);
    download(button, form.action, { method: "POST", body: body }, function () {
      // Submitted as it would have been without the script (the button's value included).
      var carried = document.createElement("input");
      carried.type = "hidden";
      carried.name = button.name;
      carried.value = button.value;
      if (button.name) form.appendChild(carried);
      form.submit();
    });
  });
})();
