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

  function save() {
    var data = new FormData(form);
    fetch(form.getAttribute("data-autosave-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        status.textContent = response.ok
          ? "Saved."
          : "Not saved. Your answers are still on this page; use Save and finish later.";
      })
      .catch(function () {
        status.textContent = "Offline. Your answers are still on this page.";
      });
  }

  form.addEventListener("change", function () {
    applyEnableWhen();
    updateProgress();
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 250);
  });
  applyEnableWhen();
  updateProgress();
})();
