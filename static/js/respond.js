// Questionnaire page: show follow-up questions, keep the progress count, save as you go.
(function () {
  "use strict";
  var form = document.getElementById("questionnaire");
  if (!form) {
    return;
  }
  var status = document.getElementById("save-status");
  var progress = document.getElementById("progress");
  var answeredText = document.querySelector("[data-answered]");
  var requiredText = document.querySelector("[data-required-count]");
  var timer = null;
  var latest = 0;

  function checkedValue(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : null;
  }

  function applyEnableWhen() {
    form.querySelectorAll("[data-enable-when]").forEach(function (element) {
      var rule = JSON.parse(element.getAttribute("data-enable-when"));
      var checks = rule.conditions.map(function (condition) {
        return checkedValue(condition.question) === condition.answer;
      });
      var shown = rule.behavior === "all" ? checks.every(Boolean) : checks.some(Boolean);
      element.hidden = !shown;
    });
  }

  function updateProgress() {
    var names = [];
    form.querySelectorAll("input[data-required]").forEach(function (input) {
      var question = input.closest(".question");
      if (question && !question.hidden && names.indexOf(input.name) === -1) {
        names.push(input.name);
      }
    });
    var answered = names.filter(function (name) {
      return checkedValue(name) !== null;
    }).length;
    progress.max = names.length;
    progress.value = answered;
    answeredText.textContent = answered;
    requiredText.textContent = names.length;
  }

  // A critical answer shows the crisis resources next to the question at once.
  function showCrisisResources() {
    form.querySelectorAll("[data-crisis-for]").forEach(function (region) {
      var name = region.getAttribute("data-crisis-for");
      var checked = form.querySelector('input[name="' + name + '"]:checked');
      var box = region.querySelector(".crisis");
      box.hidden = !(checked && checked.hasAttribute("data-critical"));
    });
  }

  function save() {
    // Only the newest request may report, so "Saved." always means the latest answers.
    var request = ++latest;
    var data = new FormData(form);
    fetch(form.getAttribute("data-autosave-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        if (request !== latest) {
          return;
        }
        // The words come from the page, in the reader's language.
        status.textContent = response.ok ? status.dataset.saved : status.dataset.notSaved;
      })
      .catch(function () {
        if (request !== latest) {
          return;
        }
        status.textContent = status.dataset.offline;
      });
  }

  form.addEventListener("change", function () {
    applyEnableWhen();
    showCrisisResources();
    updateProgress();
    status.textContent = status.dataset.saving;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 250);
  });
  applyEnableWhen();
  updateProgress();
})();
