/* OpenIOP: on signed-out pages, forget the offline copy of a safety plan and its worker
 * (static/js/sw-safety-plan.js), so the next person on this device cannot open it. */
"use strict";

(function () {
  if ("caches" in window) {
    caches.delete("openiop-safety-plan-v1");
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.getRegistrations().then((registrations) => {
      registrations.forEach((registration) => {
        if (new URL(registration.scope).pathname === "/safety/my-plan/") {
          registration.unregister();
        }
      });
    });
  }
})();
