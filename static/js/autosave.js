// Autosave for long texts (a note's draft): nothing typed is lost to an idle sign-out, a
// network drop, a closed tab or a second tab.
//
// - Every few seconds, when a field loses focus and when the page is hidden, the form is
//   posted to its data-autosave-url with the edit_version it was loaded at; the server saves
//   only if the draft has not moved on, and answers with the new version.
// - Until the server has the text, a copy stays in this browser's localStorage, keyed by
//   data-autosave-key, and comes back when the page is opened again (after a reload, a
//   crash, a sign-in). It is removed once the server has saved the same text.
// - A conflict (409: saved elsewhere since), a signed note (409), a sign-out (401, or a
//   redirect to the sign-in page) stop the autosave and say so; the text stays in the form
//   and in a box to copy it from.
//
// A page showing a signed note carries data-autosave-clear="<key>": the copy is dropped.
(function () {
  "use strict";

  var PREFIX = "openiop.autosave.";
  var INTERVAL_MS = 5000;
  // Browsers refuse keepalive requests larger than 64 KiB.
  var KEEPALIVE_LIMIT = 60000;

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  document.querySelectorAll("[data-autosave-clear]").forEach(function (element) {
    var store = storage();
    if (store) {
      store.removeItem(PREFIX + element.getAttribute("data-autosave-clear"));
    }
  });

  var form = document.querySelector("form[data-autosave-url]");
  if (!form) {
    return;
  }
  var url = form.getAttribute("data-autosave-url");
  var key = PREFIX + form.getAttribute("data-autosave-key");
  var loginUrl = form.getAttribute("data-login-url");
  var version = form.querySelector('input[name="edit_version"]');
  var status = document.getElementById("autosave-status");
  var problem = document.getElementById("autosave-problem");
  var dirty = false;
  var saving = false;
  var stopped = false;
  var pendingSubmitter = null;
  var submitting = false;

  function part(selector) {
    return problem ? problem.querySelector(selector) : null;
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  // The form's editable values by field name (checkbox groups as lists).
  function values() {
    var result = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.name === "csrfmiddlewaretoken" || field.name === "edit_version") {
        return;
      }
      if (field.type === "submit" || field.type === "button") {
        return;
      }
      if (field.type === "checkbox") {
        result[field.name] = result[field.name] || [];
        if (field.checked) {
          result[field.name].push(field.value);
        }
      } else if (field.type === "radio") {
        if (field.checked) {
          result[field.name] = field.value;
        }
      } else {
        result[field.name] = field.value;
      }
    });
    return result;
  }

  function apply(saved) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || !(field.name in saved)) {
        return;
      }
      var value = saved[field.name];
      if (field.type === "checkbox") {
        field.checked = value.indexOf(field.value) !== -1;
      } else if (field.type === "radio") {
        field.checked = field.value === value;
      } else if (field.type !== "hidden" && field.type !== "submit") {
        field.value = value;
      }
    });
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // The typed text as one plain text, labelled, for the "copy" box.
  function plainText(saved) {
    var parts = [];
    Array.prototype.forEach.call(form.querySelectorAll("textarea, input[type=text]"), function (field) {
      var value = saved[field.name];
      if (!value || !value.trim()) {
        return;
      }
      var label = form.querySelector('label[for="' + field.id + '"]');
      parts.push((label ? label.textContent.trim() : field.name) + ":\n" + value.trim());
    });
    return parts.join("\n\n");
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function keepLocal() {
    var store = storage();
    if (!store) {
      return;
    }
    try {
      store.setItem(
        key,
        JSON.stringify({ version: version.value, at: Date.now(), values: values() })
      );
    } catch (error) {
      // Storage full or refused: the server copy is still the safety net.
    }
  }

  function readLocal() {
    var store = storage();
    if (!store) {
      return null;
    }
    try {
      return JSON.parse(store.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  }

  function dropLocal() {
    var store = storage();
    if (store) {
      store.removeItem(key);
    }
  }

  function showProblem(message, options) {
    options = options || {};
    if (!problem) {
      say(message);
      return;
    }
    part("[data-autosave-message]").textContent = message;
    part("[data-autosave-login]").hidden = !options.login;
    part("[data-autosave-reload]").hidden = !options.reload;
    part("[data-autosave-local]").hidden = !options.local;
    var copy = document.getElementById("autosave-copy");
    copy.value = plainText(options.text || values());
    var copyButton = part("[data-autosave-copy]");
    copyButton.hidden = !(navigator.clipboard && window.isSecureContext);
    problem.hidden = false;
    problem.focus();
  }

  function stop(message, options) {
    stopped = true;
    keepLocal();
    say(message);
    showProblem(message, options);
  }

  function signedOut() {
    stop(
      "You were signed out — your text is kept on this device; sign in again to save it.",
      { login: true }
    );
  }

  function handle(response, sent) {
    if (response.type === "opaqueredirect" || response.status === 401) {
      signedOut();
      return;
    }
    return response
      .json()
      .catch(function () {
        return null;
      })
      .then(function (data) {
        if (response.ok && data && data.saved) {
          version.value = data.edit_version;
          if (same(values(), sent)) {
            dropLocal();
            dirty = false;
            say(data.changed ? "Saved at " + data.saved_at + "." : "All changes saved.");
          } else {
            keepLocal();
            dirty = true;
          }
          return;
        }
        if (response.status >= 500) {
          dirty = true;
          keepLocal();
          say(
            "The server could not save just now — your text is kept on this device and " +
              "saving is tried again in a few seconds."
          );
          return;
        }
        if (!data) {
          // An HTML answer: the sign-in or the security token changed (signed in elsewhere).
          stop(
            "Your sign-in changed, so this page can no longer save. Your text is kept on " +
              "this device: reload the page (sign in if asked) and it comes back.",
            { reload: true }
          );
          return;
        }
        if (response.status === 409 && data.error === "conflict") {
          stop(data.message, { reload: true, text: sent });
          return;
        }
        if (response.status === 409) {
          stop(data.message, { reload: true });
          return;
        }
        // 400: something to fix (a part too long, a time that does not exist). Keep typing.
        keepLocal();
        say(data.message || "Not saved. Your text is kept on this device.");
      });
  }

  function save(options) {
    if (!dirty || saving || stopped || submitting) {
      return;
    }
    saving = true;
    dirty = false;
    var sent = values();
    var body = new FormData(form);
    var size = 0;
    body.forEach(function (value) {
      size += String(value).length;
    });
    say("Saving…");
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      keepalive: Boolean(options && options.leaving) && size < KEEPALIVE_LIMIT,
      headers: { Accept: "application/json", "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return handle(response, sent);
      })
      .catch(function () {
        dirty = true;
        keepLocal();
        say("Offline — your text is kept on this device and is saved when the connection returns.");
      })
      .then(function () {
        saving = false;
        if (pendingSubmitter !== null) {
          var submitter = pendingSubmitter;
          pendingSubmitter = null;
          submitting = true;
          form.requestSubmit(submitter || undefined);
        }
      });
  }

  function changed() {
    if (stopped) {
      keepLocal();
      return;
    }
    dirty = true;
    keepLocal();
    say("Unsaved changes…");
  }

  // A conflict the server already reported (the form posted from an older version): the
  // page shows the text that was not saved; keep it here too and do not autosave over it.
  if (problem && !problem.hidden) {
    stopped = true;
    keepLocal();
  }

  // On load: text typed here that never reached the server comes back.
  var local = stopped ? null : readLocal();
  if (local && local.values) {
    if (same(local.values, values())) {
      dropLocal();
    } else if (String(local.version) === String(version.value)) {
      apply(local.values);
      dirty = true;
      say("Restored text you typed that had not been saved yet; saving it now.");
      save();
    } else {
      showProblem(
        "This device kept text that was not saved, and the note has changed since " +
          "(it was saved elsewhere). Use it here, copy it, or discard it.",
        { local: true, text: local.values }
      );
    }
  }

  // Text typed before this script ran (a slow connection) raised no input event: a form that
  // differs from the page as served has changes to save.
  function differsFromPage() {
    return Array.prototype.some.call(form.elements, function (field) {
      var kind = field.type;
      if (!field.name || kind === "hidden" || kind === "submit" || kind === "button") {
        return false;
      }
      if (kind === "checkbox" || kind === "radio") {
        return field.checked !== field.defaultChecked;
      }
      if (field.tagName === "SELECT") {
        return Array.prototype.some.call(field.options, function (option) {
          return option.selected !== option.defaultSelected;
        });
      }
      return field.value !== field.defaultValue;
    });
  }
  if (!stopped && !dirty && differsFromPage()) {
    changed();
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", function (event) {
    if (event.isTrusted) {
      changed();
    }
  });
  form.addEventListener("focusout", function () {
    save();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      save({ leaving: true });
    }
  });
  window.addEventListener("pagehide", function () {
    save({ leaving: true });
  });
  window.setInterval(save, INTERVAL_MS);

  // "Save draft" and "Sign" post the form itself: wait for an autosave in flight, so both
  // carry the same version, and stop autosaving while the page leaves.
  form.addEventListener("submit", function (event) {
    if (saving) {
      event.preventDefault();
      pendingSubmitter = event.submitter || null;
      return;
    }
    submitting = true;
    keepLocal();
  });

  if (problem) {
    var useLocal = part("[data-autosave-use-local]");
    var discardLocal = part("[data-autosave-discard-local]");
    var copyButton = part("[data-autosave-copy]");
    if (useLocal) {
      useLocal.addEventListener("click", function () {
        var saved = readLocal();
        if (saved) {
          apply(saved.values);
        }
        problem.hidden = true;
        dirty = true;
        save();
      });
    }
    if (discardLocal) {
      discardLocal.addEventListener("click", function () {
        dropLocal();
        problem.hidden = true;
        say("Discarded the text kept on this device.");
      });
    }
    if (copyButton) {
      copyButton.hidden = !(navigator.clipboard && window.isSecureContext);
      copyButton.addEventListener("click", function () {
        navigator.clipboard.writeText(document.getElementById("autosave-copy").value).then(
          function () {
            say("Your text is copied.");
          },
          function () {
            say("Copying failed: select the text in the box and copy it.");
          }
        );
      });
    }
  }
})();
