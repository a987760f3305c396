// Concierge booking pages: small enhancements over pages that work without JavaScript.
// - show times in the visitor's own zone (detected once, when the address names none);
// - re-list the times as soon as the zone or the meeting length changes;
// - say which time is chosen; count down a hold; move focus to a message the page shows.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function detectZone(form) {
    if (form.getAttribute("data-tz-detect") !== "on") return;
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    var select = form.querySelector("select[name=tz]");
    if (!zone || !select || select.value === zone) return;
    var known = Array.prototype.some.call(select.options, function (o) {
      return o.value === zone;
    });
    if (!known) return;
    var url = new URL(window.location.href);
    url.searchParams.set("tz", zone);
    window.location.replace(url.toString());
  }

  function autoSubmit(form) {
    Array.prototype.forEach.call(form.querySelectorAll("select"), function (select) {
      select.addEventListener("change", function () {
        form.submit();
      });
    });
  }

  function announceChoice(form) {
    var out = form.querySelector("[data-chosen]");
    if (!out) return;
    function show() {
      var checked = form.querySelector("input[name=start]:checked");
      out.textContent = checked ? "Chosen: " + checked.getAttribute("data-summary") : "";
    }
    form.addEventListener("change", show);
    show();
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function countdown(el) {
    // Seconds left as the server counted them: immune to a wrong clock on this device.
    var deadline = Date.now() + 1000 * parseInt(el.getAttribute("data-remaining"), 10);
    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      el.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
      if (left === 0) {
        window.clearInterval(timer);
        // The server decides whether the hold has lapsed; show what it says.
        window.setTimeout(function () {
          window.location.reload();
        }, 1500);
      }
    }
    var timer = window.setInterval(tick, 1000);
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var options = document.querySelector("form[data-auto-submit]");
    if (options) {
      detectZone(options);
      autoSubmit(options);
    }
    var hold = document.querySelector(".hold-form");
    if (hold) announceChoice(hold);
    Array.prototype.forEach.call(document.querySelectorAll("[data-countdown]"), countdown);
    var message = document.querySelector("[data-focus-on-load]");
    if (message) message.focus();
  });
})();
