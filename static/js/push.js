// Follow-up settings: turn the morning notice on for this device (Web Push). No inline script: CSP.
(function () {
  "use strict";

  var section = document.querySelector("[data-push]");
  if (!section) return;
  var button = section.querySelector("[data-push-enable]");
  var status = section.querySelector("[data-push-status]");
  var key = section.getAttribute("data-vapid-key");
  var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

  function say(text) {
    if (status) status.textContent = text;
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }

  function store(subscription) {
    return fetch(section.getAttribute("data-subscribe-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(subscription.toJSON ? subscription.toJSON() : subscription),
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  }

  if (!supported || !key || !button) {
    say(section.getAttribute(supported ? "data-text-off" : "data-text-unsupported") || "");
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") throw new Error(section.getAttribute("data-text-denied"));
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
      })
      .then(store)
      .then(function () {
        say(section.getAttribute("data-text-on"));
        window.location.reload();
      })
      .catch(function (error) {
        button.disabled = false;
        say((error && error.message) || section.getAttribute("data-text-failed"));
      });
  });
})();
