// Phone-first helpers, loaded with `defer` from the portal's own origin (the CSP allows no inline script).
// Without JavaScript the menu stays open and tables scroll sideways: nothing is lost.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 600px)");

  // The header's menu: folded behind one button on a phone, always shown on a wider screen.
  var header = document.querySelector(".site-header");
  var button = header && header.querySelector(".menu-button");
  if (button) {
    var fold = function () {
      header.classList.toggle("menu-folded", narrow.matches);
      button.setAttribute("aria-expanded", "false");
    };
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("menu-folded", !open);
    });
    narrow.addEventListener("change", fold);
    fold();
  }

  // Tables become stacked rows on a phone: each cell is labelled by its column's heading.
  document.querySelectorAll("main table.table").forEach(function (table) {
    var headings = table.querySelectorAll("thead th");
    if (!headings.length) { return; }
    var labels = Array.prototype.map.call(headings, function (th) { return th.textContent.trim(); });
    table.querySelectorAll("tbody tr, tfoot tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        if (!cell.hasAttribute("data-label") && labels[column]) { cell.setAttribute("data-label", labels[column]); }
        column += cell.colSpan || 1;
      });
    });
    table.classList.add("table-stacked");
  });
})();
