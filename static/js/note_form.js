// Progress note page: show the sections of the chosen format (SOAP, DAP, BIRP). Sections of
// the other formats stay in the form, hidden, so switching back and forth loses nothing;
// one that holds text stays visible with a warning, because signing needs it moved or cleared.
(function () {
  "use strict";
  var form = document.getElementById("note-form");
  if (!form) {
    return;
  }
  var format = form.querySelector('select[name="form"]');
  if (!format) {
    return;
  }

  function update() {
    form.querySelectorAll("[data-note-section]").forEach(function (section) {
      var forms = section.getAttribute("data-forms").split(" ");
      var inForm = forms.indexOf(format.value) !== -1;
      var text = section.querySelector("textarea");
      var stray = !inForm && text && text.value.trim() !== "";
      section.hidden = !inForm && !stray;
      var warning = section.querySelector("[data-stray-warning]");
      if (warning) {
        warning.hidden = !stray;
      }
    });
  }

  format.addEventListener("change", update);
  update();
})();
