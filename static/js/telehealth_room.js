/*
 * OpenIOP video room client (janus.js 1.1 + webrtc-adapter, VideoRoom plugin).
 *
 * Reads its ticket from <script type="application/json" id="janus-ticket"> (a data block, not
 * code, so the page keeps a strict CSP): {server, iceServers, coreToken, roomToken, room, pin,
 * feedId, feeds, feedsUrl, simulcast, audioOnly, refreshUrl, csrfToken}. Publishes the camera and
 * microphone, subscribes to every other publisher with its own handle, and exposes
 * `window.openiopVideo` so the page's controls and the browser tests can read state and statistics.
 *
 * Names: the page joins with the publisher id the server assigned (`feedId`) and sends Janus no
 * display name. Each tile is labelled with the name the server gives for that id (`feeds`, asked
 * again from `feedsUrl` when an unknown id appears; the server then removes publishers it did not
 * assign), never with the `display` another browser sent to Janus.
 *
 * When the connection to Janus is lost (network drop, Janus restart) it fetches a fresh ticket
 * from `refreshUrl` (the server re-creates the room if Janus lost it) and joins again, with a
 * growing delay between attempts. A participant removed by the facilitator is not reconnected.
 */
(function () {
  "use strict";

  var PLUGIN = "janus.plugin.videoroom";
  var ticketEl = document.getElementById("janus-ticket");
  if (!ticketEl || typeof Janus === "undefined") {
    return;
  }
  var ticket = JSON.parse(ticketEl.textContent);
  var grid = document.getElementById("remote-grid");
  var localVideo = document.getElementById("local-video");
  var statusEl = document.getElementById("video-status");

  var janus = null;
  var publisher = null;
  var privateId = null;
  var feeds = {}; // feed id -> {handle, tile, caption, videoMid}
  var UNKNOWN = "Unknown participant";
  var names = ticket.feeds || {}; // feed id -> name, from the server
  var asking = false;
  var askedAgain = 0;

  var api = {
    status: "starting",
    errors: [],
    log: [],
    audioOnly: !!ticket.audioOnly,
    timing: { start: performance.now(), joined: null, firstRemoteFrame: null },
    publisherId: null,
    feeds: feeds,
    reconnects: 0,
  };
  var RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 5000];
  var retry = 0;
  var stopped = false;
  window.openiopVideo = api;

  function setStatus(status, text) {
    api.status = status;
    if (statusEl) {
      statusEl.textContent = text || status;
      statusEl.dataset.status = status;
    }
    document.dispatchEvent(new CustomEvent("openiop:video-status", { detail: status }));
  }

  function fail(where, err) {
    var message = where + ": " + (err && err.message ? err.message : JSON.stringify(err));
    api.errors.push(message);
    setStatus("error", "Video problem: " + where);
  }

  function joinRequest(ptype, extra) {
    var body = {
      request: "join",
      ptype: ptype,
      room: ticket.room,
      pin: ticket.pin,
      token: ticket.roomToken,
    };
    Object.keys(extra).forEach(function (key) {
      body[key] = extra[key];
    });
    return body;
  }

  function hasName(id) {
    return Object.prototype.hasOwnProperty.call(names, id);
  }

  function nameOf(id) {
    return hasName(id) ? names[id] : UNKNOWN;
  }

  function unnamed() {
    return Object.keys(feeds).some(function (id) {
      return !hasName(id);
    });
  }

  function relabel() {
    Object.keys(feeds).forEach(function (id) {
      if (feeds[id].caption) {
        feeds[id].caption.textContent = nameOf(id);
      }
    });
  }

  /* Ask the server who is who (it removes publishers it did not assign before answering). */
  function askNames() {
    if (asking || !ticket.feedsUrl) {
      return;
    }
    asking = true;
    var headers = { Accept: "application/json" };
    if (ticket.csrfToken) {
      headers["X-CSRFToken"] = ticket.csrfToken;
    }
    fetch(ticket.feedsUrl, { method: "POST", headers: headers, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (body && body.feeds) {
          names = body.feeds;
          relabel();
        }
      })
      .catch(function () {})
      .then(function () {
        asking = false;
        // Still someone unnamed: about to be removed, or joined just now. Look again shortly,
        // then less often: on a loaded server the check behind the answer may be slow or
        // spaced out by another page's, and an "Unknown" tile must not stay up for good.
        if (unnamed() && askedAgain < 6) {
          askedAgain += 1;
          setTimeout(askNames, Math.min(2500 * askedAgain, 10000));
        } else {
          askedAgain = 0;
        }
      });
  }

  function start() {
    names = ticket.feeds || names;
    setStatus(api.reconnects ? "reconnecting" : "connecting", "Connecting…");
    janus = new Janus({
      server: ticket.server,
      token: ticket.coreToken,
      // Always explicit: an empty list offline, STUN/TURN from settings in production.
      iceServers: ticket.iceServers,
      success: attachPublisher,
      error: lost,
    });
  }

  function teardown() {
    Object.keys(feeds).forEach(function (id) {
      removeFeed(id, true);
    });
    if (janus) {
      // Local cleanup only: the server side is gone or going.
      janus.destroy({ cleanupHandles: true, notifyDestroyed: false });
    }
    janus = null;
    publisher = null;
    privateId = null;
  }

  function lost(err) {
    if (stopped) {
      return;
    }
    // Expected while Janus or the network is down: a log entry, not an error.
    api.log.push("lost: " + (err && err.message ? err.message : String(err)));
    teardown();
    setStatus("reconnecting", "Connection lost. Reconnecting…");
    document.dispatchEvent(new CustomEvent("openiop:video-lost"));
    if (!ticket.refreshUrl) {
      return;
    }
    var delay = RETRY_DELAYS_MS[Math.min(retry, RETRY_DELAYS_MS.length - 1)];
    retry += 1;
    setTimeout(refreshAndRejoin, delay);
  }

  function refreshAndRejoin() {
    var headers = { Accept: "application/json" };
    if (ticket.csrfToken) {
      headers["X-CSRFToken"] = ticket.csrfToken;
    }
    fetch(ticket.refreshUrl, { method: "POST", headers: headers, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 403 || response.status === 404) {
          stopped = true;
          setStatus("ended", "You can no longer join this session.");
          return null;
        }
        if (!response.ok) {
          throw new Error("ticket refresh failed: " + response.status);
        }
        return response.json();
      })
      .then(function (fresh) {
        if (!fresh) {
          return;
        }
        Object.keys(fresh).forEach(function (key) {
          ticket[key] = fresh[key];
        });
        api.reconnects += 1;
        start();
      })
      .catch(lost);
  }

  function attachPublisher() {
    janus.attach({
      plugin: PLUGIN,
      success: function (handle) {
        publisher = handle;
        // The server's id and no display name: names come from OpenIOP, never from Janus.
        var own = ticket.feedId ? { id: ticket.feedId } : {};
        publisher.send({ message: joinRequest("publisher", own) });
      },
      error: function (err) {
        fail("attach", err);
      },
      onmessage: onPublisherMessage,
      onlocaltrack: function (track, on) {
        if (!localVideo || track.kind !== "video") {
          return;
        }
        localVideo.srcObject = on ? new MediaStream([track]) : null;
      },
      onremotetrack: function () {},
    });
  }

  function onPublisherMessage(msg, jsep) {
    var event = msg.videoroom;
    if (msg.error) {
      fail("room", { message: msg.error_code + " " + msg.error });
      return;
    }
    if (event === "joined") {
      retry = 0;
      api.publisherId = msg.id;
      api.timing.joined = performance.now();
      privateId = msg.private_id;
      setStatus("joined", "Connected");
      publish();
      (msg.publishers || []).forEach(subscribe);
    } else if (event === "event") {
      if (msg.moderation) {
        onModeration(msg);
      }
      (msg.publishers || []).forEach(subscribe);
      // Someone else removed by the facilitator or the server arrives as "kicked": <id>.
      var gone = msg.unpublished || msg.leaving || msg.kicked;
      if (gone === "ok" && msg.reason === "kicked") {
        stopped = true;
        teardown();
        setStatus("removed", "The facilitator has removed you from the session.");
        return;
      }
      if (gone && gone !== "ok") {
        removeFeed(gone);
      }
    } else if (event === "talking" || event === "stopped-talking") {
      var speaker = feeds[msg.id];
      if (speaker && speaker.tile) {
        speaker.tile.classList.toggle("speaking", event === "talking");
      }
    } else if (event === "destroyed") {
      stopped = true;
      teardown();
      setStatus("ended", "The session has ended.");
      return;
    }
    if (jsep) {
      publisher.handleRemoteJsep({ jsep: jsep });
    }
  }

  /* A facilitator muted (or unmuted) someone's stream for everyone. */
  function onModeration(msg) {
    var muted = msg.moderation === "muted";
    if (msg.id === api.publisherId) {
      api.mutedBy = muted ? "facilitator" : null;
      document.dispatchEvent(new CustomEvent("openiop:moderated", { detail: msg.moderation }));
    } else if (feeds[msg.id] && feeds[msg.id].tile) {
      feeds[msg.id].tile.classList.toggle("muted", muted);
    }
  }

  function publish() {
    publisher.createOffer({
      tracks: [
        { type: "audio", capture: true, recv: false },
        {
          type: "video",
          capture: {
            width: { ideal: (ticket.capture && ticket.capture.width) || 640 },
            height: { ideal: (ticket.capture && ticket.capture.height) || 480 },
          },
          recv: false,
          simulcast: !!ticket.simulcast,
        },
      ],
      success: function (offer) {
        publisher.send({
          message: { request: "configure", audio: true, video: true },
          jsep: offer,
        });
      },
      error: function (err) {
        fail("publish", err);
      },
    });
  }

  function makeTile(feed) {
    var tile = document.createElement("figure");
    tile.className = "video-tile";
    tile.dataset.feed = feed.id;
    var video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    video.muted = true; // audio plays through its own element
    var audio = document.createElement("audio");
    audio.autoplay = true;
    var caption = document.createElement("figcaption");
    caption.textContent = nameOf(feed.id);
    tile.appendChild(video);
    tile.appendChild(audio);
    tile.appendChild(caption);
    if (grid) {
      grid.appendChild(tile);
    }
    return { tile: tile, caption: caption, video: video, audio: audio };
  }

  function watchFirstFrame(video) {
    var record = function () {
      if (api.timing.firstRemoteFrame === null) {
        api.timing.firstRemoteFrame = performance.now();
      }
    };
    if (video.requestVideoFrameCallback) {
      video.requestVideoFrameCallback(record);
    } else {
      video.addEventListener("loadeddata", record, { once: true });
    }
  }

  function subscribe(pub) {
    if (feeds[pub.id] || pub.id === api.publisherId) {
      return;
    }
    var feed = {
      id: pub.id,
      handle: null,
      videoMid: null,
      layer: 2,
      bad: 0,
      good: 0,
      last: null,
    };
    feeds[pub.id] = feed;
    var els = makeTile(pub);
    feed.tile = els.tile;
    feed.caption = els.caption;
    if (!hasName(pub.id)) {
      askNames();
    }
    janus.attach({
      plugin: PLUGIN,
      success: function (handle) {
        feed.handle = handle;
        handle.send({
          message: joinRequest("subscriber", {
            private_id: privateId,
            streams: [{ feed: pub.id }],
          }),
        });
      },
      error: function (err) {
        fail("subscribe", err);
      },
      onmessage: function (msg, jsep) {
        if (msg.error) {
          fail("subscriber", { message: msg.error_code + " " + msg.error });
          return;
        }
        (msg.streams || []).forEach(function (s) {
          if (s.type === "video") {
            feed.videoMid = s.mid;
          }
        });
        if (jsep) {
          feed.handle.createAnswer({
            jsep: jsep,
            tracks: [],
            success: function (answer) {
              feed.handle.send({ message: { request: "start" }, jsep: answer });
              if (api.audioOnly) {
                applyAudioOnly(feed);
              }
            },
            error: function (err) {
              fail("answer", err);
            },
          });
        }
      },
      slowLink: function () {
        // Janus saw losses towards us: count it as a bad sample now.
        feed.bad += 1;
      },
      onremotetrack: function (track, mid, on) {
        if (!on) {
          return;
        }
        if (track.kind === "video") {
          els.video.srcObject = new MediaStream([track]);
          watchFirstFrame(els.video);
        } else if (track.kind === "audio") {
          els.audio.srcObject = new MediaStream([track]);
        }
      },
    });
  }

  function removeFeed(id, localOnly) {
    var feed = feeds[id];
    if (!feed) {
      return;
    }
    delete feeds[id];
    if (feed.tile) {
      feed.tile.remove();
    }
    if (feed.handle && !localOnly) {
      feed.handle.detach();
    }
  }

  function applyAudioOnly(feed) {
    if (!feed.handle || !feed.videoMid) {
      return;
    }
    // Janus stops forwarding this video stream to us; audio keeps flowing.
    feed.handle.send({
      message: {
        request: "configure",
        streams: [{ mid: feed.videoMid, send: !api.audioOnly }],
      },
    });
  }

  api.setAudioOnly = function (on) {
    api.audioOnly = !!on;
    Object.keys(feeds).forEach(function (id) {
      applyAudioOnly(feeds[id]);
    });
    document.dispatchEvent(new CustomEvent("openiop:audio-only", { detail: api.audioOnly }));
  };

  /* Pin every subscription to one simulcast layer (0 lowest); the quality loop moves from there. */
  api.setLayer = function (layer) {
    Object.keys(feeds).forEach(function (id) {
      var feed = feeds[id];
      if (!feed.handle || !feed.videoMid) {
        return;
      }
      feed.layer = layer;
      feed.bad = 0;
      feed.good = 0;
      feed.handle.send({
        message: { request: "configure", streams: [{ mid: feed.videoMid, substream: layer }] },
      });
    });
  };

  api.setMuted = function (muted) {
    if (!publisher) {
      return;
    }
    if (muted) {
      publisher.muteAudio();
    } else {
      publisher.unmuteAudio();
    }
  };

  /* Leave this Janus room and join the one a fresh ticket names (group <-> breakout). */
  api.switchRoom = function () {
    if (stopped || api.status === "moving") {
      return;
    }
    teardown();
    setStatus("moving", "Moving you…");
    refreshAndRejoin();
  };

  api.leave = function () {
    stopped = true;
    if (janus) {
      janus.destroy({ cleanupHandles: true });
    }
    setStatus("left", "You have left the session.");
  };

  /* Totals over every subscription: what this page receives and decodes. */
  api.stats = async function () {
    var total = {
      videoBytes: 0,
      audioBytes: 0,
      framesDecoded: 0,
      videoStreams: 0,
      audioStreams: 0,
      feeds: Object.keys(feeds).length,
    };
    var ids = Object.keys(feeds);
    for (var i = 0; i < ids.length; i++) {
      var handle = feeds[ids[i]].handle;
      var pc = handle && handle.webrtcStuff && handle.webrtcStuff.pc;
      if (!pc) {
        continue;
      }
      var report = await pc.getStats();
      report.forEach(function (s) {
        if (s.type !== "inbound-rtp") {
          return;
        }
        if (s.kind === "video") {
          total.videoBytes += s.bytesReceived || 0;
          total.frameWidth = Math.max(total.frameWidth || 0, s.frameWidth || 0);
          total.framesDecoded += s.framesDecoded || 0;
          if ((s.framesDecoded || 0) > 0) {
            total.videoStreams += 1;
          }
        } else if (s.kind === "audio") {
          total.audioBytes += s.bytesReceived || 0;
          if ((s.bytesReceived || 0) > 0) {
            total.audioStreams += 1;
          }
        }
      });
    }
    return total;
  };

  /*
   * Subscriber-side quality control (Janus does not choose layers for us, VIDEO.md): every 2 s
   * read loss on each incoming video stream; step one simulcast layer down after 3 bad samples
   * in a row, one up after 5 good ones (hysteresis against flapping), and offer audio-only when
   * the lowest layer still suffers.
   */
  var QUALITY_NAMES = ["poor", "fair", "good"];
  var DOWN_AFTER = 3;
  var UP_AFTER = 5;
  var poorStreak = 0;

  async function sampleFeed(feed) {
    var pc = feed.handle && feed.handle.webrtcStuff && feed.handle.webrtcStuff.pc;
    if (!pc || api.audioOnly) {
      return 2;
    }
    var report = await pc.getStats();
    var now = null;
    report.forEach(function (s) {
      if (s.type === "inbound-rtp" && s.kind === "video") {
        now = { lost: s.packetsLost || 0, received: s.packetsReceived || 0 };
      }
    });
    if (!now) {
      return feed.layer;
    }
    var prev = feed.last;
    feed.last = now;
    if (!prev) {
      return feed.layer;
    }
    var lost = now.lost - prev.lost;
    var total = lost + (now.received - prev.received);
    var loss = total > 0 ? lost / total : 0;
    if (loss > 0.05) {
      feed.bad += 1;
      feed.good = 0;
    } else {
      feed.good += 1;
      feed.bad = 0;
    }
    var wanted = feed.layer;
    if (feed.bad >= DOWN_AFTER && feed.layer > 0) {
      wanted = feed.layer - 1;
    } else if (feed.good >= UP_AFTER && feed.layer < 2) {
      wanted = feed.layer + 1;
    }
    if (wanted !== feed.layer && ticket.simulcast && feed.videoMid) {
      feed.layer = wanted;
      feed.bad = 0;
      feed.good = 0;
      feed.handle.send({
        message: { request: "configure", streams: [{ mid: feed.videoMid, substream: wanted }] },
      });
    }
    return feed.bad >= DOWN_AFTER && feed.layer === 0 ? 0 : feed.layer;
  }

  async function qualityLoop() {
    var ids = Object.keys(feeds);
    var worst = 2;
    for (var i = 0; i < ids.length; i++) {
      worst = Math.min(worst, await sampleFeed(feeds[ids[i]]));
    }
    poorStreak = worst === 0 ? poorStreak + 1 : 0;
    api.quality = QUALITY_NAMES[worst];
    document.dispatchEvent(new CustomEvent("openiop:quality", { detail: api.quality }));
    if (poorStreak === 10 && !api.audioOnly) {
      api.autoAudioOnly = true;
      api.setAudioOnly(true);
    }
  }
  setInterval(function () {
    if (api.status === "joined") {
      qualityLoop().catch(function () {});
    }
  }, 2000);

  Janus.init({
    debug: false,
    dependencies: Janus.useDefaultDependencies(),
    callback: start,
  });
})();
