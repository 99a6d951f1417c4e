/* OpenIOP: the participant's safety plan page. Registers the worker that keeps a copy for
 * reading offline (static/js/sw-safety-plan.js), shows a note when the copy is what is shown,
 * and wires the Print button (the page prints with static/css/safety_plan.css). */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const page = document.querySelector("[data-safety-plan-page]");
  if (!page) {
    return;
  }
  if ("serviceWorker" in navigator) {
    // Whether this page came through the worker: read now, because the worker claims the page
    // as soon as it activates, and a page it claimed was still fetched from the network.
    const loadedThroughWorker = Boolean(navigator.serviceWorker.controller);
    const assets = Array.from(
      document.querySelectorAll("link[rel=stylesheet][href], script[src]"),
      (element) => element.getAttribute("href") || element.getAttribute("src"),
    );
    navigator.serviceWorker
      .register(page.dataset.worker, { scope: page.dataset.scope })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        // A page loaded through the worker was stored on its way in; otherwise (the first
        // visit, even if the worker has claimed the page since) the page asks it to.
        if (navigator.onLine && registration.active && !loadedThroughWorker) {
          registration.active.postMessage({ type: "store", paths: [page.dataset.scope, ...assets] });
        }
      })
      .catch(() => {});
  }
  const notice = page.querySelector("[data-offline-notice]");
  const showOffline = () => {
    if (notice) {
      notice.hidden = navigator.onLine;
    }
  };
  window.addEventListener("online", showOffline);
  window.addEventListener("offline", showOffline);
  showOffline();
  const print = page.querySelector("[data-print]");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", () => window.print());
  }
});
