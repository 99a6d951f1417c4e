"""Browser-side checks for the participant's offline safety plan (static/js/sw-safety-plan.js)."""

# Resolves true once the plan page and every stylesheet and script it loads are in the worker's
# cache (false after 10 s). Pass it to `page.evaluate`: Playwright's `wait_for_function` takes a
# pending promise for success at once, so the page polls for itself.
PLAN_STORED_OFFLINE = """async () => {
  const paths = ["/safety/my-plan/", ...Array.from(
    document.querySelectorAll("link[rel=stylesheet][href], script[src]"),
    (element) => new URL(element.getAttribute("href") || element.getAttribute("src"),
                         location.href).pathname,
  )];
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    const hits = await Promise.all(paths.map((path) => caches.match(path, {
      cacheName: "openiop-safety-plan-v1", ignoreVary: true,
    })));
    if (hits.every(Boolean)) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}"""

# True once the worker controls the page and is activated (safe to switch the network off).
WORKER_IN_CONTROL = (
    "navigator.serviceWorker.controller && navigator.serviceWorker.controller.state === 'activated'"
)
