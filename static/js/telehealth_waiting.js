/* Waiting room: ask every few seconds whether a facilitator has let us in.
 * Its words come from the box's `data-` attributes (the reader's language), English as the fallback. */
(function () {
  "use strict";
  var box = document.getElementById("waiting");
  if (!box) {
    return;
  }
  var statusEl = document.getElementById("waiting-status");
  var timer = null;
  function word(key, english) {
    return box.dataset[key] || english;
  }

  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) {
        if (!r.ok) {
          throw new Error(String(r.status));
        }
        return r.json();
      })
      .then(function (body) {
        box.dataset.state = body.state;
        if (body.state === "admitted") {
          clearInterval(timer);
          statusEl.textContent = word("admitted", "You have been let in. Joining…");
          window.location.assign(body.roomUrl);
        } else if (body.state === "removed") {
          clearInterval(timer);
          statusEl.textContent = word("removed", "The facilitator has removed you from this session.");
        } else if (body.state === "ended") {
          clearInterval(timer);
          statusEl.textContent = word("ended", "This session has ended.");
        }
      })
      .catch(function () {
        statusEl.textContent = word("retrying", "Trying to reach the server…");
      });
  }

  timer = setInterval(poll, 2000);
  poll();
})();
