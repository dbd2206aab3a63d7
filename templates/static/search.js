/* nianbao: the search page, with Pagefind's own interface (all files local). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("search");
    if (!box) { return; }
    if (typeof window.PagefindUI !== "function") {
      document.getElementById("search-missing").hidden = false;
      return;
    }
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: box.dataset.bundle,
      showSubResults: true,
      showImages: false,
      resetStyles: false
    });
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) { ui.triggerSearch(query); }
  });
}());
