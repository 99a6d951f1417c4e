/*
 * Facilitators' room page, crisis card (docs/safety.md, "In-session crisis"):
 * - a "Call" link dials with the phone's own dialler (tel:) and reports which number was called
 *   with a beacon, so the call lands on the alert's timeline without holding the click up;
 * - when someone is moved to the private room with this facilitator, the panel (refreshed by
 *   htmx) says so and this page follows them there.
 * No framework; a few listeners on the document, so htmx swaps need no re-binding.
 */
(function () {
  "use strict";
  var config = document.getElementById("session-config");
  var inBreakout = config && config.dataset.breakout === "1";
  var following = false;

  function csrfToken(from) {
    var card = from.closest(".crisis-card");
    var input = (card || document).querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  document.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("a.call-link[data-call-url]") : null;
    if (!link) {
      return;
    }
    var body = new FormData();
    body.append("number", link.dataset.number);
    body.append("csrfmiddlewaretoken", csrfToken(link));
    if (navigator.sendBeacon && navigator.sendBeacon(link.dataset.callUrl, body)) {
      return;
    }
    fetch(link.dataset.callUrl, { method: "POST", body: body, credentials: "same-origin", keepalive: true }).catch(
      function () {}
    );
  });

  // Follow a move once per tab: coming back to the group page while the person is still in
  // the private room does not bounce the facilitator out again.
  var FOLLOWED = "openiop-followed-breakout";
  function follow() {
    var marker = document.querySelector("[data-follow-breakout]");
    if (!marker) {
      sessionStorage.removeItem(FOLLOWED);
      return;
    }
    if (inBreakout || following || sessionStorage.getItem(FOLLOWED) === marker.dataset.followKey) {
      return;
    }
    following = true;
    sessionStorage.setItem(FOLLOWED, marker.dataset.followKey);
    window.location.assign(marker.dataset.followBreakout);
  }
  document.addEventListener("htmx:afterSettle", follow);
})();
