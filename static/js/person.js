// Person, meeting and event pages: small enhancements. Every page works without this file.
(function () {
  "use strict";

  // Search boxes that only make sense with htmx show once scripts run.
  document.documentElement.classList.add("has-js");

  // Enter in a picker's search box searches; it must not submit the form
  // around it (which would save the meeting or the person half-typed).
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target.classList && target.classList.contains("picker__search")) {
      event.preventDefault();
      if (window.htmx) {
        window.htmx.trigger(target, "search");
      }
    }
  });

  // When the meeting form opens inline on the person page, bring it into view.
  document.addEventListener("htmx:afterSettle", function (event) {
    var form = document.getElementById("meeting-form");
    var config = event.detail.requestConfig;
    if (form && form.tagName === "FORM" && config && config.verb === "get" && config.headers && config.headers["HX-Target"] === "meeting-form") {
      form.scrollIntoView({ block: "start" });
    }
  });
})();
