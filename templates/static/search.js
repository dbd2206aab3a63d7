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
    if (!query) { say("", ""); return; }
    say("正在搜索……", "Searching…");
    load().then(function (pagefind) {
      return pagefind.search(query);
    }).then(function (search) {
      var count = search.results.length;
      return Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); })).then(function (data) {
        say(count ? "找到 " + count + " 个结果" + (count > 20 ? "，显示前 20 个" : "") : "没有找到“" + query + "”",
            count ? count + " results" + (count > 20 ? ", first 20 shown" : "") : "Nothing found for “" + query + "”");
        show(data);
      });
    }).catch(function (error) {
      say("搜索索引无法加载（" + error.message + "）。", "The search index could not be loaded (" + error.message + ").");
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
