/* nianbao: filter and sort the list of reports, without a server.
   The list is plain HTML (it works without this script); the script shows the
   filters, hides the rows that do not match, sorts on a column header click,
   and keeps the filters in the address so a filtered list can be shared. */
(function () {
  "use strict";
  var table = document.getElementById("report-list");
  var box = document.getElementById("filters");
  if (!table || !box) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var controls = Array.prototype.slice.call(box.querySelectorAll("[data-filter]"));
  var count = document.getElementById("list-count");
  box.hidden = false;

  function matches(row, filters) {
    var d = row.dataset;
    if (filters.text && d.text.toLowerCase().indexOf(filters.text.toLowerCase()) < 0) { return false; }
    if (filters.year && d.year !== filters.year) { return false; }
    if (filters.region && d.region !== filters.region) { return false; }
    if (filters.level && d.level !== filters.level) { return false; }
    if (filters.kind && d.kind !== filters.kind) { return false; }
    var errors = +d.errors, warnings = +d.warnings;
    switch (filters.findings) {
      case "error": return errors > 0;
      case "warning": return warnings > 0;
      case "any": return errors + warnings > 0;
      case "none": return errors + warnings === 0;
      default: return true;
    }
  }

  function current() {
    var filters = {};
    controls.forEach(function (c) { filters[c.dataset.filter] = c.value.trim(); });
    return filters;
  }

  function update() {
    var filters = current(), shown = 0;
    rows.forEach(function (row) {
      var ok = matches(row, filters);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var en = window.nianbaoLang && window.nianbaoLang() === "en";
    count.textContent = en ? shown + " of " + rows.length + " reports" : "显示 " + shown + " / " + rows.length + " 份报告";
    var params = new URLSearchParams(window.location.search);
    controls.forEach(function (c) {
      if (c.value) { params.set(c.dataset.filter, c.value); } else { params.delete(c.dataset.filter); }
    });
    var query = params.toString();
    window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
  }

  var initial = new URLSearchParams(window.location.search);
  controls.forEach(function (c) {
    var wanted = initial.get(c.dataset.filter);
    if (wanted !== null) { c.value = wanted; }
    c.addEventListener(c.tagName === "SELECT" ? "change" : "input", update);
  });
  document.getElementById("f-reset").addEventListener("click", function () {
    controls.forEach(function (c) { c.value = ""; });
    update();
  });
  document.addEventListener("nianbao:lang", update);

  // Sorting: each sortable header becomes a button; a second click reverses.
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, index) {
    var kind = th.dataset.sort;
    if (!kind) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    while (th.firstChild) { button.appendChild(th.firstChild); }
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var keyed = rows.map(function (row, position) {
        var raw = row.cells[index].dataset.v;
        var key = kind === "number" ? (raw === "" ? null : +raw) : raw;
        return { row: row, key: key, position: position };
      });
      keyed.sort(function (a, b) {
        // Unknown values ("—") go last whichever way the column is sorted.
        if (a.key === null || a.key === "") { return b.key === null || b.key === "" ? a.position - b.position : 1; }
        if (b.key === null || b.key === "") { return -1; }
        var order = kind === "number" ? a.key - b.key : String(a.key).localeCompare(String(b.key), "zh-CN");
        return (ascending ? order : -order) || a.position - b.position;
      });
      keyed.forEach(function (k) { body.appendChild(k.row); });
    });
  });

  // The comparison takes 2 to 8 reports.
  var form = document.getElementById("compare-form");
  form.addEventListener("submit", function (event) {
    var ticked = form.querySelectorAll("input[name=id]:checked").length;
    if (ticked < 2 || ticked > 8) {
      event.preventDefault();
      var en = window.nianbaoLang && window.nianbaoLang() === "en";
      count.textContent = en ? "Tick 2 to 8 reports to compare (" + ticked + " ticked)." : "请勾选 2 至 8 份报告再比较（已勾选 " + ticked + " 份）。";
    }
  });
  update();
}());
