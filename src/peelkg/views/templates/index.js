// Sorts the index's table of reports by the column whose heading is clicked (again: reversed).
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var body = table.tBodies[0];
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (heading, column) {
      heading.setAttribute("role", "button");
      heading.setAttribute("tabindex", "0");
      heading.addEventListener("click", function () {
        var numeric = heading.getAttribute("data-sort") === "number";
        var down = heading.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
        heading.setAttribute("aria-sort", down ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        function value(row) {
          var cell = row.cells[column];
          var raw = cell.getAttribute("data-value") || cell.textContent.trim();
          return numeric ? parseFloat(raw) || 0 : raw.toLowerCase();
        }
        rows.sort(function (a, b) {
          var x = value(a), y = value(b);
          return (x < y ? -1 : x > y ? 1 : 0) * (down ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
}());
