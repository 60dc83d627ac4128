// Passkeys (WebAuthn): make one on the two-factor page, sign in with one. No inline script: CSP.
// A form marked data-passkey="register" or "sign-in" asks its data-options-url for the options,
// runs navigator.credentials.create/get, puts the answer (JSON, base64url) in its hidden
// "credential" field and submits; the server checks it. Messages come translated in data-msg-*.
(function () {
  "use strict";

  var forms = document.querySelectorAll("form[data-passkey]");
  if (!forms.length) return;
  var supported = !!(window.PublicKeyCredential && navigator.credentials && navigator.credentials.create);

  function toBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return window.btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBytes(descriptors) {
    return (descriptors || []).map(function (descriptor) {
      return { type: descriptor.type, id: toBytes(descriptor.id), transports: descriptor.transports };
    });
  }

  function creationOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    options.excludeCredentials = withBytes(options.excludeCredentials);
    return options;
  }

  function requestOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.allowCredentials = withBytes(options.allowCredentials);
    return options;
  }

  function answer(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toBase64url(response.clientDataJSON) },
    };
    if (credential.authenticatorAttachment) json.authenticatorAttachment = credential.authenticatorAttachment;
    if (response.attestationObject) {
      json.response.attestationObject = toBase64url(response.attestationObject);
      if (response.getTransports) json.response.transports = response.getTransports();
    }
    if (response.authenticatorData) {
      json.response.authenticatorData = toBase64url(response.authenticatorData);
      json.response.signature = toBase64url(response.signature);
      if (response.userHandle) json.response.userHandle = toBase64url(response.userHandle);
    }
    return JSON.stringify(json);
  }

  Array.prototype.forEach.call(forms, function (form) {
    var kind = form.getAttribute("data-passkey");
    var message = form.querySelector("[data-passkey-message]");
    var field = form.querySelector("input[name=credential]");
    var button = form.querySelector("button[type=submit]");

    function say(key) {
      if (!message) return;
      message.textContent = form.getAttribute("data-msg-" + key) || "";
      message.hidden = false;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!supported) {
        say("unsupported");
        return;
      }
      if (!form.reportValidity()) return;
      if (message) message.hidden = true;
      button.disabled = true;
      var token = form.querySelector("[name=csrfmiddlewaretoken]");
      // The form's fields go along: adding a second passkey needs the password or a code first.
      fetch(form.getAttribute("data-options-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
        body: new FormData(form),
      })
        .then(function (reply) {
          if (reply.status === 422 && form.hasAttribute("data-msg-confirm")) {
            var wrong = new Error("confirm");
            wrong.name = "ConfirmError";
            throw wrong;
          }
          if (reply.status === 400 && kind === "sign-in") {
            window.location.reload(); // the password step expired: the page sends back to it, saying so
            return new Promise(function () {});
          }
          if (!reply.ok) throw new Error("options " + reply.status);
          return reply.json();
        })
        .then(function (options) {
          return kind === "register"
            ? navigator.credentials.create({ publicKey: creationOptions(options) })
            : navigator.credentials.get({ publicKey: requestOptions(options) });
        })
        .then(function (credential) {
          if (!credential) throw new Error("no credential");
          field.value = answer(credential);
          form.submit(); // a plain POST: the server answers with a page, as without JavaScript
        })
        .catch(function (error) {
          button.disabled = false;
          var name = error && error.name;
          if (name === "ConfirmError") say("confirm");
          else if (name === "InvalidStateError" && form.hasAttribute("data-msg-exists")) say("exists");
          else say(name === "NotAllowedError" || name === "AbortError" ? "cancelled" : "failed");
        });
    });
  });
})();
