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

// Keyboard focus across htmx swaps. When a swap removes the focused element (a task's Start
// button, Mark read, a sort header, a page link, the calendar's next month, the incident list's
// refresh), focus moves to its counterpart in the new content instead of falling to <body>:
// the element with the same id; else, in the nearest surviving ancestor with an id, the control
// with the same name, then the current page of a pager, then the control at the same place;
// else that ancestor's heading or the ancestor itself.
(function () {
  "use strict";
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), " +
    "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
  var remembered = null;

  function name(element) {
    return (element.getAttribute("aria-label") || element.textContent || element.value || "")
      .replace(/\s+/g, " ").trim();
  }
  function controls(scope, tag) {
    return Array.prototype.filter.call(scope.querySelectorAll(FOCUSABLE), function (element) {
      return element.tagName === tag;
    });
  }
  function focus(element) {
    if (!element.matches(FOCUSABLE) && !element.hasAttribute("tabindex")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus({ preventScroll: true });
  }

  document.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement;
    if (!active || active === document.body) { remembered = null; return; }
    var scopes = [];
    for (var node = active.parentElement; node; node = node.parentElement) {
      if (node.id) scopes.push(node.id);
    }
    var first = scopes.length ? document.getElementById(scopes[0]) : null;
    var siblings = first ? controls(first, active.tagName) : [];
    remembered = {
      element: active, id: active.id, tag: active.tagName, name: name(active), scopes: scopes,
      index: siblings.indexOf(active), count: siblings.length, inPager: !!active.closest("nav")
    };
  });

  document.addEventListener("htmx:afterSwap", function () {
    var was = remembered;
    remembered = null;
    if (!was || was.element.isConnected) return;
    var same = was.id && document.getElementById(was.id);
    if (same) { focus(same); return; }
    for (var i = 0; i < was.scopes.length; i++) {
      var scope = document.getElementById(was.scopes[i]);
      if (!scope) continue;
      var candidates = controls(scope, was.tag);
      var named = candidates.filter(function (element) { return name(element) === was.name; });
      if (named.length) { focus(named[0]); return; }
      var current = was.inPager && scope.querySelector("nav [aria-current]");
      if (current) { focus(current); return; }
      if (i === 0 && was.index >= 0 && candidates.length === was.count) {
        focus(candidates[was.index]);
        return;
      }
      focus(scope.querySelector("h1, h2, h3, h4, h5, h6, table") || scope);
      return;
    }
    var main = document.getElementById("main");
    if (main) main.focus({ preventScroll: true });
  });

  // A periodic refresh (data-pause-while-focused="#region") waits while the keyboard focus is
  // inside the region it replaces, so that it never pulls the page from under the reader; it
  // runs at the next tick after focus leaves.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail.elt;
    var selector = element && element.getAttribute && element.getAttribute("data-pause-while-focused");
    if (!selector) return;
    var region = document.querySelector(selector);
    if (region && region.contains(document.activeElement)) event.preventDefault();
  });
})();

// The dependency graph is one image (its text alternative is the task table): a click on a task
// goes to the task's row in the table.
document.addEventListener("click", function (event) {
  "use strict";
  var node = event.target.closest ? event.target.closest(".graph-node[data-row]") : null;
  if (!node) return;
  var row = document.getElementById(node.getAttribute("data-row"));
  if (!row) return;
  row.setAttribute("tabindex", "-1");
  row.scrollIntoView({ block: "start" });
  row.focus({ preventScroll: true });
});
