// Concierge booking pages: small enhancements over pages that work without JavaScript.
// - show times in the visitor's own zone and clock (detected when the address names none, and
//   re-rendered in place: a first visit is one page load);
// - a search box over the zone list;
// - re-list the times as soon as the zone or the meeting length changes;
// - say which time is chosen; count down a hold; move focus to a message the page shows;
// - keep the chosen time for the visitor while they type (one hold, released when they leave);
// - on a phone, bring the form into view once a time is picked.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // On a first visit the address names neither zone nor clock: ask the browser for both. The
  // address that shows them, or null when the page already does.
  function preferredUrl(form) {
    var url = new URL(window.location.href);
    var changed = false;
    if (form.getAttribute("data-tz-detect") === "on") {
      var zone = null;
      try {
        zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      } catch (e) {
        zone = null;
      }
      var select = form.querySelector("select[name=tz]");
      var known =
        zone &&
        Array.prototype.some.call(select.options, function (o) {
          return o.value === zone;
        });
      if (known && select.value !== zone) {
        url.searchParams.set("tz", zone);
        changed = true;
      }
    }
    if (form.getAttribute("data-clock-detect") === "on") {
      var twelve = false;
      try {
        twelve = new Intl.DateTimeFormat(undefined, { hour: "numeric" }).resolvedOptions().hour12;
      } catch (e) {
        twelve = false;
      }
      var clock = twelve ? "12" : "24";
      if (form.querySelector("input[name=clock]").value !== clock) {
        url.searchParams.set("clock", clock);
        changed = true;
      }
    }
    return changed ? url.toString() : null;
  }

  // Re-render the page in the visitor's zone without loading it again: fetch the same page for
  // that zone and put its content in place (the address follows). If that fails, load it.
  function showIn(url, done) {
    var main = document.querySelector("main");
    main.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var content = fresh.querySelector("main");
        if (!content) throw new Error("no content");
        main.replaceWith(document.importNode(content, true));
        document.title = fresh.title;
        window.history.replaceState(null, "", url);
        done();
      })
      .catch(function () {
        window.location.replace(url);
      });
  }

  // A search box over the zone list: typing "tok" leaves Tokyo and its neighbours.
  function searchableZones(form) {
    var select = form.querySelector("select[name=tz]");
    if (!select) return;
    var field = document.createElement("div");
    field.className = "field";
    field.innerHTML =
      '<label for="tz-search">Find your time zone</label>' +
      '<input id="tz-search" type="search" autocomplete="off" placeholder="City or region">';
    select.parentNode.parentNode.insertBefore(field, select.parentNode);
    var input = field.querySelector("input");
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().trim();
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var hit = !words || option.text.toLowerCase().indexOf(words) >= 0;
        option.hidden = !hit;
        option.disabled = !hit && !option.selected;
        if (hit && !first) first = option;
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      if (words && first && first.value !== select.value) {
        select.value = first.value;
      }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        if (select.value) form.submit();
      }
    });
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

  // The time picked is held for the visitor, one request at a time: a quick run of arrow keys
  // ends with a hold of the last time alone, and the server releases each one it replaces.
  function holdChoice(form) {
    var holdUrl = form.getAttribute("data-hold-url");
    var releaseUrl = form.getAttribute("data-release-url");
    var problem = form.querySelector("[data-hold-problem]");
    var submit = form.querySelector("[data-book]");
    var csrf = form.querySelector("input[name=csrf]").value;
    var inFlight = false;
    var wanted = null; // the start the visitor has chosen
    var held = null; // the start the server holds for them
    var submitting = false;
    var bookWhenHeld = false;
    var timer = null;

    function fields(extra) {
      var body = new URLSearchParams();
      body.set("csrf", csrf);
      Object.keys(extra).forEach(function (k) {
        body.set(k, extra[k]);
      });
      return body;
    }

    function showProblem(radio, text) {
      problem.textContent = text;
      problem.hidden = false;
      if (radio) {
        radio.checked = false;
        radio.disabled = true;
      }
    }

    function send() {
      if (inFlight || wanted === null || wanted === held) return;
      var start = wanted;
      var radio = form.querySelector("input[name=start][value='" + start + "']");
      inFlight = true;
      fetch(holdUrl, {
        method: "POST",
        credentials: "same-origin",
        body: fields({
          start: start,
          duration: form.querySelector("input[name=duration]").value,
          tz: form.querySelector("input[name=tz]").value,
        }),
      })
        .then(function (response) {
          if (response.ok) {
            held = start;
            problem.hidden = true;
            return null;
          }
          return response.json().then(function (body) {
            if (wanted === start) wanted = null;
            showProblem(radio, body.title + ". " + (body.message || body.detail || ""));
          });
        })
        .catch(function () {
          // Offline for a moment: Book still books if the time is free.
        })
        .then(function () {
          inFlight = false;
          if (bookWhenHeld) {
            // Book was pressed while the hold was on its way: send the form now that the
            // cookie names the hold, so the booking confirms it instead of racing it.
            bookWhenHeld = false;
            form.submit();
            return;
          }
          // Only a choice made meanwhile is sent: a failed request is never retried in a loop.
          if (wanted !== start) send();
        });
    }

    form.addEventListener("change", function (event) {
      if (event.target.name !== "start") return;
      wanted = event.target.value;
      window.clearTimeout(timer);
      timer = window.setTimeout(send, 250);
    });

    // Enter on a time chooses it and moves on to the details, instead of sending a half form.
    form.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.target.name !== "start") return;
      event.preventDefault();
      event.target.checked = true;
      event.target.dispatchEvent(new Event("change", { bubbles: true }));
      var name = form.querySelector("#name");
      if (name) name.focus();
    });

    form.addEventListener("submit", function (event) {
      if (submitting) {
        event.preventDefault(); // a second press while the first is on its way
        return;
      }
      submitting = true;
      submit.setAttribute("aria-disabled", "true");
      if (inFlight) {
        event.preventDefault();
        bookWhenHeld = true;
      }
    });

    // Leaving without booking gives the time back at once (not only when the hold lapses).
    window.addEventListener("pagehide", function () {
      if (submitting || held === null || !navigator.sendBeacon) return;
      navigator.sendBeacon(releaseUrl, fields({}));
      held = null;
    });

    // Back to this page from the browser's cache: hold the chosen time again.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) return;
      submitting = false;
      submit.removeAttribute("aria-disabled");
      var checked = form.querySelector("input[name=start]:checked");
      held = null;
      wanted = checked ? checked.value : null;
      send();
    });

    var initial = form.querySelector("input[name=start]:checked");
    if (initial) {
      wanted = initial.value;
      send();
    }
  }

  // On a phone the details are screens below the times: bring them into view once one is picked.
  function revealDetails(form) {
    var details = form.querySelector("#details");
    if (!details) return;
    form.addEventListener("click", function (event) {
      if (event.target.name !== "start") return;
      var box = details.getBoundingClientRect();
      if (box.top > window.innerHeight * 0.6) {
        var reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        details.scrollIntoView({ block: "start", behavior: reduce ? "auto" : "smooth" });
      }
    });
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

  function enhance() {
    var options = document.querySelector("form[data-auto-submit]");
    if (options) {
      autoSubmit(options);
      searchableZones(options);
    }
    var hold = document.querySelector(".hold-form");
    if (hold) {
      announceChoice(hold);
      holdChoice(hold);
      revealDetails(hold);
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-countdown]"), countdown);
    var message = document.querySelector("[data-focus-on-load]");
    if (message) message.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var options = document.querySelector("form[data-auto-submit]");
    var wanted = options && preferredUrl(options);
    if (wanted) showIn(wanted, enhance);
    else enhance();
  });
})();
