// tamdesk: small behaviour on top of htmx and Bootstrap (no inline scripts).
(function () {
  "use strict";

  // While htmx loads a fragment, mark its target busy for assistive technology.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target) target.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (target) target.removeAttribute("aria-busy");
  });

  // A refused fragment (403: the permission changed) reloads the page, which shows why; a
  // server error keeps the table and says so in the messages area.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 403) {
      window.location.reload();
      return;
    }
    var area = document.querySelector(".app-messages");
    var text = document.body.getAttribute("data-error-text");
    if (area && text) {
      var alert = document.createElement("div");
      alert.className = "alert alert-danger";
      alert.setAttribute("role", "alert");
      alert.textContent = text;
      area.appendChild(alert);
    }
  });
})();

// Filter forms: leave empty fields out of the request, so that the address in the browser's
// history reads "?status=active" rather than "?q=&status=active&tier=".
document.addEventListener("htmx:configRequest", function (event) {
  "use strict";
  if (!event.detail.elt.matches || !event.detail.elt.matches("form[role=search]")) return;
  var parameters = event.detail.parameters;
  var empty = [];
  parameters.forEach(function (value, key) {
    if (value === "" || value === "unknown") empty.push(key);
  });
  empty.forEach(function (key) { parameters.delete(key); });
});

// Copy buttons: <button data-copy-target="#id" data-copied-text="Copied"> copies the value (or
// text) of the element it names and says so on the button for a moment.
document.addEventListener("click", function (event) {
  "use strict";
  var button = event.target.closest ? event.target.closest("[data-copy-target]") : null;
  if (!button) return;
  var source = document.querySelector(button.getAttribute("data-copy-target"));
  if (!source) return;
  var text = source.value !== undefined ? source.value : source.textContent;
  var label = button.querySelector("span") || button;
  var original = label.textContent;
  var done = function () {
    label.textContent = button.getAttribute("data-copied-text") || original;
    window.setTimeout(function () { label.textContent = original; }, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done);
  } else {
    source.select();
    document.execCommand("copy");
    done();
  }
});
