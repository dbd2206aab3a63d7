/* nianbao: the language switch. Runs in <head> so the page never flashes in
   the other language. Chinese is the default; the choice is remembered, and
   ?lang=en (or ?lang=zh) in a link opens a page in that language. */
(function () {
  "use strict";
  var KEY = "nianbao-lang";
  var root = document.documentElement;
  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function apply(lang) {
    root.setAttribute("data-ui", lang);
    root.setAttribute("lang", lang === "en" ? "en" : "zh-CN");
  }
  var asked = new URLSearchParams(window.location.search).get("lang");
  var lang = asked === "en" || asked === "zh" ? asked : stored() || "zh";
  apply(lang);
  window.nianbaoLang = function () { return root.getAttribute("data-ui") || "zh"; };
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("lang-switch");
    if (!button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var next = window.nianbaoLang() === "en" ? "zh" : "en";
      apply(next);
      try { window.localStorage.setItem(KEY, next); } catch (e) { /* private mode: this page only */ }
      document.dispatchEvent(new CustomEvent("nianbao:lang", { detail: next }));
    });
  });
}());
