// "This week": keyboard shortcuts over the queue's items (no inline script: CSP).
// j / k move, d marks done (logging a message), s snoozes to tomorrow, x skips, o opens the person.
(function () {
  "use strict";

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-followup]:not(.week-item--gone)"));
  }

  function current() {
    var active = document.activeElement;
    return active && active.closest ? active.closest("[data-followup]") : null;
  }

  function move(step) {
    var list = items();
    if (!list.length) return;
    var index = list.indexOf(current());
    var next = list[Math.max(0, Math.min(list.length - 1, index + step))] || list[0];
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }

  function press(item, selector) {
    var button = item && item.querySelector(selector);
    if (button) button.click();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (!document.querySelector("[data-followup]")) return;
    var item = current();
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "d": press(item, "[data-action=done] form button[type=submit]:not([data-done-only])"); break;
      case "s": press(item, "[data-snooze-tomorrow]"); break;
      case "x": press(item, "[data-skip]"); break;
      case "o": press(item, "[data-open]"); break;
      default: return;
    }
    event.preventDefault();
  });

  // After an item leaves the queue, keep the keyboard on the next one.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var gone = event.detail.target;
    if (!gone || !gone.classList || !gone.classList.contains("week-item--gone")) return;
    var list = items();
    var after = list.filter(function (el) {
      return gone.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    (after[0] || list[list.length - 1] || document.body).focus();
  });
})();
