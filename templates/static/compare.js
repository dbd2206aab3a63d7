/* nianbao: reports side by side. Reads ?id=...&id=... (2 to 8 reports), loads
   each report's JSON document and the template's labels from the static API,
   and draws one table per section with a column per report. Values that differ
   from the first report are highlighted and show the difference. Everything
   from the data is inserted as text, never as HTML. */
(function () {
  "use strict";
  var MAX = 8;
  var result = document.getElementById("compare-result");
  var status = document.getElementById("compare-status");
  var pick = document.getElementById("pick");
  var list = document.getElementById("pick-list");
  var columnPick = document.getElementById("pick-column");
  var ids = new URLSearchParams(window.location.search).getAll("id").filter(function (id) {
    return /^[a-z0-9-]+$/.test(id);
  }).slice(0, MAX);
  var template = null, docs = [], index = null;

  function en() { return window.nianbaoLang && window.nianbaoLang() === "en"; }
  function say(zh, english) { status.textContent = en() ? english : zh; }
  function label(item) { return en() && item.label_en ? item.label_en : item.label; }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }
  function number(value, percent) {
    if (value === null || value === undefined) { return "—"; }
    if (percent) { return (value * 100).toFixed(1) + "%"; }
    // Amounts as the report printed them (2242.9233), never rounded away.
    return Number.isInteger(value) ? value.toLocaleString("en-US") : String(value);
  }
  function name(doc) { return (doc.agency || doc.source) + " " + (doc.year || ""); }
  function go(newIds) {
    var params = new URLSearchParams();
    newIds.forEach(function (id) { params.append("id", id); });
    if (en()) { params.set("lang", "en"); }
    window.location.search = params.toString();
  }

  function table(caption, rows) {
    // rows: [{label, values: [...], percent}]
    var wrap = el("div", null, "scroll");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("tabindex", "0");
    var t = el("table", null, "list compare");
    var cap = el("caption", caption);
    cap.id = "c-" + Math.random().toString(36).slice(2);
    wrap.setAttribute("aria-labelledby", cap.id);
    t.appendChild(cap);
    var head = t.createTHead().insertRow();
    head.appendChild(el("th", en() ? "Item" : "项目")).scope = "col";
    docs.forEach(function (doc) {
      var th = el("th");
      th.scope = "col";
      var a = el("a", name(doc));
      a.href = "reports/" + doc.report_id + "/index.html";
      th.appendChild(a);
      head.appendChild(th);
    });
    var body = t.createTBody();
    rows.forEach(function (row) {
      var tr = body.insertRow();
      var th = el("th", row.label);
      th.scope = "row";
      tr.appendChild(th);
      var base = row.values[0];
      row.values.forEach(function (value, i) {
        var td = el("td", number(value, row.percent), "num");
        // A derived or recognised number keeps its mark, as on the report page.
        var st = row.statuses ? row.statuses[i] : null;
        if (st === "derived" && value !== null && value !== undefined) {
          td.classList.add("derived");
          var mark = el("span", "*", "mark");
          mark.setAttribute("aria-label", en() ? "derived" : "推算值");
          td.appendChild(mark);
          td.title = en() ? "Derived from the arithmetic: blank in the report" : "推算值：原报告空白或占位，按勾稽关系只能是此数";
        } else if (st === "recognised") {
          var ocr = el("span", "°", "mark ocr");
          ocr.setAttribute("aria-hidden", "true");
          td.appendChild(ocr);
          td.title = en() ? "Read from a picture (OCR)" : "数字由图片识别得到";
        }
        if (i > 0 && value !== null && value !== undefined && base !== null && base !== undefined && value !== base) {
          var delta = value - base;
          td.classList.add("diff");
          var shown = row.percent ? (delta * 100).toFixed(1) + " pt" : number(Math.abs(delta));
          if (!row.percent) { shown = (delta > 0 ? "+" : "−") + shown; } else if (delta > 0) { shown = "+" + shown; }
          td.appendChild(el("span", " (" + shown + ")", "delta"));
          td.title = (td.title ? td.title + "; " : "") + (en() ? "differs from the first report" : "与第一份报告不同");
        }
        tr.appendChild(td);
      });
    });
    wrap.appendChild(t);
    return wrap;
  }

  // A row of table 三 by its numbering and label, said once (api/template.json
  // names it so: "三（三）1.属于国家秘密").
  function rowName(row) {
    return en() && row.numbered_en ? row.numbered_en : row.numbered;
  }

  function get(doc, tableName, row, column) {
    var t = doc.tables[tableName] || {};
    return t[row] && column in t[row] ? t[row][column] : null;
  }

  function statusOf(doc, tableName, row, column) {
    var t = doc.status[tableName] || {};
    return t[row] && column in t[row] ? t[row][column] : null;
  }

  function render() {
    window.nianbaoTranslate();  // the column options added after the page loaded
    result.textContent = "";
    if (!template || docs.length === 0) { return; }
    var chosen = docs.map(function (doc) {
      var li = el("li");
      li.appendChild(el("span", name(doc) + " "));
      var remove = el("button", en() ? "Remove" : "移除");
      remove.type = "button";
      remove.setAttribute("aria-label", (en() ? "Remove " : "移除 ") + name(doc));
      remove.addEventListener("click", function () { go(ids.filter(function (id) { return id !== doc.report_id; })); });
      li.appendChild(remove);
      return li;
    });
    var ul = el("ul", null, "chosen");
    chosen.forEach(function (li) { ul.appendChild(li); });
    result.appendChild(ul);

    var section = function (title) { result.appendChild(el("h2", title)); };
    section(en() ? "Indicators" : "派生指标");
    result.appendChild(table(en() ? "Derived indicators" : "派生指标", template.indicators.map(function (ind) {
      return { label: label(ind), percent: ind.percent, values: docs.map(function (d) { return d.indicators[ind.code]; }) };
    })));

    var column = columnPick.value || "total";
    var seen = {}, rows = [];
    docs.forEach(function (doc) {
      template.templates[doc.template].rows.forEach(function (row) {
        if (!seen[row.code] && doc.tables.requests[row.code]) { seen[row.code] = true; rows.push(row); }
      });
    });
    section(en() ? "3. Requests received and processed" : "三、收到和处理政府信息公开申请情况");
    var colLabel = columnPick.options[columnPick.selectedIndex].textContent;
    result.appendChild(table((en() ? "Table 3, column: " : "表三，") + colLabel, rows.map(function (row) {
      return {
        label: rowName(row),
        values: docs.map(function (d) { return get(d, "requests", row.code, column); }),
        statuses: docs.map(function (d) { return statusOf(d, "requests", row.code, column); })
      };
    })));

    var t = template.templates["2021"];
    section(en() ? "4. Reconsideration and litigation" : "四、行政复议、行政诉讼情况");
    var reviewRows = [];
    t.proceedings.forEach(function (p) {
      t.outcomes.forEach(function (o) {
        reviewRows.push({
          label: label(p) + " · " + label(o),
          values: docs.map(function (d) { return get(d, "reviews", p.code, o.code); }),
          statuses: docs.map(function (d) { return statusOf(d, "reviews", p.code, o.code); })
        });
      });
    });
    result.appendChild(table(en() ? "Table 4" : "表四", reviewRows));

    section(en() ? "2. Proactive disclosure" : "二、主动公开政府信息情况");
    var proRows = [], proSeen = {};
    docs.forEach(function (doc) {
      template.templates[doc.template].proactive.forEach(function (item) {
        item.measures.forEach(function (m) {
          var key = item.code + "/" + m.code;
          if (proSeen[key]) { return; }
          proSeen[key] = true;
          proRows.push({
            label: label(item) + " · " + label(m),
            values: docs.map(function (d) { return get(d, "proactive", item.code, m.code); }),
            statuses: docs.map(function (d) { return statusOf(d, "proactive", item.code, m.code); })
          });
        });
      });
    });
    result.appendChild(table(en() ? "Table 2" : "表二", proRows));
  }

  // A report's own package (reports/ID/datapackage.json, data inline) as one
  // document: tables by row and column, and the status of cells not printed.
  function fromPackage(pkg) {
    var data = {};
    pkg.resources.forEach(function (r) {
      var head = r.data[0];
      data[r.name] = r.data.slice(1).map(function (values) {
        var row = {};
        head.forEach(function (name, i) { row[name] = values[i]; });
        return row;
      });
    });
    var doc = data.reports[0];
    doc.tables = { requests: {}, reviews: {}, proactive: {} };
    doc.status = { requests: {}, reviews: {}, proactive: {} };
    function put(into, row, column, value) { (into[row] = into[row] || {})[column] = value; }
    data.requests_wide.forEach(function (line) {
      Object.keys(line).forEach(function (column) {
        if (column !== "row" && column !== "number" && column !== "label") { put(doc.tables.requests, line.row, column, line[column]); }
      });
    });
    data.requests_status.forEach(function (cell) { put(doc.status.requests, cell.row, cell.applicant, cell.status); });
    [["reviews", "proceeding", "outcome"], ["proactive", "item", "measure"]].forEach(function (t) {
      data[t[0]].forEach(function (cell) {
        put(doc.tables[t[0]], cell[t[1]], cell[t[2]], cell.value);
        if (cell.status !== "printed") { put(doc.status[t[0]], cell[t[1]], cell[t[2]], cell.status); }
      });
    });
    doc.indicators = {};
    data.indicators.forEach(function (i) { doc.indicators[i.indicator] = i.value; });
    return doc;
  }

  function fetchJson(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.json();
    });
  }

  fetchJson("api/template.json").then(function (t) {
    template = t;
    t.templates["2021"].applicants.forEach(function (a) {
      if (a.code === "total") { return; }
      var option = el("option", en() ? a.label_en : a.label);
      option.value = a.code;
      option.dataset.zh = a.label;
      option.dataset.en = a.label_en;
      columnPick.appendChild(option);
    });
    if (ids.length === 0) {
      say("还没有选报告：在上面输入机构名称加入，或在首页勾选。", "No reports chosen yet: add one above, or tick reports on the home page.");
      return null;
    }
    say("正在读取 " + ids.length + " 份报告……", "Loading " + ids.length + " reports…");
    return Promise.all(ids.map(function (id) { return fetchJson("reports/" + id + "/datapackage.json"); }));
  }).then(function (loaded) {
    if (!loaded) { return; }
    docs = loaded.map(fromPackage);
    say(ids.length < 2 ? "再加入至少一份报告才能比较。" : "比较 " + ids.length + " 份报告。",
        ids.length < 2 ? "Add at least one more report to compare." : "Comparing " + ids.length + " reports.");
    render();
  }).catch(function (error) {
    say("读取数据失败（" + error.message + "）。比较页需要通过网址访问（不能直接打开本地文件）。",
        "Could not load the data (" + error.message + "). Open the site over http(s), not as a local file.");
  });

  // The picker: every report's agency, year and id, from the agencies' list
  // (0.56 MB at 10,000 generated reports, against 4.5 MB for the JSON index,
  // which carries every report's figures too).
  fetchJson("api/agencies.json").then(function (data) {
    index = [];
    data.agencies.forEach(function (a) {
      a.reports.forEach(function (r) { index.push({ agency: r[2] || a.name, year: r[0], report_id: r[1] }); });
    });
    index.forEach(function (r) {
      var option = el("option");
      option.value = (r.agency || r.report_id) + " " + (r.year || "") + " · " + r.report_id;
      list.appendChild(option);
    });
  }).catch(function () { /* the picker stays empty; the list on the home page still works */ });

  // A submit, so that Enter in the box adds the report as the button does.
  document.getElementById("compare-pick").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = pick.value.trim();
    var match = /· ([a-z0-9-]+)$/.exec(text);
    var id = match ? match[1] : null;
    if (!id && index) {
      var found = index.filter(function (r) { return ((r.agency || "") + " " + (r.year || "")).indexOf(text) >= 0; });
      if (found.length === 1) { id = found[0].report_id; }
    }
    if (!id) { say("没有找到这份报告，请从下拉列表中选择。", "No such report: choose one from the list."); return; }
    if (ids.indexOf(id) < 0 && ids.length < MAX) { go(ids.concat([id])); }
  });
  columnPick.addEventListener("change", render);
  document.addEventListener("nianbao:lang", render);
}());
