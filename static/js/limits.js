// Limits shown before they bite (contacts/rules.py): every field with a
// data-maxlength shows, as it fills, how much room is left (long fields
// always, short ones once they are over), and text over the limit is
// refused with a message — never cut, whether typed or pasted. The count
// follows the server's: code points, after NFKC for names (data-nfkc) or
// NFC, without surrounding blanks. Without this file the server refuses
// the same text with the same limit and keeps all of it in the field.
(function () {
  "use strict";

  var script = document.currentScript;
  var COUNT = (script && script.dataset.count) || "%(count)s / %(limit)s";
  var OVER = (script && script.dataset.over) || "%(over)s characters over the limit of %(limit)s. Nothing is cut: shorten it to save.";

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_match, name) {
      return String(values[name]);
    });
  }

  function length(field) {
    var value = field.value.normalize(field.hasAttribute("data-nfkc") ? "NFKC" : "NFC").trim();
    return Array.from(value.replace(/\r\n?/g, "\n")).length;
  }

  function counterOf(field) {
    var id = (field.id || field.name) + "_count";
    var counter = document.getElementById(id);
    if (!counter) {
      counter = document.createElement("p");
      counter.id = id;
      counter.className = "field__count";
      counter.setAttribute("aria-live", "polite");
      field.insertAdjacentElement("afterend", counter);
      var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      described.push(id);
      field.setAttribute("aria-describedby", described.join(" "));
    }
    return counter;
  }

  // `quiet`: the page just loaded with the server's own message under the
  // field, so the counter gives the numbers without repeating it.
  function update(field, quiet) {
    var limit = parseInt(field.getAttribute("data-maxlength"), 10);
    if (!limit) return;
    var count = length(field);
    var over = count - limit;
    // A long field shows its counter once something is typed.
    var always = field.hasAttribute("data-counter") && count > 0;
    if (!always && over <= 0 && !document.getElementById((field.id || field.name) + "_count")) {
      return;
    }
    var counter = counterOf(field);
    var values = { count: count, limit: limit, over: over };
    if (over > 0) {
      var message = format(OVER, values);
      var shown = quiet && field.closest(".field--error") ? "" : " — " + message;
      counter.textContent = format(COUNT, values) + shown;
      counter.classList.add("field__count--over");
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("data-over", "");
      field.setCustomValidity(message);
    } else {
      counter.textContent = always ? format(COUNT, values) : "";
      counter.classList.remove("field__count--over");
      if (field.hasAttribute("data-over")) {
        field.removeAttribute("data-over");
        field.removeAttribute("aria-invalid");
        field.setCustomValidity("");
      }
    }
  }

  function setup(root) {
    var fields = root.querySelectorAll ? root.querySelectorAll("[data-maxlength]") : [];
    Array.prototype.forEach.call(fields, function (field) {
      update(field, true);
    });
    if (root.matches && root.matches("[data-maxlength]")) update(root, true);
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-maxlength]")) update(event.target);
  });
  // A form with text over a limit is not sent (forms marked novalidate
  // included, and before htmx sees it): the first such field gets the focus
  // and keeps all its text.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var fields = form.querySelectorAll ? form.querySelectorAll("[data-maxlength]") : [];
      var over = Array.prototype.filter.call(fields, function (field) {
        update(field);
        return field.hasAttribute("data-over");
      });
      if (over.length) {
        event.preventDefault();
        event.stopImmediatePropagation();
        over[0].focus();
      }
    },
    true
  );
  // Content htmx swaps in (a new capture row, a form sent back with errors).
  document.addEventListener("htmx:load", function (event) {
    setup(event.target);
  });
  setup(document);
})();
