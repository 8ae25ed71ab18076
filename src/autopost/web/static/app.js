/* The few things HTMX alone does not do: open and close <dialog>s, character counters,
   the publish form's "now / later" switch, inserting templates and hashtag sets, auto-submitting
   filter selects, copy buttons, and resumable clip uploads (the vendored tus-js-client, one
   progress bar per file). No build step. */
(function () {
  "use strict";

  var returnFocusTo = null;

  function focusById(id) {
    var target = id && document.getElementById(id);
    if (target) target.focus();
  }

  function openDialog(dialog) {
    if (dialog.open) return;
    var opener = document.activeElement;
    if (opener && opener.id && !dialog.contains(opener)) dialog.dataset.returnTo = opener.id;
    else if (returnFocusTo) dialog.dataset.returnTo = returnFocusTo;
    // showModal: the rest of the page becomes inert (focus stays inside) and Esc closes it.
    dialog.showModal();
    // Focus what the user came for: a message marked autofocus, else the first field, else a button.
    var first = dialog.querySelector("[autofocus]") ||
      dialog.querySelector("form input:not([type=hidden]):not([disabled]), form select, form textarea") ||
      dialog.querySelector("button");
    if (first) first.focus();
    dialog.addEventListener("close", function () {
      var back = dialog.dataset.returnTo;
      dialog.remove();
      focusById(back);
    });
    syncPublishForm(dialog.querySelector("form[data-publish-form]"));
    syncSeriesForm(dialog.querySelector("form[data-series-form]"));
  }

  function countOf(field) {
    // Code points, as the server counts them (an emoji is one character, not two).
    return Array.from(field.value).length;
  }

  function updateCounter(field) {
    var counter = document.getElementById(field.id + "-count");
    if (!counter) return;
    var max = parseInt(field.dataset.max, 10);
    var length = countOf(field);
    var over = length > max;
    counter.textContent = length + " / " + max + (over ? " — " + (counter.dataset.over || "") : "");
    counter.classList.toggle("over", over);
    // Only a problem is announced; aria-invalid="false" would also paint the field as "valid".
    if (over) field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
  }

  function syncPublishForm(form) {
    if (!form) return;
    var later = form.querySelector("input[name=when][value=later]");
    var at = form.querySelector("input[name=scheduled_at]");
    var submit = form.querySelector("button[type=submit]");
    if (later && at) {
      at.disabled = !later.checked;
      at.required = later.checked;
      var slot = form.querySelector("input[name=when][value=slot]");
      var scheduling = later.checked || (slot && slot.checked);
      if (submit) submit.textContent = scheduling ? submit.dataset.labelLater : submit.dataset.labelNow;
    }
    form.querySelectorAll("fieldset.platform-group").forEach(function (group) {
      var texts = group.querySelector("[data-texts]");
      if (!texts) return;
      var chosen = group.querySelector("input[name=account]:checked");
      texts.hidden = !chosen;
    });
    form.querySelectorAll("[data-max]").forEach(updateCounter);
  }

  // The series dialog shows the weekdays only for "on weekdays", the day count only for "every N days".
  function syncSeriesForm(form) {
    if (!form) return;
    var cadence = form.querySelector("input[name=cadence]:checked");
    var mode = cadence ? cadence.value : "daily";
    var weekdays = form.querySelector("[data-weekdays]");
    if (weekdays) weekdays.hidden = mode !== "weekdays";
    var every = form.querySelector("input[name=every_days]");
    if (every) every.disabled = mode !== "every";
  }

  function syncRutubeForm(form) {
    var mode = form.querySelector("input[name=mode]:checked");
    form.querySelectorAll("[data-mode]").forEach(function (part) {
      part.hidden = !mode || part.dataset.mode !== mode.value;
    });
  }

  // "toggle" does not bubble: listened for while capturing, from every texts section in every dialog.
  document.addEventListener("toggle", function (event) {
    var texts = event.target;
    if (!texts.matches || !texts.matches("details[data-texts]")) return;
    var flag = texts.querySelector("[data-open-flag]");
    if (flag) flag.disabled = !texts.open;
  }, true);

  // Where a text field's cursor was when it lost focus: clicking an insert button takes the focus
  // (in Chromium and Firefox) before the click arrives.
  document.addEventListener("focusout", function (event) {
    var field = event.target;
    if (field.matches && field.matches("textarea[data-max]")) {
      field.dataset.cursor = field.selectionStart + ":" + field.selectionEnd;
    }
  });

  function cursorOf(field) {
    if (document.activeElement === field) return [field.selectionStart, field.selectionEnd];
    var at = (field.dataset.cursor || "").split(":");
    return at.length === 2 ? [parseInt(at[0], 10), parseInt(at[1], 10)] : null;
  }

  // A template or hashtag set into its field: at the cursor (replacing a selection), set off from the
  // words around it by a space; at the end (or with no cursor yet) as a paragraph of its own.
  function insertSnippet(button) {
    var field = document.getElementById(button.dataset.insert);
    if (!field) return;
    var text = button.dataset.text || "";
    var value = field.value;
    var at = cursorOf(field) || [value.length, value.length];
    var before = value.slice(0, at[0]);
    var after = value.slice(at[1]);
    var blank = /\s$/;
    if (!after) {
      if (before && !blank.test(before)) text = "\n\n" + text;
    } else {
      if (before && !blank.test(before)) text = " " + text;
      if (!/^\s/.test(after)) text = text + " ";
    }
    field.value = before + text + after;
    var caret = before.length + text.length;
    field.focus();
    field.setSelectionRange(caret, caret);
    // The counter (and aria-invalid) follow at once, as they do for typing.
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-max]")) updateCounter(event.target);
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("select[data-autosubmit]")) target.form.requestSubmit();
    var publish = target.closest("form[data-publish-form]");
    if (publish) syncPublishForm(publish);
    var series = target.closest("form[data-series-form]");
    if (series) syncSeriesForm(series);
    var rutube = target.closest("form[data-rutube-form]");
    if (rutube) syncRutubeForm(rutube);
  });

  document.addEventListener("click", function (event) {
    var inserter = event.target.closest("button[data-insert]");
    if (inserter) insertSnippet(inserter);
    var closer = event.target.closest("[data-close]");
    if (closer) {
      var dialog = closer.closest("dialog");
      if (dialog) dialog.close();
    }
    // «Copy» beside a value shown once (a webhook secret): the field is selected too, for Ctrl+C.
    var copier = event.target.closest("[data-copy]");
    var field = copier && document.getElementById(copier.dataset.copy);
    if (field) {
      field.select();
      if (navigator.clipboard) navigator.clipboard.writeText(field.value);
    }
  });

  // A dialog replaced by its own response (an error, or success with out-of-band updates)
  // hands its "return focus to" on, so focus lands back on the button that opened it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.tagName === "DIALOG") returnFocusTo = target.dataset.returnTo || null;
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (returnFocusTo && !document.querySelector("dialog[open]")) {
      focusById(returnFocusTo);
      returnFocusTo = null;
    }
  });

  // An avatar the platform no longer serves becomes the account's first letter, not a broken image.
  function replaceBrokenAvatar(image) {
    var letter = document.createElement("span");
    letter.className = "avatar avatar-letter";
    letter.setAttribute("aria-hidden", "true");
    letter.textContent = image.dataset.letter || "";
    image.replaceWith(letter);
  }

  document.addEventListener("error", function (event) {
    if (event.target.matches && event.target.matches("img.avatar")) replaceBrokenAvatar(event.target);
  }, true);

  // Images that failed before this script ran (it is deferred) never send it their error.
  function replaceAlreadyBroken(root) {
    root.querySelectorAll("img.avatar").forEach(function (image) {
      if (image.complete && image.naturalWidth === 0) replaceBrokenAvatar(image);
    });
  }

  // The clips selected on the clips page, kept here: a card that refreshes itself (polling) comes
  // back unticked, and is ticked again from this set.
  var selectedClips = new Set();

  function syncSelection() {
    var boxes = document.querySelectorAll("input[data-clip-select]");
    boxes.forEach(function (box) { box.checked = selectedClips.has(box.value); });
    var bar = document.querySelector("[data-bulk-bar]");
    if (!bar) return;
    var count = bar.querySelector("[data-selected-count]");
    if (count) count.textContent = count.dataset.template.replace("{count}", String(selectedClips.size));
    bar.querySelectorAll("[data-needs-selection]").forEach(function (button) {
      button.disabled = selectedClips.size === 0;
    });
    var all = bar.querySelector("[data-select-all]");
    if (all) {
      var ticked = Array.prototype.filter.call(boxes, function (box) { return box.checked; }).length;
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("input[data-clip-select]")) {
      if (target.checked) selectedClips.add(target.value);
      else selectedClips.delete(target.value);
      syncSelection();
    } else if (target.matches("input[data-select-all]")) {
      document.querySelectorAll("input[data-clip-select]").forEach(function (box) {
        if (target.checked) selectedClips.add(box.value);
        else selectedClips.delete(box.value);
      });
      syncSelection();
    }
  });

  // A confirmation whose answer updates something else (a card, a row) closes once it is sent.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form[data-close-after]") || !event.detail.successful) return;
    var dialog = form.closest("dialog");
    if (dialog) dialog.close();
  });

  document.addEventListener("htmx:load", function (event) {
    var root = event.detail.elt;
    if (root.querySelector && (root.matches("[data-clip-select], .clip-card") || root.querySelector("[data-clip-select]"))) {
      syncSelection();
    }
    if (root.querySelectorAll) replaceAlreadyBroken(root);
    if (root.matches && root.matches("dialog[data-autoopen]")) openDialog(root);
    else if (root.querySelectorAll) root.querySelectorAll("dialog[data-autoopen]").forEach(openDialog);
  });
  // ---------------------------------------------------------------- uploads
  // Each file goes to the TUS endpoint in chunks; a dropped connection is retried from the offset
  // the server reports, and a reloaded page finds the unfinished upload again by its fingerprint
  // (kept in localStorage) and goes on from there. The finished clip's card is put on the grid.
  var RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000];

  function uploadText(area, name, values) {
    var text = area.dataset["text" + name] || "";
    Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(values[key]); });
    return text;
  }

  function uploadLine(area, file) {
    var line = document.createElement("li");
    line.className = "upload-item";
    var name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    var state = document.createElement("span");
    state.className = "upload-state";
    state.textContent = uploadText(area, "Waiting");
    line.append(name, bar, state);
    area.querySelector("#upload-list").prepend(line);
    return { line: line, bar: bar, state: state };
  }

  function refusalOf(error) {
    // The API's JSON error in the reader's language, when the server answered with one.
    var response = error && error.originalResponse;
    if (!response) return null;
    try { return JSON.parse(response.getBody()).error.message || null; } catch (ignored) { return null; }
  }

  function showClip(clipId) {
    var empty = document.getElementById("clips-empty");
    if (empty) empty.remove();
    var existing = document.getElementById("clip-" + clipId);
    if (existing) existing.remove();
    htmx.ajax("GET", "/clips/" + clipId + "/card", { target: "#clip-grid", swap: "afterbegin" });
  }

  function uploadFile(area, file) {
    var view = uploadLine(area, file);
    var workspace = area.dataset.workspace;
    var clipId = null;
    var upload = new tus.Upload(file, {
      endpoint: area.dataset.endpoint,
      chunkSize: parseInt(area.dataset.chunkBytes, 10),
      retryDelays: RETRY_DELAYS,
      metadata: { filename: file.name, filetype: file.type },
      headers: { "X-CSRF-Token": area.dataset.csrf, "X-Workspace-Id": workspace },
      // Per workspace: the same file dropped into another client's workspace is another upload.
      fingerprint: function (f) {
        return Promise.resolve(["autopost", workspace, f.name, f.type, f.size, f.lastModified].join("-"));
      },
      removeFingerprintOnSuccess: true,
      onProgress: function (sent, total) {
        var percent = total ? Math.floor((sent / total) * 100) : 0;
        view.bar.value = percent;
        view.state.textContent = sent === total ?
          uploadText(area, "Checking") : uploadText(area, "Progress", { percent: percent });
      },
      onShouldRetry: function (error, attempt, options) {
        var status = error.originalResponse ? error.originalResponse.getStatus() : 0;
        var retry = !status || status >= 500 || status === 409 || status === 423;
        if (retry) view.state.textContent = uploadText(area, "Retrying");
        return retry && attempt < options.retryDelays.length;
      },
      onAfterResponse: function (request, response) {
        clipId = response.getHeader("Upload-Clip-Id") || clipId;
      },
      onError: function (error) {
        var reason = refusalOf(error);
        view.line.classList.add("upload-failed");
        view.state.textContent = reason ? uploadText(area, "Failed", { reason: reason }) : uploadText(area, "Offline");
      },
      onSuccess: function () {
        view.bar.value = 100;
        view.line.classList.add("upload-done");
        view.state.textContent = uploadText(area, "Done");
        if (clipId) showClip(clipId);
      }
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  }

  function uploadAll(area, files) {
    Array.prototype.forEach.call(files, function (file) { uploadFile(area, file); });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-upload-input]")) return;
    uploadAll(input.closest("[data-upload]"), input.files);
    input.value = "";
  });

  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var zone = event.target.closest && event.target.closest("[data-drop-zone]");
      if (!zone) return;
      event.preventDefault();
      zone.classList.add("drop-active");
    });
  });

  document.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest("[data-drop-zone]");
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("drop-active");
  });

  document.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest("[data-drop-zone]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("drop-active");
    if (event.dataTransfer && event.dataTransfer.files.length) {
      uploadAll(zone.closest("[data-upload]"), event.dataTransfer.files);
    }
  });

  // The link form empties itself once its clip is added; a refused link stays for correcting.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form[data-from-url]") || !event.detail.successful) return;
    if (event.detail.xhr.responseText.indexOf("upload-failed") === -1) form.reset();
  });
})();
