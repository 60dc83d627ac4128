// "This week": keyboard shortcuts over the queue's items (no inline script: CSP).
// j / k move, d marks done (logging a message), s snoozes to tomorrow, x skips, o opens the person.
(function () {
  "use strict";

  // With JavaScript, a form's link is only seen while its form loads (week.css).
  document.documentElement.classList.add("has-js");

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

  // An item's done / snooze / skip form is fetched in place of its button's link when the button is
  // opened, or its key pressed; without JavaScript the link opens the form on a page of its own.
  function loadForm(details) {
    var link = details && details.querySelector("[data-form-load]");
    if (!link || !window.htmx) return Promise.resolve();
    if (!link.loading) {
      link.loading = window.htmx.ajax("GET", link.getAttribute("href"), { source: link, target: link, swap: "outerHTML" });
    }
    return link.loading;
  }

  function act(item, action, selector) {
    if (!item) return;
    if (item.querySelector(selector)) return press(item, selector);
    var details = item.querySelector("[data-action=" + action + "]");
    loadForm(details).then(function () {
      // The promise can settle before htmx has read the new form's hx-post: read it now (once).
      var form = details.querySelector("form");
      if (form) window.htmx.process(form);
      press(item, selector);
    });
  }

  // "toggle" does not bubble: listen while it goes down.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.open && details.matches && details.matches(".week-action")) loadForm(details);
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (!document.querySelector("[data-followup]")) return;
    // After an item leaves the queue its element is gone: act on the first one left.
    var item = current() || items()[0];
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "d": act(item, "done", "[data-action=done] form button[type=submit]:not([data-done-only])"); break;
      case "s": act(item, "snooze", "[data-snooze-tomorrow]"); break;
      case "x": act(item, "skip", "[data-skip]"); break;
      case "o": press(item, "[data-open]"); break;
      default: return;
    }
    event.preventDefault();
  });

  // After an item leaves the queue, keep the keyboard on the next one.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !/^followup-/.test(target.id || "") || current()) return;
    var next = items()[0];
    if (next) next.focus({ preventScroll: true });
  });
})();

// Reach out: after a channel is used, ask "Sent?"; the copy button puts the draft on the clipboard.
(function () {
  "use strict";

  function reachOf(element) {
    return element.closest("[data-reach]");
  }

  function askSent(reach, kind) {
    var form = reach.querySelector("[data-sent]");
    if (!form) return;
    var input = form.querySelector("[data-sent-kind]");
    if (input && kind) input.value = kind;
    form.hidden = false;
  }

  function showCopyButtons(root) {
    if (!navigator.clipboard) return;
    Array.prototype.forEach.call(root.querySelectorAll("[data-channel=copy]"), function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-channel], [data-sent-no]") : null;
    if (!target) return;
    var reach = reachOf(target);
    if (!reach) return;
    if (target.hasAttribute("data-sent-no")) {
      reach.querySelector("[data-sent]").hidden = true;
      return;
    }
    if (target.getAttribute("data-channel") === "copy") {
      var body = reach.querySelector("[data-draft-body]");
      navigator.clipboard.writeText(body ? body.textContent : "").then(function () {
        target.textContent = target.getAttribute("data-copied") || target.textContent;
      });
    }
    askSent(reach, target.getAttribute("data-meeting-kind"));
  });

  showCopyButtons(document);
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail && event.detail.target) showCopyButtons(event.detail.target);
  });
})();

// Parts fetched when they come near the screen (one screen ahead, so scrolling finds them loaded):
// each item's reach-out box (drafts, channels) and next week's items. Each part's link opens it
// without JavaScript.
(function () {
  "use strict";

  if (!window.htmx || !("IntersectionObserver" in window)) return;
  var NEAR = "[data-reach-slot], [data-load-near]";
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      observer.unobserve(entry.target);
      window.htmx.trigger(entry.target, "near-screen");
    });
  }, { rootMargin: "100% 0px" });

  // After htmx has processed the content, so the parts listen for the event.
  window.htmx.onLoad(function (root) {
    if (root.matches && root.matches(NEAR)) observer.observe(root);
    if (!root.querySelectorAll) return;
    Array.prototype.forEach.call(root.querySelectorAll(NEAR), function (part) {
      observer.observe(part);
    });
  });
})();
