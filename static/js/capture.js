// Capture at an event: after a row is saved (or refused), put the cursor where
// the user types next. The page works without this file.
(function () {
  "use strict";

  function focusNextInput(form) {
    var target =
      form.querySelector(".field--error input:not([type=hidden])") ||
      form.querySelector("input[name=name]");
    if (!target) {
      return;
    }
    // Keep the "saved" note in view too, above the phone's keyboard.
    var note = form.querySelector(".capture-note");
    (note || target).scrollIntoView({ block: "nearest" });
    target.focus({ preventScroll: true });
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var elt = event.target;
    if (!elt || !elt.classList) {
      return;
    }
    if (elt.id === "capture-form") {
      focusNextInput(elt);
    } else if (elt.classList.contains("capture-row--undone")) {
      // The Undo button is gone; keep the keyboard's place on its row.
      elt.focus({ preventScroll: true });
    }
  });
})();
