// Sortable tables, as a progressive enhancement: without JavaScript the table
// simply keeps the order of the YAML. Each column heading becomes a button
// (keyboard-operable), and the sorted column carries aria-sort, following the
// WAI-ARIA "sortable table" pattern. No library is loaded from anywhere.
(function () {
  "use strict";

  function cellText(row, column) {
    var cell = row.cells[column];
    return cell ? cell.textContent.trim() : "";
  }

  function compare(a, b) {
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  function sortBy(table, column, button) {
    var heading = button.parentNode;
    var ascending = heading.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (row, index) { row.dataset.order = row.dataset.order || String(index); });
    rows.sort(function (x, y) {
      var result = compare(cellText(x, column), cellText(y, column)) || x.dataset.order - y.dataset.order;
      return ascending ? result : -result;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function enhance(table) {
    if (!table.tHead || table.dataset.sortable) return;
    table.dataset.sortable = "yes";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      button.innerHTML = th.innerHTML;
      button.setAttribute("title", "Sort by " + th.textContent.trim());
      button.addEventListener("click", function () { sortBy(table, column, button); });
      th.innerHTML = "";
      th.appendChild(button);
    });
  }

  function enhanceAll() {
    document.querySelectorAll(".sortable-table table").forEach(enhance);
  }

  // Material's instant navigation replaces the page without a load event.
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(enhanceAll);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceAll);
  } else {
    enhanceAll();
  }
})();
