/* spinscope report: optional enhancements. The page reads fine without this
   script; it only opens a details panel for a highlight and sorts tables.
   It builds every node with textContent and never parses HTML strings. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("nojs");
  root.classList.add("js");
  var panel = document.getElementById("spin-info");
  var active = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  var refocusing = null;

  function closePanel(returnFocus) {
    if (!panel) { return; }
    panel.hidden = true;
    var mark = active;
    active = null;
    if (mark) {
      mark.classList.remove("active");
      mark.setAttribute("aria-expanded", "false");
      /* focus() fires focusin at once: flag it so the panel stays closed. */
      if (returnFocus) { refocusing = mark; mark.focus(); refocusing = null; }
    }
  }

  function openPanel(mark) {
    if (!panel) { return; }
    if (active) { active.classList.remove("active"); active.setAttribute("aria-expanded", "false"); }
    active = mark;
    mark.classList.add("active");
    mark.setAttribute("aria-expanded", "true");
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    var close = el("button", "", "Close");
    close.type = "button";
    close.addEventListener("click", function () { closePanel(true); });
    panel.appendChild(close);
    var quote = mark.textContent;
    if (quote.length > 160) { quote = quote.slice(0, 157) + "..."; }
    panel.appendChild(el("h3", "", "\u201c" + quote + "\u201d"));
    var hits = (mark.getAttribute("data-hits") || "").split(" ");
    for (var i = 0; i < hits.length; i++) {
      var parts = hits[i].split("|");
      var entry = document.getElementById(parts[0]);
      if (!entry) { continue; }
      var box = el("div", "hit");
      var head = el("div", "");
      var swatch = entry.querySelector(".sw");
      if (swatch) { head.appendChild(swatch.cloneNode(true)); head.appendChild(document.createTextNode(" ")); }
      head.appendChild(el("strong", "", entry.querySelector(".g-name").textContent));
      var kind = parts[2] === "strongest-tokens" ? "strongest tokens (no span cleared its threshold)"
        : parts[2] === "sentence" ? "whole sentence (multilingual model: no word-level evidence)" : "span";
      head.appendChild(el("span", "g-cat", entry.querySelector(".g-cat").textContent + " \u00b7 " + kind + " score " + parts[1]));
      box.appendChild(head);
      box.appendChild(el("p", "", entry.querySelector(".g-def").textContent));
      panel.appendChild(box);
    }
    var para = mark.closest(".para");
    var labels = para ? para.querySelector(".labels") : null;
    panel.appendChild(el("p", "small", labels ? "This paragraph's labels:" : "This paragraph has no label."));
    if (labels) { panel.appendChild(labels.cloneNode(true)); }
    if (para) { para.appendChild(panel); }
    panel.hidden = false;
  }

  document.addEventListener("click", function (event) {
    var mark = event.target.closest ? event.target.closest("mark.hl") : null;
    if (mark) { openPanel(mark); }
  });
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target.matches && target.matches("mark.hl") && target !== active && target !== refocusing) { openPanel(target); }
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Escape" && active) { closePanel(true); return; }
    if ((event.key === "Enter" || event.key === " ") && target.matches && target.matches("mark.hl")) {
      event.preventDefault();
      openPanel(target);
    }
  });

  function sortKey(cell, numeric) {
    var value = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    if (numeric) { var n = parseFloat(value); return isNaN(n) ? -Infinity : n; }
    return value.toLowerCase();
  }

  var tables = document.querySelectorAll("table.sortable");
  Array.prototype.forEach.call(tables, function (table) {
    var headers = table.querySelectorAll("thead th");
    Array.prototype.forEach.call(headers, function (th, column) {
      var button = el("button", "", th.textContent);
      button.type = "button";
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        var numeric = th.getAttribute("data-type") === "number";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = sortKey(a.cells[column], numeric), y = sortKey(b.cells[column], numeric);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
