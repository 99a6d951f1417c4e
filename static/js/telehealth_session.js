/*
 * The in-session page around the room client: call controls, presence reports for attendance
 * (joined / heartbeat every 30 s / lost / left; participants and guests), and the
 * connection-quality indicator.
 * Loaded before telehealth_room.js, so it sets the audio-only choice from the pre-join page.
 * Its words come from #video-words (the reader's language), English as the fallback.
 */
(function () {
  "use strict";
  var config = document.getElementById("session-config");
  var ticketEl = document.getElementById("janus-ticket");
  if (!config || !ticketEl) {
    return;
  }
  var ticket = JSON.parse(ticketEl.textContent);
  var wordsEl = document.getElementById("video-words");
  var words = wordsEl ? wordsEl.dataset : {};
  function word(key, english) {
    return words[key] || english;
  }
  var isParticipant = config.dataset.seat === "participant";
  // Guests (an interpreter, a family member) report joining and leaving too: it is audited.
  var reportsPresence = isParticipant || config.dataset.seat === "guest";
  var HEARTBEAT_MS = 30000;
  var heartbeat = null;

  if (sessionStorage.getItem("openiop-audio-only") === "1") {
    ticket.audioOnly = true;
    ticketEl.textContent = JSON.stringify(ticket);
  }

  function report(kind) {
    if (!reportsPresence) {
      return Promise.resolve();
    }
    var body = new FormData();
    body.append("kind", kind);
    body.append("csrfmiddlewaretoken", ticket.csrfToken);
    if (kind === "left" && navigator.sendBeacon) {
      navigator.sendBeacon(config.dataset.presenceUrl, body);
      return Promise.resolve();
    }
    return fetch(config.dataset.presenceUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": ticket.csrfToken },
    }).then(function (r) {
      if (r.status === 403 || r.status === 404) {
        // Removed from the session or the group: stop here.
        if (window.openiopVideo) {
          window.openiopVideo.leave();
        }
      }
    });
  }

  document.addEventListener("openiop:video-status", function (e) {
    if (e.detail === "joined") {
      report("joined");
      clearInterval(heartbeat);
      heartbeat = setInterval(function () {
        report("heartbeat");
      }, HEARTBEAT_MS);
    } else if (e.detail === "reconnecting" || e.detail === "error") {
      if (heartbeat) {
        clearInterval(heartbeat);
        heartbeat = null;
        report("lost");
      }
    } else if (e.detail === "removed" || e.detail === "ended") {
      clearInterval(heartbeat);
      heartbeat = null;
    }
  });

  window.addEventListener("pagehide", function () {
    if (heartbeat) {
      report("left");
    }
  });

  var mute = document.getElementById("mute-button");
  mute.addEventListener("click", function () {
    var muted = mute.getAttribute("aria-pressed") !== "true";
    window.openiopVideo.setMuted(muted);
    mute.setAttribute("aria-pressed", String(muted));
    mute.textContent = muted ? word("unmute", "Unmute") : word("mute", "Mute");
  });

  var audioOnly = document.getElementById("audio-only-button");
  function showAudioOnly(on) {
    audioOnly.setAttribute("aria-pressed", String(on));
    audioOnly.textContent = on ? word("videoOn", "Turn video back on") : word("audioOnly", "Audio only");
    document.body.classList.toggle("audio-only", on);
  }
  audioOnly.addEventListener("click", function () {
    var on = audioOnly.getAttribute("aria-pressed") !== "true";
    window.openiopVideo.setAudioOnly(on);
    sessionStorage.setItem("openiop-audio-only", on ? "1" : "0");
  });
  document.addEventListener("openiop:audio-only", function (e) {
    showAudioOnly(e.detail);
  });
  showAudioOnly(!!ticket.audioOnly);

  document.getElementById("leave-button").addEventListener("click", function () {
    clearInterval(heartbeat);
    heartbeat = null;
    report("left").then(function () {
      window.openiopVideo.leave();
      window.location.assign(config.dataset.leaveUrl);
    });
  });

  document.addEventListener("openiop:moderated", function (e) {
    var status = document.getElementById("video-status");
    status.textContent =
      e.detail === "muted"
        ? word("mutedByFacilitator", "The facilitator has muted your microphone for now.")
        : word("unmutedByFacilitator", "The facilitator has turned your microphone back on.");
  });

  // Participants: follow the facilitators' moves between the group and the breakout room.
  if (isParticipant && config.dataset.statusUrl) {
    var inBreakout = config.dataset.breakout === "1";
    setInterval(function () {
      fetch(config.dataset.statusUrl, { headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (r) {
          return r.ok ? r.json() : null;
        })
        .then(function (body) {
          if (!body || body.breakout === inBreakout || !window.openiopVideo) {
            return;
          }
          inBreakout = body.breakout;
          document.querySelector(".room-title").textContent = inBreakout
            ? word("breakoutTitle", "Private breakout with a facilitator")
            : word("backWithGroup", "Back with the group");
          window.openiopVideo.switchRoom();
        })
        .catch(function () {});
    }, 3000);
  }

  var help = document.getElementById("help-button");
  if (help) {
    help.addEventListener("click", function () {
      var status = document.getElementById("help-status");
      var body = new FormData();
      body.append("csrfmiddlewaretoken", ticket.csrfToken);
      fetch(config.dataset.helpUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": ticket.csrfToken },
      })
        .then(function (r) {
          status.textContent = r.ok
            ? word("helpSent", "Your facilitator has been told privately. Stay here; they will reach out to you.")
            : word("helpFailed", "We could not send that. If you are in danger, call 911 or 988.");
        })
        .catch(function () {
          status.textContent = word("helpFailed", "We could not send that. If you are in danger, call 911 or 988.");
        });
    });
  }

  var quality = document.getElementById("quality");
  document.addEventListener("openiop:quality", function (e) {
    quality.dataset.quality = e.detail;
    // One whole sentence per level ("qualityGood"), so each language words it its own way.
    var key = "quality" + e.detail.charAt(0).toUpperCase() + e.detail.slice(1);
    quality.textContent = word(key, "Connection: " + e.detail);
  });
})();
