/* Календарь: drag a chip to another day, or move a focused chip with the arrow keys.
   Shift moves the clip on all its platforms. The hidden #calendar-move form carries the
   move; HTMX posts it and redraws the calendar. Plain HTML5 drag and drop, no build step. */
(function () {
  "use strict";

  var DAY_MS = 24 * 60 * 60 * 1000;

  function dayOf(chip) {
    var cell = chip.closest(".calendar-day[data-day]");
    return cell ? cell.dataset.day : null;
  }

  function shiftDay(day, by) {
    // Calendar arithmetic on a date alone: noon UTC is never moved across a day by a zone.
    var moved = new Date(Date.parse(day + "T12:00:00Z") + by * DAY_MS);
    return moved.toISOString().slice(0, 10);
  }

  function move(chip, day, wholeClip) {
    var form = document.getElementById("calendar-move");
    if (!form || !day || day === dayOf(chip)) return;
    form.elements.publication_id.value = chip.dataset.publication;
    form.elements.day.value = day;
    form.elements.scope.value = wholeClip ? "clip" : "one";
    form.requestSubmit();
  }

  function chipOf(event) {
    return event.target.closest && event.target.closest(".chip[data-movable]");
  }

  function dropCell(event) {
    return event.target.closest && event.target.closest("#calendar .calendar-day[data-day]");
  }

  var dragged = null;
  // Shift as the keyboard last told it: some drag sources hand the drop no modifier keys.
  var shiftHeld = false;

  function trackShift(event) {
    if (event.key === "Shift") shiftHeld = event.type === "keydown";
  }
  document.addEventListener("keydown", trackShift);
  document.addEventListener("keyup", trackShift);
  window.addEventListener("blur", function () { shiftHeld = false; });

  document.addEventListener("dragstart", function (event) {
    var chip = chipOf(event);
    if (!chip) return;
    dragged = chip;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", chip.dataset.publication);
    chip.classList.add("dragging");
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    document.querySelectorAll(".drop-target").forEach(function (cell) { cell.classList.remove("drop-target"); });
  });

  document.addEventListener("dragover", function (event) {
    var cell = dropCell(event);
    if (!cell || !dragged) return;
    event.preventDefault();  // this cell takes the drop
    event.dataTransfer.dropEffect = "move";
    cell.classList.add("drop-target");
  });

  document.addEventListener("dragleave", function (event) {
    var cell = dropCell(event);
    if (cell && !cell.contains(event.relatedTarget)) cell.classList.remove("drop-target");
  });

  document.addEventListener("drop", function (event) {
    var cell = dropCell(event);
    if (!cell || !dragged) return;
    event.preventDefault();
    move(dragged, cell.dataset.day, event.shiftKey || shiftHeld);
  });

  document.addEventListener("keydown", function (event) {
    var chip = chipOf(event);
    if (!chip || event.altKey || event.ctrlKey || event.metaKey) return;
    var by = { ArrowLeft: -1, ArrowRight: 1 }[event.key];
    if (!by) return;
    event.preventDefault();
    move(chip, shiftDay(dayOf(chip), by), event.shiftKey);
  });

  // After a redraw, focus stays on the chip that was moved (the server names it).
  document.addEventListener("htmx:afterSettle", function () {
    var calendar = document.querySelector("#calendar[data-focus]");
    if (!calendar || document.querySelector("dialog[open]")) return;
    var chip = document.getElementById(calendar.dataset.focus);
    calendar.removeAttribute("data-focus");
    if (chip) chip.focus();
  });
})();
