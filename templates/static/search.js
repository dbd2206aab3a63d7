/* nianbao: full-text search with Pagefind's index (built with the site, all
   local). Our own small interface instead of Pagefind's: a labelled field,
   results as plain links, both languages, and excerpts inserted as text with
   only their <mark> highlights kept. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) { return; }
  var input = document.getElementById("q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var bundle = new URL(form.dataset.bundle, document.baseURI);
  // The index is in shards (pagefind/0/ … pagefind/f/): the first is loaded,
  // the others merged into it.
  var shards = (form.dataset.shards || "").split(" ").filter(Boolean);
  var engine = null;
  var agencyBox = document.getElementById("agency-results");
  var agencyList = agencyBox.querySelector("ul");
  var agencies = null;

  // Agencies by any part of any name they used, or their region: a word
  // search cannot find 信访局 inside 文峰区信访局, a substring can.
  function loadAgencies() {
    if (!agencies) {
      agencies = fetch(new URL(form.dataset.agencies, document.baseURI)).then(function (r) {
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      }).then(function (data) { return data.agencies; });
    }
    return agencies;
  }

  function findAgencies(query) {
    var terms = query.split(/\s+/).filter(Boolean);
    return loadAgencies().then(function (all) {
      return all.filter(function (a) {
        var text = a.names.join(" ") + " " + (a.region || "");
        return terms.every(function (t) { return text.indexOf(t) >= 0; });
      });
    }).catch(function () { return []; });
  }

  function showAgencies(found) {
    agencyList.textContent = "";
    agencyBox.hidden = found.length === 0;
    found.slice(0, 30).forEach(function (a) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = new URL(a.page, new URL("../", bundle)).href;
      link.textContent = a.name;
      li.appendChild(link);
      var years = a.years.length ? a.years[0] + (a.years.length > 1 ? "–" + a.years[a.years.length - 1] : "") : "";
      var more = a.names.length > 1 ? "（" + a.names.filter(function (n) { return n !== a.name; }).join("、") + "）" : "";
      li.appendChild(document.createTextNode(" " + more + (years ? " · " + years : "")));
      agencyList.appendChild(li);
    });
  }

  function en() { return window.nianbaoLang && window.nianbaoLang() === "en"; }
  function say(zh, english) { status.textContent = en() ? english : zh; }

  function load() {
    if (!engine) {
      if (!shards.length) { return Promise.reject(new Error("no index")); }
      // Result addresses start from the site's own folder (a GitHub Pages project path too).
      var options = { baseUrl: new URL("../", bundle).pathname };
      engine = import(new URL(shards[0] + "/pagefind.js", bundle).href).then(function (pagefind) {
        return pagefind.options(options).then(function () {
          return Promise.all(shards.slice(1).map(function (shard) {
            return pagefind.mergeIndex(new URL(shard + "/", bundle).href, options);
          }));
        }).then(function () { return pagefind; });
      });
    }
    return engine;
  }

  function excerpt(html) {
    // Pagefind's excerpt is HTML; keep its text and <mark>s only.
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var out = document.createElement("p");
    out.className = "excerpt";
    parsed.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function show(results) {
    list.textContent = "";
    results.forEach(function (data) {
      var item = document.createElement("li");
      var title = document.createElement("a");
      title.href = data.url;
      title.textContent = data.meta.title || data.url;
      title.className = "result";
      item.appendChild(title);
      item.appendChild(excerpt(data.excerpt));
      var subs = (data.sub_results || []).filter(function (s) { return s.url !== data.url; }).slice(0, 3);
      if (subs.length) {
        var sublist = document.createElement("ul");
        subs.forEach(function (sub) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = sub.url;
          a.textContent = sub.title;
          li.appendChild(a);
          li.appendChild(excerpt(sub.excerpt));
          sublist.appendChild(li);
        });
        item.appendChild(sublist);
      }
      list.appendChild(item);
    });
  }

  function run(query) {
    query = query.trim();
    list.textContent = "";
    showAgencies([]);
    if (!query) { say("", ""); return; }
    say("正在搜索……", "Searching…");
    // Agencies by name and the reports' text, side by side: the names still
    // answer when the text index cannot be loaded.
    var text = load().then(function (pagefind) { return pagefind.search(query); }).then(function (search) {
      return Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); })).then(function (data) {
        return { count: search.results.length, data: data };
      });
    }).catch(function (error) { return { count: 0, data: [], error: error }; });
    Promise.all([findAgencies(query), text]).then(function (found) {
      var named = found[0], hits = found[1], count = hits.count;
      var zh = named.length ? named.length + " 个机构" : "";
      var english = named.length ? named.length + (named.length === 1 ? " agency" : " agencies") : "";
      if (count) {
        zh += (zh ? "，" : "") + "正文中 " + count + " 个结果" + (count > 20 ? "（显示前 20 个）" : "");
        english += (english ? ", " : "") + count + " results in the text" + (count > 20 ? " (first 20 shown)" : "");
      }
      if (hits.error) {
        zh += (zh ? "。" : "") + "全文索引无法加载（" + hits.error.message + "）";
        english += (english ? ". " : "") + "The text index could not be loaded (" + hits.error.message + ")";
      } else if (!named.length && !count) {
        zh = "没有找到“" + query + "”";
        english = "Nothing found for “" + query + "”";
      }
      say(zh, english);
      showAgencies(named);
      show(hits.data);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var params = new URLSearchParams(window.location.search);
    params.set("q", input.value);
    window.history.replaceState(null, "", "?" + params.toString());
    run(input.value);
  });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) {
    input.value = initial;
    run(initial);
  }
}());
