// Small progressive enhancements. The pages work without this file.
(function () {
  "use strict";

  // Close the account menu when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.removeAttribute("open");
      }
    });
  });
})();

// The installable app: register the service worker, offer "Install the app" in the account
// menu when the browser allows it, and forget the pages kept for offline use on logging out.
(function () {
  "use strict";

  var body = document.body;
  var workerUrl = body && body.getAttribute("data-service-worker");
  if (workerUrl && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(workerUrl, { scope: "/" }).catch(function () {});
  }

  var deferred = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    deferred = event;
    document.querySelectorAll("[data-install]").forEach(function (button) {
      button.hidden = false;
    });
  });
  window.addEventListener("appinstalled", function () {
    deferred = null;
    document.querySelectorAll("[data-install]").forEach(function (button) {
      button.hidden = true;
    });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-install]") : null;
    if (!button || !deferred) return;
    deferred.prompt();
    deferred = null;
    button.hidden = true;
  });

  // iOS Safari has no install prompt: say how, unless already installed.
  var standalone = window.navigator.standalone === true || window.matchMedia("(display-mode: standalone)").matches;
  if (/iPhone|iPad|iPod/.test(navigator.userAgent) && !standalone) {
    document.querySelectorAll("[data-install-ios]").forEach(function (hint) {
      hint.hidden = false;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-logout]") || !window.caches || form.getAttribute("data-cleared")) return;
    event.preventDefault();
    form.setAttribute("data-cleared", "1");
    window.caches.delete("jinmyaku-pages").finally(function () {
      form.submit();
    });
  });
})();
