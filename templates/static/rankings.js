/* nianbao: agencies ranked by an indicator, within a year, region, level and
   kind; the distribution of the selection beside the whole country's; and the
   selection's trend across years. Reads api/rankings/<year>.json (each
   report's numerators and denominators) and api/template.json (the
   indicators). The choice is in the address, so a ranking can be shared. */
(function () {
  "use strict";
  var form = document.getElementById("rank-form");
  if (!form) { return; }
  var years = form.dataset.years.split(" ").filter(Boolean).map(Number);
  var picks = {
    indicator: document.getElementById("r-indicator"),
    year: document.getElementById("r-year"),
    region: document.getElementById("r-region"),
    level: document.getElementById("r-level"),
    kind: document.getElementById("r-kind"),
    min: document.getElementById("r-min")
  };
  var status = document.getElementById("rank-status");
  var body = document.querySelector("#rank-table tbody");
  var caption = document.getElementById("rank-caption");
  var distBody = document.querySelector("#rank-dist tbody");
  var orderButton = document.getElementById("rank-order");
  var trendFigure = document.getElementById("rank-trend-figure");
  var descending = true;
  var indicators = null;
  var loaded = {};
  var CHANGE = 2021;  // the template changed with the 2021 reports

  function en() { return window.nianbaoLang && window.nianbaoLang() === "en"; }
  function say(zh, english) { status.textContent = en() ? english : zh; }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }
  function json(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.json();
    });
  }
  function year(y) {
    if (!loaded[y]) { loaded[y] = json("api/rankings/" + y + ".json"); }
    return loaded[y];
  }

  function indicator() {
    return indicators.filter(function (i) { return i.code === picks.indicator.value; })[0];
  }
  function show(value, meta) {
    if (value === null || value === undefined || isNaN(value)) { return "—"; }
    return meta.percent ? (value * 100).toFixed(1) + "%" : value.toFixed(1);
  }
  function inScope(row, withPlace) {
    if (withPlace) {
      var region = picks.region.value.trim();
      if (region && (row[2] || "").indexOf(region) < 0) { return false; }
      if (picks.level.value && row[3] !== picks.level.value) { return false; }
      if (picks.kind.value && row[4] !== picks.kind.value) { return false; }
    }
    return true;
  }
  // Each report of a year in scope with its value: [row, value, numerator, denominator].
  function values(data, meta, withPlace) {
    var at = data.indicators.indexOf(meta.code);
    var least = Number(picks.min.value) || 0;
    var out = [];
    data.reports.forEach(function (row) {
      var parts = row[5][at];
      if (!parts || !inScope(row, withPlace) || parts[1] < least) { return; }
      out.push([row, parts[0] / parts[1] * meta.scale, parts[0], parts[1]]);
    });
    return out;
  }
  function quantile(sorted, q) {
    if (!sorted.length) { return null; }
    var at = (sorted.length - 1) * q, low = Math.floor(at), high = Math.ceil(at);
    return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
  }
  function total(list, meta) {
    var top = 0, bottom = 0;
    list.forEach(function (v) { top += v[2]; bottom += v[3]; });
    return bottom ? top / bottom * meta.scale : null;
  }

  function distRow(name, list, meta) {
    var sorted = list.map(function (v) { return v[1]; }).sort(function (a, b) { return a - b; });
    var tr = el("tr");
    var th = el("th", name);
    th.scope = "row";
    tr.appendChild(th);
    [String(list.length), show(quantile(sorted, 0.25), meta), show(quantile(sorted, 0.5), meta),
     show(quantile(sorted, 0.75), meta), show(total(list, meta), meta)].forEach(function (text) {
      tr.appendChild(el("td", text, "num"));
    });
    distBody.appendChild(tr);
  }

  function scopeName() {
    var parts = [];
    if (picks.region.value.trim()) { parts.push(picks.region.value.trim()); }
    [picks.level, picks.kind].forEach(function (s) { if (s.value) { parts.push(s.options[s.selectedIndex].textContent); } });
    return parts.length ? parts.join(" · ") : (en() ? "All agencies" : "全部机构");
  }

  function render() {
    if (!indicators) { return; }
    var meta = indicator();
    var y = Number(picks.year.value);
    var params = new URLSearchParams();
    Object.keys(picks).forEach(function (k) { if (picks[k].value) { params.set(k, picks[k].value); } });
    window.history.replaceState(null, "", "?" + params.toString());
    say("正在读取……", "Loading…");
    year(y).then(function (data) {
      var list = values(data, meta, true).sort(function (a, b) { return descending ? b[1] - a[1] : a[1] - b[1]; });
      var all = values(data, meta, false);
      var label = en() ? meta.label_en : meta.label;
      caption.textContent = (en() ? y + ": " + label + ", " : y + "年" + label + "：") + scopeName();
      body.textContent = "";
      list.forEach(function (v, i) {
        var row = v[0], tr = el("tr");
        tr.appendChild(el("td", String(i + 1), "num"));
        var th = el("th");
        th.scope = "row";
        var a = el("a", row[1] || row[0]);
        a.href = "reports/" + row[0] + "/index.html#ind-" + meta.code;
        th.appendChild(a);
        tr.appendChild(th);
        tr.appendChild(el("td", row[2] || "—"));
        var cell = el("td", null, "num");
        var link = el("a", show(v[1], meta));
        link.href = a.href;
        cell.appendChild(link);
        tr.appendChild(cell);
        tr.appendChild(el("td", String(v[3]), "num"));
        body.appendChild(tr);
      });
      orderButton.parentNode.setAttribute("aria-sort", descending ? "descending" : "ascending");
      distBody.textContent = "";
      distRow(scopeName(), list, meta);
      distRow(en() ? "Whole country" : "全国", all, meta);
      say(list.length ? (list.length + " 个机构") : "所选范围内没有可排行的报告",
          list.length ? (list.length + (list.length === 1 ? " agency" : " agencies")) : "No report in this selection can be ranked");
      return trend(meta);
    }).catch(function (error) {
      say("读取数据失败（" + error.message + "）。", "Could not load the data (" + error.message + ").");
    });
  }

  // The selection's total for each year, as a line; the 2021 change dashed.
  function trend(meta) {
    return Promise.all(years.map(year)).then(function (all) {
      var points = all.map(function (data, i) {
        var list = values(data, meta, true);
        return [years[i], list.length ? total(list, meta) : null];
      });
      var known = points.filter(function (p) { return p[1] !== null; });
      trendFigure.hidden = known.length < 2;
      var box = document.getElementById("rank-trend");
      box.textContent = "";
      if (known.length < 2) { return; }
      box.appendChild(lineChart(points, meta));
      document.getElementById("rank-trend-caption").textContent = (en() ? "Total by year: " : "各年度合计：") +
        (en() ? meta.label_en : meta.label) + " · " + scopeName();
    });
  }

  function lineChart(points, meta) {
    var NS = "http://www.w3.org/2000/svg", W = 420, H = 190, base = 150, roof = 28, left = 40, right = W - 40;
    function node(tag, attrs, text) {
      var n = document.createElementNS(NS, tag);
      Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
      if (text !== undefined) { n.textContent = text; }
      return n;
    }
    var top = Math.max.apply(null, points.map(function (p) { return p[1] || 0; })) || 1;
    var first = points[0][0], span = points[points.length - 1][0] - first || 1;
    function x(y) { return left + (right - left) * (y - first) / span; }
    function yy(v) { return base - (base - roof) * v / top; }
    var svg = node("svg", { "class": "chart line", viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img" });
    svg.appendChild(node("title", {}, points.map(function (p) { return p[0] + ": " + show(p[1], meta); }).join("; ")));
    svg.appendChild(node("line", { "class": "axis", x1: 16, y1: base, x2: W - 16, y2: base }));
    if (first < CHANGE && points[points.length - 1][0] >= CHANGE) {
      var rule = (x(CHANGE - 1) + x(CHANGE)) / 2;
      svg.appendChild(node("line", { "class": "change", x1: rule, y1: 14, x2: rule, y2: base }));
      svg.appendChild(node("text", { "class": "note", x: rule + 4, y: 14 }, en() ? "new template from 2021" : "2021年起新模板"));
    }
    var run = [];
    function flush() {
      if (run.length > 1) { svg.appendChild(node("polyline", { "class": "trend", points: run.join(" ") })); }
      run = [];
    }
    points.forEach(function (p) {
      svg.appendChild(node("text", { "class": "year", x: x(p[0]), y: base + 20, "text-anchor": "middle" }, String(p[0])));
      if (p[1] === null) { flush(); return; }
      run.push(x(p[0]).toFixed(1) + "," + yy(p[1]).toFixed(1));
      svg.appendChild(node("circle", { "class": "point", cx: x(p[0]), cy: yy(p[1]), r: 4 }));
      svg.appendChild(node("text", { "class": "value", x: x(p[0]), y: yy(p[1]) - 9, "text-anchor": "middle" }, show(p[1], meta)));
    });
    flush();
    return svg;
  }

  var asked = new URLSearchParams(window.location.search);
  Object.keys(picks).forEach(function (k) {
    if (asked.get(k) !== null) { picks[k].value = asked.get(k); }
    picks[k].addEventListener(picks[k].tagName === "SELECT" ? "change" : "input", render);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); render(); });
  orderButton.addEventListener("click", function () { descending = !descending; render(); });
  document.addEventListener("nianbao:lang", render);
  if (!years.length) { say("还没有报告。", "No reports yet."); return; }
  json("api/template.json").then(function (t) { indicators = t.indicators; render(); })
    .catch(function (error) { say("读取数据失败（" + error.message + "）。", "Could not load the data (" + error.message + ")."); });
}());
