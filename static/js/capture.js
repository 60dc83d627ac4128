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

  // While a row is being saved (Enter, or a tap on a suggestion), the suggestions stay as they
  // are: a late answer replacing them would detach the tapped button, and htmx then cannot find
  // the log for the saved row (its out-of-band swap looks in the button's own tree). The saved
  // row's answer replaces the whole form, suggestions included.
  function savingForm(elt) {
    if (!elt || !elt.closest) return null;
    if (elt.id === "capture-row-form" || elt.matches("#capture-row-form .capture-match")) {
      return document.getElementById("capture-row-form");
    }
    return null;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    var form = savingForm(elt);
    if (form && !event.defaultPrevented) {
      // Suggestions already on their way are not swapped in (htmx:beforeSwap below); aborting
      // them would log an error.
      form.setAttribute("data-saving", "");
    } else if (elt && elt.id === "capture-matches" && elt.closest("form[data-saving]")) {
      event.preventDefault();
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.id === "capture-matches" && elt.closest("form[data-saving]")) {
      event.detail.shouldSwap = false;
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = savingForm(event.detail && event.detail.elt);
    if (form && !(event.detail.successful)) form.removeAttribute("data-saving");
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

// The offline queue: a row saved without a connection is kept in IndexedDB and sent once the
// connection is back, each exactly once (the row's capture_key, checked by the server). Before a
// row is sent, the server is asked who it may be; a row with possible matches waits for a choice.
(function () {
  "use strict";

  var queue = document.querySelector("[data-capture-queue]");
  if (!queue || !window.indexedDB || !window.fetch) return;
  var eventId = queue.getAttribute("data-capture-queue");
  var matchesUrl = queue.getAttribute("data-matches-url");
  var DB = "jinmyaku-capture";
  var STORE = "rows";
  var flushing = false;

  function text(name) {
    return queue.getAttribute("data-text-" + name) || "";
  }

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () {
        resolve(request.result);
      };
      request.onerror = function () {
        reject(request.error);
      };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var request = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () {
          db.close();
          resolve(request ? request.result : undefined);
        };
        transaction.onerror = function () {
          db.close();
          reject(transaction.error);
        };
      });
    });
  }

  function rows() {
    return withStore("readonly", function (store) {
      return store.getAll();
    }).then(function (all) {
      return all
        .filter(function (row) {
          return row.event === eventId;
        })
        .sort(function (a, b) {
          return a.createdAt - b.createdAt;
        });
    });
  }

  function put(row) {
    return withStore("readwrite", function (store) {
      store.put(row);
    });
  }

  function remove(key) {
    return withStore("readwrite", function (store) {
      store.delete(key);
    });
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }

  function value(row, name) {
    var found = row.fields.filter(function (pair) {
      return pair[0] === name;
    })[0];
    return found ? found[1] : "";
  }

  // Keep the typed row and clear the form for the next person (with a new key) at once, so what
  // is typed next is never wiped by a late reset; if the row cannot be kept, it goes back into the form.
  function keep(form) {
    var fields = [];
    new FormData(form).forEach(function (fieldValue, name) {
      if (name !== "csrfmiddlewaretoken") fields.push([name, String(fieldValue)]);
    });
    var row = {
      key: value({ fields: fields }, "capture_key") || newKey(),
      event: eventId,
      rowUrl: form.getAttribute("action"),
      fields: fields,
      label: value({ fields: fields }, "name") || "?",
      state: "waiting",
      createdAt: Date.now(),
    };
    form.reset();
    var key = form.querySelector("[data-capture-key]");
    if (key) {
      var fresh = newKey();
      key.setAttribute("value", fresh);
      key.value = fresh;
    }
    var matches = document.getElementById("capture-matches");
    if (matches) matches.innerHTML = "";
    var name = form.querySelector("input[name=name]");
    if (name) name.focus();
    return put(row).then(render, function () {
      fill(form, row);
    });
  }

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function matchesIn(html) {
    var found = [];
    parse(html)
      .querySelectorAll(".capture-match")
      .forEach(function (match) {
        var name = match.querySelector(".capture-match__name");
        var org = match.querySelector(".capture-match__org");
        found.push({
          url: match.getAttribute("formaction"),
          name: name && name.firstChild ? name.firstChild.textContent.trim() : "",
          org: org ? org.textContent.trim() : "",
        });
      });
    return found;
  }

  // Put the saved row into the log, as htmx would have (the undo button included).
  function showSaved(html) {
    var content = parse(html);
    var item = content.querySelector("ol[hx-swap-oob] > li");
    var list = document.getElementById("capture-rows");
    if (item && list && !document.getElementById(item.id)) {
      list.insertBefore(item, list.firstChild);
      if (window.htmx) window.htmx.process(item);
    }
    var count = content.querySelector("#capture-count");
    var shown = document.getElementById("capture-count");
    if (count && shown) shown.textContent = count.textContent;
  }

  // `asNew`: the user chose "save as a new person", which the server's duplicate guard needs to hear.
  function post(url, row, asNew) {
    var body = new FormData();
    row.fields.forEach(function (pair) {
      body.append(pair[0], pair[1]);
    });
    body.set("csrfmiddlewaretoken", csrfToken());
    if (asNew) body.set("duplicate", "new");
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      var saved = response.headers.get("X-Capture-Saved");
      return response.text().then(function (html) {
        if (saved) {
          showSaved(html);
          return remove(row.key);
        }
        // Held by the server's duplicate guard: the row waits for the same choice.
        var guarded = parse(html).querySelector(".capture-matches--guard") ? matchesIn(html) : [];
        if (guarded.length) {
          row.state = "choice";
          row.matches = guarded;
          return put(row);
        }
        var error = parse(html).querySelector(".field__error, .form-errors");
        row.state = "fix";
        row.error = error ? error.textContent.trim() : "";
        return put(row);
      });
    });
  }

  function sendOne(row) {
    var query = new URLSearchParams();
    ["name", "reading", "company", "email", "phone"].forEach(function (name) {
      query.set(name, value(row, name));
    });
    return fetch(matchesUrl + "?" + query.toString(), { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var matches = matchesIn(html);
        if (matches.length) {
          row.state = "choice";
          row.matches = matches;
          return put(row);
        }
        return post(row.rowUrl, row);
      });
  }

  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    render();
    return rows()
      .then(function (all) {
        var waiting = all.filter(function (row) {
          return row.state === "waiting";
        });
        // One at a time, in the order typed; a network error leaves the rest waiting.
        return waiting.reduce(function (chain, row) {
          return chain.then(function () {
            return sendOne(row);
          });
        }, Promise.resolve());
      })
      .catch(function () {})
      .then(function () {
        flushing = false;
        return render();
      });
  }

  function button(label, action, primary) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "button" + (primary ? " button--primary" : "");
    element.textContent = label;
    element.addEventListener("click", function () {
      element.disabled = true;
      Promise.resolve(action())
        .catch(function () {})
        .then(render);
    });
    return element;
  }

  function edit(row) {
    var form = document.getElementById("capture-row-form");
    if (!form) return;
    fill(form, row);
    return remove(row.key);
  }

  // Put a row's values back into the form.
  function fill(form, row) {
    form.reset();
    row.fields.forEach(function (pair) {
      var input = form.querySelector('[name="' + pair[0] + '"]');
      if (!input) return;
      if (input.type === "radio" || input.type === "checkbox") {
        form.querySelectorAll('[name="' + pair[0] + '"]').forEach(function (choice) {
          if (choice.value === pair[1]) choice.checked = true;
        });
      } else {
        input.value = pair[1];
        if (input.hasAttribute("data-capture-key")) input.setAttribute("value", pair[1]);
      }
    });
  }

  function render() {
    return rows().then(function (all) {
      queue.hidden = all.length === 0;
      queue.querySelector("[data-queue-count]").textContent = String(all.length);
      queue.querySelector("[data-queue-status]").textContent = navigator.onLine ? (flushing ? text("online") : "") : text("offline");
      var list = queue.querySelector("[data-queue-rows]");
      list.innerHTML = "";
      all.forEach(function (row) {
        var item = document.createElement("li");
        item.className = "capture-queue__row";
        item.setAttribute("data-queue-row", row.state);
        var name = document.createElement("span");
        name.className = "capture-queue__name";
        name.textContent = row.label;
        var state = document.createElement("span");
        state.className = "capture-queue__state";
        state.textContent =
          row.state === "choice" ? text("choice") : row.state === "fix" ? text("fix") + " " + (row.error || "") : text("waiting");
        item.appendChild(name);
        item.appendChild(state);
        if (row.state !== "waiting") {
          var choices = document.createElement("div");
          choices.className = "capture-queue__choices";
          (row.matches || []).forEach(function (match) {
            if (!match.url) return;
            choices.appendChild(
              button(text("same") + " " + match.name + (match.org ? " (" + match.org + ")" : ""), function () {
                return post(match.url, row);
              }, true),
            );
          });
          if (row.state === "choice") {
            choices.appendChild(button(text("new"), function () {
              return post(row.rowUrl, row, true);
            }));
          } else {
            choices.appendChild(button(text("edit"), function () {
              return edit(row);
            }));
          }
          choices.appendChild(button(text("discard"), function () {
            return remove(row.key);
          }));
          item.appendChild(choices);
        }
        list.appendChild(item);
      });
    });
  }

  // Without a connection, keep the row instead of sending it; a send that fails on the way, too.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (!form || form.id !== "capture-row-form" || navigator.onLine) return;
    event.preventDefault();
    keep(form);
  });
  document.body.addEventListener("htmx:sendError", function (event) {
    var form = event.detail && event.detail.elt;
    if (form && form.id === "capture-row-form") keep(form);
  });

  window.addEventListener("online", flush);
  window.addEventListener("offline", render);
  render().then(flush);
})();

// The log of this event, brought up to date when the page comes back into view: rows saved or
// undone meanwhile in another tab or on another device. The server answers 204 when the page
// already shows the log's rows, so nothing moves under the user's finger.
(function () {
  "use strict";

  if (!window.fetch || !window.DOMParser) return;

  // A row being saved or undone here: its answer changes the log (htmx marks the element asking).
  function busy() {
    return !!document.querySelector(
      "#capture-row-form[data-saving], #capture-row-form.htmx-request, #capture-form .capture-match.htmx-request, #capture-log .htmx-request"
    );
  }

  function shownIds() {
    var rows = document.querySelectorAll("#capture-rows > li:not(.capture-row--undone)");
    return Array.prototype.map
      .call(rows, function (row) {
        return row.id.replace("capture-row-", "");
      })
      .join(",");
  }

  var asking = false;
  function refresh() {
    var log = document.getElementById("capture-log");
    if (!log || asking || busy() || document.visibilityState === "hidden") return;
    var shown = shownIds();
    asking = true;
    fetch(log.getAttribute("data-log-url") + "?shown=" + encodeURIComponent(shown), {
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
    })
      .then(function (response) {
        return response.status === 200 ? response.text() : null;
      })
      .then(function (html) {
        // A row saved or undone here meanwhile is already in the page, maybe not in this answer.
        if (!html || busy() || shownIds() !== shown) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("capture-log");
        var current = document.getElementById("capture-log");
        if (!fresh || !current) return;
        // The keyboard stays on the row it was on (its Undo button), when that row is still there.
        var focused = current.contains(document.activeElement) ? document.activeElement.closest("li[id]") : null;
        current.replaceWith(fresh);
        if (window.htmx) window.htmx.process(fresh);
        var again = focused && document.getElementById(focused.id);
        if (again) (again.querySelector("button") || again).focus({ preventScroll: true });
      })
      .catch(function () {})
      .then(function () {
        asking = false;
      });
  }

  document.addEventListener("visibilitychange", refresh);
  window.addEventListener("focus", refresh);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) refresh();
  });
})();
