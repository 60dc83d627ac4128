// Capture at an event: after a row is saved (or refused), put the cursor where
// the user types next. The page works without this file.
(function () {
  "use strict";

  function focusNextInput(form) {
    // Held back as a possible duplicate: the choice comes first.
    var choice = form.querySelector(".capture-matches--guard .capture-match, .capture-matches--guard .capture-new-person");
    if (choice) {
      form.querySelector(".capture-matches--guard").scrollIntoView({ block: "nearest" });
      choice.focus({ preventScroll: true });
      return;
    }
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

  // On a phone (a coarse pointer), the keyboard's action key reads "next"
  // (enterkeyhint) and moves on to the next field; on the last field
  // ("done") and on a real keyboard, Enter saves the row as before.
  var coarse = window.matchMedia ? window.matchMedia("(pointer: coarse)") : null;
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || event.isComposing || !coarse || !coarse.matches) {
      return;
    }
    if (!input.form || input.form.id !== "capture-row-form" || input.getAttribute("enterkeyhint") !== "next") {
      return;
    }
    var fields = Array.prototype.filter.call(input.form.querySelectorAll("input[enterkeyhint]"), function (el) {
      return el.offsetParent !== null && !el.disabled;
    });
    var next = fields[fields.indexOf(input) + 1];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });
})();
