// Fill a reading field from the kana composed before conversion, as Japanese
// sign-up forms do: typing いけだ and converting to 池田 in the name fills
// いけだ in the reading. A name input names its reading field with
// data-reading-target="<id>". A reading the user typed is never overwritten.
// The page works without this file.
(function () {
  "use strict";

  var KANA = /^[\u3041-\u3096\u30a1-\u30fa\u30fc]+$/;
  var HIRAGANA_READING = /^[\u3041-\u3096\u30fc ]+$/;
  var states = new WeakMap();

  function toHiragana(text) {
    return text.replace(/[\u30a1-\u30f6]/g, function (ch) {
      return String.fromCharCode(ch.charCodeAt(0) - 0x60);
    });
  }

  function readingFor(input) {
    var id = input && input.dataset ? input.dataset.readingTarget : "";
    return id ? document.getElementById(id) : null;
  }

  function stateOf(input) {
    var state = states.get(input);
    if (!state) {
      // pairs: [converted text, the kana typed for it]; filled: what this script last wrote.
      state = { pairs: [], lastKana: "", filled: "" };
      states.set(input, state);
    }
    return state;
  }

  // Rebuild the reading from the name: every converted part back to its kana.
  function fill(input) {
    var reading = readingFor(input);
    if (!reading || reading.dataset.readingTyped === "1") {
      return;
    }
    var state = stateOf(input);
    var text = input.value;
    state.pairs
      .slice()
      .sort(function (a, b) {
        return b[0].length - a[0].length;
      })
      .forEach(function (pair) {
        text = text.split(pair[0]).join(pair[1]);
      });
    text = toHiragana(text).replace(/[\s\u3000]+/g, " ").trim();
    if (!text) {
      if (reading.value === state.filled) {
        reading.value = state.filled = "";
      }
      return;
    }
    if (!HIRAGANA_READING.test(text) || reading.value === text) {
      return; // part of the name was pasted or typed without the IME: no reading to give
    }
    if (reading.value && reading.value !== state.filled) {
      return; // the field holds something this script did not write
    }
    reading.value = state.filled = text;
    // Tell listeners (the suggestions) that the reading changed.
    reading.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("compositionstart", function (event) {
    if (readingFor(event.target)) {
      stateOf(event.target).lastKana = "";
    }
  });

  document.addEventListener("compositionupdate", function (event) {
    if (readingFor(event.target) && event.data && KANA.test(event.data)) {
      stateOf(event.target).lastKana = event.data;
    }
  });

  document.addEventListener("compositionend", function (event) {
    var input = event.target;
    if (!readingFor(input)) {
      return;
    }
    var state = stateOf(input);
    if (event.data && state.lastKana) {
      state.pairs.push([event.data, state.lastKana]);
    }
    state.lastKana = "";
    fill(input);
  });

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (readingFor(target)) {
      if (!event.isComposing) {
        fill(target);
      }
      return;
    }
    // Typed in a reading field: from now on it is the user's.
    if (target && target.dataset && target.dataset.readingOf !== undefined) {
      var source = document.getElementById(target.dataset.readingOf);
      var filled = source ? stateOf(source).filled : "";
      if (target.value === filled) {
        return;
      }
      if (target.value) {
        target.dataset.readingTyped = "1";
      } else {
        delete target.dataset.readingTyped;
      }
    }
  });
})();
