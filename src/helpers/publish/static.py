"""Inline CSS and JavaScript shared by the notebook reports and the index page (nothing is fetched)."""

CSS = """
body { max-width: 1100px; margin: 0 auto; }
.jinshui-run { font: 13px/1.4 system-ui, sans-serif; padding: 8px 16px; border-bottom: 1px solid #ddd; }
.jinshui-run summary { cursor: pointer; color: #444; }
.jinshui-meta th { text-align: left; padding-right: 12px; vertical-align: top; font-weight: 600; }
.jinshui-meta td code { white-space: pre-wrap; word-break: break-all; }
nav#toc { font: 14px/1.5 system-ui, sans-serif; padding: 8px 16px; background: #f6f8fa; border-radius: 6px;
  margin: 12px 16px; }
nav#toc ol { margin: 4px 0 4px 18px; padding: 0; }
table.dataframe { border-collapse: collapse; font-size: 13px; }
table.dataframe th, table.dataframe td { padding: 3px 8px; border-bottom: 1px solid #e5e5e5; text-align: left; }
table.dataframe th.jinshui-sortable { cursor: pointer; user-select: none; }
table.dataframe th.jinshui-sortable::after { content: " \\21C5"; color: #999; font-size: 11px; }
input.jinshui-search { margin: 6px 0; padding: 3px 6px; font-size: 13px; width: 240px; }
.jinshui-error { color: #b00020; }
"""

#: Table search and sort: a filter box above each table, click a header to sort (numbers numerically).
SCRIPT = """
(function () {
  function cellValue(row, index) {
    var cell = row.children[index];
    var text = cell ? cell.textContent.trim() : "";
    var number = parseFloat(text.replace(/[,%\\s]/g, ""));
    return isNaN(number) ? text : number;
  }
  document.querySelectorAll("table.dataframe").forEach(function (table) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var search = document.createElement("input");
    search.type = "search";
    search.className = "jinshui-search";
    search.placeholder = "Search / 搜索";
    search.addEventListener("input", function () {
      var needle = search.value.toLowerCase();
      Array.prototype.forEach.call(body.rows, function (row) {
        row.style.display = row.textContent.toLowerCase().indexOf(needle) >= 0 ? "" : "none";
      });
    });
    table.parentNode.insertBefore(search, table);
    var headers = table.tHead ? table.tHead.rows[table.tHead.rows.length - 1].cells : [];
    Array.prototype.forEach.call(headers, function (header, index) {
      header.classList.add("jinshui-sortable");
      header.addEventListener("click", function () {
        var ascending = header.dataset.order !== "asc";
        header.dataset.order = ascending ? "asc" : "desc";
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index), y = cellValue(b, index);
          if (x === y) { return 0; }
          return (x > y ? 1 : -1) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
"""
