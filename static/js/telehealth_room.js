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
 *
 * The words it shows come from the page (`data-` attributes of #video-words, in the reader's
 * language), with the English text as the fallback.
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
  var wordsEl = document.getElementById("video-words");
  var words = wordsEl ? wordsEl.dataset : {};

  function word(key, english) {
    return words[key] || english;
  }

  var janus = null;
  var publisher = null;
  var privateId = null;
  var feeds = {}; // feed id -> {handle, tile, caption, videoMid}
  var UNKNOWN = word("unknown", "Unknown participant");
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
    if (stopped) {
      // Removed or ended while a step was under way (a publish whose connection the teardown
      // just closed): that step's failure is not a problem to show over "removed".
      api.log.push("after the end, " + message);
      return;
    }
    api.errors.push(message);
    setStatus("error", word("problem", "Video problem:") + " " + where);
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
    setStatus(api.reconnects ? "reconnecting" : "connecting", word("connecting", "Connecting…"));
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
    setStatus("reconnecting", word("lost", "Connection lost. Reconnecting…"));
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
          setStatus("ended", word("noLonger", "You can no longer join this session."));
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
      iceState: function (state) {
        api.publisherIce = state;
        // No path to Janus for our own media (ICE gives up after ~30 s without answers):
        // start again with a fresh ticket, as after a dropped connection.
        if (state === "failed" && api.status === "joined") {
          lost(new Error("media connection failed"));
        }
      },
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
      setStatus("joined", word("connected", "Connected"));
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
        setStatus("removed", word("removed", "The facilitator has removed you from the session."));
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
      setStatus("ended", word("ended", "The session has ended."));
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
      layer: 2, // the simulcast layer asked for
      temporal: TOP_TEMPORAL, // the frame rate layer asked for (0: a quarter of the frames)
      substream: null, // the layer Janus says it now sends (it switches on a keyframe)
      temporalNow: null, // the frame rate layer Janus says it now sends
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
        if (typeof msg.substream === "number") {
          feed.substream = msg.substream;
        }
        if (typeof msg.temporal === "number") {
          feed.temporalNow = msg.temporal;
        }
        if (jsep) {
          feed.handle.createAnswer({
            jsep: jsep,
            tracks: [],
            success: function (answer) {
              feed.handle.send({ message: { request: "start" }, jsep: answer });
              if (api.audioOnly) {
                sendVideo(feed, false);
              }
            },
            error: function (err) {
              fail("answer", err);
            },
          });
        }
      },
      iceState: function (state) {
        // This subscription lost its path to Janus for good: join again (the proven path;
        // a weak link that still carries audio keeps ICE alive and never gets here).
        if (state === "failed" && feeds[pub.id] === feed && api.status === "joined") {
          lost(new Error("media connection failed"));
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

  /* Ask Janus to forward this subscription's video (at `layer` and `temporal`, if given) or to
   * stop it. */
  function sendVideo(feed, on, layer, temporal) {
    if (!feed.handle || !feed.videoMid) {
      return;
    }
    var stream = { mid: feed.videoMid, send: on };
    if (on && typeof layer === "number") {
      stream.substream = layer;
      feed.layer = layer;
    }
    if (on && typeof temporal === "number") {
      stream.temporal = temporal;
      feed.temporal = temporal;
    }
    feed.bad = 0;
    feed.good = 0;
    feed.last = null; // the next sample starts a fresh window
    // Off: Janus stops forwarding this video stream to us; audio keeps flowing.
    feed.handle.send({ message: { request: "configure", streams: [stream] } });
  }

  /*
   * Audio only, by choice or automatically. A person's own choice (the "Audio only" button or
   * the pre-join checkbox) is sticky: only they turn video back on. The automatic one (below,
   * when even the lowest layer suffers) ends on its own when a probe finds the link has room.
   */
  function enterAudioOnly(auto) {
    api.audioOnly = true;
    api.autoAudioOnly = auto;
    Object.keys(feeds).forEach(function (id) {
      sendVideo(feeds[id], false);
    });
    document.dispatchEvent(new CustomEvent("openiop:audio-only", { detail: true }));
  }

  function leaveAudioOnly(layer, temporal) {
    endProbe();
    api.audioOnly = false;
    api.autoAudioOnly = false;
    poorStreak = 0;
    Object.keys(feeds).forEach(function (id) {
      sendVideo(feeds[id], true, layer, temporal);
    });
    document.dispatchEvent(new CustomEvent("openiop:audio-only", { detail: false }));
  }

  api.autoAudioOnly = false;
  api.setAudioOnly = function (on) {
    if (on) {
      endProbe();
      enterAudioOnly(false);
    } else {
      // After an automatic switch the link was weak: start from the lowest rung and climb.
      leaveAudioOnly(api.autoAudioOnly ? 0 : undefined, api.autoAudioOnly ? 0 : undefined);
    }
  };

  /* Pin every subscription to one simulcast layer (0 lowest); the quality loop moves from there. */
  api.setLayer = function (layer) {
    Object.keys(feeds).forEach(function (id) {
      var feed = feeds[id];
      if (!feed.handle || !feed.videoMid) {
        return;
      }
      feed.layer = layer;
      feed.temporal = TOP_TEMPORAL;
      feed.bad = 0;
      feed.good = 0;
      var stream = { mid: feed.videoMid, substream: layer, temporal: TOP_TEMPORAL };
      feed.handle.send({ message: { request: "configure", streams: [stream] } });
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
    setStatus("moving", word("moving", "Moving you…"));
    refreshAndRejoin();
  };

  api.leave = function () {
    stopped = true;
    if (janus) {
      janus.destroy({ cleanupHandles: true });
    }
    setStatus("left", word("left", "You have left the session."));
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

  /* Per subscription, for the quality indicator and the browser tests: what is asked for, what
   * Janus says it sends, and what actually arrives (cumulative counters from getStats()). */
  api.feedStats = async function () {
    var out = [];
    var ids = Object.keys(feeds);
    for (var i = 0; i < ids.length; i++) {
      var feed = feeds[ids[i]];
      var pc = feed.handle && feed.handle.webrtcStuff && feed.handle.webrtcStuff.pc;
      var row = {
        id: feed.id,
        layer: feed.layer,
        substream: feed.substream,
        temporal: feed.temporal,
        temporalNow: feed.temporalNow,
        probing: !!(probe && probe.feed === feed),
        ice: pc ? pc.iceConnectionState : null,
        videoBytes: 0,
        audioBytes: 0,
        framesDecoded: 0,
        frameWidth: 0,
        packetsLost: 0,
        at: performance.now(),
      };
      if (pc) {
        var report = await pc.getStats();
        report.forEach(function (s) {
          if (s.type !== "inbound-rtp") {
            return;
          }
          if (s.kind === "video") {
            row.videoBytes += s.bytesReceived || 0;
            row.framesDecoded += s.framesDecoded || 0;
            row.frameWidth = s.frameWidth || row.frameWidth;
            row.packetsLost += s.packetsLost || 0;
          } else if (s.kind === "audio") {
            row.audioBytes += s.bytesReceived || 0;
          }
        });
      }
      out.push(row);
    }
    return out;
  };

  /* The local UDP ports this page's media uses (publisher and every subscription): a test
   * limits one person's link by filtering on them. */
  api.localPorts = async function () {
    var pcs = [publisher].concat(
      Object.keys(feeds).map(function (id) {
        return feeds[id].handle;
      })
    );
    var ports = [];
    for (var i = 0; i < pcs.length; i++) {
      var pc = pcs[i] && pcs[i].webrtcStuff && pcs[i].webrtcStuff.pc;
      if (!pc) {
        continue;
      }
      var report = await pc.getStats();
      report.forEach(function (s) {
        if (s.type === "transport" && s.selectedCandidatePairId) {
          var pair = report.get(s.selectedCandidatePairId);
          var local = pair && report.get(pair.localCandidateId);
          if (local && ports.indexOf(local.port) < 0) {
            ports.push(local.port);
          }
        }
      });
    }
    return ports;
  };

  /*
   * Subscriber-side quality control (Janus does not choose layers for us, VIDEO.md). Every 2 s
   * read loss on each incoming video stream; step one rung down after 3 lossy samples in a row,
   * one up after 5 clean ones (hysteresis against flapping). The rungs: each simulcast layer at
   * its full frame rate, then the lowest layer at a quarter of the frames (VP8's base temporal
   * layer, about half the bits, so a 400 kbit link still carries two small views without
   * freezing). When that still suffers for 5 rounds, stop video and keep audio (automatic
   * audio-only).
   *
   * Automatic audio-only is not a dead end: with video off there is no video loss to read, so
   * the client probes. After a while it asks for one subscription's lowest layer; 3 clean samples
   * bring everyone's video back at the lowest layer (the ladder then climbs), one lossy sample
   * stops the probe. The wait doubles after each failed probe and after a quick relapse (8 s up
   * to 64 s), so a link that stays weak costs a few seconds of probing a minute at most.
   */
  var QUALITY_NAMES = ["poor", "fair", "good"];
  var TOP_TEMPORAL = 2;
  var SAMPLE_MS = 2000;
  var LOSSY = 0.05;
  var DOWN_AFTER = 3;
  var UP_AFTER = 5;
  var AUDIO_ONLY_AFTER = 5;
  var PROBE_FIRST_MS = 8000;
  var PROBE_MAX_MS = 64000;
  var PROBE_GOOD = 3;
  var PROBE_SAMPLES = 6; // including the first, which only starts the window
  var STABLE_MS = 60000; // video back this long: the next automatic switch waits the least again
  var poorStreak = 0;
  var probe = null; // {feed, samples, good} while a probe runs
  var probeDelay = PROBE_FIRST_MS;
  var nextProbeAt = 0;
  var videoBackAt = -Infinity;
  api.probing = false;

  function endProbe() {
    probe = null;
    api.probing = false;
  }

  /* Loss on one incoming video stream since the last call, or null (first call, nothing came). */
  async function lossSample(feed) {
    var pc = feed.handle && feed.handle.webrtcStuff && feed.handle.webrtcStuff.pc;
    if (!pc) {
      return null;
    }
    var report = await pc.getStats();
    var now = null;
    report.forEach(function (s) {
      if (s.type === "inbound-rtp" && s.kind === "video") {
        now = { lost: s.packetsLost || 0, received: s.packetsReceived || 0 };
      }
    });
    var prev = feed.last;
    feed.last = now;
    if (!now || !prev) {
      return null;
    }
    var lost = Math.max(0, now.lost - prev.lost);
    var total = lost + (now.received - prev.received);
    // Nothing arrived (the sender paused, or a layer switch waits for a keyframe): no verdict.
    return total > 0 ? lost / total : null;
  }

  async function sampleFeed(feed) {
    var loss = await lossSample(feed);
    if (loss !== null) {
      if (loss > LOSSY) {
        feed.bad += 1;
        feed.good = 0;
      } else {
        feed.good += 1;
        feed.bad = 0;
      }
    }
    // Without simulcast there is one layer and one frame rate: the lowest rung.
    var lowest = ticket.simulcast ? 0 : feed.layer;
    var floor = ticket.simulcast ? 0 : feed.temporal;
    var down = feed.bad >= DOWN_AFTER;
    var up = feed.good >= UP_AFTER && ticket.simulcast;
    if (down && feed.layer > lowest) {
      sendVideo(feed, true, feed.layer - 1, TOP_TEMPORAL);
    } else if (down && feed.temporal > floor) {
      sendVideo(feed, true, feed.layer, floor);
    } else if (up && feed.temporal < TOP_TEMPORAL) {
      sendVideo(feed, true, feed.layer, TOP_TEMPORAL);
    } else if (up && feed.layer < 2) {
      sendVideo(feed, true, feed.layer + 1, TOP_TEMPORAL);
    }
    // The quality this feed shows: poor only when even the lowest rung loses packets; a lower
    // rung asked for (by the ladder or by hand) is fair, never a reason to drop video.
    if (down && feed.layer === lowest && feed.temporal === floor) {
      return 0;
    }
    return feed.layer < 2 || feed.temporal < TOP_TEMPORAL ? 1 : 2;
  }

  async function probeStep(now) {
    if (!probe) {
      var candidates = Object.keys(feeds).filter(function (id) {
        return feeds[id].handle && feeds[id].videoMid;
      });
      if (now < nextProbeAt || !candidates.length) {
        return;
      }
      probe = { feed: feeds[candidates[0]], samples: 0, good: 0 };
      api.probing = true;
      sendVideo(probe.feed, true, 0, 0);
      return;
    }
    var feed = probe.feed;
    if (feeds[feed.id] !== feed) {
      endProbe(); // that person left; the next round picks someone else
      return;
    }
    var loss = await lossSample(feed);
    probe.samples += 1;
    var failed = loss !== null && loss > LOSSY;
    if (!failed && loss !== null) {
      probe.good += 1;
    }
    if (probe.good >= PROBE_GOOD) {
      api.log.push("video back after a probe");
      videoBackAt = now;
      leaveAudioOnly(0, 0);
    } else if (failed || probe.samples >= PROBE_SAMPLES) {
      sendVideo(feed, false);
      endProbe();
      probeDelay = Math.min(probeDelay * 2, PROBE_MAX_MS);
      nextProbeAt = now + probeDelay;
    }
  }

  function setQuality(level) {
    api.quality = QUALITY_NAMES[level];
    document.dispatchEvent(new CustomEvent("openiop:quality", { detail: api.quality }));
  }

  async function qualityLoop() {
    var now = performance.now();
    if (api.audioOnly) {
      // A person's own choice stays until they change it; nothing to watch or probe.
      if (api.autoAudioOnly) {
        await probeStep(now);
        setQuality(0);
      }
      return;
    }
    var ids = Object.keys(feeds);
    var worst = 2;
    for (var i = 0; i < ids.length; i++) {
      worst = Math.min(worst, await sampleFeed(feeds[ids[i]]));
    }
    poorStreak = worst === 0 ? poorStreak + 1 : 0;
    setQuality(worst);
    if (poorStreak >= AUDIO_ONLY_AFTER && !api.audioOnly) {
      // Back to poor soon after a probe brought video back: wait longer before the next probe.
      var relapse = now - videoBackAt < STABLE_MS;
      probeDelay = relapse ? Math.min(probeDelay * 2, PROBE_MAX_MS) : PROBE_FIRST_MS;
      nextProbeAt = now + probeDelay;
      api.log.push("automatic audio-only");
      enterAudioOnly(true);
    }
  }
  setInterval(function () {
    if (api.status === "joined") {
      qualityLoop().catch(function () {});
    }
  }, SAMPLE_MS);

  Janus.init({
    debug: false,
    dependencies: Janus.useDefaultDependencies(),
    callback: start,
  });
})();
