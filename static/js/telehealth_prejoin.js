/* Pre-join check: camera preview, microphone level, a rough connection test, video service.
 * Its words come from the section's `data-` attributes (the reader's language), English as the
 * fallback. */
(function () {
  "use strict";
  var section = document.querySelector(".prejoin-check");
  if (!section) {
    return;
  }
  var AUDIO_ONLY_KEY = "openiop-audio-only";
  var word = function (key, english) {
    return section.dataset[key] || english;
  };
  var choice = document.getElementById("audio-only-choice");
  var say = function (id, text, state) {
    var el = document.getElementById(id);
    el.textContent = text;
    if (state) {
      el.dataset.state = state;
    }
  };

  choice.checked = sessionStorage.getItem(AUDIO_ONLY_KEY) === "1";
  choice.addEventListener("change", function () {
    sessionStorage.setItem(AUDIO_ONLY_KEY, choice.checked ? "1" : "0");
  });

  function checkDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("camera-result", word("noCamera", "This browser cannot use a camera here. Try an up-to-date Chrome, Edge, Firefox or Safari."), "bad");
      return;
    }
    navigator.mediaDevices
      .getUserMedia({ audio: true, video: { width: 640, height: 480 } })
      .then(function (stream) {
        document.getElementById("preview").srcObject = stream;
        say("camera-result", word("cameraWorks", "Your camera works."), "ok");
        watchMicrophone(stream);
        // Free the devices when leaving for the room page, which opens them again.
        window.addEventListener("pagehide", function () {
          stream.getTracks().forEach(function (t) {
            t.stop();
          });
        });
      })
      .catch(function (err) {
        var text = word("cameraFailed", "We could not use your camera or microphone ({error}). Check your browser's permissions.");
        say("camera-result", text.replace("{error}", err.name), "bad");
      });
  }

  function watchMicrophone(stream) {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) {
      return;
    }
    var ctx = new Ctx();
    var analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    ctx.createMediaStreamSource(stream).connect(analyser);
    var data = new Uint8Array(analyser.fftSize);
    var meter = document.getElementById("mic-level");
    var heard = false;
    setInterval(function () {
      analyser.getByteTimeDomainData(data);
      var peak = 0;
      for (var i = 0; i < data.length; i++) {
        peak = Math.max(peak, Math.abs(data[i] - 128) / 128);
      }
      meter.value = peak;
      if (!heard && peak > 0.05) {
        heard = true;
        say("mic-result", word("micHeard", "We can hear your microphone."), "ok");
      }
    }, 200);
  }

  /* The bytes that crossed the network for `url`: the file comes compressed (gzip or brotli),
   * so its decoded length would overstate the speed several times over. */
  function wireBytes(url, decoded) {
    var entries = performance.getEntriesByName ? performance.getEntriesByName(url) : [];
    var entry = entries[entries.length - 1];
    return entry && entry.encodedBodySize > 0 ? entry.encodedBodySize : decoded;
  }

  /* Download a known file and time it: enough to tell a weak link from a good one. */
  function checkNetwork() {
    var url = new URL(section.dataset.probeUrl + "?probe=" + Date.now(), location.href).href;
    var started = performance.now();
    fetch(url, { cache: "no-store" })
      .then(function (r) {
        return r.arrayBuffer();
      })
      .then(function (buf) {
        var seconds = Math.max((performance.now() - started) / 1000, 0.001);
        var kbps = (wireBytes(url, buf.byteLength) * 8) / seconds / 1000;
        if (kbps < 600) {
          choice.checked = true;
          sessionStorage.setItem(AUDIO_ONLY_KEY, "1");
          say("network-result", word("networkWeak", "Your connection looks weak. We recommend joining with audio only."), "weak");
        } else {
          say("network-result", word("networkGood", "Your connection looks good for video."), "ok");
        }
        section.dataset.kbps = String(Math.round(kbps));
      })
      .catch(function () {
        say("network-result", word("networkFailed", "We could not test your connection."), "bad");
      });
  }

  function checkService() {
    fetch(section.dataset.healthUrl, { headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json();
      })
      .then(function (body) {
        say(
          "video-service",
          body.available
            ? word("serviceReady", "The video service is ready.")
            : word("serviceDown", "The video service is not available right now."),
          body.available ? "ok" : "bad"
        );
      })
      .catch(function () {
        say("video-service", word("serviceUnreachable", "We could not reach the video service."), "bad");
      });
  }

  checkDevices();
  checkNetwork();
  checkService();
})();
