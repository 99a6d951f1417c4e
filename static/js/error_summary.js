// Error summaries (templates/includes/error_summary.html): after a failed submission, focus
// starts on the list of problems, and each link there moves focus to its field with the
// field's label in view (the GOV.UK error summary pattern).
(function () {
  "use strict";

  function focusSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    var legend = field.closest("fieldset");
    var label = document.querySelector("label[for='" + CSS.escape(field.id) + "']");
    (legend || label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });

  // An htmx swap can bring back a form with errors; focus follows it there.
  document.addEventListener("htmx:afterSwap", function (event) {
    focusSummary(event.target);
  });

  focusSummary(document);
})();
