// Group note page: show each attendee's fields for their attendance, and autosave the draft.
// The notes' autosave protocol (POST the form to data-autosave-url): the page's edit_version
// in; {saved, edit_version, saved_at} out; JSON {error, message} for every failure: 409 for a
// conflict or a signed note (autosave stops, the text stays here), 401 when signed out, 400
// for something to fix.
(function () {
  "use strict";
  var form = document.getElementById("group-note");
  if (!form) {
    return;
  }
  var url = form.getAttribute("data-autosave-url");
  var status = document.getElementById("autosave-status");
  var version = form.querySelector("input[name='edit_version']");
  var DELAY = 2000;
  var timer = null;
  var inFlight = null;
  var dirty = false;
  var stopped = false;
  var submitting = false;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  // Absent or excused: a reason, no individual part. Anyone who came: the individual part.
  function showForAttendance(fieldset) {
    var select = fieldset.querySelector("select[name$='-attendance']");
    if (!select) {
      return;
    }
    var value = select.value;
    var absent = value === "absent" || value === "excused";
    var attended = value === "present" || value === "late" || value === "left_early";
    fieldset.querySelectorAll("[data-when-absent]").forEach(function (element) {
      element.hidden = !absent;
    });
    fieldset.querySelectorAll("[data-when-attended]").forEach(function (element) {
      element.hidden = absent || (!attended && value !== "");
    });
  }

  form.querySelectorAll("[data-attendee]").forEach(function (fieldset) {
    showForAttendance(fieldset);
    fieldset.addEventListener("change", function (event) {
      if (event.target.matches("select[name$='-attendance']")) {
        showForAttendance(fieldset);
      }
    });
  });

  function save(keepalive) {
    if (stopped || !dirty) {
      return inFlight || Promise.resolve();
    }
    dirty = false;
    var data = new FormData(form);
    var request = fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-Requested-With": "fetch", Accept: "application/json" },
      keepalive: !!keepalive,
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.status === 401 || type.indexOf("application/json") === -1) {
          dirty = true;
          stopped = true;
          say("Not saved: you were signed out. Your text is still here; sign in again in another tab, then use Save draft.");
          return;
        }
        return response.json().then(function (body) {
          if (response.ok && body.saved) {
            version.value = body.edit_version;
            say("Draft saved at " + body.saved_at + ".");
          } else if (response.status === 409) {
            stopped = true;
            say(body.message + " Autosave has stopped.");
          } else {
            dirty = true;
            say(body.message || "Not saved. Your text is still here.");
          }
        });
      })
      .catch(function () {
        dirty = true;
        say("Offline: not saved yet. Your text is still here; it saves when the connection returns.");
      })
      .then(function () {
        if (inFlight === request) {
          inFlight = null;
        }
      });
    inFlight = request;
    return request;
  }

  function schedule() {
    dirty = true;
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(function () {
      timer = null;
      if (inFlight) {
        inFlight.then(function () {
          save(false);
        });
      } else {
        save(false);
      }
    }, DELAY);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);

  // A save button must not race an autosave: wait for it, so the page sends the newest version.
  form.addEventListener("submit", function (event) {
    if (submitting) {
      return;
    }
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    stopped = true;
    if (inFlight) {
      event.preventDefault();
      var submitter = event.submitter;
      inFlight.then(function () {
        submitting = true;
        form.requestSubmit(submitter);
      });
    }
  });

  // A closed or hidden tab sends what was typed.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty && !stopped && !inFlight) {
      save(true);
    }
  });
  window.addEventListener("online", function () {
    if (dirty && !stopped) {
      save(false);
    }
  });
})();
