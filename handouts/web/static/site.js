// The packet page's small helpers: filter the handout list, keep the packet order, move focus after a swap.
// No inline script anywhere (the page's Content-Security-Policy forbids it); without this file the page still works.
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  function filterList() {
    var text = (byId("search") || {}).value || "";
    var kind = (byId("kind-filter") || {}).value || "";
    var language = (byId("language-filter") || {}).value || "";
    var words = text.toLowerCase().trim();
    var shown = 0;
    document.querySelectorAll("#pick-list li").forEach(function (item) {
      var match = (!words || item.dataset.title.indexOf(words) >= 0 || item.dataset.id.indexOf(words) >= 0) &&
        (!kind || item.dataset.kind === kind) &&
        (!language || item.dataset.languages.split(" ").indexOf(language) >= 0);
      item.hidden = !match;
      if (match) { shown += 1; }
    });
    var count = byId("shown-count");
    if (count) { count.textContent = shown === 1 ? "1 handout" : shown + " handouts"; }
  }

  function titleOf(id) {
    var item = document.querySelector('#pick-list li[data-id="' + CSS.escape(id) + '"] .title');
    return item ? item.textContent : id;
  }

  function orderIds() {
    var field = byId("handouts-order");
    return field && field.value ? field.value.split(";").filter(Boolean) : [];
  }

  function moveButton(direction, title) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "small";
    button.dataset.move = direction;
    button.textContent = direction === "up" ? "Up" : "Down";
    button.setAttribute("aria-label", "Move " + title + " " + direction);
    return button;
  }

  function drawOrder(ids, focusId, focusMove) {
    var list = byId("order-list");
    if (!list) { return; }
    byId("handouts-order").value = ids.join(";");
    list.replaceChildren();
    ids.forEach(function (id) {
      var item = document.createElement("li");
      var title = titleOf(id);
      var span = document.createElement("span");
      span.className = "title";
      span.textContent = title;
      item.dataset.id = id;
      item.append(span, " ", moveButton("up", title), " ", moveButton("down", title));
      list.append(item);
    });
    byId("order-empty").hidden = ids.length > 0;
    if (focusId) {
      var again = list.querySelector('li[data-id="' + CSS.escape(focusId) + '"] [data-move="' + focusMove + '"]');
      if (again) { again.focus(); }
    }
  }

  function say(text) {
    var status = byId("order-status");
    if (status) { status.textContent = text; }
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches("[data-filter]")) { filterList(); }
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-filter]")) { filterList(); return; }
    if (!event.target.matches('input[name="pick"]')) { return; }
    var ids = orderIds().filter(function (id) { return id !== event.target.value; });
    if (event.target.checked) { ids.push(event.target.value); }
    drawOrder(ids);
    say(titleOf(event.target.value) + (event.target.checked ? " added, number " + ids.length + " of " + ids.length : " removed"));
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-move]");
    if (!button) { return; }
    var id = button.closest("li").dataset.id;
    var ids = orderIds();
    var at = ids.indexOf(id);
    var to = button.dataset.move === "up" ? at - 1 : at + 1;
    if (at < 0 || to < 0 || to >= ids.length) { say(titleOf(id) + " is already " + (to < 0 ? "first" : "last")); return; }
    ids.splice(at, 1);
    ids.splice(to, 0, id);
    drawOrder(ids, id, button.dataset.move);
    say(titleOf(id) + " is now number " + (to + 1) + " of " + ids.length);
  });
  // htmx disables the button pressed while its request runs, and a disabled button drops the focus to the
  // page's top, where a keyboard user would have to start again: note which had it, to give it back.
  var focusedId = "";
  document.addEventListener("htmx:beforeRequest", function () {
    focusedId = document.activeElement ? document.activeElement.id : "";
  });
  // Text put in the page with the form is not read out by itself: a region that was already there is.
  function announce(element) {
    var region = byId("announce");
    if (!region || !element) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = element.textContent.replace(/\s+/g, " ").trim(); }, 50);
  }

  // A date typed only in part (no year yet) is sent as nothing at all: the packet would print a blank
  // line where the date should be. Stop there and say so beside the field.
  function partDates() {
    var bad = [];
    document.querySelectorAll('#packet-form input[type="date"]').forEach(function (input) {
      var note = byId("p-" + input.id);
      if (note) {
        // Gone with its note: the reference to it, and the mark it put on the field.
        note.remove();
        var left = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
          return id && id !== note.id;
        });
        if (left.length) { input.setAttribute("aria-describedby", left.join(" ")); }
        else { input.removeAttribute("aria-describedby"); }
        if (!input.closest(".has-error")) { input.removeAttribute("aria-invalid"); }
      }
      if (input.validity && input.validity.badInput) { bad.push(input); }
    });
    bad.forEach(function (input) {
      var note = document.createElement("p");
      note.className = "field-error";
      note.id = "p-" + input.id;
      note.textContent = "Problem: expected a whole date (month, day and year), found part of one";
      input.parentNode.insertBefore(note, input);
      input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + note.id).trim());
      input.setAttribute("aria-invalid", "true");
    });
    if (bad.length) {
      bad[0].focus();
      announce(byId("p-" + bad[0].id));
    }
    return bad.length > 0;
  }
  document.addEventListener("htmx:confirm", function (event) {
    if (partDates()) { event.preventDefault(); }
  });
  document.addEventListener("submit", function (event) {
    if (event.target.id === "packet-form" && partDates()) { event.preventDefault(); }
  });
  // Enter in a search or filter field filters; it must not send the form (and throw away the search).
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("[data-filter]")) { event.preventDefault(); }
  });

  // After htmx puts a new form in: errors get the focus (and are read out); the filters apply again.
  document.addEventListener("htmx:afterSettle", function () {
    filterList();
    var summary = byId("error-summary");
    if (summary) { summary.focus(); return; }
    var result = document.querySelector("#email-result .result");
    announce(result || byId("preview-status"));
    // The pages are below the form: bring them into view; focus stays on the button pressed.
    var pressed = focusedId && byId(focusedId);
    if (pressed && (!document.activeElement || document.activeElement === document.body)) {
      pressed.focus({preventScroll: true});
    }
    var pages = byId("preview-status");
    if (pages) { byId("preview").scrollIntoView({block: "start"}); }
  });
  // A refusal htmx does not put in the page (a form that expired, an upload too large): said, not swallowed.
  document.addEventListener("htmx:responseError", function (event) {
    var problem = byId("page-problem");
    var status = event.detail.xhr.status;
    problem.textContent = "That did not work (" + status + "): " +
      (event.detail.xhr.responseText || "").slice(0, 300) + " Reload the page and try again.";
    problem.hidden = false;
  });
  document.addEventListener("DOMContentLoaded", function () {
    filterList();
    // A page that comes back with problems, or with a batch's report, starts there (and is read out).
    var start = byId("error-summary") || byId("signin-error") || byId("report-heading");
    if (start) { start.focus(); }
  });
}());
